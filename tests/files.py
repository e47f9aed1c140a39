"""Input files written the way HR systems and e-learning platforms write them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl

ROSTER_HEADERS = ["職員番号", "氏名", "フリガナ", "所属コード", "所属名", "職名", "任用区分", "事務区分", "採用日"]


def write_csv(
    path: Path, rows: list[list[object]], encoding: str = "cp932", newline: str = "\r\n", delimiter: str = ","
) -> Path:
    """A CSV as a personnel system exports it (CP932 and CRLF unless told otherwise)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=newline, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], text_columns: tuple[int, ...] = ()) -> Path:
    """An XLSX someone edited in Excel: dates as date cells, the given columns as text cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, date) and not isinstance(value, datetime):
                value = datetime(value.year, value.month, value.day)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy/m/d"
            if c - 1 in text_columns:
                cell.data_type = "s"
                cell.number_format = "@"
    workbook.save(path)
    return path


def register_bytes(db: Path) -> dict[str, bytes]:
    """Every data file of a register (not the lock, not backups): to prove nothing changed."""
    return {p.name: p.read_bytes() for p in sorted(db.iterdir()) if p.is_file() and not p.name.startswith("lock")}
