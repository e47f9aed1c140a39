"""The year's status per person and requirement, out to CSV (UTF-8 with BOM, or CP932) or XLSX.

A cell a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
return) is neutralised: in CSV it gets a leading apostrophe, in XLSX it is stored as text.
職員番号 stay text, so their leading zeros survive in XLSX. A control character a register may
hold (written before they were refused) is written as ``\u001b`` …, never as itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trainer.calendar import fy_label, wareki
from trainer.errors import InputError
from trainer.files import output_file, write_file
from trainer.model import LEFT_LABEL, Catalog, Division
from trainer.rules import Departure, PersonStatus
from trainer.text import printable, spreadsheet_cell


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    rows: int
    replaced_chars: list[str]  # (CP932 only) rows whose characters CP932 cannot hold


def rows_for(
    fiscal_year: int,
    people: list[PersonStatus],
    catalog: Catalog,
    divisions: dict[str, Division],
    departures: Sequence[Departure] = (),
) -> tuple[list[str], list[list[str]]]:
    """The header and one row per person: overall state, then each requirement's state and dates.

    People who left scope during the year (離脱) have a row too, in the division they last belonged
    to while in scope, with the day and the reason, and each requirement as it stood that day.
    """
    headers = ["年度", "所属コード", "所属名", "職員番号", "氏名", "カナ", "職名", "任用区分", "全体の状態"]
    headers += ["離脱日", "離脱の理由"]
    for r in catalog:
        headers += [f"{r.short_title} 状態", f"{r.short_title} 修了日", f"{r.short_title} 期限"]
    headers.append("備考")
    names = {code: d.name for code, d in divisions.items()}
    everyone: list[PersonStatus | Departure] = [*people, *departures]
    rows = []
    for p in sorted(everyone, key=lambda p: (p.division, p.staff.kana, p.staff.staff_id)):
        gone = p if isinstance(p, Departure) else None
        line = [
            fy_label(fiscal_year),
            p.division,
            names.get(p.division, ""),
            p.staff.staff_id,
            p.staff.name,
            p.staff.kana,
            p.assignment.title,
            p.staff.employment,
            LEFT_LABEL if isinstance(p, Departure) else p.state.label,
            wareki(gone.left_on) if gone else "",
            gone.reason_text(names) if gone else "",
        ]
        by_id = {rs.requirement: rs for rs in p.requirements}
        for r in catalog:
            rs = by_id.get(r.id)
            if rs is None:
                line += ["対象外", "", ""]
                continue
            line += [
                rs.label,
                wareki(rs.completed_on) if rs.completed_on else "",
                wareki(rs.deadline) if rs.deadline else "",
            ]
        notes = "／".join(dict.fromkeys(rs.note for rs in p.requirements if rs.note))
        line.append(notes)
        rows.append(line)
    return headers, rows


def export(
    path: Path,
    fiscal_year: int,
    people: list[PersonStatus],
    catalog: Catalog,
    divisions: dict[str, Division],
    encoding: str = "utf-8-sig",
    departures: Sequence[Departure] = (),
) -> ExportResult:
    """Write the file atomically; the format follows the extension (.csv, .tsv or .xlsx).

    ``path`` must be a file in a folder that exists (see :func:`trainer.files.output_file`).
    """
    path = output_file(path)
    headers, rows = rows_for(fiscal_year, people, catalog, divisions, departures)
    label = fy_label(fiscal_year)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_file(path, _xlsx(headers, rows, label))
        return ExportResult(path, len(rows), [])
    if suffix not in (".csv", ".tsv", ".txt"):
        raise InputError(
            f"{path}: 拡張子 {suffix or '(なし)'} の形式には書き出せません", ".csv か .xlsx にしてください"
        )
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter="\t" if suffix == ".tsv" else ",", lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(h) for h in headers])
    writer.writerows([[spreadsheet_cell(c) for c in row] for row in rows])
    text = buffer.getvalue()
    replaced: list[str] = []
    if encoding.lower().replace("_", "-") in ("cp932", "shift-jis", "sjis", "ms932", "windows-31j"):
        try:
            data = text.encode("cp932")
        except UnicodeEncodeError:  # only then look, row by row, for what CP932 cannot hold
            for row in rows:
                bad = sorted({c for c in "".join(row) if not _encodable(c)})
                if bad:
                    replaced.append(f"{row[3]} {row[4]}: {''.join(bad)}")
            data = text.encode("cp932", errors="replace")
    else:
        try:
            data = text.encode(encoding)
        except (LookupError, UnicodeEncodeError) as e:
            raise InputError(
                f"文字コード {encoding} では書き出せません: {e}", "utf-8-sig（既定）か cp932 を指定してください"
            ) from e
    write_file(path, data)
    return ExportResult(path, len(rows), replaced)


def _encodable(char: str) -> bool:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _xlsx(headers: list[str], rows: list[list[str]], title: str) -> bytes:
    import openpyxl  # only XLSX needs it

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    for line in [headers, *rows]:
        cells = []
        for value in line:
            c = openpyxl.cell.WriteOnlyCell(sheet, value=printable(value))
            c.data_type = "s"  # text, never a formula or a number: ids keep their zeros
            cells.append(c)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
