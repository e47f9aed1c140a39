"""Imports that never credit or split the wrong person: codes that lost their zeros, rehires,
concurrent posts, learner ids, names checked, unknown ids set aside, completions during leave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.files import write_csv, write_xlsx
from trainer.cli import main

HEADERS = ["職員番号", "氏名", "フリガナ", "所属コード", "所属名", "職名", "任用区分", "事務区分", "採用日"]
ROSTER = [
    ["000123", "吉田 花子", "ヨシダ ハナコ", "0110", "保険年金課", "主事", "正規職員", "利用事務", "2015-04-01"],
    [
        "000124",
        "高橋 一郎",
        "タカハシ イチロウ",
        "0110",
        "保険年金課",
        "主任",
        "会計年度任用職員",
        "利用事務",
        "2026-04-01",
    ],
    ["000125", "山崎 次郎", "ヤマザキ ジロウ", "0120", "市民税課", "主事", "正規職員", "利用事務", "2010-04-01"],
]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "register"
    roster = write_csv(tmp_path / "roster.csv", [HEADERS, *ROSTER])
    code, _, err = run(capsys, "import", "staff", roster, "--db", path, "--as-of", "2026-04-01")
    assert code == 0, err
    return path


def test_the_same_roster_saved_from_excel_with_number_cells_changes_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [[int(r[0]), *r[1:3], int(r[3]), *r[4:]] for r in ROSTER]  # 123, 110: the zeros gone
    book = write_xlsx(tmp_path / "roster.xlsx", [HEADERS, *rows])
    code, out, err = run(capsys, "import", "staff", book, "--db", db, "--as-of", "2026-11-01", "--dry-run")
    assert code == 0, err
    assert "変更なし: 3人" in out and "追加: 0人" in out and "所属の追加" not in out and "異動: 0人" in out
    assert "「110」を登録済みの 0110 と照合しました" in out


def test_a_code_two_registered_codes_could_be_is_refused_naming_both(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "staff", "add", "0123", "--name", "別人 一", "--kana", "ﾍﾞﾂｼﾞﾝ", "--division", "0110",
        "--employment", "正規職員", "--hired", "2020-04-01", "--db", db,
    )  # fmt: skip
    assert code == 0, err
    rows = [HEADERS, [123, "吉田 花子", "ヨシダ ハナコ", "0110", "保険年金課", "主事", "正規職員", "利用事務", ""]]
    code, _, err = run(capsys, "import", "staff", write_xlsx(tmp_path / "x.xlsx", rows), "--db", db, "--dry-run")
    assert code == 1
    assert "列「職員番号」: 「123」は登録済みの 000123、0123 のどれのことか分かりません" in err


def test_a_new_division_named_like_an_existing_one_is_warned(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = ["000130", "新人 一", "シンジン ハジメ", "A110", "保険年金課", "主事", "正規職員", "利用事務", "2026-11-01"]
    code, out, err = run(
        capsys, "import", "staff", write_csv(tmp_path / "n.csv", [HEADERS, row]), "--db", db, "--dry-run"
    )
    assert code == 0, err
    assert "所属の追加: A110 保険年金課" in out and "同じ名前の所属がすでにあります（0110）" in out


def test_someone_retired_who_appears_again_is_re_appointed(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "staff", "retire", "000124", "--on", "2026-08-31", "--db", db)[0] == 0
    row = [*ROSTER[1][:8], "2026-10-01"]
    roster = write_csv(tmp_path / "oct.csv", [HEADERS, row])
    code, out, err = run(capsys, "import", "staff", roster, "--db", db, "--as-of", "2026-11-01", "--dry-run")
    assert code == 0, err
    assert "再採用（同じ職員番号で再び採用）: 1人（000124 高橋 一郎）" in out
    assert run(capsys, "import", "staff", roster, "--db", db, "--as-of", "2026-11-01")[0] == 0
    _, out, _ = run(capsys, "staff", "show", "000124", "--db", db, "--format", "json")
    data = json.loads(out)
    assert data["earlier_periods"] == [{"start": "2026-04-01", "end": "2026-08-31"}] and data["hired"] == "2026-10-01"


def test_a_roster_column_gives_the_concurrent_posts_and_the_learner_id(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = [*HEADERS, "兼務所属コード", "学習者ID"]
    rows = [[*r, "0120" if r[0] == "000123" else "", "L-" + r[0] if r[0] == "000125" else ""] for r in ROSTER]
    roster = write_csv(tmp_path / "r.csv", [headers, *rows])
    code, out, err = run(capsys, "import", "staff", roster, "--db", db, "--as-of", "2026-10-01")
    assert code == 0, err
    assert "兼務の変更: 1人" in out and "学習者IDの設定: 1人" in out
    _, out, _ = run(capsys, "staff", "show", "000123", "--db", db, "--format", "json")
    assert json.loads(out)["concurrent"] == [{"division": "0120", "start": "2026-10-01", "end": None, "title": ""}]
    # The e-learning export names people by their learner id.
    progress = write_csv(
        tmp_path / "p.csv", [["学習者ID", "コース名", "状態", "修了日"], ["L-000125", "入門編", "修了", "2026/10/20"]]
    )
    code, out, err = run(capsys, "import", "progress", progress, "--db", db)
    assert code == 0, err
    _, out, _ = run(capsys, "staff", "show", "000125", "--db", db, "--format", "json")
    assert {r["id"]: r["state"] for r in json.loads(out)["requirements"]}["intro"] == "completed"


def test_a_transposed_number_with_another_persons_name_credits_nobody(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ["職員番号", "氏名", "コース名", "状態", "修了日"],
        ["000124", "山﨑 次郎", "入門編", "修了", "2026/10/20"],  # 000125's name under 000124's number
        ["000123", "よしだ はなこ", "入門編", "修了", "2026/10/21"],  # the same person, written otherwise
    ]
    code, _, err = run(
        capsys, "import", "progress", write_csv(tmp_path / "p.csv", rows, encoding="utf-8-sig"), "--db", db
    )
    assert code == 1
    assert "職員番号 000124 は 高橋 一郎 さんですが、ファイルの氏名は「山﨑 次郎」です" in err
    assert "000123" not in err.split("問題）")[1].split("→")[0]  # 吉田 花子 in hiragana is no problem


def test_unknown_ids_are_all_listed_and_may_be_set_aside(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ["職員番号", "コース名", "状態", "修了日"],
        ["admin01", "入門編", "修了", "2026/10/20"],
        ["000123", "入門編", "修了", "2026/10/21"],
        ["syukko7", "入門編", "修了", "2026/10/22"],
    ]
    path = write_csv(tmp_path / "p.csv", rows)
    code, _, err = run(capsys, "import", "progress", path, "--db", db)
    assert code == 1 and "admin01" in err and "syukko7" in err and "--skip-unknown" in err
    code, out, err = run(capsys, "import", "progress", path, "--db", db, "--skip-unknown")
    assert code == 0, err
    assert "除いた行: 2行" in out and "2行目: admin01" in out and "4行目: syukko7" in out
    _, out, _ = run(capsys, "log", "--db", db, "--format", "json")
    entry = json.loads(out)[0]
    assert entry["skipped"] == [{"row": 2, "id": "admin01"}, {"row": 4, "id": "syukko7"}]


def test_a_completion_dated_during_leave_is_imported_with_a_caution(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "staff", "leave", "000123", "育児休業", "--start", "2026-06-01", "--db", db)[0] == 0
    rows = [["職員番号", "コース名", "状態", "修了日"], ["000123", "入門編", "修了", "2026/07/20"]]
    code, out, err = run(capsys, "import", "progress", write_csv(tmp_path / "p.csv", rows), "--db", db)
    assert code == 0, err
    assert "注意: 000123 吉田 花子: 修了日 令和8年7月20日 は育児休業中です" in out
    _, out, _ = run(capsys, "staff", "show", "000123", "--db", db)
    assert "育児休業中の日付で修了" in out
    _, out, _ = run(capsys, "export", tmp_path / "e.csv", "--db", db)
    assert "育児休業中の日付で修了" in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")


def test_heisei_dates_after_the_kaigen_are_read_as_reiwa_with_a_warning_naming_both(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "record", "000123", "intro", "--date", "平成38年7月1日", "--db", db)
    assert code == 0 and "「平成38年7月1日」を 令和8年7月1日 として読みました" in err
    code, out, err = run(capsys, "status", "--fy", "平成38年度", "--db", db)
    assert code == 0 and "令和8年度" in out and "「平成38年度」を 令和8年度 として読みました" in err
    row = ["000140", "新人 一", "シンジン ハジメ", "0110", "保険年金課", "主事", "正規職員", "利用事務", "H31.5.1"]
    code, out, err = run(
        capsys, "import", "staff", write_csv(tmp_path / "h.csv", [HEADERS, row]), "--db", db, "--dry-run"
    )
    assert code == 0, err
    assert "「H31.5.1」を 令和元年5月1日 として読みました（改元後の平成の日付）" in out
