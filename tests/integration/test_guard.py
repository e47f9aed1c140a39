"""No individual number (マイナンバー) gets in, however it is written, and none is ever printed.

Through the CLI (what a coordinator types and imports) and through the service (what the TUI
calls): every cell, the file's name, every text argument.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.files import ROSTER_HEADERS, register_bytes, write_csv, write_xlsx
from trainer.cli import main
from trainer.errors import InputError
from trainer.service import Service

# 123456789018 is the sample of the public formula: 1*6+2*5+3*4+4*3+5*2+6*7+7*6+8*5+9*4+0*3+1*2 =
# 212, 212 mod 11 = 3, 11 - 3 = 8.
NUMBER = "123456789018"
DIGITS = ("1234", "5678", "9018")

WRITTEN = {
    "hyphen-u2010": "1234\u20105678\u20109018",
    "long-vowel-mark": "1234ー5678ー9018",
    "spaced-minus": "1234 - 5678 - 9018",
    "minus-sign": "1234\u22125678\u22129018",
    "dots": "1234.5678.9018",
    "nakaguro": "1234・5678・9018",
    "slashes": "1234/5678/9018",
    "parentheses": "(1234)(5678)(9018)",
    "full-width": "１２３４－５６７８－９０１８",
    "full-width-brackets": "（１２３４）５６７８／９０１８",
    "zero-width-space": "1234\u200b5678\u200b9018",
    "wave-dash": "1234〜5678〜9018",
    "after-other-digits": "第2 1234 5678 9018",
    "plain": NUMBER,
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def never_shown(*texts: str) -> None:
    for text in texts:
        assert NUMBER not in text
        assert not any(f"{DIGITS[0]}{sep}{DIGITS[1]}" in text for sep in ("", " ", "-", "‐", "ー", ".", "/", "・"))
        assert "５６７８" not in text


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "register"
    roster = write_csv(
        tmp_path / "roster.csv",
        [
            ROSTER_HEADERS,
            ["000123", "吉田 花子", "ヨシダ ハナコ", "160", "市民税課", "主事", "正規職員", "利用事務", "H27.4.1"],
            ["000124", "髙橋 一郎", "タカハシ イチロウ", "160", "市民税課", "主任", "正規職員", "利用事務", "R8.4.1"],
        ],
    )
    code, _, err = run(capsys, "import", "staff", str(roster), "--db", str(path), "--as-of", "2026-04-01")
    assert code == 0, err
    return path


def roster_row(title: str, staff_id: str = "000130") -> list[object]:
    return [staff_id, "新人 一", "シンジン ハジメ", "160", "市民税課", title, "正規職員", "利用事務", "R8.4.1"]


@pytest.mark.parametrize("written", list(WRITTEN.values()), ids=list(WRITTEN))
def test_a_number_in_a_title_is_refused_however_it_is_written(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    roster = write_csv(tmp_path / "r.csv", [ROSTER_HEADERS, roster_row(f"主事 {written}")], encoding="utf-8-sig")
    before = register_bytes(db)
    code, out, err = run(capsys, "import", "staff", str(roster), "--db", str(db), "--as-of", "2026-10-01")
    assert code == 1, out
    assert "2行目 列「職名」: 個人番号（マイナンバー）とみられる" in err
    never_shown(out, err)
    assert register_bytes(db) == before


@pytest.mark.parametrize("column", ["職員番号", "研修", "状態", "修了日"])
def test_a_number_in_a_column_the_importer_reads_is_reported_once_and_never_printed(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str
) -> None:
    headers = ["職員番号", "研修", "状態", "修了日"]
    row = ["000123", "入門編", "修了", "2026/07/10"]
    row[headers.index(column)] = "1234-5678-9018"
    progress = write_csv(tmp_path / "p.csv", [headers, row])
    code, out, err = run(capsys, "import", "progress", str(progress), "--db", str(db), "--dry-run")
    assert code == 1
    assert f"2行目 列「{column}」: 個人番号（マイナンバー）とみられる" in err
    assert err.count(f"2行目 列「{column}」") == 1  # no second message about that cell
    never_shown(out, err)


def test_an_excel_number_in_the_id_column_is_refused_and_never_printed(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = write_xlsx(tmp_path / "r.xlsx", [ROSTER_HEADERS, [int(NUMBER), *roster_row("主事")[1:]]])
    code, out, err = run(capsys, "import", "staff", str(book), "--db", str(db), "--dry-run")
    assert code == 1 and "2行目 列「職員番号」: 個人番号（マイナンバー）とみられる" in err
    assert err.count("2行目 列「職員番号」") == 1
    never_shown(out, err)


def test_a_number_in_a_header_is_refused(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = write_csv(tmp_path / "r.csv", [[*ROSTER_HEADERS, NUMBER], [*roster_row("主事"), ""]])
    code, out, err = run(capsys, "import", "staff", str(roster), "--db", str(db), "--dry-run")
    assert code == 1 and "見出しに個人番号" in err
    never_shown(out, err)


RECORD_FILES = {
    "progress": (["職員番号", "研修", "状態", "修了日"], ["000123", "入門編", "修了", "2026/07/10"]),
    "checkpoint": (["職員番号", "確認日"], ["000123", "2026/10/20"]),
}


@pytest.mark.parametrize("where", ["header", "unread column"])
@pytest.mark.parametrize("kind", list(RECORD_FILES))
def test_a_number_anywhere_in_a_progress_or_checkpoint_file_is_refused_and_nothing_is_recorded(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, where: str
) -> None:
    """Not only the columns an importer reads: a memo column, or a header, holding a number."""
    headers, row = RECORD_FILES[kind]
    if where == "header":
        rows = [[*headers, f"備考 {NUMBER}"], [*row, "メモ"]]
    else:
        rows = [[*headers, "備考"], [*row, f"番号 {DIGITS[0]}-{DIGITS[1]}-{DIGITS[2]}"]]
    path = write_csv(tmp_path / f"{kind}.csv", rows, encoding="utf-8-sig")
    before = register_bytes(db)
    code, out, err = run(capsys, "import", kind, str(path), "--db", str(db))
    assert code == 1, out
    expected = "1行目 列「5列目」: 見出しに個人番号" if kind == "progress" else "1行目 列「3列目」: 見出しに個人番号"
    if where == "unread column":
        expected = "2行目 列「備考」: 個人番号（マイナンバー）とみられる"
    assert expected in err
    never_shown(out, err)
    assert register_bytes(db) == before


def test_a_number_in_the_file_name_is_refused_before_anything_is_read(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = write_csv(tmp_path / f"roster_{DIGITS[0]}-{DIGITS[1]}-{DIGITS[2]}.csv", [ROSTER_HEADERS, roster_row("")])
    before = register_bytes(db)
    code, out, err = run(capsys, "import", "staff", str(roster), "--db", str(db))
    assert code == 1 and "ファイルの名前" in err and "個人番号" in err
    never_shown(out, err)
    assert register_bytes(db) == before


TYPED = {
    "staff add --name": ["staff", "add", "000200", "--name", "{}", "--kana", "カナ", "--division", "160",
                         "--employment", "正規職員", "--hired", "2026-04-01"],
    "staff add --kana": ["staff", "add", "000200", "--name", "名前", "--kana", "{}", "--division", "160",
                         "--employment", "正規職員", "--hired", "2026-04-01"],
    "staff add --title": ["staff", "add", "000200", "--name", "名前", "--kana", "カナ", "--division", "160",
                          "--title", "{}", "--employment", "正規職員", "--hired", "2026-04-01"],
    "staff add id": ["staff", "add", "{}", "--name", "名前", "--kana", "カナ", "--division", "160",
                     "--employment", "正規職員", "--hired", "2026-04-01"],
    "staff update --title": ["staff", "update", "000123", "--title", "{}"],
    "staff update --name": ["staff", "update", "000123", "--name", "{}"],
    "staff transfer --title": ["staff", "transfer", "000123", "160", "--on", "2026-10-01", "--title", "{}"],
    "staff show": ["staff", "show", "{}"],
    "exempt --reason": ["exempt", "000123", "intro", "--reason", "番号 {} の人"],
    "exempt --approved-by": ["exempt", "000123", "intro", "--kind", "other", "--approved-by", "{}", "--evidence", "x"],
    "exempt --evidence": ["exempt", "000123", "intro", "--kind", "other", "--approved-by", "課長", "--evidence", "{}"],
    "exempt --revoke --reason": ["exempt", "000123", "intro", "--revoke", "--reason", "{}"],
    "year apply-catalog --reason": ["year", "apply-catalog", "2026", "--reason", "{}"],
    "record id": ["record", "{}", "intro", "--date", "2026-07-01"],
    "settings organization": ["settings", "organization", "石巻市 {}"],
    "settings operator": ["settings", "operator", "{}"],
    "division add --name": ["division", "add", "170", "--name", "課 {}"],
    "division update --head-name": ["division", "update", "160", "--head-name", "{}"],
    "signoff --approval-no": ["signoff", "160", "--by", "佐藤", "--approval-no", "{}"],
    "signoff --note": ["signoff", "160", "--by", "佐藤", "--note", "{}"],
    "signoff --by": ["signoff", "160", "--by", "{}"],
    "employment-types --set": ["employment-types", "--set", "正規職員,{}"],
    "log --staff": ["log", "--staff", "{}"],
    "verify --roster": ["verify", "--roster", "{}"],
    "import --encoding": ["import", "staff", "x.csv", "--encoding", "{}"],
}  # fmt: skip


@pytest.mark.parametrize("command", list(TYPED.values()), ids=list(TYPED))
def test_a_number_typed_on_the_command_line_is_refused_and_never_echoed(
    db: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    before = register_bytes(db)
    args = [part.replace("{}", "1234‐5678‐9018") for part in command]
    code, out, err = run(capsys, *args, "--db", str(db))
    assert code == 1, out
    assert "個人番号（マイナンバー）とみられる" in err
    never_shown(out, err)
    assert register_bytes(db) == before


def test_twelve_digits_with_a_wrong_check_digit_are_ordinary(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ordinary = "1234-5678-9012"  # the check digit would be 8
    code, _, err = run(capsys, "staff", "update", "000123", "--title", f"主事 {ordinary}", "--db", str(db))
    assert code == 0, err
    roster = write_csv(
        tmp_path / "r.csv",
        [ROSTER_HEADERS, roster_row("電話 0225-95-1111 内線 1234"), roster_row("2026/04/01 2026/04/30", "000131")],
    )
    code, _, err = run(capsys, "import", "staff", str(roster), "--db", str(db), "--as-of", "2026-10-01")
    assert code == 0, err


def test_the_service_guards_what_the_tui_passes(db: Path) -> None:
    """The TUI calls these same methods: a number in a reason, a note, a name is refused there."""
    svc = Service.open(db, create=False, today=lambda: date(2026, 11, 25))
    try:
        with pytest.raises(InputError) as refused:
            svc.exempt("000123", "intro", "other_body", "課長 佐藤", evidence="他団体で受講済み 1234 5678 9018")
        assert "根拠" in refused.value.message
        never_shown(str(refused.value))
        with pytest.raises(InputError):
            svc.sign_off("160", 2026, "佐藤 二郎", "課長", approval_no="R8-1234-5678-9018")
        with pytest.raises(InputError):
            svc.update_staff("000123", kana="1234ｰ5678ｰ9018")
        with pytest.raises(InputError):
            svc.set_setting("organization", "（1234）5678・9018")
    finally:
        svc.close()
