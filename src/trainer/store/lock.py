"""The database lock: one writer at a time, across processes, with a bounded wait.

``filelock`` takes an OS lock (``flock``) on ``lock``; the OS drops it when the holder dies,
so a crashed process never leaves a lock behind. Beside it, ``lock.json`` says who holds the
lock (user, host, pid, since) so that a waiting user can be told whom to ask. A ``lock.json``
left by a dead process is simply overwritten by the next holder.
"""

from __future__ import annotations

import functools
import getpass
import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import filelock

from trainer.errors import LockTimeoutError
from trainer.store.files import PRIVATE_FILE

DEFAULT_TIMEOUT = 30.0


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


def _whoami() -> dict[str, object]:
    return {
        "user": os_user(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": local_now().isoformat(timespec="seconds"),  # first lock of this run
    }


class DatabaseLock:
    """A re-entrant (per process) lock around a database folder."""

    def __init__(self, folder: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = folder / "lock"
        self.info_path = folder / "lock.json"
        self.timeout = timeout
        self._lock = filelock.FileLock(self.path, mode=PRIVATE_FILE, thread_local=False)
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._info_fd: int | None = None

    def holder(self) -> dict[str, object] | None:
        """Who holds (or last held) the lock, as written in ``lock.json``."""
        try:
            return json.loads(self.info_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def other_holder(self) -> dict[str, object] | None:
        """Who holds the lock right now, if it is another process (a quick probe, never waits).

        The probe is a lock of its own on the same file, so it sees the holder even while one of
        our threads is waiting for it; when the holder is this very process, the answer is None.
        """
        probe = filelock.FileLock(self.path, mode=PRIVATE_FILE, thread_local=False)
        try:
            probe.acquire(timeout=0)
        except filelock.Timeout:
            info = self.holder() or {"user": "?", "host": "?", "pid": "?", "since": "?"}
            if info.get("pid") == os.getpid() and info.get("host") == socket.gethostname():
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
            if self._depth == 0:
                try:
                    self._lock.acquire(timeout=wait)
                except filelock.Timeout as e:
                    raise self._timeout_error(wait) from e
                self._write_info()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._lock.release()
        finally:
            self._thread_lock.release()

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
        tmp = self.info_path.with_name(f".lock.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        os.write(fd, json.dumps(_whoami(), ensure_ascii=False).encode("utf-8"))
        os.replace(tmp, self.info_path)
        self._info_fd = fd

    def close(self) -> None:
        if self._info_fd is not None:
            os.close(self._info_fd)
            self._info_fd = None

    def _timeout_error(self, waited: float) -> LockTimeoutError:
        info = self.holder()
        who = describe_holder(info) if info else "不明"
        return LockTimeoutError(
            f"データベースが使用中です。{waited:g}秒待ちましたが、ロックを取得できませんでした: {self.path.parent}"
            f"\n  使用中: {who}",
            "その人の作業（取込・一括登録など）が終わってから、もう一度実行してください",
        )


def describe_holder(info: dict[str, object]) -> str:
    """``user（host、プロセス pid、since から）`` for messages and the app's banner."""
    return f"{info.get('user')}（{info.get('host')}、プロセス {info.get('pid')}、{info.get('since')} から）"
