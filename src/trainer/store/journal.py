"""The write-ahead journal: every committed transaction, one checksummed line, fdatasynced.

A line is ``<crc32 as 8 hex digits> <JSON>\\n``. The first line is the header
``{"journal": 1, "gen": N, "schema": S, "log_seq": …, "log_hash": …}``; every other line is
one transaction ``{"seq": n, "at": ISO time, "log": change-log entry}`` whose entry lists each document's
``[partition, table, id, before, after]`` (journals of schema 1 held ``"ops"`` instead).

The file is grown ahead of the writes in zero-filled chunks (like SQLite's reused WAL), so an
append overwrites zeros inside the file's size and ``fdatasync`` need not also flush the size:
that halves the cost of a durable write. Reading stops at the first zero byte.

A torn last line (a crash in the middle of an append) has a bad checksum or no newline: it was
never acknowledged, so readers ignore it and the next writer zeroes it. A bad line followed by
good ones is real damage and is reported, never repaired silently.

The journal keeps its file open. While it is open its inode cannot be reused, so "the file at
this path is no longer the one we have open" reliably means another process replaced it (a
checkpoint or a restore).
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from trainer.errors import CorruptDatabaseError
from trainer.store.files import atomic_write

Op = tuple[str, str, str, dict[str, Any] | None]

GROW_BYTES = 1024 * 1024

# fdatasync flushes the data (and the size only when it changed), like SQLite does.
_sync = getattr(os, "fdatasync", os.fsync)


def _write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def encode_line(payload: dict[str, Any]) -> bytes:
    body = orjson.dumps(payload)
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def _decode_line(line: bytes) -> dict[str, Any] | None:
    """The payload of a complete, intact line; ``None`` when torn or damaged."""
    if len(line) < 10 or not line.endswith(b"\n") or line[8:9] != b" ":
        return None
    body = line[9:-1]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        return orjson.loads(body)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Header:
    gen: int
    schema: int
    start: int  # offset of the first transaction
    log_seq: int | None = None  # the change log's head when this journal began
    log_hash: str | None = None


@dataclass(slots=True)
class Batch:
    """Transactions read from the journal, and where the next read starts."""

    transactions: list[dict[str, Any]]
    end: int


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._inode = -1
        self._allocated = 0
        self._tail_clean = False

    # ------------------------------------------------------------ the open file
    def _open(self) -> int:
        self.close()
        try:
            fd = os.open(self.path, os.O_RDWR)
        except FileNotFoundError as e:
            raise CorruptDatabaseError(
                f"ジャーナルがありません: {self.path}", "trainer restore でバックアップから戻してください"
            ) from e
        st = os.fstat(fd)
        self._fd, self._inode, self._allocated = fd, st.st_ino, st.st_size
        self._tail_clean = False
        return fd

    def _file(self) -> int:
        return self._fd if self._fd is not None else self._open()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def replaced(self) -> bool:
        """True when the file at the path is not the one this journal has open."""
        try:
            return os.stat(self.path).st_ino != self._inode or self._fd is None
        except FileNotFoundError:
            return True

    def has_more(self, offset: int) -> bool:
        """True when something (a transaction, or a torn line) stands at ``offset``."""
        return os.pread(self._file(), 1, offset) not in (b"", b"\0")

    # ------------------------------------------------------------------ reading
    def create(self, gen: int, schema: int, log_seq: int | None = None, log_hash: str | None = None) -> None:
        """Start a new, empty journal of generation ``gen`` (atomically replacing the old).

        The header also keeps the change log's head, so opening the register never has to read
        the log itself.
        """
        header: dict[str, object] = {"journal": 1, "gen": gen, "schema": schema}
        if log_seq is not None:
            header |= {"log_seq": log_seq, "log_hash": log_hash}
        atomic_write(self.path, encode_line(header))
        self._open()

    def read_header(self) -> Header:
        """Open the file at the path afresh and read its header."""
        fd = self._open()
        first = os.pread(fd, 4096, 0).split(b"\n", 1)[0] + b"\n"
        header = _decode_line(first)
        if header is None or "gen" not in header:
            raise CorruptDatabaseError(
                f"ジャーナルの先頭行が壊れています: {self.path}",
                "trainer restore でバックアップから戻してください",
            )
        log_seq = header.get("log_seq")
        return Header(
            int(header["gen"]),
            int(header.get("schema", 1)),
            len(first),
            int(log_seq) if log_seq is not None else None,
            header.get("log_hash"),
        )

    def read(self, offset: int) -> Batch:
        """Every intact transaction from ``offset`` on; stops at zeros or a torn last line."""
        fd = self._file()
        size = os.fstat(fd).st_size
        data = os.pread(fd, max(0, size - offset), offset)
        zero = data.find(b"\0")
        rest_after_zero = data[zero:] if zero >= 0 else b""
        data = data[:zero] if zero >= 0 else data
        transactions = []
        position = 0
        while position < len(data):
            newline = data.find(b"\n", position)
            line = data[position:] if newline < 0 else data[position : newline + 1]
            payload = _decode_line(line)
            if payload is None:
                rest = data[position + len(line) :] + rest_after_zero
                if any(_decode_line(x + b"\n") for x in rest.split(b"\n") if x.strip(b"\0")):
                    raise CorruptDatabaseError(
                        f"ジャーナルの途中が壊れています: {self.path}（{offset + position}バイト目）",
                        "trainer restore でバックアップから戻してください",
                    )
                break  # a torn tail: never acknowledged
            transactions.append(payload)
            position += len(line)
        return Batch(transactions, offset + position)

    # ------------------------------------------------------------------ writing
    def append(self, payload: dict[str, Any], good_end: int) -> int:
        """Write one transaction durably at ``good_end``; returns the new end.

        When this returns, the line is on disk. Call with the writer lock held, after reading
        every intact transaction up to ``good_end``.
        """
        line = encode_line(payload)
        fd = self._file()
        self._allocated = os.fstat(fd).st_size  # another writer may have grown it
        if not self._tail_clean or self.has_more(good_end):  # part of a line a crashed writer left
            tail = os.pread(fd, max(0, self._allocated - good_end), good_end)
            if tail.strip(b"\0"):
                os.pwrite(fd, b"\0" * len(tail), good_end)
            self._tail_clean = True
        end = good_end + len(line)
        if end > self._allocated:  # the line and fresh zeroed room after it, in one write
            room = b"\0" * GROW_BYTES
            _write_all(fd, line + room, good_end)
            os.fsync(fd)  # the size changed: flush it too
            self._allocated = end + len(room)
        else:
            _write_all(fd, line, good_end)
            _sync(fd)
        return end
