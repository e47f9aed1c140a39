"""Row-level problems, collected for the whole file before anything is written.

The first :data:`MAX_SHOWN` are shown; every one of them goes to a CSV file (UTF-8 with BOM, so
Excel opens it) whose path the message names. No problem's text can quote an individual number:
each is masked when it is added, and a cell already reported as holding one gets no other problem.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from trainer.errors import TrainerError
from trainer.guard import masked
from trainer.text import spreadsheet_cell

MAX_SHOWN = 50
ERRORS_HEADERS = ("行", "列", "問題", "期待する値")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file. ``row`` counts lines as a spreadsheet does (header = 1)."""

    row: int | None
    column: str | None
    message: str
    expected: str = ""

    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"{self.row}行目")
        if self.column:
            parts.append(f"列「{self.column}」")
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}（{self.expected}）" if self.expected else text


def problems_csv(problems: list[Problem], per_chunk: int = 20_000) -> list[bytes]:
    """Every problem as CSV in UTF-8 with BOM (行, 列, 問題, 期待する値), in chunks to write one by one."""
    chunks = []
    for start in range(0, max(len(problems), 1), per_chunk):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        if start == 0:
            writer.writerow(ERRORS_HEADERS)
        writer.writerows(
            [
                str(p.row) if p.row is not None else "",
                spreadsheet_cell(p.column or ""),
                spreadsheet_cell(p.message),
                spreadsheet_cell(p.expected),
            ]
            for p in problems[start : start + per_chunk]
        )
        chunks.append(buffer.getvalue().encode("utf-8-sig" if start == 0 else "utf-8"))
    return chunks


class ImportRejected(TrainerError):
    """The file was not imported: every problem found is listed; nothing was written.

    The first :data:`MAX_SHOWN` are in the message; :meth:`reported` adds where all of them were
    written (or why they could not be).
    """

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.errors_file: Path | None = None
        self.errors_failure = ""
        super().__init__(
            self._compose(), "ファイルを直してから、もう一度取り込んでください（--dry-run で確認できます）"
        )

    def _compose(self) -> str:
        shown = "\n".join(f"  {self.path.name}: {p}" for p in self.problems[:MAX_SHOWN])
        rest = len(self.problems) - MAX_SHOWN
        more = f"\n  …ほか {rest} 件" if rest > 0 else ""
        if self.errors_file is not None:
            more += f"\n  問題の一覧（全 {len(self.problems)} 件、CSV）: {self.errors_file}"
        elif self.errors_failure:
            more += (
                f"\n  問題の一覧を書き出せませんでした: {self.errors_failure}（--errors で書き出す先を指定できます）"
            )
        return (
            f"{self.path} を取り込めません（{len(self.problems)} 件の問題）。データは変更していません。\n{shown}{more}"
        )

    def reported(self, errors_file: Path | None, failure: str = "") -> ImportRejected:
        """The same rejection, naming the CSV file that holds every problem (or why it is missing)."""
        self.errors_file, self.errors_failure = errors_file, failure
        self.message = self._compose()
        self.args = (self.message,)
        return self


@dataclass
class Problems:
    """A collector; ``raise_if_any`` rejects the file when anything was found."""

    path: Path
    items: list[Problem] = field(default_factory=list)
    silenced: set[tuple[int | None, str]] = field(default_factory=set)

    def add(self, row: int | None, column: str | None, message: str, expected: str = "") -> None:
        if column is not None and (row, column) in self.silenced:
            return
        self.items.append(
            Problem(
                row,
                masked(column, every_twelve=True) if column else column,
                masked(message, every_twelve=True),
                masked(expected, every_twelve=True),
            )
        )

    def silence(self, row: int | None, columns: set[str]) -> None:
        """No further problem for these cells of ``row`` (one already says all there is to say)."""
        self.silenced.update((row, c) for c in columns)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRejected(self.path, self.items)
