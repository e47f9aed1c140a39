"""The CLI end to end: exit codes, messages, and that a refused command writes nothing."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.cli import GROUPS, build_parser, command_of, main


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    db = tmp_path / "city"
    assert main(["demo", "--db", str(db), "--staff", "200", "--seed", "7"]) == 0
    return db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(db: Path) -> dict[str, bytes]:
    """Every data file's bytes (the lock files change on every open)."""
    return {p.name: p.read_bytes() for p in sorted(db.iterdir()) if p.is_file() and not p.name.startswith("lock")}


def test_demo_then_status_json_counts_add_up(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status", "--db", str(demo_db), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["fiscal_year"] == 2026 and data["as_of"] == "2026-11-25"
    states = ("completed", "exempt", "overdue", "in_progress", "not_started")
    totals = data["totals"]
    assert totals["in_scope"] > 100
    assert sum(totals[s] for s in states) == totals["in_scope"]
    assert sum(d["in_scope"] for d in data["divisions"]) == totals["in_scope"]
    for division in data["divisions"]:
        assert {"code", "name"} <= division.keys()
        assert sum(division[s] for s in states) == division["in_scope"]
    assert [r["id"] for r in data["requirements"]] == ["intro", "rules", "flow", "security", "checkpoint"]
    assert all("completed" in r for r in data["requirements"])


def test_last_year_has_a_few_overdue_people(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "status", "--db", str(demo_db), "--fy", "令和7年度", "--format", "json")
    data = json.loads(out)
    assert data["as_of"] == "2026-03-31"
    assert 0 < data["totals"]["overdue"] < data["totals"]["in_scope"] // 5


def test_status_table_is_in_japanese(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status", "--db", str(demo_db))
    assert code == 0
    assert "令和8年度" in out and "令和8年11月25日 現在" in out and "保険年金課" in out


def test_demo_refuses_to_overwrite_data(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(demo_db)
    code, _, err = run(capsys, "demo", "--db", str(demo_db))
    assert code == 1 and "--force" in err
    assert snapshot(demo_db) == before


def test_demo_force_replaces_and_keeps_a_backup(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "demo", "--db", str(demo_db), "--staff", "50", "--force")
    assert code == 0
    _, out, _ = run(capsys, "staff", "list", "--db", str(demo_db), "--format", "json", "--all")
    assert len(json.loads(out)) == 50
    assert list((demo_db / "backups").glob("*before-demo.zip"))


def test_staff_lifecycle_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "db")
    assert run(capsys, "division", "add", "160", "--db", db, "--name", "市民税課", "--head-name", "山田 一郎")[0] == 0
    assert run(capsys, "division", "add", "150", "--db", db, "--name", "保護課")[0] == 0
    code, _, err = run(
        capsys, "staff", "add", "000123", "--db", db, "--name", "𠮷田 花子", "--kana", "ﾖｼﾀﾞ ﾊﾅｺ",
        "--division", "160", "--employment", "会計年度任用職員", "--hired", "R8.10.1",
    )  # fmt: skip
    assert code == 0, err
    assert run(capsys, "record", "000123", "入門編", "--db", db, "--date", "令和8年10月20日")[0] == 0
    assert run(capsys, "record", "000123", "flow", "--db", db, "--date", "2026/11/2", "--progress", "40")[0] == 0
    assert run(capsys, "staff", "transfer", "000123", "150", "--db", db, "--on", "2026-11-16")[0] == 0
    assert (
        run(capsys, "staff", "leave", "000123", "病気休暇", "--db", db, "--start", "2026-11-20", "--end", "2026-11-24")[
            0
        ]
        == 0
    )
    code, _, err = run(
        capsys, "exempt", "000123", "checkpoint", "--db", db, "--kind", "other_body",
        "--approved-by", "人事課長 佐藤 一郎", "--evidence", "修了証の写し（人事課で保管）",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "staff", "show", "000123", "--db", db, "--format", "json")
    data = json.loads(out)
    assert data["staff_id"] == "000123" and data["kana"] == "ヨシダ ハナコ"
    assert data["division"] == "150"
    assert data["exemptions"] == [
        {
            "no": 1,
            "requirement": "checkpoint",
            "kind": "other_body",
            "reason": "他団体で本年度受講済み",
            "approved_by": "人事課長 佐藤 一郎",
            "approved_on": "2026-11-25",
            "evidence": "修了証の写し（人事課で保管）",
            "effective": "2026-11-25",
            "recorded_on": "2026-11-25",
            "revoked_on": None,
            "revoked_reason": None,
        }
    ]
    assert [a["division"] for a in data["assignments"]] == ["160", "150"]
    states = {r["id"]: r["state"] for r in data["requirements"]}
    assert states == {
        "intro": "completed",
        "rules": "not_started",
        "flow": "in_progress",
        "security": "not_started",
        "checkpoint": "exempt",
    }
    assert run(capsys, "staff", "retire", "000123", "--db", db, "--on", "2026-11-24")[0] == 0
    _, out, _ = run(capsys, "staff", "list", "--db", db, "--format", "json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["record", "999999", "intro", "--date", "2026-07-01"], "職員番号「999999」"),
        (["record", "{sid}", "intro", "--date", "2027-01-01"], "未来の日付"),
        (["record", "{sid}", "intro", "--date", "2025-07-01", "--fy", "2026"], "の外です"),
        (["record", "{sid}", "intro", "--date", "2026-07-01", "--progress", "120"], "0〜100"),
        (["record", "{sid}", "intro", "--date", "2026-02-30"], "存在しない日付"),
        (["record", "{sid}", "intoro", "--date", "2026-07-01"], "intro"),
        (["exempt", "{sid}", "all", "--reason", "年度途中の退職予定のため所属長が免除"], "承認者"),
        (["exempt", "{sid}", "all", "--kind", "other_body", "--reason", "x"], "承認者の職名・氏名（--approved-by）"),
        (["exempt", "{sid}", "all", "--kind", "退職予定", "--approved-by", "課長 某"], "免除の種類「退職予定」"),
        (["exempt", "{sid}", "all", "--kind", "other_body", "--approved-by", "課長 某"], "根拠"),
        (["exempt", "{sid}", "all", "--revoke", "--reason", "誤り"], "取り消せるもの"),
        (["staff", "transfer", "{sid}", "XYZ", "--on", "2026-10-01"], "所属コード「XYZ」"),
        (["status", "--fy", "令和百年度"], "年度"),
    ],
)
def test_bad_input_exits_1_with_a_message_and_writes_nothing(
    demo_db: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    _, out, _ = run(capsys, "staff", "list", "--db", str(demo_db), "--format", "json")
    sid = json.loads(out)[0]["staff_id"]
    before = snapshot(demo_db)
    code, _, err = run(capsys, *[a.replace("{sid}", sid) for a in args], "--db", str(demo_db))
    assert code == 1
    assert message in err and "エラー" in err
    assert "Traceback" not in err
    assert snapshot(demo_db) == before


def test_completed_record_is_not_silently_overwritten(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "staff", "list", "--db", str(demo_db), "--format", "json")
    sid = next(p["staff_id"] for p in json.loads(out) if p["duty"] == "利用事務")
    assert run(capsys, "record", sid, "rules", "--db", str(demo_db), "--date", "2026-11-20", "--replace")[0] == 0
    code, _, err = run(capsys, "record", sid, "rules", "--db", str(demo_db), "--date", "2026-11-21")
    assert code == 1 and "--replace" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["record"])
    assert exit_info.value.code == 2


def _all_commands(parser=None, prefix=()):  # type: ignore[no-untyped-def]
    parser = parser or build_parser()
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from _all_commands(sub, (*prefix, name))


@pytest.mark.parametrize("command", [" ".join(c) for c, _ in _all_commands()])
def test_every_command_has_help_text(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command.split(), "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "使い方: trainer" in out
    parser = dict(_all_commands())[tuple(command.split())]
    assert parser.description, f"{command} has no description"
    for action in parser._actions:
        if action.dest not in ("help",):
            assert action.help, f"{command}: {action.dest} has no help text"


def _top_level(parser: argparse.ArgumentParser) -> list[str]:
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return [name for action in subparsers for name in action.choices]


def test_groups_names_the_commands_each_module_declares() -> None:
    """A run builds only its command's group (trainer.cli.GROUPS): each group must name exactly
    what its module declares, and together every command, in the help's order."""
    assert _top_level(build_parser()) == [name for names in GROUPS.values() for name in names]
    for names in GROUPS.values():
        for name in names:
            assert _top_level(build_parser(name)) == list(names)


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["staff", "show", "000001"], "staff"),
        (["--db", "x", "status", "--fy", "R8"], "status"),
        (["--db=x", "--catalog", "c", "record", "1", "intro"], "record"),
        (["staff", "--help"], "staff"),  # (the staff group is built whole: its help is complete)
        (["--help"], None),
        (["--version"], None),
        (["--da", "x", "status"], None),  # an abbreviated option: argparse decides
        (["stauts"], None),  # a typo: the whole tree says what there is
        (["--db"], None),
        ([], None),
    ],
)
def test_the_command_is_told_from_the_words_before_it_or_the_whole_tree_decides(
    argv: list[str], command: str | None
) -> None:
    assert command_of(argv) == command


def test_a_mistyped_command_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["stauts"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "「stauts」は選べません" in err
    assert all(f"'{name}'" in err for names in GROUPS.values() for name in names)


def test_console_script_runs_and_reports_errors_on_stderr(tmp_path: Path) -> None:
    db = tmp_path / "db"
    env = {"TRAINER_TODAY": "2026-11-25", "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run(
        [sys.executable, "-m", "trainer.cli", "record", "1", "intro", "--date", "2026-07-01", "--db", str(db)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "データベースがありません" in result.stderr and "Traceback" not in result.stderr
    assert not db.exists()  # a mistyped --db creates nothing


@pytest.mark.parametrize("command", [["status"], ["staff", "list"], ["record", "1", "intro", "--date", "2026-07-01"]])
def test_a_missing_database_is_an_error_not_a_new_empty_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    db = tmp_path / "typo"
    code, _out, err = run(capsys, *command, "--db", str(db))
    assert code == 1 and "データベースがありません" in err
    assert not db.exists()


def test_db_may_come_before_or_after_the_command(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = run(capsys, "--db", str(demo_db), "staff", "list", "--format", "json")
    after = run(capsys, "staff", "list", "--format", "json", "--db", str(demo_db))
    assert before[0] == after[0] == 0 and before[1] == after[1] and json.loads(before[1])


def test_usage_errors_are_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["record", "000001", "intro"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "必要な引数がありません: --date" in err and "使い方: trainer" in err


def test_unknown_division_filter_is_an_error(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "staff", "list", "--db", str(demo_db), "--division", "999")
    assert code == 1 and "所属コード「999」" in err


def test_employment_types_are_configurable_per_city(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    types = "正規職員,再任用職員,任期付職員,会計年度任用職員,臨時職員,非常勤嘱託員"
    assert run(capsys, "employment-types", "--db", str(demo_db), "--set", types)[0] == 0
    code, _, err = run(
        capsys, "staff", "add", "900001", "--db", str(demo_db), "--name", "新 人", "--kana", "ｱﾗﾀ ﾋﾄ",
        "--division", "160", "--employment", "非常勤嘱託員", "--hired", "2026-11-01",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, "employment-types", "--db", str(demo_db), "--set", "正規職員")
    assert code == 1 and "消せません" in err


def _city_catalog(tmp_path: Path) -> Path:
    import shutil

    from trainer.catalog import default_catalog_dir

    city = tmp_path / "city-catalog"
    for folder in ("courses", "checklists", "policy"):
        shutil.copytree(default_catalog_dir() / folder, city / folder)
    return city


def test_a_city_catalog_applies_to_years_not_yet_frozen(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    city = _city_catalog(tmp_path)
    (city / "courses" / "security.yaml").unlink()
    code, out, _ = run(
        capsys, "status", "--db", str(demo_db), "--catalog", str(city), "--fy", "2027", "--format", "json"
    )
    assert code == 0
    assert [r["id"] for r in json.loads(out)["requirements"]] == ["intro", "rules", "flow", "checkpoint"]


def test_after_a_year_is_frozen_editing_the_catalog_changes_nothing_of_it(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    city = _city_catalog(tmp_path)
    intro = city / "courses" / "intro.yaml"
    intro.write_text(intro.read_text(encoding="utf-8").replace("months: 5", "months: 6"), encoding="utf-8")
    (city / "courses" / "security.yaml").unlink()
    for fy, as_of in (("2025", "2025-12-15"), ("2026", "2026-11-25")):
        _, before, _ = run(capsys, "status", "--db", str(demo_db), "--fy", fy, "--as-of", as_of, "--format", "json")
        code, after, err = run(
            capsys, "status", "--db", str(demo_db), "--catalog", str(city), "--fy", fy, "--as-of", as_of,
            "--format", "json",
        )  # fmt: skip
        assert code == 0 and after == before
        assert "凍結した内容と違います" in err
    code, out, _ = run(capsys, "year", "show", "2025", "--db", str(demo_db), "--catalog", str(city))
    assert code == 0
    assert "受講期間 7月1日〜11月30日 → 7月1日〜12月31日" in out and "security" in out

    code, out, err = run(
        capsys, "year", "apply-catalog", "2026", "--db", str(demo_db), "--catalog", str(city),
        "--reason", "総務省の受講期間の延長",
    )  # fmt: skip
    assert code == 0, err
    assert list((demo_db / "backups").glob("*before-apply-catalog-fy2026.zip"))
    _, out, _ = run(capsys, "status", "--db", str(demo_db), "--fy", "2026", "--format", "json")
    assert [r["id"] for r in json.loads(out)["requirements"]] == ["intro", "rules", "flow", "checkpoint"]
    _, out, _ = run(capsys, "log", "--db", str(demo_db), "--fy", "2026", "--format", "json")
    assert "総務省の受講期間の延長" in json.loads(out)[0]["summary"]
    _, out, _ = run(capsys, "verify", "--db", str(demo_db))
    assert out.startswith("OK")


def test_backup_list_and_restore_through_the_cli(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "backup", "--db", str(demo_db))
    assert code == 0
    backup = out.split(": ", 1)[1].strip()
    _, out, _ = run(capsys, "staff", "list", "--db", str(demo_db), "--format", "json")
    sid = json.loads(out)[0]["staff_id"]
    assert run(capsys, "staff", "retire", sid, "--db", str(demo_db), "--on", "2026-11-20")[0] == 0
    code, out, _ = run(capsys, "backup", "--db", str(demo_db), "--list")
    assert code == 0 and Path(backup).name in out
    code, out, _ = run(capsys, "restore", backup, "--db", str(demo_db))
    assert code == 0 and "before-restore" in out
    _, out, _ = run(capsys, "staff", "show", sid, "--db", str(demo_db), "--format", "json")
    assert json.loads(out)["retired"] is None


def _cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-40] + b"#" * 40)


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[data.index(b'"name"') + 9] ^= 0x01  # one bit of a name: still JSON, not what was written
    path.write_bytes(bytes(data))


DAMAGE = {
    "main.json cut": ("main.json", _cut),
    "main.json changed": ("main.json", _flip),
    "main.json missing": ("main.json", Path.unlink),
    "journal missing": ("journal.jsonl", Path.unlink),
    "year file cut": ("fy2026.json", _cut),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_file_names_the_newest_backup_and_that_command_brings_the_register_back(
    demo_db: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    older = run(capsys, "backup", "--db", str(demo_db))[1].split(": ", 1)[1].strip()
    newest = run(capsys, "backup", "--db", str(demo_db))[1].split(": ", 1)[1].strip()
    assert older != newest
    _, healthy, _ = run(capsys, "status", "--db", str(demo_db), "--format", "json")
    name, harm = DAMAGE[damage]
    harm(demo_db / name)

    code, out, err = run(capsys, "status", "--db", str(demo_db), "--format", "json")
    assert code == 1 and name in err
    assert f"trainer restore {newest} " in err and older not in err  # the newest, by its whole path
    command = err.split("trainer restore ", 1)[1].split(" ", 1)[0]
    code, out, err = run(capsys, "restore", command, "--db", str(demo_db))
    assert code == 0, err
    before_restore = out.split("戻す前の状態は ", 1)[1].split(" ", 1)[0]
    assert Path(before_restore).parent == demo_db / "backups"  # the damaged state is kept too
    code, out, err = run(capsys, "status", "--db", str(demo_db), "--format", "json")
    assert code == 0, err
    assert out == healthy
    code, out, err = run(capsys, "log", "--db", str(demo_db), "--limit", "1")
    assert code == 0 and "バックアップから戻しました" in out and Path(newest).name in out
    assert run(capsys, "verify", "--db", str(demo_db))[1].startswith("OK")
