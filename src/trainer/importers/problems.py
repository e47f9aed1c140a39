"""Row-level problems, collected for the whole file before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trainer.errors import TrainerError

MAX_SHOWN = 50


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


class ImportRejected(TrainerError):
    """The file was not imported: every problem found is listed; nothing was written."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        shown = "\n".join(f"  {path.name}: {p}" for p in problems[:MAX_SHOWN])
        more = f"\n  …ほか {len(problems) - MAX_SHOWN} 件" if len(problems) > MAX_SHOWN else ""
        super().__init__(
            f"{path} を取り込めません（{len(problems)} 件の問題）。データは変更していません。\n{shown}{more}",
            "ファイルを直してから、もう一度取り込んでください（--dry-run で確認できます）",
        )


@dataclass
class Problems:
    """A collector; ``raise_if_any`` rejects the file when anything was found."""

    path: Path
    items: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str, expected: str = "") -> None:
        self.items.append(Problem(row, column, message, expected))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRejected(self.path, self.items)
