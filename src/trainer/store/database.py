"""A TinyDB register that never loses an acknowledged write and never corrupts.

Layout of a database folder (every file readable by the owner only)::

    main.json        divisions, staff, settings          (TinyDB JSON, one document per line)
    fy2026.json      records and exemptions of FY2026    (one file per fiscal year)
    journal.jsonl    every transaction since the last checkpoint, checksummed, fsynced
    lock, lock.json  the writer lock and who holds it
    backups/         zip files made before imports, migrations, rollovers and restores

Why: TinyDB's JSONStorage rewrites the whole file in place on every write, without a temp file
or rename, and its Table rebuilds the whole table on every write. That is ~0.3 s per update at
50,000 staff and a truncated file after a crash. Instead:

* **Journal first.** A transaction's changed documents are appended to ``journal.jsonl`` as one
  checksummed line and fsynced before the call returns (about what SQLite's WAL costs). A torn
  last line was never acknowledged and is ignored; so a transaction lands whole or not at all.
* **Checkpoint.** When the journal grows past a threshold (and on ``checkpoint()``), each
  changed partition is written to a temp file, fsynced and renamed over the old one, recording
  the journal generation it includes (``through_gen``); then a fresh journal of the next
  generation replaces the old one. A crash (or a full disk) between any two steps is safe: on
  load, the journal is applied to every partition not written by a later generation; an entry
  the partition already includes holds whole documents, so applying it again changes nothing.
* **Partitions.** Records live in one file per fiscal year, so opening the register for this
  year never parses five years of history.
* **One writer.** Every transaction holds the folder's lock (bounded wait, names the holder on
  timeout) and first catches up with what other processes appended, so no update is lost and
  TinyDB's cached next id and query cache never go stale.
"""

from __future__ import annotations

import os
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from trainer.errors import CorruptDatabaseError, SchemaVersionError, StoreError
from trainer.perf import gc_paused
from trainer.store.changelog import GENESIS, ChangeLogFile, Head, encode_entry, entry_summary, tail_lines
from trainer.store.changelog import digest as log_digest
from trainer.store.files import PRIVATE_DIR, atomic_write, fsync_dir, make_private_dir
from trainer.store.journal import Journal, Op
from trainer.store.lock import DEFAULT_TIMEOUT, DatabaseLock, local_now, os_user
from trainer.store.tables import (
    Doc,
    JournaledTable,
    PartitionDB,
    PartitionStorage,
    TableData,
    snapshot,
)

SCHEMA_VERSION = 3
MAIN = "main"
CHECKPOINT_BYTES = 16 * 1024 * 1024
KEEP_BACKUPS = 30

# table name -> the fields that identify a document (a unique index)
MAIN_TABLES: dict[str, tuple[str, ...]] = {
    "divisions": ("code",),
    "staff": ("staff_id",),
    "settings": ("key",),
}
YEAR_TABLES: dict[str, tuple[str, ...]] = {
    "records": ("staff_id", "requirement"),
    "exemptions": ("staff_id", "requirement", "no"),  # a revoked exemption stays beside a later one
}


def _v1_to_v2(partition: str, tables: dict[str, dict[str, Doc]]) -> None:
    """Schema 2: a year file's records and exemptions no longer repeat the fiscal year."""
    for table in ("records", "exemptions"):
        for doc in tables.get(table, {}).values():
            doc.pop("fiscal_year", None)


def _v2_to_v3(partition: str, tables: dict[str, dict[str, Doc]]) -> None:
    """Schema 3: exemptions are decisions with a number, an approver and a revocation.

    The files need no change: an exemption recorded before has no number and no approver, and
    the service numbers such exemptions in a logged transaction after opening (so the change log
    replays to exactly what the files hold). The new version keeps an older trainer, which would
    count a revoked exemption, from opening the register.
    """


# schema version -> how to bring a partition's tables from it to the next version (in place)
MIGRATIONS: dict[int, Callable[[str, dict[str, dict[str, Doc]]], None]] = {1: _v1_to_v2, 2: _v2_to_v3}


def year_partition(fiscal_year: int) -> str:
    return f"fy{fiscal_year}"


SIGNOFFS = "signoffs"
SIGNOFF_TABLES: dict[str, tuple[str, ...]] = {"signoffs": ("code",)}


def _tables_of(partition: str) -> dict[str, tuple[str, ...]]:
    if partition == MAIN:
        return MAIN_TABLES
    return SIGNOFF_TABLES if partition == SIGNOFFS else YEAR_TABLES


@dataclass
class _Partition:
    name: str
    tables: dict[str, TableData]
    db: PartitionDB
    through_gen: int
    dirty: bool = False


@dataclass
class _Transaction:
    before: dict[tuple[str, str, str], Doc | None] = field(default_factory=dict)
    data: dict[tuple[str, str], TableData] = field(default_factory=dict)
    about: dict[str, Any] = field(default_factory=dict)  # what the change log says of it
    always_log: bool = False


class Database:
    """The register's files in one folder. Use :meth:`open`."""

    def __init__(
        self, folder: Path, lock_timeout: float = DEFAULT_TIMEOUT, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.folder = folder
        self.clock = clock or local_now  # the change log's timestamps (fixed in tests and screenshots)
        self.lock = DatabaseLock(folder, lock_timeout)
        self.journal = Journal(folder / "journal.jsonl")
        self._parts: dict[str, _Partition] = {}
        self._pending: dict[str, list[Op]] = {}
        self._gen = 0
        self._seq = 0
        self._journal_start = 0  # where the journal's transactions begin (after its header)
        self._journal_end = 0
        self._tx: _Transaction | None = None
        self._mutex = threading.RLock()
        self.changelog = ChangeLogFile(folder / "changelog.jsonl")
        self._log_head = Head(0, GENESIS)
        # Called in each commit with the changes, the new log entry's seq and what it is about; a
        # hook may write more documents, which join the same transaction.
        self.commit_hooks: list[Callable[[list[list[Any]], int, dict[str, Any]], bool]] = []  # True: it wrote

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        folder: Path,
        create: bool = True,
        lock_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
    ) -> Database:
        """Open (and with ``create``, create) the database in ``folder``."""
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise StoreError(
                f"データベースはフォルダです: {folder} はファイルです",
                "--db にはデータベースのフォルダを指定してください",
            )
        if not (folder / "main.json").exists():
            if not create:
                raise StoreError(f"データベースがありません: {folder}", "trainer demo で作成できます")
            if folder.exists() and any(_is_register_file(p) for p in folder.iterdir()):
                raise CorruptDatabaseError(
                    f"{folder} に main.json がありません（他のファイルはあります）",
                    "フォルダを確認するか、trainer restore でバックアップから戻してください",
                )
        make_private_dir(folder)
        db = cls(folder, lock_timeout, clock)
        with db.lock.held():
            db._finish_restore_if_pending()
            if not (folder / "main.json").exists():
                db._create()
            db._migrate_if_needed()
            db._load()
            db._start_log_if_missing()
        return db

    def _create(self) -> None:
        self._write_partition_file(MAIN, {n: TableData(n, k, {}) for n, k in MAIN_TABLES.items()}, 0)
        self.journal.create(1, SCHEMA_VERSION)

    # -------------------------------------------------------------- migrations
    def _migrate_if_needed(self) -> None:
        """Bring files written by an older trainer up to :data:`SCHEMA_VERSION`, after a backup.

        The journal's transactions are in the old format too, so they are folded into each old
        file before it is migrated; then a new journal of the next generation starts. A crash in
        between is safe: a file already migrated (it says the new schema) is left as it is, and
        the old journal is not replaced until every file is migrated.
        """
        header = self.journal.read_header()
        if header.schema == SCHEMA_VERSION:  # the journal is replaced last: all files are current
            return
        if header.schema > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.folder} は新しい版の trainer（スキーマ {header.schema}）で作られています"
                f"（この trainer はスキーマ {SCHEMA_VERSION} まで）",
                "trainer を新しい版に更新してください。ファイルは変更していません",
            )
        names = [path.stem for path in self._partition_files()]
        raws = {name: self._read_partition_file(self.folder / f"{name}.json") for name in names}
        self.backup(f"before-migration-v{header.schema}-v{SCHEMA_VERSION}")
        ops: dict[str, list[Op]] = {}
        for tx in self.journal.read(header.start).transactions:
            for op in _ops_of(tx):
                ops.setdefault(op[0], []).append(op)
        for name in sorted(set(names) | set(ops)):
            raw = raws.get(name, {"_meta": {"1": {"schema": header.schema, "through_gen": -1}}})
            meta = raw["_meta"]["1"]
            if int(meta["schema"]) == SCHEMA_VERSION:
                continue  # migrated before an interruption; it includes the journal already
            tables = {n: dict(raw.get(n, {})) for n in _tables_of(name)}
            if header.gen >= int(meta.get("through_gen", -1)):
                for _part, table, doc_id, doc in ops.get(name, []):
                    if doc is None:
                        tables[table].pop(doc_id, None)
                    else:
                        tables[table][doc_id] = doc
            for version in range(int(meta["schema"]), SCHEMA_VERSION):
                MIGRATIONS[version](name, tables)
            data = {n: TableData(n, k, tables[n]) for n, k in _tables_of(name).items()}
            self._write_partition_file(name, data, header.gen)
        self.journal.create(header.gen + 1, SCHEMA_VERSION)

    def _load(self) -> None:
        self._parts.clear()
        self._pending.clear()
        if not self.journal.path.exists():
            # A checkpoint always writes the journal last; its absence means damage.
            raise CorruptDatabaseError(
                f"ジャーナルがありません: {self.journal.path}",
                self._restore_hint(),
            )
        header = self.journal.read_header()
        self._gen, self._journal_start = header.gen, header.start
        self._journal_end = header.start
        if header.log_seq is not None and header.log_hash is not None:
            self._log_head = Head(header.log_seq, header.log_hash)
        else:
            self._log_head = self.changelog.head()
        self._read_journal()
        self._partition(MAIN)

    def _read_journal(self) -> None:
        batch = self.journal.read(self._journal_end)
        for tx in batch.transactions:
            self._seq = max(self._seq, int(tx.get("seq", 0)))
            for op in _ops_of(tx):
                self._apply(op)
            entry = tx.get("log")
            if entry and int(entry["seq"]) > self._log_head.seq:
                self._log_head = Head(int(entry["seq"]), str(entry["hash"]))
        self._journal_end = batch.end

    def _apply(self, op: Op) -> None:
        part_name, table, doc_id, doc = op
        part = self._parts.get(part_name)
        if part is None:
            self._pending.setdefault(part_name, []).append(op)
        elif self._gen >= part.through_gen:  # a failed checkpoint may have written part of this journal
            part.tables[table].set(doc_id, doc)
            part.dirty = True

    # ------------------------------------------------------------- partitions
    def _partition(self, name: str) -> _Partition:
        part = self._parts.get(name)
        if part is not None:
            return part
        with gc_paused():
            return self._load_partition(name)

    def _load_partition(self, name: str) -> _Partition:
        path = self.folder / f"{name}.json"
        specs = _tables_of(name)
        if path.exists():
            raw = self._read_partition_file(path)
            meta = raw.get("_meta", {}).get("1", {})
            through = int(meta.get("through_gen", -1))
            tables = {n: TableData(n, k, raw.get(n, {})) for n, k in specs.items()}
        else:
            through = -1
            tables = {n: TableData(n, k, {}) for n, k in specs.items()}
        db = PartitionDB(tables, self._toucher(name), storage=PartitionStorage)
        part = _Partition(name, tables, db, through)
        self._parts[name] = part
        for op in self._pending.pop(name, []):
            self._apply(op)
        return part

    def _read_partition_file(self, path: Path) -> dict[str, Any]:
        try:
            raw = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as e:
            raise CorruptDatabaseError(
                f"データベースのファイルが壊れています（JSON として読めません）: {path}: {e}",
                self._restore_hint(),
            ) from e
        if not isinstance(raw, dict) or not all(isinstance(t, dict) for t in raw.values()):
            raise CorruptDatabaseError(f"データベースのファイルの形が違います: {path}", self._restore_hint())
        meta = raw.get("_meta", {}).get("1")
        if not isinstance(meta, dict) or "schema" not in meta:
            raise CorruptDatabaseError(
                f"データベースのファイルに版の情報（_meta）がありません: {path}",
                self._restore_hint(),
            )
        if int(meta["schema"]) > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{path} は新しい版の trainer（スキーマ {meta['schema']}）で作られています"
                f"（この trainer はスキーマ {SCHEMA_VERSION} まで）",
                "trainer を新しい版に更新してください。ファイルは変更していません",
            )
        return raw

    def _write_partition_file(self, name: str, tables: dict[str, TableData], through: int) -> None:
        meta = {"schema": SCHEMA_VERSION, "partition": name, "through_gen": through}
        chunks = [b'{\n"_meta": {"1": ', orjson.dumps(meta), b"}"]
        for table_name, data in tables.items():
            chunks.append(b',\n"%s": {' % table_name.encode())
            ids = sorted(data.docs, key=int)
            for i, doc_id in enumerate(ids):
                chunks.append(b"\n" if i == 0 else b",\n")
                chunks.append(b'"%s": ' % doc_id.encode())
                chunks.append(orjson.dumps(data.docs[doc_id]))
            chunks.append(b"\n}" if ids else b"}")
        chunks.append(b"\n}\n")
        atomic_write(self.folder / f"{name}.json", chunks)

    @staticmethod
    def table_names(partition: str) -> list[str]:
        return list(_tables_of(partition))

    def _partition_files(self) -> list[Path]:
        """The partition files on disk: main.json, signoffs.json (once there is one), fy*.json."""
        signoffs = self.folder / f"{SIGNOFFS}.json"
        return [
            self.folder / f"{MAIN}.json",
            *([signoffs] if signoffs.exists() else []),
            *sorted(self.folder.glob("fy*.json")),
        ]

    def load_all(self) -> list[str]:
        """Open every partition there is (for a whole-register check); returns their names."""
        names = [MAIN, *self.year_partitions()]
        if (self.folder / f"{SIGNOFFS}.json").exists() or SIGNOFFS in self._pending or SIGNOFFS in self._parts:
            names.append(SIGNOFFS)
        for name in names:
            self._partition(name)
        return names

    def year_partitions(self) -> list[str]:
        """Every fiscal-year partition: on disk, open, or only in the journal so far."""
        names = {p.stem for p in self.folder.glob("fy*.json")} | {n for n in self._pending if n.startswith("fy")}
        names |= {
            n for n, part in self._parts.items() if n.startswith("fy") and any(t.docs for t in part.tables.values())
        }
        return sorted(names)

    # ------------------------------------------------------------------ reading
    def written_elsewhere(self) -> tuple[int, int] | None:
        """A mark of the journal when another process committed since we last read it, else None.

        No lock and no reading of data: the app asks every few seconds. The mark (inode and
        modification time) changes with each further commit, so a caller reloads once per change.
        """
        if not self.journal.replaced() and not self.journal.has_more(self._journal_end):
            return None
        try:
            st = os.stat(self.journal.path)
        except FileNotFoundError:
            return (0, 0)
        return (st.st_ino, st.st_mtime_ns)

    def refresh(self) -> None:
        """Catch up with what other processes committed (cheap when nothing changed)."""
        with self._mutex:
            if not self.journal.replaced() and not self.journal.has_more(self._journal_end):
                return
            with self.lock.held():
                self._catch_up()

    def _catch_up(self) -> None:
        if self.journal.replaced():  # another process checkpointed or restored: reload
            opened = list(self._parts)
            self._load()
            for name in opened:
                self._partition(name)
        elif self.journal.has_more(self._journal_end):
            self._read_journal()
        else:
            return
        for part in self._parts.values():
            for table in part.db._tables.values():
                assert isinstance(table, JournaledTable)
                table.forget_next_id()

    def table(self, partition: str, name: str) -> JournaledTable:
        """The TinyDB table ``name`` of ``partition`` (``main`` or ``fy2026``)."""
        with self._mutex:
            table = self._partition(partition).db.table(name, cache_size=0)
        assert isinstance(table, JournaledTable)
        return table

    def data(self, partition: str, name: str) -> TableData:
        """The raw documents and key index of a table (read-only for callers)."""
        with self._mutex:
            return self._partition(partition).tables[name]

    # ------------------------------------------------------------------ writing
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside land together, durably, or none does."""
        with self._mutex, self.lock.held():
            if self._tx is not None:  # nested: part of the outer transaction
                yield
                return
            self._catch_up()
            self._tx = _Transaction()
            try:
                yield
                self._commit()
            except BaseException:
                self._rollback()
                raise
            finally:
                self._tx = None
            if self._journal_end > CHECKPOINT_BYTES:
                self._checkpoint_after_commit()

    def _checkpoint_after_commit(self) -> None:
        """Fold a long journal into the files; the transaction is already safe in the journal."""
        try:
            self.checkpoint()
        except OSError as e:
            raise StoreError(
                f"変更は保存しました。ただしジャーナルをファイルにまとめる処理（チェックポイント）に失敗しました: {e}",
                "ディスクの空き容量を確認してください。データは journal.jsonl に残っています",
            ) from e

    def _toucher(self, partition: str):  # type: ignore[no-untyped-def]
        def touch(table: str, data: TableData, doc_id: str, copy: bool) -> None:
            tx = self._tx
            if tx is None:
                raise StoreError("内部エラー: トランザクションの外で書き込もうとしました")
            key = (partition, table, doc_id)
            if key not in tx.before:
                before = data.docs.get(doc_id)
                tx.before[key] = snapshot(before) if copy else before
                tx.data[(partition, table)] = data

        return touch

    def _commit(self) -> None:
        tx = self._tx
        assert tx is not None
        ops, changes = self._changes(tx)
        if not ops and not tx.always_log:
            return
        if ops and self.commit_hooks:
            wrote = [hook(changes, self._log_head.seq + 1, tx.about) for hook in self.commit_hooks]
            if any(wrote):  # a hook's own writes join this transaction's entry
                ops, changes = self._changes(tx)
        if self._log_head.seq < 0:
            raise CorruptDatabaseError(
                f"変更履歴の最後の行が壊れています: {self.changelog.path}",
                "trainer verify で確かめ、trainer restore でバックアップから戻してください",
            )
        self._backup_before_a_new_year(ops)
        now = self.clock().isoformat(timespec="seconds")
        entry: dict[str, Any] = {
            "seq": self._log_head.seq + 1,
            "at": now,
            "user": os_user(),
            **tx.about,
            "changes": changes,
            "prev": self._log_head.hash,
        }
        entry.setdefault("action", "change")
        entry_json, entry_hash = encode_entry(entry)
        payload = {"seq": self._seq + 1, "at": now, "log": orjson.Fragment(entry_json)}
        try:
            self._journal_end = self.journal.append(payload, self._journal_end)
        except OSError as e:
            raise StoreError(
                f"データベースに書き込めませんでした: {self.journal.path}: {e.strerror}",
                "ディスクの空き容量と書き込み権限を確認してください。今回の変更は保存されていません",
            ) from e
        self._seq += 1
        self._log_head = Head(entry["seq"], entry_hash)
        for part, _table, _id, _doc in ops:
            self._parts[part].dirty = True

    @staticmethod
    def _changes(tx: _Transaction) -> tuple[list[Op], list[list[Any]]]:
        ops: list[Op] = []
        changes: list[list[Any]] = []
        for (part, table, doc_id), before in tx.before.items():
            after = tx.data[(part, table)].docs.get(doc_id)
            if after != before:
                ops.append((part, table, doc_id, after))
                changes.append([part, table, doc_id, before, after])
        return ops, changes

    def log_head(self) -> Head:
        """The change log's newest entry (its seq and hash): what a printed document anchors to."""
        return self._log_head

    def next_log_seq(self) -> int:
        """The seq the open transaction's change-log entry will get."""
        return self._log_head.seq + 1

    def describe(self, action: str, summary: str, always: bool = False, **refs: Any) -> None:
        """Say what the open transaction does, for its change-log entry."""
        tx = self._tx
        if tx is None:
            raise StoreError("内部エラー: 変更の説明はトランザクションの中で付けてください")
        tx.about.update({"action": action, "summary": summary, **{k: v for k, v in refs.items() if v is not None}})
        tx.always_log = tx.always_log or always

    # ---------------------------------------------------------------- change log
    def log_entries(self) -> Iterator[tuple[str, Any]]:
        """Every change-log entry, oldest first: ("line", (number, raw bytes)) from the file,
        then ("entry", dict) for the journal's entries not yet in the file."""
        with self._mutex, self.lock.held():
            self._catch_up()
            last = self.changelog.head().seq
            yield from (("line", line) for line in self.changelog.lines())
            yield from (("entry", entry) for entry in self._journal_log_entries(last))

    def recent_log_entries(self, count: int) -> list[dict[str, Any]]:
        """The newest ``count`` entries, newest first, without their documents and without
        reading the whole log file (for the dashboard)."""
        with self._mutex, self.lock.held():
            self._catch_up()
            in_file = [entry_summary(line) for line in tail_lines(self.changelog.path, count)]
            newest = in_file[-1]["seq"] if in_file else 0
            entries = [*in_file, *self._journal_log_entries(newest)][-count:]
        return [{k: v for k, v in e.items() if k != "changes"} for e in reversed(entries)]

    def _journal_log_entries(self, after_seq: int) -> list[dict[str, Any]]:
        """The change-log entries in the journal with a seq after ``after_seq``."""
        return [
            tx["log"]
            for tx in self.journal.read(self._journal_start).transactions
            if tx.get("log") and int(tx["log"]["seq"]) > after_seq
        ]

    def _flush_log_to_file(self) -> None:
        """Append the journal's change-log entries that the file does not have yet."""
        self.changelog.append(self._journal_log_entries(self.changelog.head().seq))

    def _start_log_if_missing(self) -> None:
        """A register written before the change log existed gets a baseline: its whole state."""
        if self._log_head.seq != 0 or self.changelog.path.exists():
            return
        self.load_all()
        changes = [
            [part.name, table.name, doc_id, None, doc]
            for part in self._parts.values()
            for table in part.tables.values()
            for doc_id, doc in table.docs.items()
        ]
        if not changes:
            return
        entry: dict[str, Any] = {
            "seq": 1,
            "at": self.clock().isoformat(timespec="seconds"),
            "user": os_user(),
            "action": "baseline",
            "summary": "変更履歴の記録を開始（この時点の内容すべて。それより前の変更は記録されていません）",
            "changes": changes,
            "prev": GENESIS,
        }
        entry["hash"] = log_digest(entry)
        self.changelog.append([entry])
        self._log_head = Head(1, entry["hash"])

    def _backup_before_a_new_year(self, ops: list[Op]) -> None:
        """The first write into a new fiscal year (the rollover) is preceded by a backup."""
        new = sorted(
            {
                p
                for p, _t, _i, _d in ops
                if p.startswith("fy") and self._parts[p].through_gen < 0 and not self._parts[p].dirty
            }
        )
        if new and any(self.folder.glob("fy*.json")):
            self.backup("rollover-" + "-".join(new))

    def _rollback(self) -> None:
        tx = self._tx
        assert tx is not None
        for (part, table, doc_id), before in tx.before.items():
            tx.data[(part, table)].set(doc_id, before)
        for part in self._parts.values():
            for t in part.db._tables.values():
                assert isinstance(t, JournaledTable)
                t.forget_next_id()

    def checkpoint(self) -> None:
        """Fold the journal into the JSON files and start a new, empty journal."""
        with self._mutex, self.lock.held():
            self._catch_up()
            for name in list(self._pending):
                self._partition(name)
            self._flush_log_to_file()  # before the journal that holds them is replaced
            for part in self._parts.values():
                if part.dirty or part.through_gen < 0:
                    self._write_partition_file(part.name, part.tables, self._gen)
                    part.through_gen = self._gen
                    part.dirty = False
            self.journal.create(self._gen + 1, SCHEMA_VERSION, self._log_head.seq, self._log_head.hash)
            header = self.journal.read_header()
            self._gen, self._journal_start = header.gen, header.start
            self._journal_end = header.start
            for part in self._parts.values():
                part.through_gen = self._gen - 1

    def close(self) -> None:
        with self._mutex:
            self.journal.close()
            self.lock.close()
            self._parts.clear()
            self._pending.clear()

    # ------------------------------------------------------------------ backups
    @property
    def backup_dir(self) -> Path:
        return self.folder / "backups"

    def backups(self) -> list[Path]:
        """Backups, newest first."""
        if not self.backup_dir.is_dir():
            return []
        return sorted(self.backup_dir.glob("*.zip"), reverse=True)

    def _restore_hint(self) -> str:
        newest = self.backups()[:1]
        if newest:
            return f"ファイルは変更していません。trainer restore {newest[0]} で直前のバックアップに戻せます"
        return "ファイルは変更していません。バックアップから戻すか、管理者に相談してください"

    def backup(self, reason: str) -> Path:
        """Copy every file of the register into a new zip in ``backups/``; keep the newest 30."""
        with self._mutex, self.lock.held():
            make_private_dir(self.backup_dir)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in reason)[:40]
            target = self.backup_dir / f"{stamp}-{safe}.zip"
            tmp = target.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
                for path in [*sorted(self.folder.glob("*.json")), self.journal.path, self.changelog.path]:
                    if path.name != "lock.json" and path.exists():
                        z.write(path, path.name)
            with tmp.open("rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, target)
            fsync_dir(self.backup_dir)
            for old in self.backups()[KEEP_BACKUPS:]:
                old.unlink()
            return target

    def restore(self, source: Path) -> Path:
        """Replace the register with a backup; the current state is backed up first."""
        source = Path(source)
        names = _check_backup(source)
        content = source.read_bytes()  # the backup below prunes ``source`` if it is the oldest kept
        with self._mutex, self.lock.held():
            before = self.backup("before-restore")
            atomic_write(self.folder / "restore.pending.zip", content)  # private, and whole or absent
            self._finish_restore_if_pending(names)
            self._load()
            return before

    def _finish_restore_if_pending(self, names: list[str] | None = None) -> None:
        """Complete a restore a crash interrupted (idempotent: the staged zip is the redo log)."""
        staged = self.folder / "restore.pending.zip"
        if not staged.exists():
            return
        names = names or _check_backup(staged)
        with zipfile.ZipFile(staged) as z:
            for path in [*self._partition_files(), self.changelog.path]:  # files the backup lacks go
                if path.name not in names and path.exists():
                    path.unlink()
            for name in names:
                atomic_write(self.folder / name, z.read(name))
        staged.unlink()
        fsync_dir(self.folder)


def _check_backup(source: Path) -> list[str]:
    try:
        with zipfile.ZipFile(source) as z:
            names = [n for n in z.namelist() if "/" not in n and not n.startswith(".")]
            if "main.json" not in names or "journal.jsonl" not in names:
                raise StoreError(
                    f"{source} は trainer のバックアップではありません（main.json か journal.jsonl がありません）"
                )
            for name in names:
                if name.endswith(".json"):
                    orjson.loads(z.read(name))
            return names
    except (zipfile.BadZipFile, orjson.JSONDecodeError, OSError) as e:
        raise StoreError(f"バックアップを読めません: {source}: {e}", "別のバックアップを指定してください") from e


def _ops_of(tx: dict[str, Any]) -> list[Op]:
    """The document writes of a journal transaction (older journals list them as "ops")."""
    if "ops" in tx:
        return [tuple(op) for op in tx["ops"]]  # type: ignore[misc]
    return [(c[0], c[1], c[2], c[4]) for c in tx.get("log", {}).get("changes", ())]


def _is_register_file(path: Path) -> bool:
    """A file holding data (not the lock: another process may be creating the register)."""
    return path.name == "journal.jsonl" or (path.suffix == ".json" and path.name != "lock.json")


__all__ = ["MAIN", "PRIVATE_DIR", "Database", "year_partition"]
