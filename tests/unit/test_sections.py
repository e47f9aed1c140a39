"""A table read one document at a time from the partition file's bytes answers exactly as the
whole table parsed would: by id, by its first key field, the next id, after changes, and once it
is parsed whole (sections.py, TableData's unread state)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trainer.store.checked as checked_module
import trainer.store.partitions as partitions_module
from tests.factories import person
from trainer.errors import CorruptDatabaseError
from trainer.model import Division, Progress, Record
from trainer.store.layout import YEAR_TABLES, encode_partition
from trainer.store.register import Register
from trainer.store.sections import split_tables
from trainer.store.tables import TableData

TRICKY = [
    "793107",
    '"staff_id": "793107"',
    'line\n"records": {',
    "\n}",
    "全角　名前",
    "1",
    "back\\slash",
    '"staff_id":"793107"',  # the very text a lookup of 793107 looks for, inside a string
]


def _records(rows: list[tuple[str, str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(i): {"staff_id": s, "requirement": r, "note": n} for i, (s, r, n) in enumerate(rows, start=1)}


def _file(records: dict[str, dict[str, Any]], exemptions: dict[str, dict[str, Any]] | None = None) -> bytes:
    tables = {
        "records": TableData("records", YEAR_TABLES["records"], records),
        "exemptions": TableData("exemptions", YEAR_TABLES["exemptions"], exemptions or {}),
    }
    return encode_partition("fy2026", tables, 7)


def _unread(data: bytes, name: str = "records") -> TableData:
    split = split_tables(data, list(YEAR_TABLES))
    assert split is not None
    return TableData(name, YEAR_TABLES[name], {}, section=split[1][name])


def _old_layout(data: bytes) -> bytes:
    """The same file as written before ``_meta`` said where its tables are."""
    raw = orjson.loads(data)
    meta = raw["_meta"]["1"]
    del meta["tables"]
    head, _, rest = data.partition(b"\n")
    _, _, rest = rest.partition(b"\n")
    return head + b'\n"_meta": {"1": ' + orjson.dumps(meta) + b"},\n" + rest


def test_a_file_says_where_its_tables_are_and_still_parses_as_tinydb_json() -> None:
    records = _records([("793107", "intro", TRICKY[2]), ("100", "rules", "x")])
    data = _file(records)
    raw = orjson.loads(data)  # the whole file is still one JSON document in TinyDB's format
    assert raw["records"] == records and raw["exemptions"] == {}
    assert raw["_meta"]["1"]["through_gen"] == 7
    meta, sections = split_tables(data, list(YEAR_TABLES)) or ({}, {})
    start, end = meta["tables"]["records"]
    assert data[start - len(b'\n"records": {') : start] == b'\n"records": {' and data[end : end + 2] == b"\n}"
    assert sections["records"].all() == records and sections["exemptions"].empty


@pytest.mark.parametrize("layout", ["placed", "scanned"])
def test_one_person_is_picked_out_and_a_match_in_another_field_is_not_them(layout: str) -> None:
    nested = {"staff_id": "793107"}  # the very text looked for, in a document inside another's
    rows = [("793107", "intro", "a"), ("1", "intro", "793107"), ("793107", "rules", TRICKY[1]), ("2", "flow", nested)]
    records = _records(rows)
    data = _file(records)
    table = _unread(data if layout == "placed" else _old_layout(data))
    assert table.where_first("793107") == {"1": records["1"], "3": records["3"]}
    assert table.find("793107", "rules") == "3" and table.find("793107", "flow") is None
    assert table.get("2") == records["2"] and table.get("99") is None
    assert table.where_first("nobody") == {}
    assert not table.read  # nothing above parsed the table whole
    assert table.docs == records and table.read


def test_a_file_whose_offsets_lie_is_not_read_by_them() -> None:
    data = _file(_records([("793107", "intro", "a")]))
    lying = data.replace(b'"tables":{"records":[', b'"tables":{"records":[1', 1)
    assert split_tables(lying, list(YEAR_TABLES)) is None  # (the caller parses it whole instead)
    assert split_tables(b'{"_meta": {"1": {"schema": 3}}, "records": {}}', list(YEAR_TABLES)) is None


def test_changes_to_an_unread_table_are_kept_when_it_is_parsed_whole() -> None:
    records = _records([("793107", "intro", "a"), ("100", "rules", "b"), ("100", "flow", "c")])
    table = _unread(_file(records))
    new_id = str(table.allocate_id())
    assert new_id == "4"
    table.set(new_id, {"staff_id": "793107", "requirement": "flow", "note": "new"})
    table.set("2", None)  # removed
    table.set("3", {"staff_id": "793107", "requirement": "checkpoint", "note": "moved to another person"})
    lent = table.lend("1")
    lent["note"] = "changed in place"
    assert set(table.where_first("793107")) == {"1", "3", "4"}
    assert table.where_first("100") == {}
    assert table.find("100", "rules") is None and table.find("793107", "checkpoint") == "3"
    assert not table.empty
    docs = table.docs
    assert docs["1"]["note"] == "changed in place" and "2" not in docs and docs["4"]["note"] == "new"
    assert table.find("793107", "checkpoint") == "3"  # now through the index


def test_an_unread_table_emptied_by_removals_is_empty() -> None:
    table = _unread(_file(_records([("1", "intro", "")])))
    assert not table.empty
    table.set("1", None)
    assert table.empty


ROW = st.tuples(
    st.sampled_from(["793107", "1", "2", "全角"]), st.sampled_from(["intro", "rules"]), st.sampled_from(TRICKY)
)
OP = st.one_of(
    st.tuples(st.just("put"), st.integers(1, 12), ROW),
    st.tuples(st.just("remove"), st.integers(1, 12), ROW),
    st.tuples(st.just("insert"), st.just(0), ROW),
)


def _found(table: TableData, *key: str) -> str | None:
    try:
        return table.find(*key)
    except CorruptDatabaseError:
        return "refused"


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(ROW, max_size=10), ops=st.lists(OP, max_size=8), old=st.booleans())
def test_an_unread_table_answers_as_the_whole_table_does(rows: list, ops: list, old: bool) -> None:
    records = _records(rows)
    data = _file(records)
    lazy = _unread(_old_layout(data) if old else data)
    eager = TableData("records", YEAR_TABLES["records"], orjson.loads(orjson.dumps(records)))
    for kind, doc_id, (staff_id, requirement, note) in ops:
        doc = {"staff_id": staff_id, "requirement": requirement, "note": note}
        if kind == "insert":
            doc_id = lazy.allocate_id()
            assert eager.get(str(doc_id)) is None  # a new id is never one in use
        for table in (lazy, eager):
            table.set(str(doc_id), None if kind == "remove" else dict(doc))
    keys: dict[tuple[str, str], int] = {}
    for doc in eager.docs.values():
        keys[(doc["staff_id"], doc["requirement"])] = keys.get((doc["staff_id"], doc["requirement"]), 0) + 1
    twice = {key for key, n in keys.items() if n > 1}  # damage: no lookup of theirs may answer
    for value in ["793107", "1", "2", "全角", "none"]:
        assert lazy.where_first(value) == eager.where_first(value)
        for requirement in ("intro", "rules"):
            lazy_found, eager_found = _found(lazy, value, requirement), _found(eager, value, requirement)
            if twice:  # the whole table refuses; an unread one at least for the key held twice
                assert eager_found == "refused"
                assert lazy_found == "refused" or ((value, requirement) not in twice and lazy_found != "refused")
            else:
                assert (lazy_found is None) == (eager_found is None)
    for doc_id in range(0, 14):
        assert lazy.get(str(doc_id)) == eager.get(str(doc_id))
    assert lazy.empty == eager.empty
    assert lazy.docs == eager.docs


# --- through the register ----------------------------------------------------------------------


def _record(staff_id: str, requirement: str, day: int = 1) -> Record:
    return Record(staff_id, 2026, requirement, Progress.COMPLETED, 100, date(2026, 6, day), "test")


def _unread_tables(register: Register) -> set[tuple[str, str]]:
    return {(p, t.name) for p, part in register.db._parts.items() for t in part.tables.values() if not t.read}


def test_one_person_is_read_and_written_without_parsing_the_year(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    register = Register.open(folder)
    with register.transaction():
        register.put_divisions([Division("160", "市民課")])
        register.put_staff([person(str(n)) for n in range(100, 130)])
        register.put_records([_record(str(n), "intro") for n in range(100, 130)])
    register.db.checkpoint()
    register.close()

    register = Register.open(folder)
    assert register.staff("105") == person("105")
    assert register.records(2026, of={"105"}) == {"105": {"intro": _record("105", "intro")}}
    with register.transaction():  # one record: written into the unread year through the journal
        register.put_records([_record("105", "rules"), _record("106", "intro", day=2)])
    assert register.record(2026, "106", "intro") == _record("106", "intro", day=2)
    assert {("main", "staff"), ("fy2026", "records")} <= _unread_tables(register)
    register.close()

    register = Register.open(folder)  # the journal's documents over the unread file
    assert register.records(2026, of={"105", "106"})["105"].keys() == {"intro", "rules"}
    assert register.record(2026, "106", "intro") == _record("106", "intro", day=2)
    register.db.checkpoint()  # the year parsed whole and written with the changes
    register.close()

    register = Register.open(folder)
    everyone = register.records(2026)
    assert len(everyone) == 30 and everyone["105"].keys() == {"intro", "rules"}
    assert everyone["106"]["intro"] == _record("106", "intro", day=2)
    assert not register.is_empty() and ("main", "staff") in _unread_tables(register)
    register.close()


def test_a_changed_file_is_still_refused_before_any_line_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("100")])
        register.put_records([_record("100", "intro")])
    register.db.checkpoint()
    register.close()
    path = folder / "fy2026.json"
    path.write_bytes(path.read_bytes().replace(b'"intro"', b'"rules"'))
    register = Register.open(folder)
    with pytest.raises(CorruptDatabaseError, match=r"fy2026\.json"):
        register.record(2026, "100", "intro")
    register.close()


def test_a_document_put_while_another_thread_parses_the_table_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app reads in worker threads while a transaction writes: the switch from unread to
    parsed never drops a document put meanwhile."""
    import threading
    import time

    from trainer.store.sections import Section

    table = _unread(_file(_records([("1", "intro", "a"), ("2", "intro", "b")])))
    started = threading.Event()
    real_all = Section.all

    def slow_all(self: Section) -> dict[str, dict[str, Any]]:
        if not started.is_set():  # the reader's parse is slow; the writer's own is not
            started.set()
            time.sleep(0.2)  # the writer below runs now
        return real_all(self)

    monkeypatch.setattr(Section, "all", slow_all)
    reader = threading.Thread(target=lambda: table.docs)
    reader.start()
    assert started.wait(5)
    table.docs  # noqa: B018  (the writer's transaction reads the whole table too)
    table.set("99", {"staff_id": "3", "requirement": "intro", "note": "put meanwhile"})
    reader.join(5)
    assert table.get("99") == {"staff_id": "3", "requirement": "intro", "note": "put meanwhile"}
    assert set(table.docs) == {"1", "2", "99"}


@pytest.mark.parametrize("read", ["parsed", "unread"])
def test_two_documents_under_one_key_are_refused_as_damage_not_one_picked(read: str) -> None:
    """Normal writes never put two documents under one key. If the files hold two, a lookup by key
    (whole table or unread) must not answer with either of them: the table is damaged, and says so."""
    records = _records([("793107", "intro", "first"), ("800001", "intro", ""), ("793107", "intro", "second")])
    table = TableData("records", YEAR_TABLES["records"], records) if read == "parsed" else _unread(_file(records))
    with pytest.raises(CorruptDatabaseError, match=r"records.*793107.*文書 1, 3"):
        table.find("793107", "intro")
    if read == "unread":  # a lookup of another person still answers from the bytes
        assert table.find("800001", "intro") == "2"
    with pytest.raises(CorruptDatabaseError, match="records"):
        table.index  # noqa: B018  (parsed whole: the index refuses)


def test_a_few_divisions_are_looked_up_without_parsing_or_hashing_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``staff show`` names a person's few divisions: their lines only, so main.json is not
    hashed whole (a table parsed whole is hashed first when its digest was taken on trust)."""
    monkeypatch.setattr(checked_module, "RACY_NS", 0)  # (a file is noted even if written just now)
    folder = tmp_path / "register"
    register = Register.open(folder)
    with register.transaction():
        register.put_divisions([Division(f"{n}", f"課{n}") for n in range(100, 120)])
    register.db.checkpoint()
    register.close()
    Register.open(folder).close()  # hashed once: the next open takes its digest on trust (checked.py)

    register = Register.open(folder)
    with register.transaction():  # a change still in the journal
        register.put_divisions([Division("101", "新しい名前")])
    hashed: list[int] = []
    real_digest = partitions_module.digest
    monkeypatch.setattr(partitions_module, "digest", lambda data: hashed.append(len(data)) or real_digest(data))
    found = register.divisions_with({"100", "101", "999"})
    assert {code: d.name for code, d in found.items()} == {"100": "課100", "101": "新しい名前"}
    assert ("main", "divisions") in _unread_tables(register) and hashed == []
    many = register.divisions_with({str(n) for n in range(100, 110)})  # more than a few: the whole table
    assert sorted(many) == [str(n) for n in range(100, 110)] and many["101"].name == "新しい名前"
    assert ("main", "divisions") not in _unread_tables(register)
    assert hashed == [(folder / "main.json").stat().st_size]  # (hashed before it was parsed whole)
    register.close()
