"""The writer lock keeps ``lock`` open and locks that descriptor (filelock's lock_descriptor):
what a ``FileLock`` object gave, it still gives: another holder (another open of the file, as
another process has) is kept out, a file deleted or replaced between two holds is not trusted,
a forked child does not share the parent's hold, and a filesystem without ``flock`` still gets
filelock's own lock. Two DatabaseLocks in one process stand for two processes (each opens the
file itself)."""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import filelock
import pytest

from trainer.errors import LockTimeoutError
from trainer.store import lock
from trainer.store.lock import DatabaseLock
from trainer.store.register import Register


@pytest.fixture
def locks(tmp_path: Path) -> Iterator[tuple[DatabaseLock, DatabaseLock]]:
    first, second = DatabaseLock(tmp_path, timeout=0.2), DatabaseLock(tmp_path, timeout=0.2)
    yield first, second
    first.close()
    second.close()


def _opens_of(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record every descriptor os.open gives for ``path``."""
    opened: list[int] = []
    real_open = os.open

    def counting(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        fd = real_open(name, flags, *args, **kwargs)
        if Path(name) == path:
            opened.append(fd)
        return fd

    monkeypatch.setattr(os, "open", counting)
    return opened


def test_the_lock_file_is_opened_once_and_each_hold_still_keeps_another_holder_out(
    locks: tuple[DatabaseLock, DatabaseLock], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = locks
    opened = _opens_of(first.path, monkeypatch)
    for _ in range(3):
        with first.held(), pytest.raises(LockTimeoutError), second.held(timeout=0):
            pass
        with second.held(timeout=0):  # released: the other one takes it at once
            pass
    with first.held(), first.held():  # re-entry in this process
        pass
    assert len(opened) == 2  # once by each, not once per hold


def test_a_lock_file_deleted_between_two_holds_is_not_trusted(locks: tuple[DatabaseLock, DatabaseLock]) -> None:
    """Someone deleted ``lock``, and another holder made a new one and holds it: locking the
    deleted file we still have open would let both write at once."""
    first, second = locks
    with first.held():
        pass
    first.path.unlink()
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with second.held():
            holding.set()
            done.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(LockTimeoutError), first.held(timeout=0.2):
            pass
    finally:
        done.set()
        thread.join()
    with first.held(timeout=2):  # and once it is free, the new file is the one we lock
        assert os.stat(first.path).st_ino == os.fstat(first._fd or -1).st_ino


def test_a_lock_file_replaced_while_waiting_is_locked_afresh(locks: tuple[DatabaseLock, DatabaseLock]) -> None:
    first, second = locks
    with first.held():
        old = os.stat(first.path).st_ino
    replacement = first.path.with_name("lock.new")
    replacement.touch()
    os.replace(replacement, first.path)
    with first.held():
        assert os.fstat(first._fd or -1).st_ino == os.stat(first.path).st_ino != old
        with pytest.raises(LockTimeoutError), second.held(timeout=0):
            pass


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_share_the_parents_lock_file(tmp_path: Path) -> None:
    """A child inherits the open file: locking that same open file would not contend with the
    parent holding it, so the child opens its own."""
    parent = DatabaseLock(tmp_path, timeout=0.2)
    with parent.held():  # the file is open now, and stays open across the fork
        pass
    holds_r, holds_w = os.pipe()
    answer_r, answer_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the same DatabaseLock object, inherited
        code = 2
        try:
            os.read(holds_r, 1)  # the parent holds the lock now
            try:
                with parent.held():
                    code = 1  # it shared the parent's hold
            except LockTimeoutError:
                code = 0
        finally:
            os.write(answer_w, bytes([code]))
            os._exit(0)
    with parent.held():
        os.write(holds_w, b"x")
        answer = os.read(answer_r, 1)
    os.waitpid(pid, 0)
    for fd in (holds_r, holds_w, answer_r, answer_w):
        os.close(fd)
    assert answer == b"\x00", "the child took the lock the parent held"
    with parent.held(timeout=0):  # the child closing its copy left the parent's file usable
        pass
    parent.close()


def test_a_filesystem_without_flock_gets_filelocks_own_lock(
    locks: tuple[DatabaseLock, DatabaseLock], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_flock(fd: int, **kwargs: Any) -> bool:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(filelock, "lock_descriptor", no_flock)
    first, second = locks
    with first.held():
        assert first._fd is None and first._fallback is not None
        with pytest.raises(LockTimeoutError), second.held(timeout=0):
            pass
    with second.held(timeout=0):
        pass


def test_a_lock_file_that_cannot_be_opened_for_writing_means_a_read_only_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def refuse(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(name).name == "lock":
            raise PermissionError(errno.EACCES, "Permission denied", str(name))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(lock.ReadOnlyFolderError), DatabaseLock(tmp_path).held():
        pass


def test_closing_while_held_closes_the_file_at_the_release(tmp_path: Path) -> None:
    """repair closes its lock inside the hold: the file must stay locked until the release."""
    first, second = DatabaseLock(tmp_path, timeout=0.2), DatabaseLock(tmp_path, timeout=0.2)
    with first.held():
        first.close()
        assert first._fd is not None
        with pytest.raises(LockTimeoutError), second.held(timeout=0):
            pass
    assert first._fd is None
    with second.held(timeout=0):
        pass
    second.close()


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_the_lock_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        fd = lock.open_lock_file(tmp_path / "lock")
        os.close(fd)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "lock").stat().st_mode) == 0o600


def test_the_lock_file_gets_no_mode_on_windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As with filelock's FileLock (see test_portable_store): the folder's ACL decides there."""
    calls: list[tuple[Any, ...]] = []
    real_open = os.open

    def recording(name: Any, flags: int, *args: Any) -> int:
        calls.append(args)
        return real_open(name, flags, *args)

    monkeypatch.setattr(os, "open", recording)
    monkeypatch.setattr(lock, "windows", lambda: True)
    os.close(lock.open_lock_file(tmp_path / "lock"))
    os.close(lock.open_lock_file(tmp_path / "lock"))  # (it exists now: a second open)
    assert calls and all(args == () for args in calls)
    monkeypatch.setattr(lock, "windows", lambda: False)
    calls.clear()
    os.close(lock.open_lock_file(tmp_path / "other"))
    assert calls == [(0o600,)]


def test_a_register_takes_the_lock_file_once_for_many_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register = Register.open(tmp_path / "register")
    opened = _opens_of(tmp_path / "register" / "lock", monkeypatch)
    other = DatabaseLock(tmp_path / "register", timeout=0)
    for i in range(5):
        with register.transaction():
            register.put_setting("operator", f"担当 {i}")
            with pytest.raises(LockTimeoutError), other.held():
                pass
    other.close()
    register.close()
    assert len(opened) == 1  # the other "process" opened it; the register kept its own open
    assert Register.open(tmp_path / "register").setting("operator") == "担当 4"


def test_a_negative_timeout_waits_for_as_long_as_it_takes(locks: tuple[DatabaseLock, DatabaseLock]) -> None:
    first, second = locks
    holding = threading.Event()

    def hold_a_while() -> None:
        with first.held():
            holding.set()
            time.sleep(0.3)

    thread = threading.Thread(target=hold_a_while)
    thread.start()
    assert holding.wait(10)
    started = time.monotonic()
    with second.held(timeout=-1):
        assert time.monotonic() - started >= 0.1
    thread.join()
