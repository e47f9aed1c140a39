"""What every command group shares: the Japanese argparse, the command builder, output helpers."""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from trainer.progress import Task
from trainer.text import printable

if TYPE_CHECKING:
    from trainer.service import Service

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

Handler = Callable[["Service", argparse.Namespace], int]
FolderHandler = Callable[[Path, argparse.Namespace], int]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="使い方: " if prefix is None else prefix)


_ARGPARSE_MESSAGES = [
    (re.compile(r"the following arguments are required: (.+)"), r"必要な引数がありません: \1"),
    (
        re.compile(r"argument (\S+): invalid choice: '(.*)' \(choose from (.+)\)"),
        r"\1: 「\2」は選べません（選べるもの: \3）",
    ),
    (re.compile(r"argument (\S+): invalid int value: '(.*)'"), r"\1: 「\2」は整数ではありません"),
    (re.compile(r"argument (\S+): expected one argument"), r"\1: 値が必要です"),
    (re.compile(r"unrecognized arguments: (.+)"), r"知らない引数です: \1"),
]


class Parser(argparse.ArgumentParser):
    """argparse in Japanese: section titles, the help flag, the usual errors; usage errors exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        wants_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # ours is in Japanese, below
        super().__init__(*args, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        if wants_help:
            self.add_argument("-h", "--help", action="help", help="このヘルプを表示して終わる")

    def error(self, message: str) -> None:  # type: ignore[override]
        for pattern, japanese in _ARGPARSE_MESSAGES:
            message = pattern.sub(japanese, message)
        self.print_usage(sys.stderr)
        print(f"{self.prog}: 使い方の誤り: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


class Commands:
    """Builds the command tree: each command group's module declares its commands through this."""

    def __init__(self, sub: Any, common: argparse.ArgumentParser) -> None:
        self.sub = sub
        self.common = common

    def command(
        self,
        name: str,
        func: Handler | FolderHandler,
        help_text: str,
        parent: Any = None,
        creates: bool = False,
        opens: str = "register",
    ) -> argparse.ArgumentParser:
        """A command; only those that ``creates`` make a new database where none is.

        ``opens``: "register" (the handler gets the open service), "inspect" (the same, opened
        for verify: a file that differs from the manifest is reported, not refused) or "folder"
        (the handler gets the database folder and opens nothing itself: repair).
        """
        p = (parent or self.sub).add_parser(name, help=help_text, description=help_text, parents=[self.common])
        p.set_defaults(func=func, creates=creates, opens=opens)
        return p

    def group(self, name: str, help_text: str, description: str, metavar: str, title: str, listing: str) -> Any:
        """A command with subcommands (staff, division, import, report)."""
        parser = self.sub.add_parser(name, help=help_text, description=description)
        return parser.add_subparsers(
            dest=f"{name}_command", metavar=metavar, title=title, help=listing, required=True, parser_class=Parser
        )

    @staticmethod
    def fy_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--fy", help="年度（2026、令和8年度、R8 など。既定: 今日の年度）")

    @staticmethod
    def format_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=["table", "json"], default="table", help="出力形式（既定 table）")


class ShownText(io.TextIOBase):
    """A text stream that shows what a register holds instead of letting a terminal act on it.

    Everything written passes :func:`trainer.text.printable`: an ESC, a BEL or U+202E becomes
    ``\\u001b`` …, valid inside JSON strings too. ``terminal`` is the stream itself, for the
    progress line's own cursor movements.
    """

    def __init__(self, terminal: IO[str]) -> None:
        super().__init__()
        self.terminal = terminal

    def write(self, text: str) -> int:
        self.terminal.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self.terminal.flush()

    def fileno(self) -> int:
        return self.terminal.fileno()

    def isatty(self) -> bool:
        return self.terminal.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.terminal, "encoding", "utf-8")


@contextmanager
def shown_safely() -> Iterator[None]:
    """Standard output and error through :class:`ShownText` while a command runs."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = ShownText(sys.stdout), ShownText(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _terminal() -> IO[str]:
    """Standard error itself, for the cursor movements of a progress line."""
    return getattr(sys.stderr, "terminal", sys.stderr)


def progress_printer(label: str) -> Task:
    if not sys.stderr.isatty():
        return Task()

    def show(done: int, total: int, message: str) -> None:
        percent = 100 * done // total if total else 100
        end = "" if done < total else "\n"
        shown = printable(message)  # a division's name comes from the register
        print(f"\r\x1b[K{label}: {percent:3d}% {shown}", end=end, file=_terminal())  # (clear the old line)

    return Task(on_progress=show)


def import_printer(label: str) -> Task:
    """Progress on stderr for long imports: percent, rows per second, rows left."""
    if not sys.stderr.isatty():
        return Task()
    started = time.monotonic()

    def show(done: int, total: int, message: str) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = done / elapsed
        left = total - done
        end = "" if done < total else "\n"
        shown = printable(message)
        print(f"\r{label}: {done}/{total}行 {rate:,.0f}行/秒 残り{left}行 {shown}   ", end=end, file=_terminal())

    return Task(on_progress=show)


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


DB_HELP = "データベースのフォルダ（既定: 環境変数 TRAINER_DB、なければユーザーのデータフォルダ）"
CATALOG_HELP = "研修カタログのフォルダ（courses/ と checklists/ を含む）。既定: TRAINER_CATALOG、なければ同梱のもの"


def common_options() -> argparse.ArgumentParser:
    """--db and --catalog after the command too; SUPPRESS keeps a value given before the command."""
    common = Parser(add_help=False)
    common._optionals.title = "共通オプション"
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=DB_HELP)
    common.add_argument("--catalog", type=Path, default=argparse.SUPPRESS, help=CATALOG_HELP)
    return common
