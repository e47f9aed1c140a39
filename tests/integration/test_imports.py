"""Imports through the CLI: real-shaped files in, the rules' state checked after, nothing bad in."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from tests.files import ROSTER_HEADERS, register_bytes, write_csv, write_xlsx
from tests.registers import contents
from trainer.cli import main
from trainer.importers.mynumber import check_digit
from trainer.service import Service

MY_NUMBER = "12345678901" + str(check_digit("12345678901"))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def status(capsys: pytest.CaptureFixture[str], db: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    code, out, err = run(capsys, "status", "--db", str(db), "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def person(capsys: pytest.CaptureFixture[str], db: Path, staff_id: str) -> dict:  # type: ignore[type-arg]
    code, out, err = run(capsys, "staff", "show", staff_id, "--db", str(db), "--format", "json")
    assert code == 0, err
    return json.loads(out)


APRIL_ROSTER = [
    ROSTER_HEADERS,
    ["０００１２３", "𠮷田　花子 ", "ﾖｼﾀﾞ ﾊﾅｺ", "160", "市民税課", "主事", "正規職員", "利用事務", "H27.4.1"],
    ["000124", "髙橋 一郎", "タカハシ イチロウ", "150", "保護課", "主任", "会計年度任用職員", "利用", "令和8年4月1日"],
    ["000125", "山﨑 次郎", "ヤマザキ ジロウ", "520", "人事課", "主事", "正規職員", "関係事務", "2010/4/1"],
    ["000126", "德永 三郎", "トクナガ サブロウ", "160", "市民税課", "係長", "再任用職員", "利用事務", "R8.4.1"],
]


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A register filled from an April roster in UTF-8 with BOM (𠮷 does not exist in CP932)."""
    path = tmp_path / "register"
    roster = write_csv(tmp_path / "roster-april.csv", APRIL_ROSTER, encoding="utf-8-sig")
    code, out, err = run(capsys, "import", "staff", str(roster), "--db", str(path), "--as-of", "2026-04-01")
    assert code == 0, err
    assert "追加: 4人" in out
    return path


def test_roster_import_normalises_what_hr_systems_write(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hanako = person(capsys, db, "000123")  # 全角 digits, leading zeros kept
    assert hanako["name"] == "𠮷田 花子" and hanako["kana"] == "ヨシダ ハナコ"  # 全角 space, half-width カナ
    assert hanako["hired"] == "2015-04-01" and hanako["division"] == "160"
    assert person(capsys, db, "000124")["duty"] == "利用事務"
    data = status(capsys, db)
    assert data["totals"]["in_scope"] == 3  # 000125 does 関係事務 only
    assert {d["code"]: d["name"] for d in data["divisions"]} == {"150": "保護課", "160": "市民税課"}


def test_cp932_crlf_roster_with_a_september_transfer_and_a_rename(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    september = [
        [*ROSTER_HEADERS, "状態"],
        ["000123", "吉田 花子", "ヨシダ ハナコ", "150", "保護課", "主事", "正規職員", "利用事務", "H27.4.1", "在職"],
        [
            "000124",
            "髙橋 一郎",
            "タカハシ イチロウ",
            "150",
            "保護課",
            "主任",
            "会計年度任用職員",
            "利用事務",
            "R8.4.1",
            "育児休業",
        ],
        ["000126", "德永 三郎", "トクナガ サブロウ", "160", "税務課", "係長", "再任用職員", "利用事務", "R8.4.1", ""],
    ]
    roster = write_csv(tmp_path / "roster-sept.csv", september)  # CP932, CRLF
    args = ["import", "staff", str(roster), "--db", str(db), "--as-of", "R8.9.15"]
    code, out, err = run(capsys, *args, "--dry-run")
    assert code == 0, err
    assert "異動: 1人" in out and "休業: 1人" in out and "名簿にない在職者: 1人" in out and "000125" in out
    assert "所属の名称変更: 160 市民税課 → 税務課" in out and "氏名・カナ・任用区分の訂正: 1人" in out
    code, out, err = run(capsys, *args, "--retire-missing")
    assert code == 0, err

    hanako = person(capsys, db, "000123")
    assert [(a["start"], a["division"]) for a in hanako["assignments"]] == [
        ("2015-04-01", "160"),
        ("2026-09-15", "150"),
    ]
    assert hanako["name"] == "吉田 花子"  # corrected from the HR system's spelling
    before = status(capsys, db, "--as-of", "2026-09-14", "--division", "160")
    after = status(capsys, db, "--as-of", "2026-09-15", "--division", "150")
    assert before["totals"]["in_scope"] == 2 and after["totals"]["in_scope"] == 2
    assert person(capsys, db, "000124")["leaves"] == [{"kind": "育児休業", "start": "2026-09-15", "end": None}]
    assert person(capsys, db, "000125")["retired"] == "2026-09-14"
    _, out, _ = run(capsys, "division", "list", "--db", str(db), "--format", "json")
    assert {d["code"]: d["name"] for d in json.loads(out)}["160"] == "税務課"
    # Importing the same roster again changes nothing.
    code, out, _ = run(capsys, *args, "--dry-run")
    assert "変更なし: 3人" in out and "追加: 0人" in out


def test_xlsx_roster_with_date_cells_and_numbers_excel_made_of_ids(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ROSTER_HEADERS,
        [123, "𠮷田 花子", "ヨシダ ハナコ", 160, "市民税課", "主事", "正規職員", "利用事務", date(2015, 4, 1)],
        ["000127", "濵田 四郎", "ハマダ シロウ", "160", "市民税課", "主事", "臨時職員", "利用事務", date(2026, 10, 1)],
    ]
    book = write_xlsx(tmp_path / "roster.xlsx", rows)
    code, out, err = run(capsys, "import", "staff", str(book), "--db", str(db), "--as-of", "2026-10-01")
    assert code == 0, err
    assert "「123」を登録済みの 000123 と照合しました" in out
    assert "追加: 1人" in out
    shiro = person(capsys, db, "000127")
    assert shiro["hired"] == "2026-10-01" and shiro["employment"] == "臨時職員"


def test_a_bad_roster_lists_every_problem_and_changes_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ROSTER_HEADERS,
        ["000130", "新人 一", "シンジン ハジメ", "160", "市民税課", "主事", "非常勤", "利用事務", "R8.4.1"],
        ["000131", "新人 二", "シンジン ニ", "160", "市民税課", "主事", "正規職員", "総務事務", "R8.4.1"],
        ["000132", "新人 三", "シンジン サン", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.2.30"],
        ["000132", "新人 四", "シンジン ヨン", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.4.1"],
        ["000133", "新人 五", f"番号 {MY_NUMBER[:4]}-{MY_NUMBER[4:8]}-{MY_NUMBER[8:]}", "160", "市民税課", "主事",
         "正規職員", "利用事務", "R8.4.1"],
    ]  # fmt: skip
    roster = write_csv(tmp_path / "bad.csv", rows)
    before = register_bytes(db)
    code, out, err = run(capsys, "import", "staff", str(roster), "--db", str(db))
    assert code == 1
    assert "2行目 列「任用区分」: 任用区分「非常勤」は使えません" in err
    assert "3行目 列「事務区分」: 事務区分「総務事務」は分かりません" in err
    assert "4行目 列「採用日」" in err and "存在しない日付" in err
    assert "5行目 列「職員番号」: 職員番号 000132 が重複しています（4行目と同じ）" in err
    assert "6行目 列「フリガナ」: 個人番号（マイナンバー）とみられる" in err
    assert MY_NUMBER not in err and MY_NUMBER[-4:] not in err and MY_NUMBER not in out
    assert "データは変更していません" in err
    assert register_bytes(db) == before


def test_a_missing_required_column_is_named(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["職員番号", "氏名", "カナ", "所属コード", "任用区分"], ["000140", "甲", "コウ", "160", "正規職員"]]
    code, _, err = run(capsys, "import", "staff", str(write_csv(tmp_path / "r.csv", rows)), "--db", str(db))
    assert code == 1 and "1行目 列「事務区分」: 必要な列がありません" in err


def test_a_mapping_file_reads_a_differently_labelled_export(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ["社員コード", "漢字氏名", "カナ", "課CD", "課", "役職", "雇用区分", "番号業務", "入社日"],
        ["000150", "齋藤 五郎", "サイトウ ゴロウ", "160", "市民税課", "主事", "常勤", "○", "R8.4.1"],
    ]
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns:\n  職員番号: 社員コード\n  氏名: 漢字氏名\n  所属コード: 課CD\n  所属名: 課\n  職名: 役職\n"
        "  任用区分: 雇用区分\n  事務区分: 番号業務\n  採用日: 入社日\n"
        "values:\n  任用区分:\n    常勤: 正規職員\n  事務区分:\n    ○: 利用事務\n",
        encoding="utf-8",
    )
    roster = write_csv(tmp_path / "other.csv", rows)
    code, _, err = run(capsys, "import", "staff", str(roster), "--db", str(db), "--mapping", str(mapping))
    assert code == 0, err
    goro = person(capsys, db, "000150")
    assert goro["employment"] == "正規職員" and goro["duty"] == "利用事務"
    bad = tmp_path / "bad-mapping.yaml"
    bad.write_text("colums:\n  職員番号: 社員コード\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "staff", str(roster), "--db", str(db), "--mapping", str(bad))
    assert code == 1 and "colums" in err and "columns" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"", "空のファイル"),
        (bytes(range(256)) * 20, "バイナリ"),
        (("職員番号,氏名\n000001," + "あ" * 200_000 + "\n").encode("utf-8"), "長すぎ"),
        (b"ID,name\n\x81\x7f\xc3\x28 garbage\n", "文字コード"),
        (b"PK\x03\x04 a broken workbook", "XLSX として開けません"),
    ],
    ids=["pdf", "empty", "binary", "huge-line", "undecodable", "broken-xlsx"],
)
def test_files_that_are_not_tables_are_refused_clearly(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    before = register_bytes(db)
    code, _, err = run(capsys, "import", "staff", str(path), "--db", str(db))
    assert code == 1 and message in err and "Traceback" not in err
    assert register_bytes(db) == before


PROGRESS = [
    ["学習者ID", "コース名", "受講状況", "進捗率", "修了日", "最終学習日"],
    ["000123", "マイナンバー制度 入門編", "修了", "100%", "2026/07/10", "2026/07/10"],
    ["000123", "接続運用規程理解編", "受講中", "40%", "", "2026/08/01"],
    ["000124", "ｾｷｭﾘﾃｨ対策端末操作者編", "完了", "", "R8.8.20", ""],
    ["000126", "情報連携・業務フロー編", "未受講", "0", "", ""],
]


def test_progress_import_upgrades_and_never_downgrades(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_csv(tmp_path / "elearning.csv", PROGRESS, encoding="utf-8-sig", newline="\n")
    code, out, err = run(capsys, "import", "progress", str(export), "--db", str(db), "--fy", "2026")
    assert code == 0, err
    assert "新しい記録: 3件" in out and "未受講の行（記録しません）: 1件" in out
    states = {r["id"]: r["state"] for r in person(capsys, db, "000123")["requirements"]}
    assert states["intro"] == "completed" and states["rules"] == "in_progress"
    assert {r["id"]: r["state"] for r in person(capsys, db, "000124")["requirements"]}["security"] == "completed"
    assert status(capsys, db)["requirements"][0]["completed"] == 1

    # The same file again changes nothing.
    before = register_bytes(db)
    code, out, err = run(capsys, "import", "progress", str(export), "--db", str(db), "--fy", "2026")
    assert code == 0, err
    assert "新しい記録: 0件" in out and "変更なし: 3件" in out
    assert register_bytes(db) == before  # not a byte written: no transaction, no log entry, no backup
    # An older export (intro still in progress, rules at 20%) takes nothing back.
    older = [PROGRESS[0], ["000123", "入門編", "受講中", "50", "", "2026/07/01"], ["000123", "rules", "", "20", "", ""]]
    code, out, err = run(capsys, "import", "progress", str(write_csv(tmp_path / "old.csv", older)), "--db", str(db))
    assert code == 0, err
    assert "進んだ記録（受講中→修了・進捗増）: 0件" in out
    data = person(capsys, db, "000123")["requirements"]
    assert {r["id"]: (r["state"], r["percent"]) for r in data}["rules"] == ("in_progress", 40)
    assert {r["id"]: r["completed_on"] for r in data}["intro"] == "2026-07-10"


def test_a_bad_progress_file_lists_every_problem(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        PROGRESS[0],
        ["999999", "入門編", "修了", "100", "2026/07/10", ""],
        ["000123", "接続運用規定理解編", "修了", "", "2026/07/10", ""],
        ["000123", "入門編", "受講中", "120%", "", ""],
        ["000124", "入門編", "修了", "", "2025/07/10", ""],
        ["000124", "規程理解編", "修了", "", "", ""],
        ["000126", "入門編", "修了", "", "2026/12/01", ""],
    ]
    before = register_bytes(db)
    code, _, err = run(capsys, "import", "progress", str(write_csv(tmp_path / "p.csv", rows)), "--db", str(db))
    assert code == 1
    assert "2行目 列「職員番号」: 職員番号・学習者ID 999999 の職員は登録されていません" in err
    assert (
        "3行目 列「研修」: 研修「接続運用規定理解編」はカタログにありません（「接続運用規程理解編」のことですか？"
        in err
    )
    assert "4行目 列「進捗率」: 進捗率 120 が 0〜100 の範囲外です" in err
    assert "5行目 列「修了日」" in err and "令和8年度の外です" in err
    assert "6行目 列「修了日」: 修了なのに修了日がありません" in err
    assert "7行目 列「修了日」: 令和8年12月1日 は未来の日付です" in err
    assert register_bytes(db) == before


def test_checkpoint_sheet_with_items(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = ["O-1", "O-2", "P-1", "T-1"]
    rows = [
        ["職員番号", "確認日", *items],
        ["000123", "R8.10.20", "○", "○", "○", "○"],
        ["000126", "2026/10/20", "○", "", "✓", "1"],
    ]
    sheet = write_xlsx(tmp_path / "sheet.xlsx", rows, text_columns=(0,))
    code, _, err = run(capsys, "import", "checkpoint", str(sheet), "--db", str(db))
    assert code == 0, err
    states = {
        p: {r["id"]: (r["state"], r["percent"]) for r in person(capsys, db, p)["requirements"]}
        for p in ("000123", "000126")
    }
    assert states["000123"]["checkpoint"] == ("completed", 100)
    assert states["000126"]["checkpoint"] == ("in_progress", 75)

    # The division's sheet, as the TUI shows it: members who owe it, their state and confirmed items.
    svc = Service.open(db, create=False, today=lambda: date(2026, 11, 25))
    sheet = svc.checkpoint_sheet("160", 2026)
    assert sheet.sheet.sections[0].title == "組織的安全管理措置"
    rows = {r.person.staff.staff_id: r for r in sheet.rows}
    assert set(rows) == {"000123", "000126"}
    assert rows["000126"].record is not None and rows["000126"].record.items == ("O-1", "P-1", "T-1")
    # Completing the sheet by hand confirms every item on it.
    svc.record("000126", "checkpoint", "R8.11.2")
    record = svc.register.record(2026, "000126", "checkpoint")
    assert record is not None and len(record.items) == sum(len(s.items) for s in sheet.sheet.sections)
    svc.close()


def test_export_csv_and_xlsx_keep_ids_and_neutralise_formulas(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "staff", "update", "000126", "--db", str(db), "--name", '=HYPERLINK("x")')[0] == 0
    out_csv = tmp_path / "status.csv"
    code, _, err = run(capsys, "export", str(out_csv), "--db", str(db))
    assert code == 0, err
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 correctly
    text = raw.decode("utf-8-sig")
    assert "000123" in text and "𠮷田 花子" in text and "'=HYPERLINK" in text

    code, _, err = run(capsys, "export", str(tmp_path / "s.csv"), "--db", str(db), "--encoding", "cp932")
    assert code == 0 and "000123 𠮷田 花子: 𠮷" in err  # told, not silently lost

    import openpyxl

    book = tmp_path / "status.xlsx"
    assert run(capsys, "export", str(book), "--db", str(db))[0] == 0
    sheet = openpyxl.load_workbook(book).active
    ids = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "000123" in ids
    names = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("x")' in names
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value is not None)  # no formulas


NEWCOMER = ["000127", "新人 一", "シンジン ハジメ", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.5.1"]
IMPORTS = {
    "staff": lambda tmp: write_csv(tmp / "roster-may.csv", [*APRIL_ROSTER, NEWCOMER], encoding="utf-8-sig"),
    "progress": lambda tmp: write_csv(tmp / "elearning.csv", PROGRESS, encoding="utf-8-sig"),
    "checkpoint": lambda tmp: write_csv(tmp / "sheet.csv", [["職員番号", "確認日"], ["000123", "2026/10/20"]]),
}


@pytest.mark.parametrize("kind", list(IMPORTS))
def test_every_import_first_backs_up_the_register_as_it_was(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """The backup taken before an import holds exactly the files the import then changes, and
    restoring it takes the import back."""
    import zipfile

    before, held = register_bytes(db), held_by(db)
    already = set((db / "backups").glob("*.zip"))
    extra = ["--as-of", "2026-05-01"] if kind == "staff" else []
    code, _out, err = run(capsys, "import", kind, str(IMPORTS[kind](tmp_path)), "--db", str(db), *extra)
    assert code == 0, err
    assert register_bytes(db) != before  # the import wrote something
    made = sorted(set((db / "backups").glob("*.zip")) - already)
    assert [p.name.split("-", 3)[-1] for p in made] == [f"before-import-{kind}.zip"]
    with zipfile.ZipFile(made[0]) as z:
        assert {name: z.read(name) for name in z.namelist()} == before
    assert held_by(db) != held
    assert run(capsys, "restore", str(made[0]), "--db", str(db))[0] == 0
    assert held_by(db) == held


def held_by(db: Path) -> dict[str, object]:
    svc = Service.open(db, create=False)
    try:
        return contents(svc.register)
    finally:
        svc.close()


def test_every_formula_start_is_neutralised_in_csv_and_stored_as_text_in_xlsx(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """=, +, -, @ typed by a person; a tab and a carriage return as a register written before
    control characters were refused may hold them."""
    import csv
    import dataclasses

    import openpyxl

    typed = {"000123": "=1+1", "000124": "+1+1", "000126": "@SUM(A1)"}
    for sid, name in typed.items():
        code, _, err = run(capsys, "staff", "update", sid, f"--name={name}", "--db", str(db))
        assert code == 0, err
    svc = Service.open(db, create=False)
    try:
        with svc.register.transaction():
            for sid, name in [("000127", "-1+1"), ("000128", "\t=1+1"), ("000129", "\r=1+1")]:
                template = svc.register.staff("000123")
                assert template is not None
                svc.register.put_staff([dataclasses.replace(template, staff_id=sid, name=name)])
    finally:
        svc.close()
    stored = typed | {"000127": "-1+1", "000128": "\t=1+1", "000129": "\r=1+1"}

    out_csv = tmp_path / "status.csv"
    assert run(capsys, "export", str(out_csv), "--db", str(db))[0] == 0
    rows = list(csv.reader(io.StringIO(out_csv.read_bytes().decode("utf-8-sig"), newline="")))
    names = {row[3]: row[4] for row in rows[1:]}
    expected = {sid: "'" + name for sid, name in stored.items()} | {"000129": "\\u000d=1+1"}  # CR shown as text
    assert {sid: names[sid] for sid in stored} == expected
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)

    book = tmp_path / "status.xlsx"
    assert run(capsys, "export", str(book), "--db", str(db))[0] == 0
    sheet = openpyxl.load_workbook(book).active
    cells = {row[3].value: row[4] for row in sheet.iter_rows(min_row=2)}
    assert {sid: cells[sid].value for sid in typed} == typed  # the text itself, as text
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value is not None)
