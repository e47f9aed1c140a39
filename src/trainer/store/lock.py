"""The database lock: one writer at a time, across processes, with a bounded wait.

``filelock`` takes an OS lock (``flock``) on ``lock``; the OS drops it when the holder dies,
so a crashed process never leaves a lock behind. We keep ``lock`` open from the first hold to
:meth:`DatabaseLock.close` and lock and unlock that descriptor with filelock's
``lock_descriptor``/``unlock_descriptor`` (the same OS call on the same file as its
``FileLock``, which contends with it): a ``FileLock`` object opens, checks and closes the file
on every acquire and release, about 0.2 ms of Python per write, as much as the write's fsync.
Holding the file open changes nothing the lock means: after each lock we check that ``lock``
is still the file we hold open (someone may have deleted or replaced it) and otherwise lock the
file now at the path instead, as ``FileLock`` would have. A process that forked inherits the
descriptor: the child opens its own (a shared one would let both hold the lock at once). On a
filesystem without ``flock`` (ENOSYS, EOPNOTSUPP, ENOLCK), ``FileLock`` is used as before (it
falls back to a soft lock there). Beside it, ``lock.json`` says who holds the
lock (user, host, pid, since) so that a waiting user can be told whom to ask. A ``lock.json``
left by a dead process is simply overwritten by the next holder.

``lock.json`` only informs: when it cannot be written (a full disk) the lock is still held and
the command goes on (reading works on a full disk; a write then says why it failed), and the
stale file is removed so that nobody is told the wrong holder.

A folder we may not write in (a read-only share, another user's copy) cannot be locked: the
register is then opened read-only (:meth:`DatabaseLock.read_only`), where holding the lock is
a no-op, since nothing can write in it through this mount.

**Windows.** ``filelock`` locks a byte of ``lock`` with ``LockFileEx`` instead of ``flock``; the
lock is per open handle as ``flock`` is per open file, so the rules above hold between
processes, and ``thread_local=False`` lets any of our threads (the app's workers) release what
another took, the per-process re-entry being ours (``_depth`` under ``_thread_lock``). Three
differences are handled here:

* ``lock`` is created without a mode: given 0600, filelock gives the file an owner-only ACL on
  Windows, and a colleague on a shared folder could then not even open it while we hold it (and
  would be told the folder is read-only). The folder's inherited ACL decides who may lock (and
  :func:`open_lock_file` sets no mode there either).
* Windows cannot replace a file that a process holds open, so ``lock.json`` is not kept open
  there (as it is on POSIX, see :meth:`DatabaseLock._write_info`): its bytes are compared instead.
* filelock's ``FileLock`` deletes ``lock`` after each release on Windows (when nobody else has
  it open); the next holder creates it again. We keep it open, so while we run it stays; the
  check after each lock (above) covers a file deleted and created again all the same.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import getpass
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import filelock

from trainer.errors import LockTimeoutError, StoreError
from trainer.store.faults import READ_ONLY
from trainer.store.files import BINARY, PRIVATE_FILE, temp_path, windows, write_all

DEFAULT_TIMEOUT = 30.0
POLL = 0.05  # seconds between two tries while another process holds the lock (filelock's default)
# What lock_descriptor raises where the filesystem has no flock: FileLock then (a soft lock).
NO_OS_LOCK = {errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOLCK}


def lock_file(path: Path) -> filelock.BaseFileLock:
    """The OS lock on ``path`` (private on POSIX; on Windows the folder's ACL applies, see above)."""
    if windows():
        return filelock.FileLock(path, thread_local=False)
    return filelock.FileLock(path, mode=PRIVATE_FILE, thread_local=False)


def open_lock_file(path: Path) -> int:
    """``path`` opened to be locked, created if missing: private on POSIX, whatever the umask (as
    ``FileLock(mode=0o600)`` makes it); on Windows the folder's ACL applies (see above). A
    symbolic link there is refused, as filelock refuses it."""
    flags = os.O_RDWR | BINARY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, *(() if windows() else (PRIVATE_FILE,)))
    except FileExistsError:
        return os.open(path, flags)
    if not windows():
        with contextlib.suppress(OSError):  # (the mode only narrows who may lock; it was 0600 & ~umask)
            os.fchmod(fd, PRIVATE_FILE)
    return fd


@functools.cache
def os_user() -> str:
    """The OS user running trainer (for the lock and the change log)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return str(os.getuid()) if hasattr(os, "getuid") else "?"


def local_now() -> datetime:
    """Now, in the machine's time zone."""
    return datetime.now().astimezone()


def _hostname() -> str:
    """This computer's name (POSIX: from uname, without loading the socket module)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def _whoami() -> dict[str, object]:
    return {
        "user": os_user(),
        "host": _hostname(),
        "pid": os.getpid(),
        "since": local_now().isoformat(timespec="seconds"),  # first lock of this run
    }


class DatabaseLock:
    """A re-entrant (per process) lock around a database folder."""

    def __init__(self, folder: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = folder / "lock"
        self.info_path = folder / "lock.json"
        self.timeout = timeout
        self._fd: int | None = None  # ``lock``, open from the first hold until close()
        self._fd_pid = 0  # the process that opened it (a forked child opens its own)
        self._fallback: filelock.BaseFileLock | None = None  # a filesystem without flock: FileLock
        self._closed = False  # close() was called (a later hold opens the file again)
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._info_fd: int | None = None
        self._info_written: bytes | None = None  # Windows: what we last wrote to lock.json
        self.read_only = False  # the folder cannot be written: nothing to lock against

    def holder(self) -> dict[str, object] | None:
        """Who holds (or last held) the lock, as written in ``lock.json``."""
        try:
            info: dict[str, object] = json.loads(self.info_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return info

    def other_holder(self) -> dict[str, object] | None:
        """Who holds the lock right now, if it is another process (a quick probe, never waits).

        The probe is a lock of its own on the same file, so it sees the holder even while one of
        our threads is waiting for it; when the holder is this very process, the answer is None.
        """
        if self.read_only:  # nobody can write through this mount: there is no holder to name
            return None
        probe = lock_file(self.path)
        try:
            probe.acquire(timeout=0)
        except filelock.Timeout:
            info = self.holder() or {"user": "?", "host": "?", "pid": "?", "since": "?"}
            if info.get("pid") == os.getpid() and info.get("host") == _hostname():
                return None
            return info
        probe.release()
        return None

    @contextmanager
    def held(self, timeout: float | None = None) -> Iterator[None]:
        wait = self.timeout if timeout is None else timeout
        if not self._thread_lock.acquire(timeout=wait):
            raise self._timeout_error(wait)
        try:
            if self._depth == 0 and not self.read_only:
                try:
                    self._take(wait)
                except OSError as e:
                    if e.errno in READ_ONLY:
                        raise ReadOnlyFolderError(self.path.parent) from e
                    raise
                self._write_info()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and not self.read_only:
                    self._give_back()
        finally:
            self._thread_lock.release()

    def _take(self, wait: float) -> None:
        """Take the OS lock, trying every :data:`POLL` seconds for up to ``wait`` seconds (a negative
        ``wait``: for as long as it takes, as filelock's timeout)."""
        deadline = time.monotonic() + wait if wait >= 0 else float("inf")
        while self._fallback is None:
            fd = self._descriptor()
            try:
                locked = filelock.lock_descriptor(fd, blocking=False)
            except OSError as e:
                if e.errno not in NO_OS_LOCK:
                    raise
                self._close_descriptor()
                self._fallback = lock_file(self.path)
                break
            if locked:
                if self._still_at_path(fd):
                    return
                filelock.unlock_descriptor(fd)  # deleted or replaced: lock the file there now instead
                self._close_descriptor()
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._timeout_error(wait)
            time.sleep(min(POLL, left))
        try:
            self._fallback.acquire(timeout=max(0.0, deadline - time.monotonic()) if wait >= 0 else -1)
        except filelock.Timeout as e:
            raise self._timeout_error(wait) from e

    def _give_back(self) -> None:
        if self._fallback is not None:
            self._fallback.release()
        elif self._fd is not None:
            filelock.unlock_descriptor(self._fd)
            if self._closed:  # close() was called while held
                self._close_descriptor()

    def _descriptor(self) -> int:
        """``lock``, opened once per process (see the module's notes)."""
        if self._fd is not None and self._fd_pid != os.getpid():
            # Inherited across a fork: closing our copy leaves the parent's lock as it is.
            os.close(self._fd)
            self._fd = None
        if self._fd is None:
            self._fd = open_lock_file(self.path)
            self._fd_pid = os.getpid()
            self._closed = False
        return self._fd

    def _still_at_path(self, fd: int) -> bool:
        """Whether ``lock`` at the path is the file we locked (the same inode, as in journal.py)."""
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def _close_descriptor(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # (a forked child's copy too: the parent's stays open)

    def _write_info(self) -> None:
        """Say who holds the lock, unless ``lock.json`` still says so from our last time.

        The file we wrote stays open here, so its inode cannot be reused: the same inode at the
        path means nobody else has written it since (and we skip a write on every transaction).
        """
        if self._info_fd is not None:
            try:
                if os.stat(self.info_path).st_ino == os.fstat(self._info_fd).st_ino:
                    return
            except FileNotFoundError:
                pass
            os.close(self._info_fd)
            self._info_fd = None
        elif self._info_written is not None and self._still_ours():
            return
        tmp = temp_path(self.info_path)
        fd = -1
        data = json.dumps(_whoami(), ensure_ascii=False).encode("utf-8")
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC | BINARY, PRIVATE_FILE)
            write_all(fd, data)
            if windows():  # a file held open cannot be replaced there (by the next holder either)
                os.close(fd)
                fd = -1
            os.replace(tmp, self.info_path)
        except OSError:
            # lock.json only informs (see the module's notes): the lock is held all the same. Take
            # away what would name the wrong holder; a write still meets the full disk and says so.
            # Removing may fail too (Windows: a reader has it open this instant); it only informs.
            if fd >= 0:
                os.close(fd)
            for path in (tmp, self.info_path):
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
            return
        if fd >= 0:
            self._info_fd = fd
        else:
            self._info_written = data

    def _still_ours(self) -> bool:
        """Windows: whether ``lock.json`` still holds what we wrote (nobody took the lock since)."""
        try:
            return self.info_path.read_bytes() == self._info_written
        except OSError:
            return False

    def close(self) -> None:
        with self._thread_lock:
            if self._info_fd is not None:
                os.close(self._info_fd)
                self._info_fd = None
            self._closed = True
            if self._depth == 0:  # (held: closed at the release, closing it now would drop the lock)
                self._close_descriptor()

    def _timeout_error(self, waited: float) -> LockTimeoutError:
        info = self.holder()
        who = describe_holder(info) if info else "不明"
        return LockTimeoutError(
            f"データベースが使用中です。{waited:g}秒待ちましたが、ロックを取得できませんでした: {self.path.parent}"
            f"\n  使用中: {who}",
            "その人の作業（取込・一括登録など）が終わってから、もう一度実行してください",
        )


class ReadOnlyFolderError(StoreError):
    """The register's folder cannot be written (read-only, or not ours): it is opened for reading."""

    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"{folder} には書き込めません（読み取り専用か、書き込み権限がありません）",
            "書き込み権限のある人に頼むか、書き込める場所にコピーしてください。"
            "読むだけのコマンド（status、staff list、verify など）は使えます",
        )


def describe_holder(info: dict[str, object]) -> str:
    """``user（host、プロセス pid、since から）`` for messages and the app's banner."""
    return f"{info.get('user')}（{info.get('host')}、プロセス {info.get('pid')}、{info.get('since')} から）"
