"""Every store fault is a message, never a traceback, and never costs an acknowledged write:
a full disk, a read-only or foreign register, bad values in a file, and an OSError at any write,
fsync or rename of a checkpoint, an import or a backup. Crash leftovers are cleaned up on open,
and everything the store creates is private whatever the umask."""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.faults import FileOps, count_ops, needs_proc
from tests.files import ROSTER_HEADERS, write_csv
from tests.registers import FY, person, record
from trainer.cli import main
from trainer.errors import CorruptDatabaseError, StoreError
from trainer.service import Service
from trainer.store.journal import encode_line
from trainer.store.register import Register

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", TODAY.isoformat())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "register"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith("lock")}


def a_city(folder: Path) -> None:
    """A demo city, checkpointed, then changes to main.json and this year's file only in the journal."""
    svc = Service.open(folder, today=lambda: TODAY)
    svc.create_demo(40, seed=5)
    svc.add_division("900", "監査課")
    person_id = svc.register.staff_ids()[0]
    svc.record(person_id, "security", "2026-11-20", replace_existing=True)
    svc.close()


# --- leftovers and modes -----------------------------------------------------------------------


def test_crash_leftovers_are_removed_on_open_and_nothing_else(folder: Path) -> None:
    Register.open(folder).close()
    leftovers = [".journal.jsonl.4242.tmp", ".main.json.31337.tmp", f".fy{FY}.json.1.tmp", ".lock.json.77.tmp"]
    leftovers += [".lock.4242.tmp", ".changelog.jsonl.5.tmp", ".restore.pending.zip.6.tmp"]
    for name in leftovers:
        (folder / name).write_bytes(b"x" * 100)
    (folder / "backups").mkdir()
    (folder / "backups" / "20261125-100000-manual.tmp").write_bytes(b"PK")
    (folder / "notes.txt").write_text("人のメモ", encoding="utf-8")  # not ours: left alone
    (folder / ".profile.99.tmp").write_bytes(b"not ours either")

    Register.open(folder).close()

    assert not [name for name in leftovers if (folder / name).exists()]
    assert not list((folder / "backups").glob("*.tmp"))
    assert (folder / "notes.txt").exists() and (folder / ".profile.99.tmp").exists()


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
def test_folders_the_store_creates_are_private_whatever_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "city" / "data" / "register"  # two parents that do not exist yet
    code, _out, err = run(capsys, "demo", "--db", str(db), "--staff", "30")
    assert code == 0, err
    out_dir = tmp_path / "out" / "rosters"
    code, _out, err = run(capsys, "report", "roster", "--db", str(db), "--division", "110", "-o", str(out_dir))
    assert code == 0, err

    for created in (db, db.parent, db.parent.parent, db / "backups", out_dir, out_dir.parent):
        if created.exists():
            assert mode(created) == 0o700, created
    for path in db.iterdir():
        if path.is_file():
            assert mode(path) == 0o600, path
    for path in out_dir.iterdir():
        assert mode(path) == 0o600, path


# --- faults as messages ------------------------------------------------------------------------


def test_a_full_disk_does_not_stop_reading_and_leaves_no_lock_temp_file(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_city(folder)
    (folder / "lock.json").unlink()  # so that this run has to write it
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if ".lock." in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    code, out, err = run(capsys, "status", "--db", str(folder))
    assert code == 0, err
    assert "修了" in out
    assert not list(folder.glob(".lock*.tmp"))


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, str], None]:
    """Make a folder behave as read-only (the tests may run as root, who may write anywhere)."""

    def make(folder: Path, how: str) -> None:
        real_access = os.access
        if how == "no-write-permission":
            monkeypatch.setattr(
                os, "access", lambda p, m, **kw: False if Path(p) == folder and m & os.W_OK else real_access(p, m, **kw)
            )
        else:  # a read-only filesystem: the lock file cannot be opened for writing
            real_open = os.open

            def refuse(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
                if Path(path) == folder / "lock" and flags & (os.O_RDWR | os.O_WRONLY):
                    raise OSError(errno.EROFS, "Read-only file system", str(path))
                return real_open(path, flags, *args, **kwargs)

            monkeypatch.setattr(os, "open", refuse)

    return make


@pytest.mark.parametrize("how", ["no-write-permission", "read-only-filesystem"])
def test_a_read_only_register_can_be_read_and_says_why_it_cannot_be_written(
    folder: Path, capsys: pytest.CaptureFixture[str], read_only: Callable[[Path, str], None], how: str
) -> None:
    a_city(folder)
    before = files_of(folder)
    read_only(folder, how)

    code, out, err = run(capsys, "status", "--db", str(folder))
    assert code == 0 and "修了" in out, err
    code, out, err = run(capsys, "staff", "list", "--db", str(folder))
    assert code == 0 and out, err
    code, out, err = run(capsys, "verify", "--db", str(folder))
    assert code == 0 and out.startswith("OK"), err
    code, out, err = run(capsys, "log", "--db", str(folder), "--limit", "2")
    assert code == 0 and "監査課" in out, err

    code, _out, err = run(capsys, "division", "add", "901", "--name", "新しい課", "--db", str(folder))
    assert code == 1 and "読み取り専用" in err and str(folder) in err
    code, _out, err = run(capsys, "backup", "--db", str(folder))
    assert code == 1 and "読み取り専用" in err
    svc = Service.open(folder, create=False)
    assert svc.register.db.read_only and svc.lock_holder() is None  # what the app asks every few seconds
    svc.close()
    assert files_of(folder) == before


def test_a_register_whose_files_are_not_ours_says_so(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user's register in a folder we may write in: readable files are read, the journal
    that is not ours is refused for writing, a file we may not read is a message."""
    a_city(folder)
    before = files_of(folder)
    real_open, real_read = os.open, Path.read_bytes

    def journal_not_ours(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("journal.jsonl") and flags & os.O_RDWR:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", journal_not_ours)
    code, out, err = run(capsys, "status", "--db", str(folder))
    assert code == 0 and "修了" in out, err
    code, _out, err = run(capsys, "division", "add", "901", "--name", "新しい課", "--db", str(folder))
    assert code == 1 and "権限がありません" in err and "journal.jsonl" in err and "保存されていません" in err
    assert files_of(folder) == before

    def unreadable(path: Path) -> bytes:
        if path.name == "main.json":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    code, _out, err = run(capsys, "status", "--db", str(folder))
    assert code == 1 and "main.json" in err and "権限がありません" in err


@pytest.mark.parametrize(
    ("where", "value"),
    [("schema", "x"), ("through_gen", "2"), ("schema", None), ("through_gen", 1.5)],
)
def test_a_bad_value_in_a_partition_meta_is_a_message(
    folder: Path, capsys: pytest.CaptureFixture[str], where: str, value: object
) -> None:
    a_city(folder)
    path = folder / "main.json"
    raw = orjson.loads(path.read_bytes())
    raw["_meta"]["1"][where] = value
    path.write_bytes(orjson.dumps(raw))

    with pytest.raises(CorruptDatabaseError, match=re.escape("main.json")) as caught:
        Register.open(folder)
    assert where in str(caught.value)
    code, _out, err = run(capsys, "status", "--db", str(folder))
    assert code == 1 and "main.json" in err


@pytest.mark.parametrize("value", ["x", None, [1]])
def test_a_bad_value_in_the_journal_header_is_a_message(
    folder: Path, capsys: pytest.CaptureFixture[str], value: object
) -> None:
    a_city(folder)
    path = folder / "journal.jsonl"
    data = path.read_bytes()
    first = data.split(b"\n", 1)[0]
    header = orjson.loads(first[9:]) | {"gen": value}
    path.write_bytes(encode_line(header) + data[len(first) + 1 :])
    code, _out, err = run(capsys, "status", "--db", str(folder))
    assert code == 1 and "journal.jsonl" in err and "先頭行" in err


def test_a_write_that_failed_to_sync_is_wiped_so_it_cannot_come_back(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])

    def broken(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as m:
        m.setattr(os, "fdatasync", broken)
        with pytest.raises(StoreError, match="保存されていません"), register.transaction():
            register.put_staff([person("000002")])
    assert register.staff("000002") is None
    assert Register.open(folder).staff_ids() == ["000001"]  # what the message said is what is on disk


@needs_proc
def test_the_wipe_of_a_write_that_failed_to_sync_is_itself_synced(folder: Path) -> None:
    """A power cut after the message must not bring the line back: the zeros are flushed too."""
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])

    def fail_the_first_sync(n: int, kind: str, path: str) -> None:
        if kind == "fdatasync" and n == 2:
            raise OSError(errno.EIO, "Input/output error")

    ops = FileOps(folder, fail_the_first_sync)
    with ops.watching(), pytest.raises(StoreError, match="保存されていません"), register.transaction():
        register.put_staff([person("000002")])
    assert [(kind, Path(path).name) for kind, path in ops.log] == [
        ("pwrite", "journal.jsonl"),  # the line
        ("fdatasync", "journal.jsonl"),  # fails
        ("pwrite", "journal.jsonl"),  # zeros over the line
        ("fsync", "journal.jsonl"),  # and they are on disk before the message
    ]
    assert Register.open(folder).staff_ids() == ["000001"]


@needs_proc
def test_every_write_is_synced_before_it_is_acknowledged_or_renamed_into_place(folder: Path) -> None:
    """A kill cannot show a missing fsync; this does: the order of the store's file operations."""
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person("000001")])

    def commit() -> None:
        with register.transaction():
            register.put_records([record("000001")])

    ops = count_ops(folder, commit)
    assert [(kind, Path(path).name) for kind, path in ops] == [
        ("pwrite", "journal.jsonl"),
        ("fdatasync", "journal.jsonl"),
    ]

    def bulk() -> None:  # a line longer than the room left: the file grows, size first
        with register.transaction():
            register.put_records([record(f"{i:06d}") for i in range(2000)])

    ops = count_ops(folder, bulk)
    assert [(kind, Path(path).name) for kind, path in ops] == [
        ("ftruncate", "journal.jsonl"),
        ("pwrite", "journal.jsonl"),
        ("fsync", "journal.jsonl"),
    ]
    ops = count_ops(folder, register.db.checkpoint)
    for i, (kind, path) in enumerate(ops):
        if kind == "replace":  # the temp file was fsynced after its last write, the folder after the rename
            temp_ops = [k for k, p in ops[:i] if Path(p).name.startswith(f".{Path(path).name}.")]
            assert temp_ops[-1] == "fsync", ops
            assert ops[i + 1] == ("fsync", str(folder.resolve())), ops
        if kind in ("write", "pwrite") and Path(path).name in ("journal.jsonl", "changelog.jsonl"):
            assert ops[i + 1][0] in ("fsync", "fdatasync") and ops[i + 1][1] == path, ops
    assert ops[-1] == ("fsync", str(folder.resolve()))


# --- an OSError at every write, fsync and rename ------------------------------------------------

ERRNOS = [errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT]


def roster_file(tmp_path: Path) -> Path:
    rows = [ROSTER_HEADERS]
    rows += [
        [f"7{i:05d}", f"取込 太郎{i}", "トリコミ タロウ", "110", "市民課", "主事", "正規職員", "利用事務", "2020/4/1"]
        for i in range(8)
    ]
    return write_csv(tmp_path / "roster.csv", rows, encoding="utf-8")


def imported(svc: Service) -> bool:
    return svc.register.staff("700000") is not None


OPERATIONS: dict[str, Callable[[Service, Path], Any]] = {
    "checkpoint": lambda svc, tmp: svc.register.db.checkpoint(),
    "import": lambda svc, tmp: svc.import_staff(roster_file(tmp), as_of="2026-11-01"),
    "backup": lambda svc, tmp: svc.register.db.backup("manual"),
}


@needs_proc
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_an_os_error_at_any_write_fsync_or_rename_is_a_message_and_loses_nothing(
    tmp_path: Path, operation: str
) -> None:
    template = tmp_path / "template"
    a_city(template)
    svc = Service.open(template, create=False, today=lambda: TODAY)
    before = {"staff": sorted(svc.register.staff_ids()), "divisions": svc.register.divisions()}
    svc.close()
    act = OPERATIONS[operation]
    counting = tmp_path / "counting"
    shutil.copytree(template, counting)
    svc = Service.open(counting, create=False, today=lambda: TODAY)
    steps = count_ops(counting, lambda: act(svc, tmp_path))
    svc.close()
    assert len(steps) >= 4

    for step in range(1, len(steps) + 1):
        folder = tmp_path / f"fault-{step}"
        shutil.copytree(template, folder)
        svc = Service.open(folder, create=False, today=lambda: TODAY)
        error = ERRNOS[step % len(ERRNOS)]
        where = f"{operation}: {errno.errorcode[error]} at step {step} ({steps[step - 1][0]} {steps[step - 1][1]})"

        def fail(n: int, kind: str, path: str, step: int = step, error: int = error) -> None:
            if n == step:
                raise OSError(error, os.strerror(error), path)

        failed: StoreError | None = None
        try:
            with FileOps(folder, fail).watching():
                act(svc, tmp_path)
        except StoreError as e:  # a message; anything else fails the test with its traceback
            failed = e
            assert e.message and e.hint, where
        svc.close()

        again = Service.open(folder, create=False, today=lambda: TODAY)  # the disk has room again
        assert sorted(set(again.register.staff_ids()) - {f"7{i:05d}" for i in range(8)}) == before["staff"], where
        assert again.register.divisions() == before["divisions"] or operation == "import", where
        if operation == "import":
            assert imported(again) == (failed is None), where  # acknowledged means there, refused means absent
        if operation == "backup" and failed is not None:
            assert not list((folder / "backups").glob("*.tmp")), where
        again.add_division("950", "次の課")  # the next successful command
        assert again.verify().ok, f"{where}: {again.verify().findings[:3]}"
        again.close()
        assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")], where
        shutil.rmtree(folder)
