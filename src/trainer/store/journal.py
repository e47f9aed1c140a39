"""The write-ahead journal: every committed operation, one checksummed line, fsynced.

A line is ``<crc32 as 8 hex digits> <JSON>\\n``. The first line is the header
``{"journal": 1, "gen": N}``; every other line is one transaction
``{"seq": n, "at": ISO time, "ops": [[partition, table, id, doc or null], ...]}``.

A torn last line (a crash in the middle of an append) has a bad checksum or no newline: it was
never acknowledged, so readers ignore it and the next writer cuts it off. A bad line followed by
good ones is real damage and is reported, never repaired silently.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from trainer.errors import CorruptDatabaseError
from trainer.store.files import PRIVATE_FILE, atomic_write

Op = tuple[str, str, str, dict[str, Any] | None]


# fdatasync flushes the data and the size (what a reader needs), like SQLite does.
_sync = getattr(os, "fdatasync", os.fsync)


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


@dataclass(slots=True)
class Batch:
    """Transactions read from the journal, and where the next read starts."""

    transactions: list[dict[str, Any]]
    end: int


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self, gen: int) -> None:
        """Start a new, empty journal of generation ``gen`` (atomically replacing the old)."""
        atomic_write(self.path, encode_line({"journal": 1, "gen": gen}))

    def identity(self) -> tuple[int, int, int] | None:
        """(inode, size, mtime) of the file, to notice appends and replacements cheaply.

        A new file may get the inode of one deleted before, and the same size: the modification
        time tells them apart (writers also compare the header's generation, under the lock).
        """
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def read_header(self) -> tuple[int, int]:
        """The journal's generation and the offset of its first transaction."""
        with self.path.open("rb") as f:
            first = f.readline()
        header = _decode_line(first)
        if header is None or "gen" not in header:
            raise CorruptDatabaseError(
                f"ジャーナルの先頭行が壊れています: {self.path}",
                "trainer restore でバックアップから戻してください",
            )
        return int(header["gen"]), len(first)

    def read(self, offset: int) -> Batch:
        """Every intact transaction from ``offset`` on; stops before a torn last line."""
        with self.path.open("rb") as f:
            f.seek(offset)
            data = f.read()
        transactions = []
        position = 0
        while position < len(data):
            newline = data.find(b"\n", position)
            line = data[position:] if newline < 0 else data[position : newline + 1]
            payload = _decode_line(line)
            if payload is None:
                rest = data[position + len(line) :]
                if any(_decode_line(x + b"\n") for x in rest.split(b"\n") if x):
                    raise CorruptDatabaseError(
                        f"ジャーナルの途中が壊れています: {self.path}（{offset + position}バイト目）",
                        "trainer restore でバックアップから戻してください",
                    )
                break  # a torn tail: never acknowledged
            transactions.append(payload)
            position += len(line)
        return Batch(transactions, offset + position)

    def append(self, payload: dict[str, Any], good_end: int) -> int:
        """Append one transaction durably after ``good_end`` (cutting any torn tail first).

        Returns the new end offset. When this returns, the line is on disk.
        """
        line = encode_line(payload)
        fd = os.open(self.path, os.O_WRONLY, PRIVATE_FILE)
        try:
            if os.fstat(fd).st_size != good_end:
                os.ftruncate(fd, good_end)
            os.lseek(fd, good_end, os.SEEK_SET)
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            _sync(fd)
        finally:
            os.close(fd)
        return good_end + len(line)
