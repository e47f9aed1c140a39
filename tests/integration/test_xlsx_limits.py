"""Hostile workbooks (zip bombs) are refused from the zip's directory and a quick scan, before openpyxl
parses anything, and the process stays small while it refuses them.

Found on a clean clone: 300 million empty rows made the import 5.7 GB resident; one 1.5 GB shared
string 4.3 GB and 31 s before a refusal. The files here are small on disk and large unpacked.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.files import ROSTER_HEADERS, write_csv
from trainer.cli import main

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    + '<row r="1"><c r="A1" t="inlineStr"><is><t>職員番号</t></is></c></row>'.encode()
)
TAIL = b"</sheetData></worksheet>"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")


def workbook(path: Path, parts: dict[str, Iterator[bytes]], extra_entries: int = 0) -> Path:
    """A real workbook from openpyxl with some of its parts replaced (written as streams)."""
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["職員番号"])
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for item in source.infolist():
            if item.filename not in parts:
                out.writestr(item, source.read(item))
        for name, chunks in parts.items():
            with out.open(name, "w", force_zip64=True) as f:
                for chunk in chunks:
                    f.write(chunk)
        for i in range(extra_entries):
            out.writestr(f"customXml/item{i}.xml", b"<a/>")
    return path


def padded_sheet(size: int) -> Iterator[bytes]:
    yield HEAD
    for _ in range(size // MB):
        yield b" " * MB  # white space between rows: valid XML, and it compresses a thousandfold
    yield TAIL


def empty_rows(count: int) -> Iterator[bytes]:
    yield HEAD
    for start in range(2, count + 2, 100_000):
        yield b"".join(b'<row r="%d"/>' % n for n in range(start, min(start + 100_000, count + 2)))
    yield TAIL


def one_row(at: int) -> Iterator[bytes]:
    yield HEAD + b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (at, at) + TAIL


def long_cell(chars: int) -> Iterator[bytes]:
    yield HEAD + b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"a" * chars + b"</t></is></c></row>" + TAIL


def wide_rows(count: int) -> Iterator[bytes]:
    yield HEAD
    yield b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (n, n) for n in range(2, count + 2))
    yield TAIL


def shared_string(size: int) -> Iterator[bytes]:
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    for _ in range(size // MB):
        yield b"a" * MB
    yield b"</t></si></sst>"


BOMBS = {
    "sheet-unpacks-to-300-MB": ({SHEET: lambda: padded_sheet(300 * MB)}, 0, "展開すると"),
    "shared-string-of-40-MB": ({"xl/sharedStrings.xml": lambda: shared_string(40 * MB)}, 0, "展開すると"),
    "1.1-million-rows": ({SHEET: lambda: empty_rows(1_100_000)}, 0, "行が多すぎます"),
    "a-row-at-300-million": ({SHEET: lambda: one_row(300_000_000)}, 0, "行が多すぎます"),
    "a-cell-of-2-million-chars": ({SHEET: lambda: long_cell(2_000_000)}, 0, "長すぎます"),
    "20000-entries": ({}, 20_000, "多すぎます"),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("db")
    roster = write_csv(
        folder / "r.csv",
        [
            ROSTER_HEADERS,
            ["000001", "山田 花子", "ヤマダ", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.4.1"],
        ],
    )
    assert main(["import", "staff", str(roster), "--db", str(folder / "register"), "--as-of", "2026-04-01"]) == 0
    return folder / "register"


@pytest.mark.parametrize("bomb", list(BOMBS), ids=list(BOMBS))
def test_a_zip_bomb_is_refused_before_openpyxl_reads_it(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bomb: str
) -> None:
    parts, entries, words = BOMBS[bomb]
    path = workbook(tmp_path / "bomb.xlsx", {name: make() for name, make in parts.items()}, entries)
    assert path.stat().st_size < 3 * MB

    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to parse a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_parse)
    code = main(["import", "staff", str(path), "--db", str(db), "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 1, out
    assert words in err and "bomb.xlsx" in err and "Traceback" not in err


def test_a_cell_far_to_the_right_in_every_row_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(tmp_path / "wide.xlsx", {SHEET: wide_rows(50_000)})
    code = main(["import", "staff", str(path), "--db", str(db), "--dry-run"])
    _, err = capsys.readouterr()
    assert code == 1 and "列が多すぎます" in err and "Traceback" not in err


@pytest.mark.parametrize("bomb", ["a-row-at-300-million", "1.1-million-rows", "sheet-unpacks-to-300-MB"])
def test_refusing_a_bomb_stays_under_500_MB(db: Path, tmp_path: Path, bomb: str) -> None:
    parts, entries, words = BOMBS[bomb]
    path = workbook(tmp_path / "bomb.xlsx", {name: make() for name, make in parts.items()}, entries)
    script = (
        "import resource, sys\n"
        "from trainer.cli import main\n"
        f"code = main(['import', 'staff', {str(path)!r}, '--db', {str(db)!r}, '--dry-run'])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    # The timeout only stops a hang (before the limits, this bomb ran for many minutes).
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
    peak_mb = int(result.stderr.strip().splitlines()[-1])
    assert peak_mb < 500, f"{peak_mb} MB resident"


def test_an_ordinary_workbook_still_imports(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = openpyxl.Workbook()
    book.active.append(ROSTER_HEADERS)
    book.active.append(["000002", "鈴木 一郎", "スズキ", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.4.1"])
    book.save(tmp_path / "ok.xlsx")
    code = main(["import", "staff", str(tmp_path / "ok.xlsx"), "--db", str(db), "--dry-run", "--as-of", "2026-10-01"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "追加: 1人" in out
