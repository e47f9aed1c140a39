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
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from trainer.store.files import PRIVATE_FILE, fsync_dir

GENESIS = "0" * 64

Entry = dict[str, Any]


def digest(entry: Entry) -> str:
    """The entry's hash: SHA-256 over its canonical JSON without the ``hash`` field."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(frozen=True, slots=True)
class Head:
    seq: int
    hash: str


def tail_lines(path: Path, count: int) -> list[bytes]:
    """The last ``count`` complete lines of a file, read backwards (a bulk entry can be megabytes).

    Chunks are collected and joined once, so a single line of tens of megabytes costs one pass.
    """
    if count <= 0 or not path.exists():
        return []
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        position = f.tell()
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


def _tail_line(path: Path) -> bytes | None:
    """The last complete line of a file."""
    last = tail_lines(path, 1)
    return last[0] if last else None


def encode_entry(body: Entry) -> tuple[bytes, str]:
    """An entry's JSON (with its hash) and the hash, serialising the (large) body only once."""
    raw = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    hash_ = hashlib.sha256(raw).hexdigest()
    return raw[:-1] + b',"hash":"' + hash_.encode() + b'"}', hash_


class ChangeLogFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def head(self) -> Head:
        """The last entry's sequence number and hash (the genesis when there is none)."""
        if not self.path.exists():
            return Head(0, GENESIS)
        line = _tail_line(self.path)
        if not line:
            return Head(0, GENESIS)
        try:
            entry = orjson.loads(line)
            return Head(int(entry["seq"]), str(entry["hash"]))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return Head(-1, "")  # damaged: verify says where; writers refuse to chain onto it

    def append(self, entries: list[Entry]) -> None:
        """Append entries durably (the file is created private)."""
        if not entries:
            return
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        try:
            os.write(fd, b"".join(orjson.dumps(e) + b"\n" for e in entries))
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.path.parent)

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """(line number, raw line) for every line of the file."""
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            for number, line in enumerate(f, start=1):
                yield number, line.rstrip(b"\n")


_SEQ_AFTER_PREV = re.compile(rb'"prev":"[0-9a-f]{64}","seq":(\d+)')


def entry_summary(raw: bytes) -> dict[str, Any]:
    """seq, at, who and summary of a log line, without parsing a bulk entry's documents."""
    if len(raw) < 1 << 20:
        return orjson.loads(raw)
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
