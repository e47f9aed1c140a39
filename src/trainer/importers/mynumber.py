"""Keep individual numbers (マイナンバー) out of imports: every cell of every row, and the headers.

The finder itself is :mod:`trainer.guard` (the same for imports and for what people type). A cell
holding a number is a problem of its own; no other problem is reported for that cell, so no second
message can quote it (and :class:`~trainer.importers.problems.Problems` masks what is left).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trainer.guard import check_digit, contains_my_number, find_my_numbers, is_my_number

if TYPE_CHECKING:
    from trainer.importers.problems import Problems
    from trainer.importers.table import Row, Table

__all__ = ["check_digit", "contains_my_number", "is_my_number", "reject_in_headers", "reject_in_row"]

_FOUND = "個人番号（マイナンバー）とみられる12桁の番号があります"
_WHAT_TO_DO = "この台帳には個人番号を入れません。その列を削除するか番号を消してから取り込んでください"


def reject_in_headers(table: Table, problems: Problems) -> None:
    """A problem for each header holding an individual number (row 1)."""
    for index, header in enumerate(table.headers):
        if contains_my_number(header):
            problems.add(1, f"{index + 1}列目", "見出しに" + _FOUND, _WHAT_TO_DO)


def reject_in_row(table: Table, row: Row, problems: Problems, at: dict[str, int] | None = None) -> None:
    """A problem for each cell of ``row`` holding an individual number (never the number itself).

    ``at`` (our column name -> index) names the columns the importer reads, so that their own
    problems for that cell (an unknown 職員番号, a date that does not parse …) are not reported.
    """
    for index, value in enumerate(row.cells):
        if isinstance(value, str):
            text = value
        elif isinstance(value, int):
            text = str(value)
        else:
            continue
        if len(text) < 12 or not find_my_numbers(text, normalized=True):  # (cells are NFKC already)
            continue
        header = table.headers[index] if index < len(table.headers) and table.headers[index] else f"{index + 1}列目"
        problems.add(row.number, header, _FOUND, _WHAT_TO_DO)
        names = {header, *(name for name, i in (at or {}).items() if i == index)}
        problems.silence(row.number, names)
