"""Durable, private file writes: temp file, fsync, rename, fsync of the folder.

Every byte goes through :func:`os.write` and every flush through :func:`os.fsync` (looked up at
call time), so the tests can make any single write, flush or rename fail as a full or broken
disk would.

**Other systems.** What this module does differs where the OS lacks a call; what is guaranteed there:

* Windows has no folder fsync (a folder cannot be opened as a file) and no ``os.O_DIRECTORY``:
  :func:`fsync_dir` does nothing. NTFS journals its metadata in order, so after a power loss a
  prefix of our renames survives (each renamed file already fsynced whole): the same states a
  crash between two steps leaves, which opening the register finishes. A rename made in the last
  moments before the power loss may be undone (the command had returned; the older version is
  back, never a torn file).
* Windows has no ``os.pread``/``os.pwrite``: :func:`pread` and :func:`pwrite` seek and read or
  write under one process-wide lock instead (our own threads never interleave on a descriptor).
* Windows opens in text mode unless told otherwise (``\n`` would become ``\r\n`` and break every
  checksum): every descriptor is opened with :data:`BINARY`.
* POSIX modes (0600 files, 0700 folders) mean nothing on Windows, where ``chmod`` only sets the
  read-only flag: a new folder inherits its parent's ACL. The user data folder platformdirs
  chooses (``%LOCALAPPDATA%``) is the user's own; a shared folder's ACL is its administrator's.
  Nothing here changes ACLs.
* macOS: ``fsync`` hands the data to the drive but not past its cache (``F_FULLFSYNC`` would); a
  power loss there may lose the last acknowledged transaction, which the journal's checksums then
  refuse as an incomplete last line or as damage that ``trainer repair`` sets aside, never read
  as good data.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation (0 elsewhere)
_SEEKING = threading.Lock()  # the seek-then-read/write of pread/pwrite where the OS lacks them


def windows() -> bool:
    """Whether this is Windows (a function, so that tests can simulate it)."""
    return os.name == "nt"


# What atomic_write leaves behind when the process dies between creating and renaming it.
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (on Windows: nothing to do, see above)."""
    if windows():
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents readable by the owner only, whatever the umask.

    A folder that already exists is left as it is (it may be a shared one the user chose).
    """
    missing = []
    for folder in [path, *path.parents]:
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first: fine
            folder.mkdir(mode=PRIVATE_DIR)
            if not windows():  # (Windows: the folder's ACL is inherited; see above)
                os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is masked by the umask; chmod's is not
    if not path.is_dir():
        raise NotADirectoryError(f"{path} はフォルダではありません")


def write_all(fd: int, data: bytes | memoryview, offset: int | None = None) -> None:
    """Write every byte (a full disk may let a write through only in part before it fails)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view) if offset is None else pwrite(fd, view, offset)
        if written == 0:
            raise OSError(5, "書き込みが進みません", None)
        view = view[written:]
        if offset is not None:
            offset += written


def pread(fd: int, size: int, offset: int) -> bytes:
    """Up to ``size`` bytes at ``offset``, without moving the file position where the OS can."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    with _SEEKING:
        os.lseek(fd, offset, os.SEEK_SET)
        return os.read(fd, size)


def pwrite(fd: int, data: bytes | memoryview, offset: int) -> int:
    """Write at ``offset`` (one call: returns how many bytes went, as os.pwrite does)."""
    if hasattr(os, "pwrite"):
        return os.pwrite(fd, data, offset)
    with _SEEKING:
        os.lseek(fd, offset, os.SEEK_SET)
        return os.write(fd, data)


class FdWriter(io.RawIOBase):
    """A seekable binary file over a descriptor that writes with :func:`write_all` (for zipfile)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]  # io's Buffer: only bytes come here
        write_all(self.fd, data)
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return os.lseek(self.fd, offset, whence)

    def tell(self) -> int:
        return os.lseek(self.fd, 0, os.SEEK_CUR)


def temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def atomic_write(path: Path, chunks: bytes | list[bytes]) -> None:
    """Replace ``path`` with ``chunks`` so that a crash leaves either the old or the new file.

    The new file is created readable by the owner only.
    """
    tmp = temp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | BINARY, PRIVATE_FILE)
    try:
        try:
            write_all(fd, chunks if isinstance(chunks, bytes) else b"".join(chunks))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def leftover_temp_files(folder: Path, ours: Callable[[str], bool]) -> list[Path]:
    """Temp files that :func:`atomic_write` left for a file named as ``ours`` says when its process died.

    Only the holder of the register's lock writes in its folder, so while we hold it every such
    file is a leftover, whatever process id it carries (a process id says nothing across hosts
    of a shared folder, and may have been reused): nobody else can be writing it.
    """
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        match = _TEMP.match(path.name)
        if match and ours(match["name"]):
            found.append(path)
    return found
