"""Read a CSV, TSV or XLSX file into header + rows of text, refusing what is not a table.

CSV encodings: UTF-8 (with or without BOM) and CP932 (Shift_JIS as Windows writes it) are
detected; ``encoding`` overrides. A control character (NUL, BEL, ESC, the bidirectional overrides
…; TAB, CR and LF are where lines and cells are) anywhere in the file refuses it: one regular
expression searches the whole decoded text, every cell of a workbook. Cells come back
NFKC-normalised (全角 digits and spaces and half-width カナ become standard), trimmed; XLSX dates
come back as dates and numbers as numbers, so the caller can tell an Excel number from text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trainer.errors import InputError
from trainer.files import input_file, read_bytes
from trainer.importers.workbook import MAX_COLUMNS, check_workbook
from trainer.text import UNSAFE, describe_char, standard

MAX_LINE_CHARS = 100_000  # a cell or line longer than this is not a roster
MAX_FILE_BYTES = 200 * 1024 * 1024

Cell = str | int | float | date


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # as a spreadsheet counts it: the header is row 1
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    path: Path
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    encoding: str  # what was read ("xlsx" for a workbook)
    digest: str = ""  # SHA-256 of the bytes read (the change log names exactly this file)


def _not_a_table(path: Path, why: str) -> InputError:
    return InputError(
        f"{path} は表（CSV・TSV・XLSX）として読めません: {why}",
        "人事システムや e-ラーニングから出力した CSV か XLSX を指定してください",
    )


def read_table(path: Path, encoding: str | None = None) -> Table:
    """The file's header and data rows (blank rows skipped)."""
    path = input_file(Path(path))
    size = path.stat().st_size
    if size == 0:
        raise _not_a_table(path, "空のファイルです")
    if size > MAX_FILE_BYTES:
        raise _not_a_table(path, f"大きすぎます（{size / 1e6:.0f} MB）")
    data = read_bytes(path)  # read once: parsed and hashed from the same bytes
    if data.startswith(b"%PDF"):
        raise _not_a_table(path, "PDF ファイルです")
    table = _read_xlsx(path, data) if data.startswith(b"PK\x03\x04") else _read_text(path, data, encoding)
    return replace(table, digest=hashlib.sha256(data).hexdigest())


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as e:
            raise InputError(f"{path} を {encoding} として読めません: {e}", "--encoding を確認してください") from e
    if b"\x00" in data[:65536]:
        raise _not_a_table(path, "バイナリファイルです（NUL バイトを含みます）")
    for candidate in ("utf-8-sig", "cp932"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise _not_a_table(path, "文字コードが UTF-8 でも CP932（Shift_JIS）でもありません")


def _control_character(path: Path, row: int, char: str, column: str = "") -> InputError:
    where = f"{row}行目" + (f" 列「{column}」" if column else "")
    return InputError(
        f"{path} の {where} に制御文字 {describe_char(char)} があります（表示されない文字で、画面や帳票を乱します）",
        "出力し直すか、その文字を消してから取り込んでください",
    )


def _read_text(path: Path, data: bytes, encoding: str | None) -> Table:
    text, used = _decode(path, data, encoding)
    bad = UNSAFE.search(text)  # every character, at C speed
    if bad is not None:
        raise _control_character(path, text.count("\n", 0, bad.start()) + 1, bad.group())
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or first_line.count("\t") > first_line.count(",") else ","
    csv.field_size_limit(MAX_LINE_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    headers: tuple[str, ...] | None = None
    try:
        for line in reader:
            number = reader.line_num
            cells = tuple(standard(c) for c in line)
            if not any(cells):
                continue
            if headers is None:
                headers = cells
            else:
                rows.append(Row(number, cells))
    except csv.Error as e:
        raise _not_a_table(path, f"{reader.line_num}行目: {e}（1つのセルが長すぎるか、引用符が閉じていません）") from e
    if headers is None:
        raise _not_a_table(path, "見出しの行がありません")
    return Table(path, headers, tuple(rows), used)


class _ControlInCell(Exception):
    def __init__(self, value: str, char: str) -> None:
        self.value, self.char = value, char


def _xlsx_cell(value: Any) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    text = str(value)
    bad = UNSAFE.search(text)
    if bad is not None:
        raise _ControlInCell(value, bad.group())
    return standard(text)


def _read_xlsx(path: Path, data: bytes) -> Table:
    import openpyxl  # imported here: only XLSX files need it
    from openpyxl.utils.exceptions import InvalidFileException

    check_workbook(path, data)  # a zip bomb is refused before openpyxl unpacks anything
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise _not_a_table(path, f"XLSX として開けません: {e}") from e
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # rows as wide as their cells, not as the size the file declares
        headers: tuple[str, ...] | None = None
        rows: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > MAX_COLUMNS:
                raise _not_a_table(path, f"{number}行目の列が多すぎます（{len(values):,} 列、上限 {MAX_COLUMNS:,} 列）")
            try:
                cells = tuple(_xlsx_cell(v) for v in values)
            except _ControlInCell as e:
                index = next(i for i, v in enumerate(values) if v is e.value)
                raise _control_character(path, number, e.char, f"{index + 1}列目") from e
            if not any(c not in (None, "") for c in cells):
                continue
            if headers is None:
                headers = tuple(str(c) if c is not None else "" for c in cells)
            else:
                rows.append(Row(number, tuple("" if c is None else c for c in cells)))
    finally:
        workbook.close()
    if headers is None:
        raise _not_a_table(path, "最初のシートに見出しの行がありません")
    return Table(path, headers, tuple(rows), "xlsx")
