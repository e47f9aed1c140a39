"""Every problem of a rejected import is reported: the first 50 on screen, all of them in a CSV file.

The message names the file; ``--errors`` chooses it, else ``<input>.errors.csv`` beside the input.
It is written in ``--dry-run`` too, opens in Excel (UTF-8 with BOM), and never holds a number.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.files import ROSTER_HEADERS, register_bytes, write_csv, write_xlsx
from trainer.cli import main
from trainer.errors import FileError

NUMBER = "1234-5678-9018"  # the public sample: 123456789018 has the check digit 8


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def person(n: int, employment: str = "正規職員") -> list[object]:
    return [f"{n:06d}", f"職員 {n}", "ショクイン", "160", "市民税課", "主事", employment, "利用事務", "R8.4.1"]


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "register"
    roster = write_csv(tmp_path / "first.csv", [ROSTER_HEADERS, person(1), person(2)])
    code, _, err = run(capsys, "import", "staff", str(roster), "--db", str(path), "--as-of", "2026-04-01")
    assert code == 0, err
    return path


def problems_in(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_every_problem_of_a_rejected_roster_is_in_the_errors_file_beside_it(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], dry_run: bool
) -> None:
    inbox = tmp_path / "人事課から"
    inbox.mkdir()
    roster = write_csv(inbox / "名簿.csv", [ROSTER_HEADERS, *(person(n, "非常勤") for n in range(100, 1300))])
    before = register_bytes(db)
    code, out, err = run(capsys, "import", "staff", str(roster), "--db", str(db), *(["--dry-run"] if dry_run else []))
    assert code == 1, out
    assert "1200 件の問題" in err and "…ほか 1150 件" in err
    assert err.count("列「任用区分」") == 50  # the first 50 on screen
    errors = inbox / "名簿.errors.csv"
    assert f"問題の一覧（全 1200 件、CSV）: {errors}" in err
    rows = problems_in(errors)
    assert rows[0] == ["行", "列", "問題", "期待する値"]
    assert len(rows) == 1201
    assert rows[1][:3] == ["2", "任用区分", "任用区分「非常勤」は使えません"]
    assert rows[-1][0] == "1201"
    assert register_bytes(db) == before


def test_errors_go_where_errors_says_and_into_a_folder_under_the_usual_name(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [["学習者ID", "コース名", "受講状況", "修了日"], ["999999", "入門編", "修了", "2026/07/10"]]
    progress = write_csv(tmp_path / "elearning.csv", rows)
    chosen = tmp_path / "問題.csv"
    code, _, err = run(capsys, "import", "progress", str(progress), "--db", str(db), "--errors", str(chosen))
    assert code == 1 and str(chosen) in err
    assert problems_in(chosen)[1][:2] == ["2", "職員番号"]
    folder = tmp_path / "out"
    folder.mkdir()
    sheet = write_xlsx(tmp_path / "sheet.xlsx", [["職員番号", "確認日"], ["999999", "R8.10.20"]])
    code, _, err = run(capsys, "import", "checkpoint", str(sheet), "--db", str(db), "--errors", str(folder))
    assert code == 1 and str(folder / "sheet.errors.csv") in err
    assert problems_in(folder / "sheet.errors.csv")[1][:2] == ["2", "職員番号"]


def test_when_the_errors_file_cannot_be_written_the_message_says_so(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    roster = write_csv(tmp_path / "r.csv", [ROSTER_HEADERS, person(5, "非常勤")])

    def read_only(path: Path, *args: object, **kwargs: object) -> Path:
        raise FileError(f"{path} を書き出せません: 読み取り専用の場所です", "書き込めるフォルダを指定してください")

    monkeypatch.setattr("trainer.service.imports.write_file", read_only)
    code, _, err = run(capsys, "import", "staff", str(roster), "--db", str(db))
    assert code == 1 and "2行目 列「任用区分」" in err
    assert "問題の一覧を書き出せませんでした" in err and "読み取り専用" in err and "--errors" in err


def test_the_errors_file_never_holds_a_number(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    headers = ["職員番号", "研修", "状態", "修了日", "備考"]
    rows = [headers, [NUMBER, NUMBER, NUMBER, NUMBER, NUMBER], ["000001", "入門編", "修了", NUMBER, ""]]
    progress = write_csv(tmp_path / "p.csv", rows)
    code, _, err = run(capsys, "import", "progress", str(progress), "--db", str(db), "--dry-run")
    assert code == 1
    text = (tmp_path / "p.errors.csv").read_text(encoding="utf-8-sig")
    assert "個人番号（マイナンバー）とみられる" in text
    for digits in ("123456789018", "1234-5678", "5678-9018"):
        assert digits not in text and digits not in err


def test_the_errors_file_is_never_the_file_being_imported(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = write_csv(tmp_path / "r.csv", [ROSTER_HEADERS, person(5, "非常勤")])
    content = roster.read_bytes()
    code, _, err = run(capsys, "import", "staff", str(roster), "--db", str(db), "--errors", str(roster))
    assert code == 1 and "--errors" in err
    assert roster.read_bytes() == content
