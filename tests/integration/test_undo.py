"""元に戻す: a change undone by a new change in the log (never by deleting history), refused with
the reason when later changes depend on it; through the service and ``trainer undo``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.files import ROSTER_HEADERS, write_csv
from trainer.cli import main
from trainer.errors import InputError
from trainer.model import Progress
from trainer.service import Service

TODAY = date(2026, 11, 25)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    folder = tmp_path / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.add_division("160", "市民税課", "課長", "山田 一郎")
    svc.add_division("120", "保険年金課", "課長", "佐藤 二郎")
    for sid, name in (("500001", "任用 花子"), ("500002", "兼務 太郎")):
        svc.add_staff(sid, name, "ニンヨウ", "160", "主事", "正規職員", "利用事務", "2020-04-01")
    svc.close()
    return folder


def opened(db: Path) -> Service:
    return Service.open(db, today=lambda: TODAY, create=False)


def newest(svc: Service) -> int:
    return int(svc.log()[0]["seq"])


def test_a_completion_undone_is_a_new_change_and_the_history_stays(db: Path) -> None:
    svc = opened(db)
    svc.record("500001", "intro", "2026-11-20")
    seq = newest(svc)
    entries_before = len(svc.log())
    plan = svc.undo(seq)
    assert plan.people == ["500001"] and len(plan.changes) >= 1
    assert svc.register.record(2026, "500001", "intro") is None
    log = svc.log()
    assert len(log) == entries_before + 1  # nothing deleted: one entry more
    assert log[0]["action"] == "undo" and log[0]["undoes"] == seq and f"No.{seq}" in log[0]["summary"]
    assert log[1]["seq"] == seq  # the change undone is still there
    assert svc.verify().ok  # the log, replayed, still gives the register
    with pytest.raises(InputError, match="すでに元に戻してあります"):
        svc.undo(seq)
    svc.undo(newest(svc))  # undoing the undo brings the completion back
    record = svc.register.record(2026, "500001", "intro")
    assert record is not None and record.progress is Progress.COMPLETED
    svc.close()


def test_a_later_change_to_the_same_record_must_be_undone_first(db: Path) -> None:
    svc = opened(db)
    svc.exempt("500001", "all", "other", "人事課長 佐藤", evidence="R8-1")
    granted = newest(svc)
    svc.revoke_exemption("500001", "all", "誤り")
    revoked = newest(svc)
    plan = svc.undo_plan(granted)
    assert not plan.possible and f"No.{revoked}" in plan.refusal and "同じ記録" in plan.refusal
    with pytest.raises(InputError, match="後の変更から順に"):
        svc.undo(granted)
    svc.undo(revoked)  # newest first
    [exemption] = svc.register.exemptions_of(2026, "500001")
    assert not exemption.revoked
    assert svc.undo_plan(granted).possible  # the revocation and its undo cancel out
    svc.undo(granted)
    assert svc.register.exemptions_of(2026, "500001") == []
    assert svc.verify().ok
    svc.close()


def test_a_person_added_and_then_used_cannot_be_taken_away(db: Path) -> None:
    svc = opened(db)
    svc.add_staff("500003", "新人 一", "シンジン", "120", "主事", "正規職員", "利用事務", "2026-10-01")
    added = newest(svc)
    svc.record("500003", "intro", "2026-11-01")
    plan = svc.undo_plan(added)
    assert not plan.possible and "登録した職員" in plan.refusal
    svc.undo(newest(svc))
    svc.undo(added)
    assert svc.register.staff("500003") is None
    assert svc.verify().ok
    svc.close()


def test_an_import_undone_whole_and_a_sign_off_refused(db: Path, tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "roster.csv",
        [
            ROSTER_HEADERS,
            ["500001", "任用 花子", "ニンヨウ", "120", "保険年金課", "主事", "正規職員", "利用事務", "R2.4.1"],
            ["500002", "兼務 太郎", "ニンヨウ", "160", "市民税課", "主事", "正規職員", "利用事務", "R2.4.1"],
            ["500004", "新人 二", "シンジン", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.4.1"],
        ],
    )
    svc = opened(db)
    svc.sign_off("160", 2026, "山田 一郎", "課長")
    signed = newest(svc)
    svc.import_staff(roster, as_of="2026-11-01")
    imported = newest(svc)
    plan = svc.undo_plan(imported)
    assert plan.possible and set(plan.people) == {"500001", "500004"}
    svc.undo(imported)
    assert svc.register.staff("500004") is None
    assert svc.staff("500001").current.division == "160"
    assert "署名" in svc.undo_plan(signed).refusal
    assert svc.signoff_states(2026)["160"]["changes"] >= 1  # a signed roster notices the undo too
    assert svc.verify().ok
    svc.close()


def test_trainer_undo_from_the_command_line(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINER_TODAY", TODAY.isoformat())
    assert main(["record", "500002", "intro", "--date", "2026-11-20", "--db", str(db)]) == 0
    svc = opened(db)
    seq = newest(svc)
    svc.close()
    capsys.readouterr()
    assert main(["undo", str(seq), "--dry-run", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "確認のみ" in out and "職員 1人" in out
    assert opened(db).register.record(2026, "500002", "intro") is not None
    assert main(["undo", f"No.{seq}", "--db", str(db)]) == 0
    assert f"No.{seq} を元に戻しました" in capsys.readouterr().out
    assert opened(db).register.record(2026, "500002", "intro") is None
    assert main(["undo", str(seq), "--db", str(db)]) == 1
    assert "すでに元に戻してあります" in capsys.readouterr().err
    assert main(["undo", "abc", "--db", str(db)]) == 1
    assert "番号として読めません" in capsys.readouterr().err


@pytest.mark.parametrize("change", ["removed", "key changed"])
def test_an_undo_that_would_put_a_record_under_a_key_taken_since_is_refused(db: Path, change: str) -> None:
    """Undoing a change writes back its before-images by id. When another document has taken the
    key of one of them since, that would leave two documents under one key (damage): refused."""
    svc = opened(db)
    svc.record("500001", "intro", "2026-11-20")
    part = "fy2026"
    doc_id = svc.register.document_id(part, "records", {"staff_id": "500001", "requirement": "intro"})
    assert doc_id is not None
    before = svc.register.document(part, "records", doc_id)
    assert before is not None
    with svc.register.transaction():  # a change of the stored document itself (as a repair might write)
        after = None if change == "removed" else {**before, "requirement": "rules"}
        svc.register.put_document(part, "records", doc_id, after)
    seq = newest(svc)
    svc.record("500001", "intro", "2026-11-21")  # the key is taken again, by a new document
    with pytest.raises(InputError, match="後から別に登録されています"):
        svc.undo(seq)
    assert svc.verify().ok
    svc.close()
