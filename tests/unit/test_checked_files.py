"""A file hashed once is not hashed again until it is written (checked.py), and that shortcut
never lets a changed file through: an edit of the same size, a copy from another register, a
damaged or foreign cache of the digests, verify."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

import trainer.store.checked as checked_module
import trainer.store.partitions as partitions_module
from tests.factories import person
from trainer.errors import CorruptDatabaseError
from trainer.model import Progress, Record
from trainer.store.register import Register
from trainer.store.verify import check_log, check_register


def _record(staff_id: str) -> Record:
    return Record(staff_id, 2026, "intro", Progress.COMPLETED, 100, date(2026, 6, 1), "test")


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every file hashed (its size), and no wait before a file's digest may be kept."""
    monkeypatch.setattr(checked_module, "RACY_NS", 0)
    sizes: list[int] = []
    real = partitions_module.digest

    def counting(data: bytes) -> str:
        sizes.append(len(data))
        return real(data)

    monkeypatch.setattr(partitions_module, "digest", counting)
    return sizes


def _register(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person(str(n)) for n in range(100, 110)])
        register.put_records([_record(str(n)) for n in range(100, 110)])
    register.db.checkpoint()
    register.close()


def _read_person(folder: Path) -> Record | None:
    register = Register.open(folder)
    try:
        return register.record(2026, "105", "intro")
    finally:
        register.close()


def test_a_file_is_hashed_once_until_it_is_written(tmp_path: Path, hashed: list[int]) -> None:
    folder = tmp_path / "register"
    _register(folder)
    assert _read_person(folder) == _record("105")  # hashed, and noted
    hashed.clear()
    assert _read_person(folder) == _record("105")
    assert hashed == []  # neither main.json nor fy2026.json hashed again
    assert (folder / "cache" / "files.checked").exists()


def test_an_edit_of_the_same_size_is_hashed_again_and_refused(tmp_path: Path, hashed: list[int]) -> None:
    folder = tmp_path / "register"
    _register(folder)
    _read_person(folder)
    path = folder / "fy2026.json"
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"2026-06-01"', b'"2026-06-02"', 1))  # same size, new times
    with pytest.raises(CorruptDatabaseError, match=r"fy2026\.json"):
        _read_person(folder)


def test_a_file_from_another_register_is_refused_whatever_the_cache_says(tmp_path: Path, hashed: list[int]) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    _register(ours)
    _register(theirs)
    register = Register.open(theirs)
    with register.transaction():
        register.put_records([Record("105", 2026, "rules", Progress.COMPLETED, 100, date(2026, 7, 1), "x")])
    register.db.checkpoint()
    register.close()
    _read_person(ours)
    shutil.copy2(theirs / "fy2026.json", ours / "fy2026.json")  # copy2 keeps the modification time
    with pytest.raises(CorruptDatabaseError, match=r"fy2026\.json"):
        _read_person(ours)


@pytest.mark.parametrize("content", [b"", b"garbage\n{}", b'{"kind": "files-checked", "sha256": "0"}\n{}'])
def test_a_damaged_digest_cache_is_not_used(tmp_path: Path, hashed: list[int], content: bytes) -> None:
    folder = tmp_path / "register"
    _register(folder)
    _read_person(folder)
    (folder / "cache" / "files.checked").write_bytes(content)
    hashed.clear()
    assert _read_person(folder) == _record("105")
    assert hashed  # hashed again (and noted afresh)


def test_verify_hashes_every_file_whatever_the_cache_says(tmp_path: Path, hashed: list[int]) -> None:
    folder = tmp_path / "register"
    _register(folder)
    _read_person(folder)
    hashed.clear()
    register = Register.open(folder, inspect=True)
    try:
        assert check_register(register.db, check_log(register.db)) == []
    finally:
        register.close()
    assert len(hashed) >= 2


def test_bytes_that_rot_under_unchanged_times_are_hashed_before_a_table_is_parsed_or_written_again(
    tmp_path: Path, hashed: list[int]
) -> None:
    """Media damage changes bytes, not times: a person may still be looked up on trust, but the
    table is hashed before it is parsed whole, so the damage is refused, never written again by
    a checkpoint under a fresh digest."""
    import os

    from trainer.store.checked import stamp
    from trainer.store.derived import DerivedFile

    folder = tmp_path / "register"
    _register(folder)
    _read_person(folder)
    path = folder / "fy2026.json"
    path.write_bytes(path.read_bytes().replace(b'"2026-06-01"', b'"2026-06-02"', 1))
    cache = DerivedFile(folder, "files.checked", "files-checked")
    entries = cache.read() or {}
    entries["fy2026"] = [entries["fy2026"][0], *stamp(os.stat(path))]  # the times as if unchanged
    cache.write(entries)
    register = Register.open(folder)
    try:
        with pytest.raises(CorruptDatabaseError, match=r"fy2026\.json"):
            register.records(2026)  # every record: the table parsed whole, so hashed first
        with pytest.raises(CorruptDatabaseError, match=r"fy2026\.json"):
            with register.transaction():
                register.put_records([_record("100")])
            register.db.checkpoint()
    finally:
        register.close()
    assert b'"2026-06-02"' in path.read_bytes()  # left as found, for verify and restore
