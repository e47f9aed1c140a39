"""The write-ahead journal: every committed transaction, one checksummed line, fdatasynced.

A line is ``<crc32 as 8 hex digits> <JSON>\\n``. The first line is the header
``{"journal": 2, "gen": N, "schema": S, "log_seq": …, "log_hash": …, "files": {…}}``: ``files``
is the manifest, the partition files the register had when this journal began, each with the
generation it includes and its SHA-256 (see :mod:`trainer.store.database`). Every other line is
one transaction ``{"seq": n, "at": ISO time, "log": change-log entry}`` whose entry lists each
document's ``[partition, table, id, before, after]`` (journals of schema 1 held ``"ops"``
instead), or a checkpoint's intent ``{"checkpoint": gen, "file": name, "through_gen": gen,
"sha256": …}`` written just before that partition file is replaced.

The file is grown ahead of the writes in zero-filled chunks (like SQLite's reused WAL), so an
append overwrites zeros inside the file's size and ``fdatasync`` need not also flush the size:
that halves the cost of a durable write. The file's size is always extended *before* a line is
written past it, so the last line is always followed by zeros ("padding"): a journal of format 2
that ends in anything else has been cut.

**Torn or damaged.** Only an incomplete final append is a torn write: the bytes after the last
intact line hold no newline at all (every acknowledged transaction is a whole line ending in
its newline, so none can be among them) and are followed only by the padding (or, in a journal
of format 1, by nothing). It was never acknowledged; readers ignore it and the next writer
zeroes it. Anything else is damage and is refused with :class:`JournalDamage`, naming the file,
the byte offset and what follows, never repaired silently: a complete line (it ends in its
newline) whose checksum fails, zeros inside a line, any of these followed by more data, a last
line that is whole but for its newline, a format-2 journal that ends without its padding (it
was cut). ``trainer repair`` moves damaged bytes aside explicitly (:mod:`trainer.store.repair`).

The journal keeps its file open. While it is open its inode cannot be reused, so "the file at
this path is no longer the one we have open" reliably means another process replaced it (a
checkpoint, a restore or a repair).
"""

from __future__ import annotations

import errno
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from trainer.errors import CorruptDatabaseError
from trainer.store.files import BINARY, atomic_write, pread, windows, write_all

Op = tuple[str, str, str, dict[str, Any] | None]

FORMAT = 2  # 2: always padded with zeros after the last line
GROW_BYTES = 1024 * 1024
FIRST_ROOM = 64 * 1024  # the padding of a new journal
_MAX_HEADER = 1 << 20

REPAIR_HINT = (
    "trainer repair で壊れた部分を別のファイルに移して開けるようにできます"
    "（先にバックアップを作り、失われる取引を表示します）。または trainer restore でバックアップに戻してください"
)


def _sync(fd: int) -> None:
    """fdatasync flushes the data (and the size only when it changed), like SQLite does."""
    getattr(os, "fdatasync", os.fsync)(fd)


def encode_line(payload: dict[str, Any]) -> bytes:
    body = orjson.dumps(payload)
    return b"%08x " % zlib.crc32(body) + body + b"\n"


_CRC = re.compile(rb"[0-9a-f]{8} ")


def _decode_line(line: bytes) -> dict[str, Any] | None:
    """The payload of a complete, intact line; ``None`` when torn or damaged."""
    if len(line) < 10 or not line.endswith(b"\n") or not _CRC.match(line):  # (lower case only: "A" is damage)
        return None
    body = line[9:-1]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        payload = orjson.loads(body)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


_TX_SEQ = re.compile(rb'^[0-9a-f]{8} \{"seq":(\d+)')
_LOG_SEQ = re.compile(rb'"prev":"[0-9a-f]{64}","seq":(\d+)')


@dataclass(frozen=True, slots=True)
class Damage:
    """Where a journal is damaged and what stands after it."""

    offset: int  # where the damaged bytes begin
    end: int  # where the journal's content ends (only zeros after it)
    reason: str
    following: list[dict[str, Any]] = field(default_factory=list)  # intact lines after the damaged one
    damaged_seq: int | None = None  # the damaged line's transaction, when still legible
    damaged_log_seq: int | None = None

    @property
    def size(self) -> int:
        return self.end - self.offset

    def transactions_after(self) -> list[dict[str, Any]]:
        return [p for p in self.following if "seq" in p]


class JournalDamage(CorruptDatabaseError):
    """The journal is damaged (not torn): refused, with where and what follows."""

    def __init__(self, path: Path, damage: Damage) -> None:
        self.path, self.damage = path, damage
        after = damage.transactions_after()
        follows = f"そのあとに無傷の取引が {len(after)}件あります" if after else "そのあとに無傷の取引はありません"
        super().__init__(
            f"ジャーナルが壊れています（{damage.reason}）: {path} の {damage.offset}バイト目から"
            f" {damage.size}バイト。{follows}。ファイルは変更していません",
            REPAIR_HINT,
        )


class Header(NamedTuple):
    """A journal's first line, read (a named tuple: a dataclass costs every command its creation)."""

    gen: int
    schema: int
    start: int  # offset of the first transaction
    log_seq: int | None = None  # the change log's head when this journal began
    log_hash: str | None = None
    files: dict[str, tuple[int, str]] | None = None  # the manifest (None: written before there was one)
    padded: bool = False  # format 2: a line is always followed by zeros


class Scan:
    """Lines read from the journal, where the next read starts, and what ends the content."""

    __slots__ = ("damage", "end", "torn", "transactions")

    def __init__(
        self,
        transactions: list[dict[str, Any]],
        end: int,
        torn: tuple[int, int] | None = None,  # an incomplete final append (never acknowledged)
        damage: Damage | None = None,
    ) -> None:
        self.transactions, self.end, self.torn, self.damage = transactions, end, torn, damage


# Batch is what readers get when the journal is whole.
Batch = Scan


def scan(data: bytes, base: int, padded: bool) -> Scan:
    """Read the lines of ``data`` (the file from offset ``base`` to its end) and classify its tail."""
    content_end = len(data.rstrip(b"\0"))
    payloads: list[dict[str, Any]] = []
    pos = 0

    def damaged(reason: str, line_end: int) -> Scan:
        """Damage from ``pos``: its line ends at ``line_end``; intact lines after it are counted."""
        following = [
            p
            for piece in data[line_end:content_end].split(b"\n")
            if piece.strip(b"\0") and (p := _decode_line(piece.strip(b"\0") + b"\n")) is not None
        ]
        line = data[pos:line_end]
        seq, log_seq = _TX_SEQ.search(line), _LOG_SEQ.search(line)
        damage = Damage(
            base + pos,
            base + content_end,
            reason,
            following,
            int(seq.group(1)) if seq else None,
            int(log_seq.group(1)) if log_seq else None,
        )
        return Scan(payloads, base + pos, None, damage)

    while pos < content_end:
        newline = data.find(b"\n", pos, content_end)
        if newline < 0:  # no newline left: at most one incomplete append, never acknowledged
            if _decode_line(data[pos : content_end - 1] + b"\n") is not None:
                return damaged("最後の行の改行が壊れています", content_end)
            if padded and content_end == len(data):
                return damaged("ファイルが取引の途中で終わっています（切り詰められています）", content_end)
            return Scan(payloads, base + pos, (base + pos, base + content_end))
        payload = _decode_line(data[pos : newline + 1])
        if payload is None:
            zeros = b"\0" in data[pos:newline]
            return damaged("行の途中がゼロになっています" if zeros else "行のチェックサムが合いません", newline + 1)
        payloads.append(payload)
        pos = newline + 1
    if padded and content_end == len(data):
        return damaged("最後の行のあとの余白がありません（ファイルが切り詰められています）", content_end)
    return Scan(payloads, base + pos)


class AppendError(OSError):
    """An append failed; ``undone`` says whether the partial line was wiped off again."""

    def __init__(self, cause: OSError, undone: bool) -> None:
        super().__init__(cause.errno, cause.strerror, cause.filename)
        self.cause, self.undone = cause, undone


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._inode = -1
        self._tail_clean = False
        self._refused: OSError | None = None  # why the file could only be opened for reading
        self.padded = False

    # ------------------------------------------------------------ the open file
    def _open(self) -> int:
        self.close()
        self._refused = None
        try:
            try:
                fd = os.open(self.path, os.O_RDWR | BINARY)
            except OSError as e:
                if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                    raise
                fd = os.open(self.path, os.O_RDONLY | BINARY)  # a read-only register: reading is all we do
                self._refused = OSError(e.errno, e.strerror, str(self.path))
        except FileNotFoundError as e:
            raise CorruptDatabaseError(
                f"ジャーナルがありません: {self.path}", "trainer restore でバックアップから戻してください"
            ) from e
        self._fd, self._inode = fd, os.fstat(fd).st_ino
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
        return pread(self._file(), 1, offset) not in (b"", b"\0")

    # ------------------------------------------------------------------ reading
    def create(
        self,
        gen: int,
        schema: int,
        log_seq: int | None = None,
        log_hash: str | None = None,
        files: dict[str, Any] | None = None,
    ) -> None:
        """Start a new, empty journal of generation ``gen`` (atomically replacing the old).

        The header also keeps the change log's head, so opening the register never has to read
        the log itself, and the manifest of the partition files.
        """
        header: dict[str, object] = {"journal": FORMAT, "gen": gen, "schema": schema}
        if log_seq is not None:
            header |= {"log_seq": log_seq, "log_hash": log_hash}
        if files is not None:
            header["files"] = {name: list(entry) for name, entry in sorted(files.items())}
        if windows():  # Windows cannot replace a file this process holds open
            self.close()
        atomic_write(self.path, encode_line(header) + b"\0" * FIRST_ROOM)
        self._open()

    def read_header(self) -> Header:
        """Open the file at the path afresh and read its header."""
        fd = self._open()
        first = pread(fd, 4096, 0)
        while b"\n" not in first and len(first) < _MAX_HEADER:
            more = pread(fd, len(first), len(first))
            if not more:
                break
            first += more
        first = first.split(b"\n", 1)[0] + b"\n"
        header = _decode_line(first)
        try:
            if header is None:
                raise ValueError("checksum")
            log_seq = header.get("log_seq")
            files = header.get("files")
            result = Header(
                _int(header["gen"]),
                _int(header.get("schema", 1)),
                len(first),
                _int(log_seq) if log_seq is not None else None,
                str(header["log_hash"]) if log_seq is not None else None,
                {str(k): (_int(v[0]), str(v[1])) for k, v in files.items()} if files is not None else None,
                _int(header.get("journal", 1)) >= FORMAT,
            )
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
            raise CorruptDatabaseError(
                f"ジャーナルの先頭行（世代・版・ファイルの一覧）が壊れています: {self.path}",
                "trainer restore でバックアップから戻してください（ファイルは変更していません）",
            ) from e
        self.padded = result.padded
        return result

    def scan(self, offset: int) -> Scan:
        """Every intact line from ``offset`` on, and what ends them (torn, damaged or clean)."""
        fd = self._file()
        size = os.fstat(fd).st_size
        return scan(pread(fd, max(0, size - offset), offset), offset, self.padded)

    def read(self, offset: int) -> Batch:
        """Every intact line from ``offset`` on; stops at the padding or a torn last line.

        Raises :class:`JournalDamage` when the journal is damaged.
        """
        found = self.scan(offset)
        if found.damage is not None:
            raise JournalDamage(self.path, found.damage)
        return found

    # ------------------------------------------------------------------ writing
    def append(self, payload: dict[str, Any], good_end: int) -> int:
        """Write one line durably at ``good_end``; returns the new end.

        When this returns, the line is on disk. Call with the writer lock held, after reading
        every intact line up to ``good_end``. Raises :class:`AppendError` if the disk fails (the
        partial line is wiped off again when the disk lets us), :class:`JournalDamage` if what
        follows ``good_end`` is damage rather than a torn write.
        """
        line = encode_line(payload)
        fd = self._file()
        if self._refused is not None:  # opened for reading only (not ours, or read-only)
            raise self._refused
        size = os.fstat(fd).st_size  # another writer may have grown it
        if not self._tail_clean or self.has_more(good_end):  # part of a line a crashed writer left
            tail = scan(pread(fd, max(0, size - good_end), good_end), good_end, self.padded)
            if tail.damage is not None:
                raise JournalDamage(self.path, tail.damage)
            if tail.transactions:
                raise CorruptDatabaseError(
                    f"内部エラー: ジャーナルの {good_end}バイト目より後を読まずに書こうとしました"
                )
            if tail.torn is not None:
                start, stop = tail.torn
                write_all(fd, b"\0" * (stop - start), start)
            self._tail_clean = True
        end = good_end + len(line)
        try:
            if end >= size:
                # The size first: whatever part of the write then lands (a kill, a short write),
                # zeros follow it; then the line and fresh zeroed room in one write, fsynced with
                # the new size. (A power cut before the fsync leaves the old size, which ended in
                # zeros too.)
                os.ftruncate(fd, end + GROW_BYTES)
                write_all(fd, line + b"\0" * GROW_BYTES, good_end)
                os.fsync(fd)
            else:
                write_all(fd, line, good_end)
                _sync(fd)
        except OSError as e:
            raise AppendError(e, self._undo(fd, good_end, len(line))) from e
        return end

    def _undo(self, fd: int, offset: int, length: int) -> bool:
        """Wipe a line whose write failed, so that it cannot come back as a transaction."""
        try:
            write_all(fd, b"\0" * length, offset)
            os.fsync(fd)
        except OSError:
            self.close()  # what the file holds is unknown: read it afresh before anything else
            return False
        return True


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    return value
