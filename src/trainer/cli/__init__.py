"""The command line: parse arguments, call the service, print. No rules live here.

Each command group's module (``status``, ``people``, ``records``, ``imports``, ``reports``,
``trail``, ``years``, ``admin``, ``doctor``) declares its parsers beside its handlers; this module builds the tree, runs
one command and is the one place errors become messages and exit codes.

A run imports and builds only the group of the command it was given: the whole tree (about 45
parsers, 200 options) took a tenth of ``staff show``'s time at city scale. ``--help``, ``--version``
and anything it cannot tell the command of at a glance get the whole tree, so every message and
listing is the same either way.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from types import ModuleType

from trainer import __version__
from trainer.cli.base import CATALOG_HELP, DB_HELP, EXIT_ERROR, EXIT_OK, Commands, Parser, common_options, shown_safely
from trainer.errors import TrainerError
from trainer.guard import masked
from trainer.settings import Settings
from trainer.text import printable

# Each command group's module (trainer.cli.<name>) and the commands it declares, in the order of
# the help's listing (tests/integration/test_cli.py checks this against the modules).
GROUPS: dict[str, tuple[str, ...]] = {
    "admin": ("demo", "tui", "settings"),
    "status": ("status",),
    "people": ("staff", "division", "employment-types"),
    "records": ("record", "exempt"),
    "imports": ("import", "export"),
    "reports": ("report",),
    "trail": ("signoff", "verify", "log", "undo", "backup", "restore", "repair"),
    "years": ("year",),
    "doctor": ("doctor",),
}
_VALUED = ("--db", "--catalog")  # the options before a command that take a value


def _no_register_yet(db: Path) -> bool:
    """Nothing at ``db``, or an empty folder: where ``import staff`` may make a new register."""
    return not db.exists() or (db.is_dir() and not any(db.iterdir()))


def command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, when that is plain from the words before it (``--db X`` and
    ``--catalog X`` only); None for help, the version, or anything else (the whole tree decides)."""
    words = iter(argv)
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif word.startswith(tuple(f"{option}=" for option in _VALUED)):
            continue
        elif word.startswith("-"):
            return None
        else:
            return word if any(word in names for names in GROUPS.values()) else None
    return None


def groups(command: str | None = None) -> list[ModuleType]:
    """The command groups' modules: every one, or the one declaring ``command``."""
    names = [m for m, commands in GROUPS.items() if command is None or command in commands]
    return [import_module(f"trainer.cli.{name}") for name in names]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command tree: every command, or with ``command`` only that one (see the module's notes)."""
    parser = Parser(
        prog="trainer",
        description="マイナンバー利用事務に従事する職員の研修（接続運用研修・サイバーセキュリティ研修）の受講管理",
        epilog="例: trainer demo && trainer status",
    )
    parser.add_argument("--version", action="version", version=f"trainer {__version__}", help="版を表示して終わる")
    parser.add_argument("--db", type=Path, help=DB_HELP)
    parser.add_argument("--catalog", type=Path, help=CATALOG_HELP)
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="コマンド", help="trainer COMMAND --help で詳しく", parser_class=Parser
    )
    commands = Commands(sub, common_options())
    for group in groups(command):
        group.add_commands(commands)
    return parser


def run_tui(settings: Settings) -> int:
    """Open the terminal app (the only place the CLI touches Textual, and only when asked)."""
    from trainer.tui.app import create_app

    # The app runs all day: cycles must be collected (it freezes the loaded register). What the
    # imports made lives as long as the process: frozen first, so that no collection goes through
    # it again (the first one took 13 ms of the launch).
    gc.freeze()
    gc.enable()
    create_app(settings.db, settings.catalog, today=settings.today, settings=settings).run()
    return EXIT_OK


def _run(args: argparse.Namespace, settings: Settings) -> int:
    """One command on the register it opens (or on the folder, for those that repair one)."""
    db = settings.db
    args.settings, args.catalog = settings, settings.catalog  # for the commands given only the folder
    if args.opens == "folder":
        return int(args.func(db, args))
    from trainer.service import Service

    def opened(create: bool, inspect: bool = False) -> Service:
        return Service.open(db, today=settings.today, create=create, inspect=inspect, settings=settings)

    first = getattr(args, "without_register", None)
    if first is not None and _no_register_yet(db):  # import staff into a new register
        return int(first(db, args, lambda: opened(True), settings.today()))
    svc = opened(args.creates, args.opens == "inspect")
    try:
        return int(args.func(svc, args))
    finally:
        for note in svc.take_notices():  # e.g. a 平成 date after the 改元, read as 令和
            print(f"注意: {note}", file=sys.stderr)
        svc.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code. The one place an error becomes a message."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(command_of(argv)).parse_args(argv)
    try:
        settings = Settings.load(args.db, args.catalog, getattr(args, "templates", None))
        if args.command in (None, "tui"):
            return run_tui(settings)
        with shown_safely():  # no stored control character or number reaches the terminal
            try:
                return _run(args, settings)
            except TrainerError as e:  # the message, then "  → what to do"; never an individual number
                print(f"エラー: {masked(str(e))}", file=sys.stderr)
                return EXIT_ERROR
    except TrainerError as e:  # the TUI's own start (it shows its errors itself once running)
        print(f"エラー: {printable(str(e))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("中断しました", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head or less, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def run() -> None:
    """The ``trainer`` console script: one command, then the process exits.

    The cyclic garbage collector is off for that short life, and the process ends without the
    interpreter's final collection: reference counting still frees whatever is dropped, and the
    collector would only rescan the register's hundreds of thousands of live objects. The TUI,
    which runs all day, turns it back on; tests that call :func:`main` never turn it off.
    """
    gc.disable()
    code = main()
    # Python's shutdown would still run a full collection over every object the command loaded
    # (most of a second at city scale). Everything we wrote is already synced and closed; only
    # the standard streams need flushing.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


__all__ = ["build_parser", "main", "run"]
