"""The change log: every change to the register, hash-chained, in ``changelog.jsonl``.

Each entry says when, who (the OS user and the operator the coordinator set), what (an action
and a summary in Japanese, the fiscal year, staff and division concerned, an imported file and
its digest) and every document changed, before and after. Each entry holds the SHA-256 digest of
the one before (``prev``) and its own (``hash``), so an entry edited, deleted or moved outside
trainer breaks the chain, and replaying every entry's "after" documents must give exactly the
register as it stands: an edit to the JSON files shows up as a difference.

An entry is written in the same journal line as the transaction it describes (one fsync, all or
nothing); a checkpoint appends the journal's entries to ``changelog.jsonl`` before replacing the
journal. Reading the log is the file and then the journal's newer entries.

**Crash safety.** A line is complete when it ends in its newline; it is self-validating (a JSON
object holding the SHA-256 of its own content, chained to the one before). A checkpoint killed
or stopped by a full disk in the middle of its append leaves an incomplete last line: readers
ignore it, and the next writer cuts it off after checking that it is the beginning of an entry
the journal still holds (the journal is replaced only after the append), then appends that
entry again. An incomplete last line the journal does not explain is damage: it is refused and
``trainer repair`` moves it aside. So a torn append never becomes a permanent tamper report.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import orjson

from trainer.store.files import BINARY, PRIVATE_FILE, fsync_dir, pread, write_all

GENESIS = "0" * 64

Entry = dict[str, Any]


def digest(entry: Entry) -> str:
    """The entry's hash: SHA-256 over its canonical JSON without the ``hash`` field."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


class Head(NamedTuple):
    """The change log's newest entry: its seq and hash (a named tuple: see journal.Header)."""

    seq: int
    hash: str


def tail_lines(path: Path, count: int, end: int | None = None) -> list[bytes]:
    """The last ``count`` lines of a file (of its first ``end`` bytes), read backwards (a bulk
    entry can be megabytes).

    Chunks are collected and joined once, so a single line of tens of megabytes costs one pass.
    """
    if count <= 0 or not path.exists():
        return []
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        position = f.tell() if end is None else min(end, f.tell())
        chunks: list[bytes] = []
        newlines = 0
        while position > 0 and newlines < count:  # the newline before the first wanted line
            step = min(1 << 20, position)
            position -= step
            f.seek(position)
            chunk = f.read(step)
            if not chunks:
                chunk = chunk.rstrip(b"\n")
            newlines += chunk.count(b"\n")
            chunks.append(chunk)
    lines = b"".join(reversed(chunks)).split(b"\n")
    if position > 0:
        lines = lines[1:]  # the first piece may be the end of a longer line
    return [line for line in lines[-count:] if line]


def complete_end(fd: int) -> int:
    """Where the file's last complete line ends (its size, unless the last line is torn)."""
    size = os.fstat(fd).st_size
    position = size
    while position > 0:
        step = min(1 << 20, position)
        chunk = pread(fd, step, position - step)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            return position - step + newline + 1
        position -= step
    return 0


def encode_entry(body: Entry) -> tuple[bytes, str]:
    """An entry's JSON (with its hash) and the hash, serialising the (large) body only once."""
    raw = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    hash_ = hashlib.sha256(raw).hexdigest()
    return raw[:-1] + b',"hash":"' + hash_.encode() + b'"}', hash_


class ChangeLogFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self, flags: int = os.O_RDONLY) -> int | None:
        try:
            return os.open(self.path, flags | BINARY)
        except FileNotFoundError:
            return None

    def complete_end(self) -> int:
        """The length of the file's complete lines (a torn last line is not counted)."""
        fd = self._open()
        if fd is None:
            return 0
        try:
            return complete_end(fd)
        finally:
            os.close(fd)

    def torn_tail(self) -> tuple[int, bytes] | None:
        """Where an incomplete last line begins, and its bytes (None when the file ends whole)."""
        fd = self._open()
        if fd is None:
            return None
        try:
            end = complete_end(fd)
            size = os.fstat(fd).st_size
            return (end, pread(fd, size - end, end)) if size > end else None
        finally:
            os.close(fd)

    def cut(self, offset: int) -> None:
        """Cut off an incomplete last line that begins at ``offset`` (durably)."""
        fd = os.open(self.path, os.O_WRONLY | BINARY)
        try:
            os.ftruncate(fd, offset)
            os.fsync(fd)
        finally:
            os.close(fd)

    def head(self) -> Head:
        """The last complete entry's sequence number and hash (the genesis when there is none)."""
        last = tail_lines(self.path, 1, self.complete_end())
        if not last:
            return Head(0, GENESIS)
        try:
            entry = orjson.loads(last[0])
            return Head(int(entry["seq"]), str(entry["hash"]))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return Head(-1, "")  # damaged: verify says where; writers refuse to chain onto it

    def append(self, entries: list[Entry]) -> None:
        """Append entries durably (the file is created private). The file must end whole."""
        if not entries:
            return
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | BINARY, PRIVATE_FILE)
        try:
            write_all(fd, b"".join(orjson.dumps(e) + b"\n" for e in entries))
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.path.parent)

    def snapshot(self) -> LogLines:
        """The file's complete lines as they are now, to be read later without any lock."""
        fd = self._open()
        if fd is None:
            return LogLines(None, 0)
        try:  # (the end first: a file object made before it failed would close fd a second time)
            end = complete_end(fd)
            file = os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise
        return LogLines(file, end)

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """(line number, raw line) for every complete line of the file."""
        yield from self.snapshot()


class LogLines:
    """The complete lines of the change log at one moment: the open file and where they end.

    The file is only ever appended to (or replaced whole, by a restore, which leaves the open one
    as it was), so the first ``end`` bytes of the open file stay what they were.
    """

    def __init__(self, file: BinaryIO | None, end: int) -> None:
        self.file, self.end = file, end

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        if self.file is None:
            return
        with self.file as f:
            read = 0
            for number, line in enumerate(f, start=1):
                read += len(line)
                if read > self.end:
                    break
                yield number, line.rstrip(b"\n")

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


_SEQ_AFTER_PREV = re.compile(rb'"prev":"[0-9a-f]{64}","seq":(\d+)')


def entry_summary(raw: bytes) -> dict[str, Any]:
    """seq, at, who and summary of a log line, without parsing a bulk entry's documents."""
    if len(raw) < 1 << 20:
        entry: dict[str, Any] = orjson.loads(raw)
        return entry
    # Keys are sorted: the head holds "action" and "at"; "seq" follows "prev"; the top-level
    # "summary" is the last one in the line (nested sign-off notes have theirs earlier).
    head = raw[:4096].decode("utf-8", "replace")
    at = re.search(r'"at":"([^"]+)"', head)
    action = re.search(r'"action":"([^"]+)"', head)
    seq = _SEQ_AFTER_PREV.search(raw)
    start = raw.rfind(b'"summary":')
    summary = orjson.loads(raw[start + 10 : raw.index(b',"user"', start)]) if start >= 0 else ""
    return {
        "seq": int(seq.group(1)) if seq else 0,
        "at": at.group(1) if at else "",
        "action": action.group(1) if action else "",
        "summary": summary,
    }
