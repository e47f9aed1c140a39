"""The store's API has no traps: what it hands out cannot bypass the journal, a table handle
cannot outlive another process's checkpoint silently, truncate is linear, and reading the log
never holds the writer lock while the caller iterates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tinydb import Query

from tests.registers import FY, person, record
from trainer.service import Service
from trainer.store import tables
from trainer.store.lock import DatabaseLock
from trainer.store.register import Register

TODAY = date(2026, 11, 25)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "register"


def test_documents_handed_out_are_copies_that_cannot_change_the_register(folder: Path) -> None:
    svc = Service.open(folder, today=lambda: TODAY)
    svc.create_demo(30, seed=2)
    doc = svc.sign_off("110", None, "山田 一郎")
    register = svc.register

    signed = register.signoff(doc["code"])
    assert signed is not None
    signed["frozen"]["rows"].clear()
    signed["by"] = "別人"
    register.signoffs()[0]["frozen"]["division"]["name"] = "別の課"
    svc.signed(doc["code"])["by"] = "別人"
    register.setting("signoff_index")[f"{FY}/110"]["people"].clear()

    again = register.signoff(doc["code"])
    assert again is not None and again["by"] == "山田 一郎" and again["frozen"]["rows"]
    assert register.signoffs()[0]["frozen"]["division"]["name"] != "別の課"
    assert register.setting("signoff_index")[f"{FY}/110"]["people"]
    assert svc.verify().ok  # nothing changed behind the journal
    svc.close()


def test_tinydb_documents_in_and_out_are_copies(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
    staff = register.db.table("main", "staff")

    staff.all()[0]["assignments"].append({"division": "X"})
    staff.search(Query().staff_id == "000001")[0]["assignments"].clear()
    staff.get(doc_id=1)["leaves"].append({"kind": "x"})  # type: ignore[index]
    for doc in staff:
        doc["assignments"][0]["division"] = "Y"
    assert register.staff("000001") == person("000001")

    inserted = {"staff_id": "000002", "assignments": [{"division": "D01"}]}
    with register.transaction():
        staff.insert(inserted)
    inserted["assignments"].append({"division": "X"})  # after the commit: must not reach the register
    assert register.db.data("main", "staff").docs["2"]["assignments"] == [{"division": "D01"}]
    register.close()


def test_a_table_handle_kept_across_another_process_checkpoint_loses_nothing(folder: Path) -> None:
    a, b = Register.open(folder), Register.open(folder)
    with a.transaction():
        a.put_records([record("A1")])
    kept = a.db.table(f"fy{FY}", "records")  # e.g. held by a long-lived screen
    with b.transaction():
        b.put_records([record("B1")])
    b.db.checkpoint()  # a will reload everything when it next catches up

    with a.transaction():
        kept.insert({"staff_id": "A2", "requirement": "security", "progress": "completed", "percent": 100,
                     "on": "2026-06-01", "source": "test"})  # fmt: skip
    a.db.checkpoint()

    assert set(Register.open(folder).records(FY)) == {"A1", "B1", "A2"}


def test_truncate_takes_one_step_per_document(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_records([record(f"{i:06d}") for i in range(3000)])
    listings = []
    real_iter = tables._IdView.__iter__

    def counted(view: tables._IdView) -> object:
        listings.append(1)
        return real_iter(view)

    monkeypatch.setattr(tables._IdView, "__iter__", counted)
    with register.transaction():
        register.db.table(f"fy{FY}", "records").truncate()
    assert len(listings) <= 1  # MutableMapping.clear listed every id again for each document: 3,000 times
    assert register.records(FY) == {}
    assert Register.open(folder).records(FY) == {}


def test_reading_the_log_does_not_hold_the_lock_while_the_caller_iterates(folder: Path) -> None:
    svc = Service.open(folder, today=lambda: TODAY)
    for i in range(3):
        svc.add_division(f"{i:03d}", f"課{i}")
    svc.register.db.checkpoint()
    svc.add_division("999", "新しい課")  # one entry still only in the journal

    entries = svc.register.db.log_entries()
    first = next(entries)
    other = DatabaseLock(folder, timeout=0)  # another process would take it now
    with other.held(timeout=0):
        rest = list(entries)
    other.close()
    assert first[0] == "line" and [kind for kind, _ in rest] == ["line", "line", "entry"]
    svc.close()
