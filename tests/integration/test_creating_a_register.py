"""Only the commands the README names create a register, and a --dry-run never creates anything.

Found on a clean clone: ``import staff`` with a mistyped ``--db`` made a new register even with
``--dry-run``, which still said 「何も変更していません」.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.files import ROSTER_HEADERS, write_csv
from trainer.cli import main


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
def roster(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "名簿.csv", [ROSTER_HEADERS, person(1), person(2)])


def test_a_dry_run_into_a_missing_register_creates_nothing_and_says_so(
    tmp_path: Path, roster: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "typo"
    code, out, err = run(capsys, "import", "staff", str(roster), "--db", str(db), "--dry-run", "--as-of", "R8.4.1")
    assert code == 0, err
    assert "追加: 2人" in out  # what the import would do
    assert "まだありません" in out and str(db) in out and "作っていません" in out
    assert not db.exists()


def test_a_rejected_roster_creates_no_register(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "new"
    bad = write_csv(tmp_path / "bad.csv", [ROSTER_HEADERS, person(1, "非常勤")])
    for extra in ([], ["--dry-run"]):
        code, _, err = run(capsys, "import", "staff", str(bad), "--db", str(db), *extra)
        assert code == 1 and "任用区分「非常勤」は使えません" in err
        assert not db.exists()


def test_importing_a_roster_into_a_missing_register_creates_it_and_says_so(
    tmp_path: Path, roster: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new"
    code, out, err = run(capsys, "import", "staff", str(roster), "--db", str(db), "--as-of", "R8.4.1")
    assert code == 0, err
    assert "追加: 2人" in out and f"新しいデータベースを作成しました: {db}" in out
    code, out, _ = run(capsys, "staff", "list", "--db", str(db), "--format", "json")
    assert code == 0 and [p["staff_id"] for p in json.loads(out)] == ["000001", "000002"]
    code, out, _ = run(capsys, "import", "staff", str(roster), "--db", str(db), "--as-of", "R8.4.1")
    assert code == 0 and "変更なし: 2人" in out and "新しいデータベース" not in out


@pytest.mark.parametrize("kind", ["progress", "checkpoint"])
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["import", "dry-run"])
def test_other_imports_into_a_missing_register_are_refused_and_create_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, dry_run: list[str]
) -> None:
    db = tmp_path / "typo"
    rows = [["職員番号", "研修", "状態", "確認日"], ["000001", "入門編", "修了", "R8.7.1"]]
    code, _, err = run(capsys, "import", kind, str(write_csv(tmp_path / "p.csv", rows)), "--db", str(db), *dry_run)
    assert code == 1 and "データベースがありません" in err
    assert not db.exists()


def test_the_readme_names_exactly_the_commands_that_create_a_register() -> None:
    from tests.integration.test_cli import _all_commands

    creating = {
        " ".join(name)
        for name, parser in _all_commands()
        if parser.get_default("creates") or parser.get_default("without_register")
    }
    assert creating == {"demo", "staff add", "division add", "restore", "import staff"}
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "only `demo`, `staff add`, `division add`, `restore` and `import staff`" in " ".join(readme.split())
