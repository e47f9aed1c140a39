"""The register's files (trainer.store): what a user may rely on.

Every write that returned is on disk and survives reopening; a failed transaction leaves
nothing behind, in memory or on disk; damage is reported and the damaged file left exactly as
it was; the files are private; several processes may write at once without losing anything;
a backup restores the state it was made from.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import filelock
import orjson
import pytest
import tinydb

import trainer.store.journal as journal_module
import trainer.store.writing as writing_module
from trainer.errors import CorruptDatabaseError, LockTimeoutError, SchemaVersionError, StoreError
from trainer.model import Assignment, Division, Duty, Exemption, Progress, Record, Staff
from trainer.store import codec
from trainer.store.backups import KEEP_BACKUPS, Backups
from trainer.store.journal import encode_line
from trainer.store.lock import DatabaseLock
from trainer.store.register import Register

FY = 2026


def person(staff_id: str, name: str = "𠮷田 花子", kana: str = "よしだ はなこ") -> Staff:
    return Staff(
        staff_id=staff_id,
        name=name,
        kana=kana,
        employment="正規職員",
        hired=date(2020, 4, 1),
        assignments=(Assignment(date(2020, 4, 1), "D01", "主事", Duty.RIYO),),
    )


def record(staff_id: str, requirement: str = "security", fiscal_year: int = FY, percent: int = 100) -> Record:
    progress = Progress.COMPLETED if percent == 100 else Progress.IN_PROGRESS
    return Record(staff_id, fiscal_year, requirement, progress, percent, date(fiscal_year, 6, 1), "test")


def contents(register: Register) -> dict[str, Any]:
    """Everything a register holds, as model objects (years first, so reading adds none)."""
    years = register.fiscal_years()
    return {
        "years": years,
        "divisions": register.divisions(),
        "staff": sorted(register.all_staff(), key=lambda s: s.staff_id),
        "records": {fy: register.records(fy) for fy in years},
        "exemptions": {fy: register.exemptions(fy) for fy in years},
        "organization": register.setting("organization"),
    }


def journal_bytes(folder: Path) -> bytes:
    return (folder / "journal.jsonl").read_bytes()


def journal_lines(folder: Path) -> list[bytes]:
    """The journal's lines, without the zero-filled room it keeps for the next writes."""
    return journal_bytes(folder).split(b"\0", 1)[0].splitlines(keepends=True)


def _decode_ok(line: bytes) -> bool:
    crc, _, body = line.rstrip(b"\n").partition(b" ")
    return int(crc, 16) == zlib.crc32(body)


def write_at_journal_end(folder: Path, data: bytes) -> None:
    """What a writer killed in the middle of an append leaves: part of a line at the end."""
    path = folder / "journal.jsonl"
    end = len(b"".join(journal_lines(folder)))
    with path.open("r+b") as f:
        f.seek(end)
        f.write(data)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "register"


# --- durability ------------------------------------------------------------------------------


def test_committed_writes_survive_reopening_with_ids_and_japanese_names_intact(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_divisions([Division("D01", "市民課", "課長", "髙橋 一郎")])
        register.put_staff([person("000123"), person("123", "髙橋 次郎", "たかはし じろう")])
        register.put_records([record("000123", "security"), record("000123", "flow", percent=40)])
        register.put_exemptions([Exemption("123", FY, "all", "育児休業", date(FY, 5, 1))])
        register.put_setting("organization", "〇〇市")
    with register.transaction():  # a later change replaces the earlier version
        register.put_records([record("000123", "flow", percent=80)])

    again = Register.open(folder)

    assert sorted(again.staff_ids()) == ["000123", "123"]  # "000123" and "123" are different people
    assert again.staff("000123") == person("000123")
    assert again.staff("000123").name == "𠮷田 花子"  # type: ignore[union-attr]
    assert again.staff("123") == person("123", "髙橋 次郎", "たかはし じろう")
    assert again.division("D01") == Division("D01", "市民課", "課長", "髙橋 一郎")
    assert again.records(FY) == {
        "000123": {"security": record("000123", "security"), "flow": record("000123", "flow", percent=80)}
    }
    assert again.exemptions(FY) == {"123": [Exemption("123", FY, "all", "育児休業", date(FY, 5, 1))]}
    assert again.setting("organization") == "〇〇市"
    assert again.fiscal_years() == [FY]
    assert contents(again) == contents(register)


@pytest.mark.parametrize("error", [RuntimeError("取込に失敗"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_a_failed_transaction_leaves_nothing_behind_in_memory_or_on_disk(folder: Path, error: BaseException) -> None:
    register = Register.open(folder)
    original = person("000123")
    with register.transaction():
        register.put_staff([original])
        register.put_records([record("000123", percent=40)])
    before = contents(register)
    journal_before = journal_bytes(folder)

    with pytest.raises(type(error)), register.transaction():
        register.put_staff([person("000456", "新人 太郎"), dataclasses.replace(original, name="改名 花子")])
        register.put_records([record("000123", percent=100), record("000456", fiscal_year=FY + 1)])
        register.put_setting("organization", "〇〇市")
        raise error

    # in memory: the same register object shows the state from before the transaction
    assert register.staff_ids() == ["000123"]
    assert register.staff("000456") is None
    assert register.staff("000123") == original
    assert register.record(FY, "000123", "security") == record("000123", percent=40)
    assert register.records(FY + 1) == {}
    assert register.setting("organization") is None
    # on disk: nothing was appended, and a fresh open agrees
    assert journal_bytes(folder) == journal_before
    assert contents(Register.open(folder)) == before

    # and the register still works: the next transaction commits and gets fresh document ids
    with register.transaction():
        register.put_staff([person("000456", "新人 太郎")])
    again = Register.open(folder)
    assert sorted(again.staff_ids()) == ["000123", "000456"]
    assert again.staff("000123") == original
    assert again.staff("000456") == person("000456", "新人 太郎")


def test_a_failed_clear_brings_every_deleted_document_back(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_divisions([Division("D01", "市民課")])
        register.put_staff([person(f"{i:06d}") for i in range(20)])
        register.put_records([record(f"{i:06d}") for i in range(20)])
    before = contents(register)

    with pytest.raises(RuntimeError), register.transaction():
        register.clear()
        assert register.is_empty()
        raise RuntimeError("やめた")

    assert contents(register) == before
    assert contents(Register.open(folder)) == before


def test_checkpoint_writes_plain_tinydb_files_and_empties_the_journal(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000123"), person("000456", "髙橋 次郎")])
        register.put_records([record("000123", percent=40), record("000456", fiscal_year=FY + 1)])
    with register.transaction():
        register.put_records([record("000123")])
    expected = contents(register)

    register.db.checkpoint()

    with tinydb.TinyDB(folder / "main.json", encoding="utf-8", access_mode="r") as db:
        staff = sorted(db.table("staff").all(), key=lambda d: d["staff_id"])
        assert staff == [codec.staff_to_doc(person("000123")), codec.staff_to_doc(person("000456", "髙橋 次郎"))]
        assert staff[0]["name"] == "𠮷田 花子"
    with tinydb.TinyDB(folder / f"fy{FY}.json", encoding="utf-8", access_mode="r") as db:
        assert db.table("records").all() == [codec.record_to_doc(record("000123"))]
    with tinydb.TinyDB(folder / f"fy{FY + 1}.json", encoding="utf-8", access_mode="r") as db:
        assert db.table("records").all() == [codec.record_to_doc(record("000456", fiscal_year=FY + 1))]
    main = json.loads((folder / "main.json").read_text(encoding="utf-8"))
    assert "records" not in main  # records live in the year files only

    lines = journal_lines(folder)
    assert len(lines) == 1 and b'"journal"' in lines[0]  # only the header is left

    assert contents(Register.open(folder)) == expected
    # and what is written after the checkpoint lands on top of the checkpointed files
    with register.transaction():
        register.put_staff([person("000789", "新人 三郎")])
    assert Register.open(folder).staff("000789") == person("000789", "新人 三郎")


# --- damage ----------------------------------------------------------------------------------

_UNACKNOWLEDGED = encode_line(
    {
        "seq": 99,
        "at": "2026-11-25T10:00:00+09:00",
        "ops": [["main", "staff", "99", codec.staff_to_doc(person("999999"))]],
    }
)


@pytest.mark.parametrize(
    "torn",
    [
        b'\x00\xffgarbage{"seq": 3',  # garbage, no newline
        _UNACKNOWLEDGED[: len(_UNACKNOWLEDGED) // 2],  # a valid line cut short
    ],
    ids=["garbage", "truncated-line"],  # a whole line failing its checksum is damage: test_journal_damage.py
)
def test_a_torn_last_journal_line_is_ignored_and_the_next_write_still_lands(folder: Path, torn: bytes) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
    with register.transaction():
        register.put_records([record("000001")])
    expected = contents(register)
    write_at_journal_end(folder, torn)

    again = Register.open(folder)
    assert contents(again) == expected  # every acknowledged write, and nothing of the torn line
    assert again.staff("999999") is None

    with again.transaction():
        again.put_staff([person("000002", "髙橋 次郎")])
    assert torn not in journal_bytes(folder)  # the torn tail was cleared before appending
    third = Register.open(folder)
    assert sorted(third.staff_ids()) == ["000001", "000002"]
    assert third.record(FY, "000001", "security") == record("000001")


@pytest.mark.parametrize("line", [0, 1], ids=["header", "first-transaction"])
def test_a_damaged_journal_line_followed_by_good_ones_is_reported_and_left_alone(folder: Path, line: int) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
    with register.transaction():
        register.put_staff([person("000002")])
    lines = journal_lines(folder)
    assert len(lines) == 3
    lines[line] = lines[line].replace(b'"', b"'", 1)  # one flipped byte: the checksum no longer matches
    (folder / "journal.jsonl").write_bytes(b"".join(lines))
    damaged = journal_bytes(folder)

    with pytest.raises(CorruptDatabaseError, match=re.escape("journal.jsonl")):
        Register.open(folder)
    assert journal_bytes(folder) == damaged


@pytest.mark.parametrize(
    "damage",
    [
        lambda good: b"\x00\x01\x02 this is not JSON \xff",
        lambda good: good[: len(good) // 2],
        lambda good: b"",
        lambda good: b"[1, 2, 3]",
        lambda good: b'{"staff": {}}',  # no _meta
    ],
    ids=["garbage", "truncated", "empty", "not-an-object", "no-meta"],
)
def test_a_damaged_main_json_is_reported_and_left_byte_for_byte_unchanged(folder: Path, damage: Any) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person(f"{i:06d}") for i in range(10)])
    register.db.checkpoint()
    with register.transaction():
        register.put_staff([person("000999")])
    main = folder / "main.json"
    main.write_bytes(damage(main.read_bytes()))
    damaged, journal = main.read_bytes(), journal_bytes(folder)

    with pytest.raises(CorruptDatabaseError, match=re.escape("main.json")):
        Register.open(folder)
    assert main.read_bytes() == damaged
    assert journal_bytes(folder) == journal


def test_a_damaged_year_file_is_reported_when_that_year_is_read_and_left_unchanged(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
        register.put_records([record("000001")])
    register.db.checkpoint()
    year = folder / f"fy{FY}.json"
    year.write_bytes(year.read_bytes()[:-20])
    damaged = year.read_bytes()

    again = Register.open(folder)
    assert again.staff("000001") == person("000001")  # other data is still readable
    with pytest.raises(CorruptDatabaseError, match=re.escape(f"fy{FY}.json")):
        again.records(FY)
    assert year.read_bytes() == damaged


def test_a_missing_main_json_next_to_other_register_files_is_reported_not_recreated(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():  # lives only in the journal so far
        register.put_staff([person("000001")])
    (folder / "main.json").unlink()
    journal = journal_bytes(folder)

    with pytest.raises(CorruptDatabaseError, match=re.escape("main.json")):
        Register.open(folder)
    assert not (folder / "main.json").exists()
    assert journal_bytes(folder) == journal  # the committed staff member is still there to recover


def test_a_main_json_from_a_newer_schema_is_refused_and_left_unchanged(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
    register.db.checkpoint()
    main = folder / "main.json"
    raw = orjson.loads(main.read_bytes())
    raw["_meta"]["1"]["schema"] = 99
    main.write_bytes(orjson.dumps(raw))
    newer = main.read_bytes()

    with pytest.raises(SchemaVersionError, match="99"):
        Register.open(folder)
    assert main.read_bytes() == newer


# --- privacy ---------------------------------------------------------------------------------


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """Privacy must not depend on the user's umask: allow everything and see what we get."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("permissive_umask")
def test_every_file_of_the_register_is_private_and_no_temp_file_is_left(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
        register.put_records([record("000001")])
    register.db.checkpoint()
    with register.transaction():
        register.put_staff([person("000002")])
    backup = register.db.backup("manual")
    before_restore = register.db.restore(backup)

    assert mode(folder) == 0o700
    assert mode(register.db.backup_dir) == 0o700
    names = {p.name for p in folder.iterdir()}
    assert names == {"main.json", f"fy{FY}.json", "journal.jsonl", "changelog.jsonl", "lock", "lock.json", "backups"}
    for name in names - {"backups"}:
        assert mode(folder / name) == 0o600, name
    assert {p.name for p in register.db.backup_dir.iterdir()} == {backup.name, before_restore.name}
    assert mode(backup) == 0o600
    assert mode(before_restore) == 0o600


@pytest.mark.usefixtures("permissive_umask")
def test_a_restore_cut_short_after_staging_is_private_and_completed_by_the_next_open(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
    backup = register.db.backup("manual")
    old = contents(register)
    with register.transaction():
        register.put_staff([person("000002")])

    def power_cut(self: Backups, names: list[str] | None = None) -> bool:
        raise KeyboardInterrupt("停電")

    with monkeypatch.context() as m:
        m.setattr(Backups, "finish_pending", power_cut)
        with pytest.raises(KeyboardInterrupt):
            register.db.restore(backup)
    staged = folder / "restore.pending.zip"
    assert staged.exists()
    assert mode(staged) == 0o600

    again = Register.open(folder)
    assert contents(again) == old
    assert not staged.exists()


# --- several processes -----------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import os, sys
    from datetime import date
    from pathlib import Path
    from trainer.model import Progress, Record
    from trainer.store.register import Register

    folder, who, count, every = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    register = Register.open(folder)
    print("ready", flush=True)
    sys.stdin.readline()  # both have opened the register: go
    for i in range(count):
        with register.transaction():
            register.put_records([Record(f"{who}{i:04d}", 2026, "security", Progress.COMPLETED, 100,
                                         date(2026, 6, 1), who)])
        if every and (i + 1) % every == 0:
            register.db.checkpoint()
        os.sched_yield()  # let the other process in between writes
    """
)


def test_two_processes_writing_at_once_lose_nothing_even_while_one_checkpoints(folder: Path) -> None:
    Register.open(folder)  # created before the race
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(folder), who, "500", every],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for who, every in [("A", "100"), ("B", "0")]  # A checkpoints every 100 writes, B never
    ]
    for w in writers:  # both open the register before either starts writing
        assert w.stdout is not None and w.stdout.readline() == b"ready\n", w.stderr.read() if w.stderr else ""
    for w in writers:
        assert w.stdin is not None
        w.stdin.write(b"go\n")
        w.stdin.flush()
    for w in writers:
        _out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err.decode()

    records = Register.open(folder).records(FY)
    assert len(records) == 1000
    assert set(records) == {f"{who}{i:04d}" for who in "AB" for i in range(500)}
    assert all(r["security"].source == staff_id[0] for staff_id, r in records.items())


def test_an_open_register_sees_and_keeps_what_another_one_wrote(folder: Path) -> None:
    """Two registers on one folder in this process stand for two processes."""
    a, b = Register.open(folder), Register.open(folder)
    with a.transaction():
        a.put_staff([person("000001")])
    b.refresh()
    assert b.staff("000001") == person("000001")
    for i in range(5):  # inserts alternate: neither may reuse the other's document ids
        with a.transaction():
            a.put_records([record(f"A{i}")])
        with b.transaction():
            b.put_records([record(f"B{i}")])
    expected = {f"{who}{i}" for who in "AB" for i in range(5)}
    assert set(b.records(FY)) == expected
    assert set(Register.open(folder).records(FY)) == expected


@pytest.mark.parametrize("coarse_clock", [False, True], ids=["fine-clock", "coarse-clock"])
def test_a_register_left_open_across_checkpoints_of_another_sees_and_loses_nothing(
    folder: Path, coarse_clock: bool
) -> None:
    journal = folder / "journal.jsonl"
    a, b = Register.open(folder), Register.open(folder)
    with a.transaction():
        a.put_records([record("A1")])
    a.db.checkpoint()
    b.refresh()
    assert set(b.records(FY)) == {"A1"}  # b shows the year, as a screen left open would
    seen = journal.stat()
    with a.transaction():
        a.put_records([record("A2")])
    a.db.checkpoint()
    a.db.checkpoint()  # the new journal may well get the inode and the size of the one b saw
    if coarse_clock:  # ... and, within one tick of a coarse clock, its modification time too
        os.utime(journal, ns=(journal.stat().st_atime_ns, seen.st_mtime_ns))
    else:
        b.refresh()
        assert set(b.records(FY)) == {"A1", "A2"}

    with b.transaction():
        b.put_records([record("B1")])

    assert set(b.records(FY)) == {"A1", "A2", "B1"}
    assert set(Register.open(folder).records(FY)) == {"A1", "A2", "B1"}


def test_a_register_left_open_during_a_restore_by_another_writes_on_top_of_the_restored_state(
    folder: Path,
) -> None:
    a, b = Register.open(folder), Register.open(folder)
    with a.transaction():
        a.put_staff([person("000001")])
    backup = a.db.backup("manual")
    with a.transaction():
        a.put_staff([person("000002")])
        a.put_records([record("000002")])
    b.refresh()
    assert sorted(b.staff_ids()) == ["000001", "000002"]

    a.db.restore(backup)
    with b.transaction():
        b.put_staff([person("000003")])

    assert sorted(b.staff_ids()) == ["000001", "000003"]
    assert all(_decode_ok(line) for line in journal_lines(folder))  # no line was written over the restore
    again = Register.open(folder)
    assert sorted(again.staff_ids()) == ["000001", "000003"]
    assert again.records(FY) == {}


def test_opening_a_new_folder_while_another_process_creates_it_waits_instead_of_failing(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder.mkdir(mode=0o700)
    creator = DatabaseLock(folder)  # holds the lock (and wrote lock.json) while main.json is not there yet
    holding, release, found_busy = threading.Event(), threading.Event(), threading.Event()

    def create() -> None:
        with creator.held():
            holding.set()
            release.wait(30)

    real_try = filelock.lock_descriptor

    def try_lock(fd: int, **kwargs: Any) -> bool:
        """The opener's wait: it finds the lock taken, and only then does the creator finish."""
        locked = real_try(fd, **kwargs)
        if threading.current_thread() is threading.main_thread() and not locked:
            found_busy.set()
            release.set()
        return locked

    thread = threading.Thread(target=create)
    thread.start()
    try:
        assert holding.wait(30)
        monkeypatch.setattr(filelock, "lock_descriptor", try_lock)
        register = Register.open(folder, lock_timeout=30)
    finally:
        release.set()
        thread.join()
    assert found_busy.is_set()  # it did meet the creator's lock, and waited for it
    assert register.is_empty()
    assert (folder / "main.json").exists()


_HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from trainer.store.register import Register
    from trainer.model import Assignment, Duty, Staff
    from datetime import date

    register = Register.open(Path(sys.argv[1]))
    with register.transaction():
        register.put_staff([Staff("000001", "𠮷田 花子", "よしだ はなこ", "正規職員", date(2020, 4, 1),
                                  (Assignment(date(2020, 4, 1), "D01", "主事", Duty.RIYO),))])
        print("holding", flush=True)
        sys.stdin.readline()  # until the test closes stdin
    """
)


def test_a_writer_gives_up_after_the_lock_timeout_and_names_the_process_holding_the_lock(folder: Path) -> None:
    waiting = Register.open(folder, lock_timeout=0.5)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"holding\n"
        started = time.monotonic()
        with pytest.raises(LockTimeoutError) as caught, waiting.transaction():
            waiting.put_staff([person("000002")])
        waited = time.monotonic() - started
        assert 0.4 <= waited < 5
        assert f"プロセス {holder.pid}" in str(caught.value)
        assert waiting.staff("000002") is None
        with pytest.raises(LockTimeoutError, match=f"プロセス {holder.pid}"):
            Register.open(folder, lock_timeout=0.2)
    finally:
        _out, err = holder.communicate(b"\n", timeout=10)
    assert holder.returncode == 0, err.decode()

    # once the holder is done, the same register writes, on top of what the holder committed
    with waiting.transaction():
        waiting.put_staff([person("000002")])
    assert sorted(Register.open(folder).staff_ids()) == ["000001", "000002"]


# --- a full disk -----------------------------------------------------------------------------


@pytest.mark.parametrize("failing", [f"fy{FY}.json", "journal.jsonl"])
def test_checkpoints_failing_on_a_full_disk_never_lose_a_committed_write(
    folder: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    register = Register.open(folder)
    real = writing_module.atomic_write

    def full_disk(path: Path, chunks: bytes | list[bytes]) -> None:
        if path.name == failing:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, chunks)

    for i in range(3):
        with register.transaction():
            register.put_staff([person(f"00000{i}")])
            register.put_records([record(f"00000{i}")])
        with monkeypatch.context() as m:
            m.setattr(writing_module, "atomic_write", full_disk)
            m.setattr(journal_module, "atomic_write", full_disk)
            with pytest.raises(StoreError, match="ディスクの空きがありません") as failed:
                register.db.checkpoint()
            assert "失われていません" in str(failed.value)  # it says the writes are safe
    with register.transaction():  # written after the failures, while the disk has room again
        register.put_staff([person("000009")])
    expected = contents(register)
    assert len(expected["staff"]) == 4

    assert contents(Register.open(folder)) == expected
    register.db.checkpoint()  # the disk has room again
    assert contents(Register.open(folder)) == expected


# --- backups ---------------------------------------------------------------------------------


def test_restore_brings_back_the_backup_and_keeps_the_newer_state_in_a_before_restore_backup(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
        register.put_records([record("000001", percent=40)])
    register.db.checkpoint()
    with register.transaction():  # part of the old state is in the files, part in the journal
        register.put_records([record("000001", "flow")])
    backup = register.db.backup("manual")
    old = contents(register)

    with register.transaction():
        register.put_staff([person("000001", "改名 花子"), person("000002", "髙橋 次郎")])
        register.put_records([record("000001"), record("000002", fiscal_year=FY + 1)])
    register.db.checkpoint()
    with register.transaction():
        register.put_setting("organization", "〇〇市")
    newer = contents(register)
    assert newer != old

    before = register.db.restore(backup)

    assert contents(register) == old
    assert contents(Register.open(folder)) == old
    assert not (folder / f"fy{FY + 1}.json").exists()
    assert "before-restore" in before.name
    assert before in register.db.backups()
    with zipfile.ZipFile(before) as z:
        assert {"main.json", f"fy{FY}.json", f"fy{FY + 1}.json", "journal.jsonl"} <= set(z.namelist())

    register.db.restore(before)  # the before-restore backup holds the newer state
    assert contents(register) == newer
    assert contents(Register.open(folder)) == newer


def test_restoring_the_oldest_of_the_kept_backups_works(folder: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
    oldest = register.db.backup("first")
    with register.transaction():
        register.put_staff([person("000002")])
    for i in range(KEEP_BACKUPS - 1):
        register.db.backup(f"b{i}")
    assert len(register.db.backups()) == KEEP_BACKUPS

    register.db.restore(oldest)  # the before-restore backup prunes the oldest, which is this one

    assert register.staff_ids() == ["000001"]
    assert Register.open(folder).staff_ids() == ["000001"]


def test_restore_refuses_a_zip_that_is_not_a_backup_and_changes_nothing(folder: Path, tmp_path: Path) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])
    not_a_backup = tmp_path / "photos.zip"
    with zipfile.ZipFile(not_a_backup, "w") as z:
        z.writestr("photo.json", "{}")
    journal = journal_bytes(folder)

    with pytest.raises(StoreError, match="バックアップ"):
        register.db.restore(not_a_backup)

    assert register.staff_ids() == ["000001"]
    assert journal_bytes(folder) == journal
    assert register.db.backups() == []


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_tail_lines_reads_lines_longer_than_a_chunk(tmp_path: Path, count: int) -> None:
    from trainer.store.changelog import tail_lines

    lines = [b"first", b"x" * (3 << 20), b"after-big", b"y" * ((1 << 20) - 3), b"last"]
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert tail_lines(path, count) == lines[-count:]
    path.write_bytes(b"\n".join(lines))  # a last line without its newline is still a line
    assert tail_lines(path, count) == lines[-count:]


def test_the_change_log_is_stamped_with_the_time_of_each_write(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from trainer.service import Service
    from trainer.store import lock

    svc = Service.open(folder)
    svc.add_division("110", "市民課")
    later = dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=9)))

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            return later

    monkeypatch.setattr(lock, "datetime", Later)  # the default clock asks again on every write
    svc.add_division("120", "保険年金課")
    stamps = [e["at"] for e in svc.log()]
    assert dt.datetime.fromisoformat(stamps[0]) == later and stamps[1] != stamps[0]
    svc.close()

    fixed = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    svc = Service.open(folder, now=lambda: fixed)  # a clock given to the register is the one used
    svc.add_division("130", "障害福祉課")
    assert svc.log()[0]["at"] == "2026-11-25T09:30:00+09:00"
    svc.close()
