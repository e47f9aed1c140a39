"""The register's partitions: finding, checking and loading each data file (see database.py).

A partition file is read when a command first needs it, and held against the manifest (its
SHA-256, or the digest it had when it was last hashed and not written since: checked.py) before
anything in it is used. A file in the one-line-per-document layout is then kept unread
(sections.py): a lookup of one person parses only their lines, and a table is parsed whole on the
first use that needs all of it. Missing, changed and unknown files are refused (``inspect``, for
verify: noted instead).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.errors import CorruptDatabaseError
from trainer.perf import gc_paused
from trainer.store.checked import CheckedFiles, stamp
from trainer.store.faults import reported
from trainer.store.files import atomic_write
from trainer.store.journal import Journal, Op
from trainer.store.layout import (
    MAIN,
    SIGNOFFS,
    check_meta,
    decode_partition,
    digest,
    encode_partition,
    is_partition_name,
    tables_of,
)
from trainer.store.lock import DatabaseLock
from trainer.store.manifest import FileEntry, Manifest
from trainer.store.sections import split_tables
from trainer.store.tables import PartitionDB, PartitionStorage, TableData, Touch


class _Partition:
    """A partition as the register holds it (a plain class: see writing._Transaction)."""

    __slots__ = ("db", "dirty", "name", "placed", "tables", "through_gen")

    def __init__(
        self,
        name: str,
        tables: dict[str, TableData],
        db: PartitionDB,
        through_gen: int,
        dirty: bool = False,
        placed: bool = True,  # its file says where its tables are (an older file is rewritten at a checkpoint)
    ) -> None:
        self.name, self.tables, self.db, self.through_gen = name, tables, db, through_gen
        self.dirty, self.placed = dirty, placed


class Partitions:
    """The partition half of :class:`~trainer.store.database.Database` (which provides these)."""

    folder: Path
    inspect: bool
    findings: list[tuple[str, str]]
    checked: CheckedFiles
    notices: list[str]
    journal: Journal
    lock: DatabaseLock
    manifest: Manifest
    _parts: dict[str, _Partition]
    _pending: dict[str, list[Op]]
    _journal_end: int
    _mutex: threading.RLock

    if TYPE_CHECKING:  # provided by Database and Writing

        @property
        def read_only(self) -> bool: ...

        def _restore_hint(self) -> str: ...

        def _catch_up(self) -> None: ...

        def _apply(self, op: Op) -> None: ...

        def _toucher(self, partition: str) -> Touch: ...

    # ---------------------------------------------------------------- the manifest
    def _file_problem(self, name: str, message: str) -> None:
        """Refuse a missing, changed or unknown partition file (inspect: note it for verify)."""
        if self.inspect:
            if (f"{name}.json", message) not in self.findings:
                self.findings.append((f"{name}.json", message))
            return
        raise CorruptDatabaseError(message, self._restore_hint())

    def read_partition_file(self, name: str) -> tuple[dict[str, Any], FileEntry]:
        """A partition file's tables and what it holds (generation, digest); it must exist."""
        path = self.folder / f"{name}.json"
        data = path.read_bytes()
        raw = decode_partition(path, data, self._restore_hint())
        return raw, (int(raw["_meta"]["1"].get("through_gen", -1)), digest(data))

    def write_partition_file(self, name: str, tables: dict[str, TableData], through: int) -> FileEntry:
        data = encode_partition(name, tables, through)
        atomic_write(self.folder / f"{name}.json", data)
        self.manifest.on_disk[name] = (through, digest(data))
        return self.manifest.on_disk[name]

    # ------------------------------------------------------------- partitions
    def _read_file(self, name: str, path: Path) -> tuple[bytes | None, str | None, os.stat_result | None]:
        """A partition file's bytes (None: there is none), their digest and the file's metadata as
        it was before the read. The digest is hashed, unless the file has not been written since
        it was last hashed (checked.py; never when verifying)."""
        try:
            st = path.stat()
            data = path.read_bytes()
        except FileNotFoundError:
            return None, None, None
        known = None if self.inspect else self.checked.digest(name, st)
        if known is not None and stamp(path.stat()) == stamp(st):  # not replaced while we read it
            return data, known, None
        return data, digest(data), st

    def _note_checked(self, name: str, path: Path, sha: str, st: os.stat_result) -> None:
        if self.read_only or self.inspect:
            return
        notice = self.checked.note(name, path, sha, st)
        if notice is not None and notice not in self.notices:
            self.notices.append(notice)

    def check_file(self, name: str) -> None:
        """A partition's file held against the manifest without reading its tables: a derived cache
        standing in for them (the year's overview) still refuses a damaged or missing file. A
        file not written since it was last hashed and found right is not read again (checked.py)."""
        if name in self._parts:
            return
        path = self.folder / f"{name}.json"
        try:
            st: os.stat_result | None = path.stat()
        except FileNotFoundError:
            st = None
        known = None if st is None or self.inspect else self.checked.digest(name, st)
        if known is not None and self.manifest.problem(name, b"", known) is None:
            return
        data, sha, st = self._read_file(name, path)
        problem = self.manifest.problem(name, data, sha)
        if problem is None and sha is not None and st is not None:
            self._note_checked(name, path, sha, st)
        if problem is not None and (self.journal.replaced() or self.journal.has_more(self._journal_end)):
            self._partition(name)  # another process wrote meanwhile: the full read decides
        elif problem is not None:
            self._file_problem(name, problem)

    def _partition(self, name: str) -> _Partition:
        part = self._parts.get(name)
        if part is not None:
            return part
        with gc_paused(), reported(f"{self.folder / name}.json の読み込み"):
            return self._load_partition(name)

    def _load_partition(self, name: str, retry: bool = True) -> _Partition:
        path = self.folder / f"{name}.json"
        specs = tables_of(name)
        data, sha, st = self._read_file(name, path)
        problem = self.manifest.problem(name, data, sha)
        if problem is not None and retry and (self.journal.replaced() or self.journal.has_more(self._journal_end)):
            with self.lock.held():  # another process checkpointed or restored meanwhile: read it again
                self._catch_up()
            return self._parts.get(name) or self._load_partition(name, retry=False)
        if problem is None and sha is not None and st is not None:
            self._note_checked(name, path, sha, st)
        trusted = sha if st is None else None  # the digest as last hashed (the file's times unchanged)
        placed = True
        lazy = None
        if problem is None and self.manifest.files is not None:
            lazy = self._lazy_tables(name, data, trusted)
        if lazy is None and trusted is not None and data is not None:  # parsed whole: hashed first
            sha = digest(data)
            problem = self.manifest.problem(name, data, sha)
        if lazy is not None and sha is not None:
            through, tables, placed = lazy
            self.manifest.on_disk[name] = (through, sha)
        else:
            raw = decode_partition(path, data, self._restore_hint()) if data is not None else None
            if problem is not None:  # (a file that does not even parse, or is newer, said so just above)
                self._file_problem(name, problem)
            if raw is not None and data is not None:
                through = int(raw["_meta"]["1"].get("through_gen", -1))
                placed = "tables" in raw["_meta"]["1"]
                self.manifest.on_disk[name] = (through, sha or digest(data))
                tables = {n: TableData(n, k, raw.get(n, {})) for n, k in specs.items()}
            else:
                through = -1
                tables = {n: TableData(n, k, {}) for n, k in specs.items()}
        db = PartitionDB(self._tables_of(name), self._toucher(name), storage=PartitionStorage)
        part = _Partition(name, tables, db, through, placed=placed)
        self._parts[name] = part
        for op in self._pending.pop(name, []):
            self._apply(op)
        return part

    def _lazy_tables(
        self, name: str, data: bytes | None, trusted: str | None = None
    ) -> tuple[int, dict[str, TableData], bool] | None:
        """A file that matched the manifest, its tables left unread (see sections.py): the
        generation it includes, its tables and whether it says where they are; None when it is
        not in the one-line-per-document layout (it is then parsed whole). ``trusted``: the digest
        taken from the file's unchanged times, checked against the bytes before a table is parsed."""
        if data is None:
            return None
        specs = tables_of(name)
        path = self.folder / f"{name}.json"
        split = split_tables(data, list(specs), str(path))
        if split is None:
            return None
        meta, sections = split
        meta = check_meta(path, meta, self._restore_hint())
        if trusted is not None:
            verify = self._verifier(path, data, trusted)
            for section in sections.values():
                section.verify = verify
        tables = {n: TableData(n, k, {}, section=sections[n]) for n, k in specs.items()}
        return int(meta.get("through_gen", -1)), tables, "tables" in meta

    def _verifier(self, path: Path, data: bytes, expected: str) -> Callable[[], None]:
        """Hashes ``data`` once and refuses it if it is not what the manifest says."""
        checked = False

        def verify() -> None:
            nonlocal checked
            if checked:
                return
            if digest(data) != expected:
                raise CorruptDatabaseError(
                    f"{path} の内容が、trainer が最後に書いたときと違います（ファイルの日時は変わっていません:"
                    "記憶媒体の傷みかもしれません。trainer verify で違いを確かめられます）",
                    self._restore_hint(),
                )
            checked = True

        return verify

    def _tables_of(self, name: str) -> Callable[[], dict[str, TableData]]:
        """How a table handle finds its partition's tables as they are now (after any reload)."""

        def tables() -> dict[str, TableData]:
            with self._mutex:
                return self._partition(name).tables

        return tables

    @staticmethod
    def table_names(partition: str) -> list[str]:
        return list(tables_of(partition))

    def _known(self) -> set[str]:
        """Every partition: in the manifest (or on disk, before manifests), intended, pending or open."""
        names = self.manifest.known() | set(self._pending)
        names |= {n for n, part in self._parts.items() if not all(t.empty for t in part.tables.values())}
        return names

    def load_all(self) -> list[str]:
        """Open every partition there is (for a whole-register check); returns their names."""
        known = self._known()
        names = [MAIN, *self.year_partitions(), *([SIGNOFFS] if SIGNOFFS in known | set(self._parts) else [])]
        for name in names:
            self._partition(name)
        return names

    def year_partitions(self) -> list[str]:
        """Every fiscal-year partition: on disk, open, or only in the journal so far."""
        return sorted(n for n in self._known() if n.startswith("fy") and is_partition_name(n))
