"""Control characters (NUL, BEL, ESC, the bidirectional overrides) never get in, and never get out.

In: refused anywhere in an input file (not only its first kilobytes) and in what is typed. Out: a
register that already holds one (written by an older trainer, or by hand) never sends it to a
terminal, a CSV or XLSX export, or a PDF.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.files import ROSTER_HEADERS, register_bytes, write_csv, write_xlsx
from trainer.cli import main
from trainer.service import Service

ESCAPE = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"  # retitle the terminal, clear it, paint it red
RLO = "\u202e"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def row(n: int, title: str = "主事", name: str = "") -> list[object]:
    return [f"{n:06d}", name or f"職員 {n}", "ショクイン", "160", "市民税課", title, "正規職員", "利用事務", "R8.4.1"]


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "register"
    roster = write_csv(tmp_path / "roster.csv", [ROSTER_HEADERS, row(1), row(2)])
    code, _, err = run(capsys, "import", "staff", str(roster), "--db", str(path), "--as-of", "2026-04-01")
    assert code == 0, err
    return path


@pytest.mark.parametrize(
    ("char", "at_row"),
    [("\x1b", 300), ("\x07", 300), ("\x00", 3000), (RLO, 2), ("\x1b", 2), ("\x9b", 300), ("\x7f", 300)],
    ids=["esc-past-4k", "bel-past-4k", "nul-past-64k", "rlo", "esc-first-row", "csi-c1", "del"],
)
def test_a_control_character_anywhere_in_a_csv_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], char: str, at_row: int
) -> None:
    rows = [ROSTER_HEADERS, *(row(n) for n in range(100, 100 + at_row))]
    rows[at_row - 1] = row(99, title=f"主事{char}[31m")
    roster = write_csv(tmp_path / "r.csv", rows, encoding="utf-8")
    assert roster.stat().st_size > (65536 if char == "\x00" else 4096) or at_row == 2
    before = register_bytes(db)
    code, out, err = run(capsys, "import", "staff", str(roster), "--db", str(db), "--as-of", "2026-10-01")
    assert code == 1, out
    assert f"{at_row}行目" in err and f"U+{ord(char):04X}" in err and "Traceback" not in err
    assert not CONTROL.search(out + err)
    assert register_bytes(db) == before


def test_a_control_character_in_an_xlsx_cell_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = write_xlsx(tmp_path / "r.xlsx", [ROSTER_HEADERS, row(3), row(4, name=f"山田{RLO}子花")])
    code, out, err = run(capsys, "import", "staff", str(book), "--db", str(db), "--as-of", "2026-10-01")
    assert code == 1, out
    assert "3行目" in err and "U+202E" in err
    assert not CONTROL.search(out + err)


TYPED = {
    "staff add --name": ["staff", "add", "000200", "--name", "{}", "--kana", "カナ", "--division", "160",
                         "--employment", "正規職員", "--hired", "2026-04-01"],
    "staff update --title": ["staff", "update", "000001", "--title", "{}"],
    "exempt --reason": ["exempt", "000001", "intro", "--reason", "理由{}"],
    "settings organization": ["settings", "organization", "{}"],
    "division add --name": ["division", "add", "170", "--name", "{}"],
    "signoff --note": ["signoff", "160", "--by", "佐藤", "--note", "{}"],
    "staff show": ["staff", "show", "000001{}"],
}  # fmt: skip


@pytest.mark.parametrize("command", list(TYPED.values()), ids=list(TYPED))
@pytest.mark.parametrize("char", [ESCAPE, RLO, "\x00"], ids=["escape-sequence", "rlo", "nul"])
def test_a_control_character_typed_is_refused_and_never_echoed(
    db: Path, capsys: pytest.CaptureFixture[str], command: list[str], char: str
) -> None:
    before = register_bytes(db)
    code, out, err = run(capsys, *[part.replace("{}", f"山田{char}") for part in command], "--db", str(db))
    assert code == 1, out
    assert "制御文字" in err
    assert not CONTROL.search(out + err)
    assert register_bytes(db) == before


@pytest.fixture
def tainted(db: Path) -> Path:
    """A register that holds control characters already (an older trainer let them in)."""
    svc = Service.open(db, create=False, today=lambda: date(2026, 11, 25))
    try:
        with svc.register.transaction():
            person = svc.register.staff("000001")
            assert person is not None
            assignment = person.assignments[0]._replace(title=f"主事{ESCAPE}")
            svc.register.put_staff([replace(person, name=f"山田{ESCAPE}{RLO}子花", assignments=(assignment,))])
            division = svc.register.division("160")
            assert division is not None
            svc.register.put_divisions([replace(division, name=f"市民税課{ESCAPE}")])
            svc._about("staff_update", f"職員の情報を変更: 000001 山田{ESCAPE}", staff=["000001"])
    finally:
        svc.close()
    return db


def strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        data = list(data.values())
    return [s for item in data for s in strings(item)] if isinstance(data, list) else []


@pytest.mark.parametrize(
    "command",
    [["staff", "list"], ["staff", "show", "000001"], ["log"], ["division", "list"], ["status"],
     ["staff", "list", "--format", "json"], ["staff", "show", "000001", "--format", "json"],
     ["log", "--format", "json"]],
    ids=lambda c: " ".join(c),
)  # fmt: skip
def test_what_the_cli_prints_never_carries_a_control_character(
    tainted: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, err = run(capsys, *command, "--db", str(tainted))
    assert code == 0, err
    assert not CONTROL.search(out + err)
    if "--format" in command:
        assert any(ESCAPE in text for text in strings(json.loads(out)))  # the JSON still says what is stored
    elif command[0] != "status":
        assert "\\u001b" in out  # shown, not acted on


def test_exports_and_reports_never_carry_a_control_character(
    tainted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("s.csv", "s.tsv"):
        code, _, err = run(capsys, "export", str(tmp_path / name), "--db", str(tainted))
        assert code == 0, err
        text = (tmp_path / name).read_bytes().decode("utf-8-sig")
        assert not CONTROL.search(text.replace("\r\n", "").replace("\t", ""))
        assert "\\u001b" in text
    code, _, err = run(capsys, "export", str(tmp_path / "s.xlsx"), "--db", str(tainted))
    assert code == 0, err
    import openpyxl

    cells = [c for r in openpyxl.load_workbook(tmp_path / "s.xlsx").active.iter_rows(values_only=True) for c in r]
    assert not any(CONTROL.search(c) for c in cells if isinstance(c, str))
    out = tmp_path / "reports"
    code, _, err = run(capsys, "report", "roster", "--division", "160", "-o", str(out), "--db", str(tainted))
    assert code == 0, err
    code, _, err = run(
        capsys, "report", "roster", "--division", "160", "-o", str(out), "--format", "html", "--db", str(tainted)
    )
    assert code == 0, err
    [html] = out.glob("*.html")
    assert not CONTROL.search(html.read_text(encoding="utf-8").replace("\n", "").replace("\t", ""))
    assert [p.name for p in out.iterdir() if CONTROL.search(p.name)] == []
