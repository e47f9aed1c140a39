"""Sign-off and the audit trail: frozen rosters, stale sign-offs, and tampering caught by verify."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import orjson
import pytest
from pypdf import PdfReader

from trainer.cli import main
from trainer.service import Service

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", TODAY.isoformat())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "register"
    assert run(capsys, "demo", "--db", str(path), "--staff", "120", "--seed", "3")[0] == 0
    run(capsys, "settings", "--db", str(path), "operator", "研修担当 山本")
    return path


def members(capsys: pytest.CaptureFixture[str], db: Path, division: str) -> list[str]:
    _, out, _ = run(capsys, "staff", "list", "--db", str(db), "--division", division, "--format", "json")
    return [p["staff_id"] for p in json.loads(out) if p["duty"] == "利用事務"]


def signoff_of(capsys: pytest.CaptureFixture[str], db: Path, division: str) -> dict:  # type: ignore[type-arg]
    _, out, _ = run(capsys, "status", "--db", str(db), "--format", "json")
    return next(d["signoff"] for d in json.loads(out)["divisions"] if d["code"] == division)


def printed_code(pdf: Path) -> str:
    match = re.search(r"名簿コード ((?:[0-9A-Z]{4}-){3}[0-9A-Z]{4})", PdfReader(pdf).pages[0].extract_text())
    assert match, "no roster code on the roster"
    return match.group(1)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_sign_then_a_late_completion_makes_it_stale_then_sign_again(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "report", "roster", "--db", str(db), "--division", "120", "-o", str(tmp_path))
    assert code == 0, err
    first = printed_code(Path(out.split()[0]))
    code, out, err = run(
        capsys, "signoff", "120", "--db", str(db), "--by", "佐藤 二郎", "--title", "課長",
        "--date", "2026-11-25", "--approval-no", "R8-保年-0042", "--code", first,
    )  # fmt: skip
    assert code == 0, err
    assert f"名簿コード {first}" in out
    assert signoff_of(capsys, db, "120") == {"state": "signed", "code": first, "changes": 0}

    person = members(capsys, db, "120")[0]
    assert run(capsys, "record", person, "checkpoint", "--db", str(db), "--date", "2026-11-24", "--replace")[0] == 0
    assert signoff_of(capsys, db, "120") == {"state": "stale", "code": first, "changes": 1}
    assert signoff_of(capsys, db, "110")["state"] == "unsigned"  # other divisions are untouched
    code, out, _ = run(capsys, "verify", "--db", str(db), "--roster", first)
    assert code == 0
    assert "要再確認" in out and "佐藤 二郎" in out and "R8-保年-0042" in out
    assert f"{person}" in out and "チェックポイント" in out  # the change since signing, listed

    # The printed paper no longer matches: signing it again is refused until reprinted.
    code, _, err = run(capsys, "signoff", "120", "--db", str(db), "--by", "佐藤 二郎", "--code", first)
    assert code == 1 and "違います" in err
    code, out, err = run(capsys, "signoff", "120", "--db", str(db), "--by", "佐藤 二郎", "--title", "課長")
    assert code == 0, err
    second = re.search(r"名簿コード (\S+)", out).group(1)  # type: ignore[union-attr]
    assert second != first and f"前の署名（名簿コード {first}）" in out
    assert signoff_of(capsys, db, "120") == {"state": "signed", "code": second, "changes": 0}
    _, out, _ = run(capsys, "verify", "--db", str(db), "--roster", first)
    assert "置き換え済み" in out and second in out  # the old one stays on record

    # The audit PDF lists each division's sign-off state and roster code.
    assert run(capsys, "report", "audit", "--db", str(db), "-o", str(tmp_path / "audit.pdf"))[0] == 0
    audit = re.sub(r"\s+", "", pdf_text(tmp_path / "audit.pdf"))
    assert f"署名済み{second}" in audit and "未署名" in audit


def timeless(text: str) -> str:
    """A PDF's text without the minute it was printed at (two prints may straddle a minute)."""
    return re.sub(r"\d{1,2}:\d{2}", "HH:MM", text)


def test_a_signed_roster_re_renders_identically(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "signoff", "130", "--db", str(db), "--by", "鈴木 三郎", "--title", "課長")
    assert code == 0, err
    signed = re.search(r"名簿コード (\S+)", out).group(1)  # type: ignore[union-attr]
    texts = []
    for folder in ("a", "b"):
        code, out, err = run(
            capsys, "report", "roster", "--db", str(db), "--signed", signed, "-o", str(tmp_path / folder)
        )
        assert code == 0, err
        texts.append(timeless(pdf_text(Path(out.split()[0]))))
    assert texts[0] == texts[1]
    assert f"名簿コード {signed}（署名済み）" in texts[0] and "鈴木 三郎" in texts[0]
    # After a change, the signed roster still re-renders exactly as signed...
    person = members(capsys, db, "130")[0]
    code, _, err = run(
        capsys, "exempt", person, "all", "--db", str(db), "--kind", "long_leave", "--approved-by", "課長 鈴木 三郎",
        "--evidence", "R8-人-0031", "--reason", "長期療養",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(
        capsys, "report", "roster", "--db", str(db), "--division", "130", "--signed", "-o", str(tmp_path / "c")
    )
    assert timeless(pdf_text(Path(out.split()[0]))) == texts[0]
    # ...while the live roster says it differs from what was signed.
    code, out, _ = run(capsys, "report", "roster", "--db", str(db), "--division", "130", "-o", str(tmp_path / "d"))
    live = pdf_text(Path(out.split()[0]))
    assert signed in live and "内容が違います" in live.replace("\n", "")


def checkpointed(db: Path) -> None:
    svc = Service.open(db, today=lambda: TODAY, create=False)
    svc.register.db.checkpoint()
    svc.close()


def prepared(db: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Three more logged changes after the demo, all folded into changelog.jsonl."""
    people = members(capsys, db, "140")
    for person in people[:3]:
        assert run(capsys, "record", person, "checkpoint", "--db", str(db), "--date", "2026-11-20", "--replace")[0] == 0
    checkpointed(db)
    assert run(capsys, "verify", "--db", str(db))[0] == 0
    return people[0]


def test_verify_names_a_date_changed_in_the_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    person = prepared(db, capsys)
    path = db / "fy2026.json"
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if f'"staff_id":"{person}"' in line and '"checkpoint"' in line)
    path.write_text(text.replace(line, line.replace("2026-11-20", "2026-10-01")), encoding="utf-8")
    code, _, err = run(capsys, "verify", "--db", str(db))
    assert code == 1
    assert "fy2026.json records" in err and "変更履歴と違います" in err and "2026-11-20" in err and "2026-10-01" in err


def test_verify_names_a_deleted_log_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prepared(db, capsys)
    path = db / "changelog.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    del lines[2]  # the entry with seq 3
    path.write_bytes(b"".join(lines))
    code, _, err = run(capsys, "verify", "--db", str(db))
    assert code == 1 and "記録 3 がありません（削除されています）" in err


def test_verify_names_two_reordered_log_lines(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prepared(db, capsys)
    path = db / "changelog.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2], lines[3] = lines[3], lines[2]
    path.write_bytes(b"".join(lines))
    code, _, err = run(capsys, "verify", "--db", str(db))
    assert code == 1 and "並べ替えられています" in err and "changelog.jsonl 3行目" in err


def test_verify_names_an_edited_log_entry_and_an_edited_signed_roster(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "signoff", "150", "--db", str(db), "--by", "高橋 四郎")[0] == 0
    prepared(db, capsys)
    path = db / "changelog.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    entry = orjson.loads(lines[-1])
    entry["summary"] = "（書き換え）"
    lines[-1] = orjson.dumps(entry) + b"\n"
    path.write_bytes(b"".join(lines))
    signoffs = db / "signoffs.json"
    signoffs.write_text(signoffs.read_text(encoding="utf-8").replace("高橋 四郎", "別人 五郎"), encoding="utf-8")
    code, _, err = run(capsys, "verify", "--db", str(db))
    assert code == 1
    assert f"changelog.jsonl {len(lines)}行目: 記録の内容が書き換えられています" in err
    assert "signoffs.json signoffs" in err  # the register no longer agrees with the log


def test_log_filters_and_restore_is_logged(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    person = members(capsys, db, "160")[0]
    _, out, _ = run(capsys, "backup", "--db", str(db))
    backup = out.split(": ", 1)[1].strip()
    assert run(capsys, "staff", "transfer", person, "150", "--db", str(db), "--on", "2026-11-16")[0] == 0
    _, out, _ = run(capsys, "log", "--db", str(db), "--staff", person)
    assert "異動" in out and "研修担当 山本（" in out and "デモ" not in out.split("\n")[0]
    _, out, _ = run(capsys, "log", "--db", str(db), "--division", "150", "--format", "json")
    assert any(e["action"] == "transfer" for e in json.loads(out))
    _, out, _ = run(capsys, "log", "--db", str(db), "--since", "2030-01-01")
    assert "該当する変更はありません" in out
    assert run(capsys, "restore", backup, "--db", str(db))[0] == 0
    _, out, _ = run(capsys, "log", "--db", str(db), "--limit", "1")
    assert "バックアップから戻しました" in out
    assert run(capsys, "verify", "--db", str(db))[0] == 0


def test_recent_changes_reads_a_bulk_entry_without_parsing_it_whole(tmp_path: Path) -> None:
    svc = Service.open(tmp_path / "big", today=lambda: TODAY)
    svc.create_demo(3000)  # one entry of several megabytes
    svc.set_setting("organization", "架空市")
    svc.register.db.checkpoint()
    [latest, demo] = svc.recent_changes(2)
    assert latest["summary"] == "設定を変更: organization = 架空市"
    assert demo["summary"].startswith("デモの市を作成") and demo["action"] == "demo" and demo["seq"] == 1
    assert (tmp_path / "big" / "changelog.jsonl").stat().st_size > 1 << 20
    svc.close()


def test_restoring_a_backup_from_before_a_sign_off_takes_the_sign_off_away(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "backup", "--db", str(db))
    backup = out.split(": ", 1)[1].strip()
    assert run(capsys, "signoff", "160", "--db", str(db), "--by", "山田 一郎")[0] == 0
    assert signoff_of(capsys, db, "160")["state"] == "signed"
    svc = Service.open(db, create=False)
    svc.register.db.checkpoint()  # the sign-off now lives in signoffs.json, not only the journal
    svc.close()
    assert (db / "signoffs.json").exists()
    assert run(capsys, "restore", backup, "--db", str(db))[0] == 0
    assert signoff_of(capsys, db, "160")["state"] == "unsigned"  # the backup had none
    assert not (db / "signoffs.json").exists()
    assert run(capsys, "verify", "--db", str(db))[0] == 0


def test_a_register_signed_by_the_previous_version_opens_verifies_and_reprints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """tests/fixtures/register-v0.1-signed.zip: a 120-staff demo signed (110, and 130 which has an
    exemption recorded without an approver) by trainer 0.1 at commit 1f35c15, schema 2, freeze format 1."""
    import zipfile

    db = tmp_path / "register"
    with zipfile.ZipFile(Path(__file__).parents[1] / "fixtures" / "register-v0.1-signed.zip") as z:
        z.extractall(db)
    code, out, err = run(capsys, "status", "--db", str(db), "--format", "json")
    assert code == 0, err
    states = {d["code"]: d["signoff"] for d in json.loads(out)["divisions"]}
    assert states["110"] == {"state": "signed", "code": "236A-B795-5855", "changes": 0}
    assert states["130"] == {"state": "signed", "code": "0F0A-BD6F-734B", "changes": 0}  # the upgrade is no change
    code, out, err = run(capsys, "verify", "--db", str(db))
    assert code == 0 and out.startswith("OK"), err
    _, out, _ = run(capsys, "log", "--db", str(db), "--format", "json")
    assert json.loads(out)[0]["action"] == "upgrade" and "承認者未記録" in json.loads(out)[0]["summary"]
    _, out, _ = run(capsys, "verify", "--db", str(db), "--roster", "236a-b795-5855")
    assert "署名済み" in out and "鈴木 三郎" in out
    # The live roster of 110 holds what was signed: it prints as the signed roster (a copy).
    code, out, _ = run(capsys, "report", "roster", "--db", str(db), "--division", "110", "-o", str(tmp_path / "a"))
    live = flat(pdf_text(Path(out.split()[0])))
    assert "名簿コード236A-B795-5855（署名済み）" in live and "写し" in live
    code, out, _ = run(
        capsys, "report", "roster", "--db", str(db), "--signed", "0F0A-BD6F-734B", "-o", str(tmp_path / "b")
    )
    assert code == 0 and "佐藤二郎" in flat(pdf_text(Path(out.split()[0])))
    # 130's exemption now reads 承認者未記録: still the content that was signed.
    code, out, _ = run(capsys, "report", "roster", "--db", str(db), "--division", "130", "-o", str(tmp_path / "c"))
    text = flat(pdf_text(Path(out.split()[0])))
    assert "名簿コード0F0A-BD6F-734B（署名済み）" in text and "内容が違います" not in text


def _history(folder: Path, completed_on: date) -> str:
    """A register built by the same steps at the same clock, but for one completion date; its anchor."""
    from datetime import datetime

    svc = Service.open(folder, today=lambda: date(2026, 11, 25), now=lambda: datetime(2026, 11, 25, 9, 0).astimezone())
    svc.add_division("160", "市民税課", "課長", "山田 一郎")
    svc.add_staff("000001", "検証 花子", "ケンショウ ハナコ", "160", "主事", "正規職員", "利用事務", "2015-04-01")
    svc.record("000001", "intro", completed_on)
    svc.record("000001", "rules", date(2026, 8, 1))
    anchor = svc.log_anchor()
    svc.register.db.checkpoint()
    svc.close()
    return anchor


def test_a_history_rewritten_with_every_hash_recomputed_fails_against_the_printed_anchor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = _history(tmp_path / "original", date(2026, 7, 10))
    # A rewrite that recomputes every hash, checksum and header is, to the register, just another
    # consistent history: the same steps with one date changed.
    _history(tmp_path / "rewritten", date(2026, 7, 1))
    code, out, err = run(capsys, "verify", "--db", str(tmp_path / "rewritten"))
    assert code == 0 and out.startswith("OK"), err  # the register alone cannot tell
    code, out, err = run(capsys, "verify", "--db", str(tmp_path / "rewritten"), "--anchor", printed)
    assert code == 1 and "書類を印刷したときと違います" in err
    code, out, _ = run(capsys, "verify", "--db", str(tmp_path / "original"), "--anchor", printed)
    assert code == 0 and "印刷されたときのまま" in out
    code, _, err = run(capsys, "verify", "--db", str(tmp_path / "original"), "--anchor", "No.99 0000-1111-2222-3333")
    assert code == 1 and "変更履歴にありません" in err


def test_every_printed_roster_carries_the_anchor_of_the_history(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "report", "roster", "--db", str(db), "--division", "120", "-o", str(tmp_path))
    text = pdf_text(Path(out.split()[0]))
    anchor = re.search(r"変更履歴 (No\.\d+ [0-9A-F]{4}(?:-[0-9A-F]{4}){3})", text)
    assert anchor, "no anchor on the roster"
    code, out, _ = run(capsys, "verify", "--db", str(db), "--anchor", anchor.group(1))
    assert code == 0 and "印刷されたときのまま" in out


def _signed(capsys: pytest.CaptureFixture[str], db: Path, division: str) -> str:
    code, out, err = run(capsys, "signoff", division, "--db", str(db), "--by", "佐藤 二郎", "--title", "課長")
    assert code == 0, err
    code = re.search(r"名簿コード (\S+)", out).group(1)  # type: ignore[union-attr]
    assert signoff_of(capsys, db, division) == {"state": "signed", "code": code, "changes": 0}
    return code


@pytest.mark.parametrize(
    "change",
    [
        ["staff", "transfer", "{newcomer}", "120", "--on", "2026-11-20"],  # someone moves INTO the division
        ["division", "update", "120", "--name", "保険年金課（新）"],  # the division is renamed
        ["division", "update", "120", "--head-name", "鈴木 三郎"],  # its head changes
    ],
    ids=["transfer in", "rename", "new head"],
)
def test_a_change_to_a_signed_division_itself_makes_its_roster_stale_through_the_cli(
    db: Path, capsys: pytest.CaptureFixture[str], change: list[str]
) -> None:
    """Not only its members' records: who is in it, and what it is called, are on the paper."""
    signed = _signed(capsys, db, "120")
    other = _signed(capsys, db, "110")
    newcomer = members(capsys, db, "110")[0]
    assert newcomer not in members(capsys, db, "120")
    code, _, err = run(capsys, *[part.replace("{newcomer}", newcomer) for part in change], "--db", str(db))
    assert code == 0, err
    assert signoff_of(capsys, db, "120") == {"state": "stale", "code": signed, "changes": 1}
    code, out, _ = run(capsys, "verify", "--db", str(db), "--roster", signed)
    assert code == 0 and "要再確認" in out
    moved_out = change[1] == "transfer"  # the division the newcomer left changed too; else untouched
    assert signoff_of(capsys, db, "110") == {"state": "stale" if moved_out else "signed", "code": other,
                                             "changes": 1 if moved_out else 0}  # fmt: skip
