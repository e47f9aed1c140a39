"""verify's findings word for word: where the change log was cut, reordered, edited or unlinked,
and how a document differs from what the log says (store/verify.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.registers import FY, record, staff_one_by_one
from trainer.errors import CorruptDatabaseError
from trainer.store.changelog import digest
from trainer.store.journal import encode_line
from trainer.store.layout import year_partition
from trainer.store.register import Register
from trainer.store.verify import Finding, _differences, _explained_by_repair, check_log, check_register

Lines = list[bytes]


def tampered(folder: Path, change: Callable[[Lines], Lines]) -> tuple[int, list[str]]:
    """Five entries, moved into changelog.jsonl by a checkpoint; then ``change`` applied to its lines."""
    staff_one_by_one(folder, 5).db.checkpoint()
    path = folder / "changelog.jsonl"
    path.write_bytes(b"".join(change(path.read_bytes().splitlines(keepends=True))))
    register = Register.open(folder)
    try:
        result = check_log(register.db)
    finally:
        register.close()
    return result.entries, [str(f) for f in result.findings]


def _edited(lines: Lines) -> Lines:
    entry = orjson.loads(lines[1])
    entry["changes"][0][4]["name"] = "別人"
    return [lines[0], orjson.dumps(entry) + b"\n", *lines[2:]]


def _unlinked(lines: Lines) -> Lines:
    entry = orjson.loads(lines[2])
    entry["prev"] = "0" * 64
    return [*lines[:2], orjson.dumps(entry) + b"\n", *lines[3:]]


CUT = "前の記録とのつながり（ハッシュ）が切れています"
EDITED = "記録の内容が書き換えられています（ハッシュが一致しません）"
CASES: dict[str, tuple[Callable[[Lines], Lines], int, list[str]]] = {
    "one deleted": (lambda lines: [lines[0], *lines[2:]], 4, [
        "changelog.jsonl 2行目: 記録 2 がありません（削除されています）", f"changelog.jsonl 2行目: {CUT}"]),
    "two deleted": (lambda lines: [lines[0], *lines[3:]], 3, [
        "changelog.jsonl 2行目: 記録 2〜3 がありません（削除されています）", f"changelog.jsonl 2行目: {CUT}"]),
    "two swapped": (lambda lines: [lines[0], lines[2], lines[1], *lines[3:]], 5, [
        "changelog.jsonl 2行目: 記録 2 がありません（削除されています）", f"changelog.jsonl 2行目: {CUT}",
        "changelog.jsonl 3行目: 記録 2 がこの位置にあります（並べ替えられています）", f"changelog.jsonl 3行目: {CUT}",
        "changelog.jsonl 4行目: 記録 3 がありません（削除されています）", f"changelog.jsonl 4行目: {CUT}"]),
    "not JSON": (lambda lines: [*lines[:2], b"{not json\n", *lines[3:]], 4, [
        "changelog.jsonl 3行目: JSON として読めません（書き換えられています）",
        "changelog.jsonl 4行目: 記録 3 がありません（削除されています）"]),
    "edited": (_edited, 5, [f"changelog.jsonl 2行目: {EDITED}"]),
    "unlinked": (_unlinked, 5, [f"changelog.jsonl 3行目: {CUT}", f"changelog.jsonl 3行目: {EDITED}"]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_each_tampering_of_the_change_log_is_named_where_it_is(tmp_path: Path, case: str) -> None:
    change, entries, findings = CASES[case]
    assert tampered(tmp_path / "register", change) == (entries, findings)


def test_an_intact_log_replays_to_the_documents_the_register_holds(tmp_path: Path) -> None:
    register = staff_one_by_one(tmp_path / "register", 3)
    with register.transaction():  # the same document again: nothing to log
        register.put_staff([register.staff("000002")])  # type: ignore[list-item]
    result = check_log(register.db)
    assert (result.entries, result.findings) == (3, [])
    assert sorted(result.state) == [("main", "staff", "1"), ("main", "staff", "2"), ("main", "staff", "3")]
    assert {doc["staff_id"] for doc in result.state.values()} == {"000001", "000002", "000003"}


def test_how_a_document_differs_from_the_log() -> None:
    assert _differences(None, {"a": 1}) == "変更履歴にない文書があります（履歴を通さずに追加されています）"
    assert _differences({"a": 1}, None) == "変更履歴にある文書がありません（履歴を通さずに削除されています）"
    assert _differences({"a": 1, "b": "x", "c": 3}, {"a": 2, "b": "x", "d": 4}) == (
        "変更履歴と違います（a: 1 → 2、c: 3 → None、d: None → 4）"
    )
    many = _differences({k: 0 for k in "abcdef"}, {k: 1 for k in "abcdef"})
    assert many == "変更履歴と違います（a: 0 → 1、b: 0 → 1、c: 0 → 1、d: 0 → 1）"  # the first four
    assert str(Finding("main.json staff 文書1", "x")) == "main.json staff 文書1: x"


def test_every_document_of_the_register_is_compared_with_the_replayed_log(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    register = staff_one_by_one(folder, 3)
    register.db.checkpoint()
    register.close()
    main = orjson.loads((folder / "main.json").read_bytes())
    edited = main["staff"]["2"]["name"]
    main["staff"]["2"]["name"] = "別人"
    del main["staff"]["3"]
    main["staff"]["9"] = dict(main["staff"]["1"], staff_id="000009")
    (folder / "main.json").write_bytes(orjson.dumps(main))
    register = Register.open(folder, inspect=True)
    try:
        findings = check_register(register.db, check_log(register.db))
    finally:
        register.close()
    assert [(f.where, f.message) for f in findings] == [
        (
            "main.json",
            f"{folder / 'main.json'} の内容が、trainer が最後に書いたときと違います"
            "（書き換えられたか、別のファイルと差し替えられています。trainer verify で違いを確かめられます）",
        ),
        ("main.json staff 文書2", f"変更履歴と違います（name: {edited!r} → '別人'）"),
        ("main.json staff 文書3", "変更履歴にある文書がありません（履歴を通さずに削除されています）"),
        ("main.json staff 文書9", "変更履歴にない文書があります（履歴を通さずに追加されています）"),
    ]


def test_only_a_repair_naming_exactly_the_missing_numbers_explains_a_gap() -> None:
    assert _explained_by_repair({"action": "repair", "seq": 5, "lost": [3, 4]}, 3) is True
    assert _explained_by_repair({"action": "repair", "seq": 5, "lost": [3]}, 3) is False
    assert _explained_by_repair({"action": "change", "seq": 5, "lost": [3, 4]}, 3) is False


def _logged(
    folder: Path, change: Callable[[Lines], Lines]
) -> tuple[int, list[str], dict[tuple[str, str, str], object]]:
    staff_one_by_one(folder, 5).db.checkpoint()
    path = folder / "changelog.jsonl"
    path.write_bytes(b"".join(change(path.read_bytes().splitlines(keepends=True))))
    register = Register.open(folder, inspect=True)
    try:
        result = check_log(register.db)
    finally:
        register.close()
    return result.entries, [str(f) for f in result.findings], result.state


def _chained(lines: Lines, changes: list[list[object]]) -> Lines:
    last = orjson.loads(lines[-1])
    entry: dict[str, object] = {"seq": last["seq"] + 1, "prev": last["hash"], "action": "change", "changes": changes}
    entry["hash"] = digest(entry)
    return [*lines, orjson.dumps(entry) + b"\n"]


def test_a_deletion_in_the_log_removes_the_document_from_the_replay_even_one_never_created(tmp_path: Path) -> None:
    gone = [["main", "staff", "2", {"staff_id": "000002"}, None], ["main", "staff", "99", {"x": 1}, None]]
    entries, findings, state = _logged(tmp_path / "register", lambda lines: _chained(lines, gone))
    assert (entries, findings) == (6, [])
    assert sorted(state) == [
        ("main", "staff", "1"),
        ("main", "staff", "3"),
        ("main", "staff", "4"),
        ("main", "staff", "5"),
    ]


def _reseq(value: object) -> Callable[[Lines], Lines]:
    def change(lines: Lines) -> Lines:
        entry = orjson.loads(lines[1])
        entry["seq"] = value
        return [lines[0], orjson.dumps(entry) + b"\n", *lines[2:]]

    return change


@pytest.mark.parametrize("value", ["2", None])
def test_an_entry_whose_number_is_not_an_integer_is_edited_and_the_next_numbers_still_follow(
    tmp_path: Path, value: object
) -> None:
    entries, findings, _ = _logged(tmp_path / "register", _reseq(value))
    assert (entries, findings) == (5, [f"changelog.jsonl 2行目: {EDITED}"])


def test_an_entry_without_changes_changes_nothing_in_the_replay(tmp_path: Path) -> None:
    def drop(lines: Lines) -> Lines:
        entry = orjson.loads(lines[1])
        del entry["changes"]
        return [lines[0], orjson.dumps(entry) + b"\n", *lines[2:]]

    entries, findings, state = _logged(tmp_path / "register", drop)
    assert (entries, findings) == (5, [f"changelog.jsonl 2行目: {EDITED}"])
    assert ("main", "staff", "2") not in state and len(state) == 4


def test_an_edited_entry_still_in_the_journal_is_named_by_its_number(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    staff_one_by_one(folder, 3).close()
    path = folder / "journal.jsonl"
    lines = path.read_bytes().rstrip(b"\0").splitlines(keepends=True)
    payload = orjson.loads(lines[2][9:-1])
    payload["log"]["changes"][0][4]["name"] = "別人"
    path.write_bytes(b"".join([*lines[:2], encode_line(payload), *lines[3:]]) + b"\0" * 4096)
    register = Register.open(folder, inspect=True)
    try:
        result = check_log(register.db)
    finally:
        register.close()
    assert (result.entries, [str(f) for f in result.findings]) == (3, [f"journal.jsonl（記録 2）: {EDITED}"])


def test_two_documents_under_one_key_are_a_finding_and_a_lookup_is_refused(tmp_path: Path) -> None:
    """Written through the log (so replaying it agrees), a second record under a taken key is still
    damage: verify names the table, and reading the year refuses rather than picking one."""
    folder = tmp_path / "register"
    register = staff_one_by_one(folder, 2)
    with register.transaction():
        register.put_records([record("000001")])
    part = year_partition(FY)
    doc_id = register.document_id(part, "records", {"staff_id": "000001", "requirement": "security"})
    assert doc_id is not None
    twin = dict(register.document(part, "records", doc_id) or {})
    with register.transaction():
        register.put_document(part, "records", str(int(doc_id) + 100), twin)
    register.db.checkpoint()
    register.close()

    register = Register.open(folder)
    try:
        findings = [str(f) for f in check_register(register.db, check_log(register.db))]
        assert any(f.startswith(f"{part}.json records: ") and "同じキー（000001・security）" in f for f in findings)
        with pytest.raises(CorruptDatabaseError, match="records"):
            register.records(FY)
    finally:
        register.close()


def test_two_people_under_one_staff_id_are_refused_when_everyone_is_listed(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    register = staff_one_by_one(folder, 2)
    doc_id = register.document_id("main", "staff", {"staff_id": "000001"})
    assert doc_id is not None
    with register.transaction():
        register.put_document("main", "staff", "77", dict(register.document("main", "staff", doc_id) or {}))
    with pytest.raises(CorruptDatabaseError, match=r"staff に、同じキー（000001）.*文書 1, 77"):
        register.all_staff()
    assert any("同じキー（000001）" in str(f) for f in check_register(register.db, check_log(register.db)))
    register.close()
