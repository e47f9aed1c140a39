"""What an XLSX may unpack to, checked before openpyxl parses a byte of it.

A workbook is a zip of XML files. A few kilobytes can unpack to gigabytes (a zip bomb): 300
million empty rows made an import 5.7 GB resident, one 1.5 GB shared string 4.3 GB. So, in order,
each step bounded by the one before:

1. the zip's end record: at most :data:`MAX_ENTRIES` files;
2. the zip's directory: what each file unpacks to — a worksheet at most
   :data:`MAX_SHEET_BYTES`, any other part (the shared strings included, which openpyxl holds in
   memory whole) :data:`MAX_PART_BYTES`, all of them :data:`MAX_TOTAL_BYTES`. Python's zipfile never
   unpacks more than the directory declares, so a lying directory cannot get past this;
3. one streaming pass over each XML part, a megabyte at a time: at most :data:`MAX_ROWS` rows
   (Excel's own limit), no row numbered past it (openpyxl fills the gap up to a row's number with
   empty rows), no text longer than :data:`MAX_TEXT` characters between two tags.

While reading, a row wider than :data:`MAX_COLUMNS` stops the import (:mod:`trainer.importers.table`).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

from trainer.errors import InputError

MAX_ENTRIES = 10_000
MAX_SHEET_BYTES = 128 * 1024 * 1024
MAX_PART_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 1_000
MAX_TEXT = 100_000  # characters between two tags (a cell longer than this is not a roster's)

_CHUNK = 1024 * 1024
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row[\s>/]")
_FAR_ROW = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row\s[^>]*?\br\s*=\s*[\"'](\d{7,})")  # numbers of 1,000,000 up
_LONG_TEXT = re.compile(rb"(?<![^<])[^<]{%d}" % MAX_TEXT)  # tries only where a text starts: linear


def _refuse(path: Path, why: str) -> InputError:
    return InputError(
        f"{path} は XLSX として読めません: {why}",
        "人事システムや e-ラーニングから出力し直すか、CSV で出力してください（行・列を絞ると小さくなります）",
    )


def _entry_count(data: bytes) -> int:
    """The number of files the zip's end record declares (a zip64 count reads as the most)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return 0  # not a zip's end: zipfile says so in its own words
    count: int = struct.unpack_from("<H", data, end + 10)[0]
    return count


def check_workbook(path: Path, data: bytes) -> None:
    """Refuse a workbook whose unpacked size, rows or texts exceed the limits above (quickly)."""
    count = _entry_count(data)
    if count > MAX_ENTRIES:
        raise _refuse(path, f"中のファイルが多すぎます（{count:,} 個、上限 {MAX_ENTRIES:,} 個）")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: openpyxl refuses it in its own words ("XLSX として開けません")
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise _refuse(path, f"中のファイルが多すぎます（{len(entries):,} 個、上限 {MAX_ENTRIES:,} 個）")
        total = 0
        for entry in entries:
            limit = MAX_SHEET_BYTES if entry.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
            total += entry.file_size
            if entry.file_size > limit:
                raise _refuse(
                    path,
                    f"展開すると {entry.filename} が {entry.file_size / 1e6:,.0f} MB になります"
                    f"（上限 {limit / 1e6:,.0f} MB）",
                )
        if total > MAX_TOTAL_BYTES:
            raise _refuse(path, f"展開すると {total / 1e6:,.0f} MB になります（上限 {MAX_TOTAL_BYTES / 1e6:,.0f} MB）")
        for entry in entries:
            if entry.filename.lower().endswith((".xml", ".rels")):
                _scan(path, archive, entry)


def _scan(path: Path, archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """One pass over a part: count its rows, find the highest row number and an overlong text."""
    rows = 0
    carry = b""
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                buffer = carry + chunk
                cut = buffer.rfind(b"<")  # every tag before the last "<" is whole
                if cut < 0:
                    cut = len(buffer)
                if _LONG_TEXT.search(buffer, 0, len(buffer)):
                    raise _refuse(path, f"{entry.filename} に {MAX_TEXT:,} 文字を超える値があり、長すぎます")
                rows += len(_ROW.findall(buffer, 0, cut))
                far = [int(n) for n in _FAR_ROW.findall(buffer, 0, cut)]
                if rows > MAX_ROWS or (far and max(far) > MAX_ROWS):
                    shown = max([rows, *far])
                    raise _refuse(path, f"行が多すぎます（{shown:,} 行目まで、上限 {MAX_ROWS:,} 行）")
                carry = buffer[cut:]
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise _refuse(path, f"{entry.filename} が壊れています（{e}）") from e
