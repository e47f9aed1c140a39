"""The date a file describes, when it says so: an HR roster is "as of" a day (its 基準日).

Offered, never imposed: the import asks for the 基準日 and proposes the file's own date, found in
its name (職員名簿_R8.4.1.csv, roster-2026-04-01.xlsx, 20260401_職員.csv, 令和8年4月1日現在.csv) or
in a 基準日 column holding one date for every row.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from trainer.calendar import parse_date
from trainer.errors import TrainerError
from trainer.importers.table import Table

_IN_NAME = (
    re.compile(r"(?:令和|平成|[RrHh])\s*(?:\d{1,2}|元)\s*[.\-/年_]\s*\d{1,2}\s*[.\-/月_]\s*\d{1,2}日?"),
    re.compile(r"(?<!\d)20\d{2}[.\-/_年]\d{1,2}[.\-/_月]\d{1,2}日?(?!\d)"),
    re.compile(r"(?<!\d)20\d{6}(?!\d)"),
)
DATE_COLUMNS = ("基準日", "作成基準日", "基準年月日", "as_of")


def date_in_name(name: str) -> date | None:
    """A date written in a file name, if exactly one reads as a date."""
    text = unicodedata.normalize("NFKC", name)
    for pattern in _IN_NAME:
        for found in pattern.finditer(text):
            try:
                return parse_date(found.group(0).replace("_", "."))
            except TrainerError:
                continue
    return None


def date_in_table(table: Table) -> date | None:
    """The date of a 基準日 column when every row that fills it has the same one."""
    wanted = {unicodedata.normalize("NFKC", h).strip().lower() for h in DATE_COLUMNS}
    for index, header in enumerate(table.headers):
        if unicodedata.normalize("NFKC", header).strip().lower() not in wanted:
            continue
        seen: set[date] = set()
        for row in table.rows:
            value = row.cells[index] if index < len(row.cells) else ""
            if value in ("", None):
                continue
            try:
                seen.add(parse_date(value))
            except TrainerError:
                return None
            if len(seen) > 1:
                return None
        return next(iter(seen), None)
    return None
