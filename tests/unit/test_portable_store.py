"""The store where the OS lacks what Linux has, simulated here: Windows (no pread/pwrite, no
folder fsync, no POSIX modes, no replacing a file that is held open, text-mode descriptors) and
a second process taking the lock after us (filelock's path on Windows deletes and re-creates it).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.registers import contents, person, record
from trainer.store import files, journal, lock
from trainer.store.lock import DatabaseLock
from trainer.store.register import Register

needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see open files")


def _open_here(path: Path) -> bool:
    """Whether this process has ``path`` open (what makes Windows refuse to replace it)."""
    target = str(path.resolve())
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == target:
                return True
        except OSError:
            continue
    return False


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Windows as the store meets it: folders cannot be opened, chmod is a no-op, a file held open
    cannot be replaced, and pread/pwrite do not exist. Yields what was refused."""
    refused: list[str] = []
    for module in (files, journal, lock):
        monkeypatch.setattr(module, "windows", lambda: True)
    monkeypatch.delattr(os, "pread")
    monkeypatch.delattr(os, "pwrite")
    real_open, real_replace, real_chmod = os.open, os.replace, os.chmod

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        ours = sys._getframe(1).f_globals.get("__name__", "").startswith("trainer")  # (not Linux's filelock)
        if ours and Path(path).is_dir():
            refused.append(f"open folder {path}")
            raise PermissionError(13, "Access is denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if Path(dst).exists() and _open_here(Path(dst)):
            refused.append(f"replace open {Path(dst).name}")
            raise PermissionError(13, "The process cannot access the file (WinError 32)", str(dst))
        real_replace(src, dst, *args, **kwargs)

    def chmod(path: Any, mode: int, *args: Any, **kwargs: Any) -> None:
        refused.append(f"chmod {path}")
        real_chmod(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "chmod", chmod)
    yield refused


@needs_proc
def test_a_register_is_written_checkpointed_and_read_back_as_on_windows(tmp_path: Path, windows: list[str]) -> None:
    folder = tmp_path / "new" / "register"
    register = Register.open(folder, create=True)
    with register.transaction():
        register.put_staff([person("000001"), person("000002", "髙橋 德子")])
    with register.transaction():
        register.put_records([record("000001"), record("000002", percent=40)])
    register.db.checkpoint()  # replaces the data files and the journal this process has open
    with register.transaction():
        register.put_records([record("000002")])
    before = contents(register)
    register.close()

    again = Register.open(folder, create=False)
    try:
        assert contents(again) == before
        assert len(again.records(2026)) == 2
    finally:
        again.close()
    assert windows == [], "nothing Windows refuses was attempted"


@needs_proc
def test_a_second_holder_takes_the_lock_and_lock_json_names_it_as_on_windows(
    tmp_path: Path, windows: list[str]
) -> None:
    tmp_path.joinpath("lock.json").write_text("{}", encoding="utf-8")
    first, second = DatabaseLock(tmp_path, timeout=1), DatabaseLock(tmp_path, timeout=1)
    with first.held():
        assert first._info_fd is None, "lock.json is not kept open on Windows"
        written = first.holder()
        assert written is not None and written["pid"] == os.getpid()
        with first.held():  # re-entry writes nothing more
            assert first.holder() == written
    second._info_written = b"stale"
    with second.held():  # another holder replaces lock.json although the first one read it before
        assert second.holder() is not None
        assert second.holder() != written or written["since"] == second.holder()["since"]  # type: ignore[index]
    with first.held():  # the first one sees that lock.json is no longer what it wrote, and writes again
        assert first.holder() is not None
    assert windows == []


def test_the_lock_file_gets_no_owner_only_mode_on_windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Given 0600, filelock gives the lock file an owner-only ACL on Windows, so a colleague on a
    shared folder could not open it while we hold it: there the folder's ACL decides."""
    made: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, path: Any, **kwargs: Any) -> None:
            made.append(kwargs)

    monkeypatch.setattr(lock.filelock, "FileLock", Recorder)
    monkeypatch.setattr(lock, "windows", lambda: True)
    lock.lock_file(tmp_path / "lock")
    monkeypatch.setattr(lock, "windows", lambda: False)
    lock.lock_file(tmp_path / "lock")
    assert made == [{"thread_local": False}, {"mode": 0o600, "thread_local": False}]


def test_folders_are_private_on_posix(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    files.make_private_dir(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700


def test_pread_and_pwrite_without_the_os_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    fd = os.open(path, os.O_RDWR | files.BINARY)
    try:
        with_os = files.pread(fd, 4, 3)
        monkeypatch.delattr(os, "pread")
        monkeypatch.delattr(os, "pwrite")
        assert files.pread(fd, 4, 3) == with_os == b"3456"
        assert files.pwrite(fd, b"ab", 8) == 2
        assert files.pread(fd, 100, 0) == b"01234567ab"
    finally:
        os.close(fd)
