"""A TinyDB register that never loses an acknowledged write and never reads damage as less data.

Layout of a database folder (every file readable by the owner only)::

    main.json        divisions, staff, settings          (TinyDB JSON, one document per line)
    fy2026.json      records and exemptions of FY2026    (one file per fiscal year)
    signoffs.json    the division heads' sign-offs
    journal.jsonl    every transaction since the last checkpoint, checksummed, fsynced; its
                     header holds the manifest of the files above
    changelog.jsonl  every change ever made, hash-chained (see changelog.py)
    lock, lock.json  the writer lock and who holds it
    backups/         zip files made before imports, migrations, rollovers, restores and repairs
    journal.damaged-<time>.bin   damaged bytes ``trainer repair`` moved aside (kept, never deleted)

Why: TinyDB's JSONStorage rewrites the whole file in place on every write, without a temp file
or rename, and its Table rebuilds the whole table on every write. That is ~0.3 s per update at
50,000 staff and a truncated file after a crash. Instead:

* **Journal first.** A transaction's changed documents are appended to ``journal.jsonl`` as one
  checksummed line and fsynced before the call returns (about what SQLite's WAL costs). An
  incomplete last line was never acknowledged and is dropped; anything else that does not read
  (a complete line failing its checksum, a cut, damage followed by more data) is refused with
  the file, the byte offset and what follows, until ``trainer repair`` moves it aside
  (journal.py, repair.py).
* **Manifest.** The journal's header lists every partition file the register has, with the
  generation it includes and its SHA-256. A listed file that is missing or whose digest differs
  is refused (naming the file and the newest backup), never read as an empty year; a partition
  file the manifest does not know is refused too. ``trainer verify`` opens the register even
  then, to report the differences (``inspect``).
* **Checkpoint.** When the journal grows past a threshold (and on ``checkpoint()``), the
  journal's change-log entries are appended to ``changelog.jsonl``; then each changed partition
  is written to a temp file, fsynced and renamed over the old one, after an intent line in the
  journal gives its new digest; then a fresh journal of the next generation, whose header is the
  new manifest, replaces the old one. A crash (or a full disk) between any two steps is safe: on
  load, a file matches the manifest or one of the intents, and the journal is applied to every
  partition not written by a later generation (an entry the partition already includes holds
  whole documents, so applying it again changes nothing).
* **Partitions.** Records live in one file per fiscal year, so opening the register for this
  year never parses five years of history.
* **One writer.** Every transaction holds the folder's lock (bounded wait, names the holder on
  timeout) and first catches up with what other processes appended, so no update is lost and
  TinyDB's cached next id and query cache never go stale. A folder that cannot be written is
  opened read-only: reading works, a write says the folder is read-only.
* **Faults are messages.** Every OSError of a write, fsync, rename or read becomes a
  :class:`StoreError` saying what failed, where, what is safe and what to do (faults.py).
* **Leftovers.** Temp files a killed writer left are removed on open, under the lock: only the
  lock's holder writes in the folder, so any temp file found then is a leftover, whatever
  process id it names (a process id means nothing on another host of a shared folder).

The store, one idea per module: ``layout`` (partitions, their file format), ``manifest``,
``journal``, ``changelog`` (the log file) and ``history`` (the register's side of it),
``writing`` (transactions, checkpoints), ``backups`` (backups, restore), ``migrations``,
``repair``, ``faults``, ``files``, ``lock``, ``tables`` (TinyDB over memory), ``register`` (model
objects), ``verify``; this module opens and reads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from trainer.errors import CorruptDatabaseError, StoreError
from trainer.store import migrations
from trainer.store.backups import CHANGELOG, STAGED, Backups, check_backup, is_data_file
from trainer.store.changelog import GENESIS, ChangeLogFile, Head
from trainer.store.checked import CheckedFiles
from trainer.store.faults import reported
from trainer.store.files import PRIVATE_DIR, leftover_temp_files, make_private_dir
from trainer.store.history import History
from trainer.store.journal import Journal, Op
from trainer.store.layout import (
    MAIN,
    MAIN_TABLES,
    SCHEMA_VERSION,
    SIGNOFFS,
    year_partition,
)
from trainer.store.lock import DEFAULT_TIMEOUT, DatabaseLock, ReadOnlyFolderError, local_now
from trainer.store.manifest import Manifest
from trainer.store.partitions import Partitions, _Partition
from trainer.store.tables import JournaledTable, TableData
from trainer.store.writing import Writing, _Transaction


class Database(Partitions, Writing, History):
    """The register's files in one folder. Use :meth:`open`."""

    def __init__(
        self,
        folder: Path,
        lock_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
        inspect: bool = False,
    ) -> None:
        self.folder = folder
        self.clock = clock or local_now  # the change log's timestamps (fixed in tests and screenshots)
        self.lock = DatabaseLock(folder, lock_timeout)
        self.journal = Journal(folder / "journal.jsonl")
        self.changelog = ChangeLogFile(folder / CHANGELOG)
        self.backups_folder = Backups(folder)
        self.inspect = inspect  # verify: report a changed or missing file instead of refusing
        self.findings: list[tuple[str, str]] = []  # what inspect found: (file, problem)
        self.checked = CheckedFiles(folder)  # digests of files hashed before (see checked.py)
        self.notices: list[str] = []  # what the user should know but that stopped nothing
        self._parts: dict[str, _Partition] = {}
        self._pending: dict[str, list[Op]] = {}
        self._gen = 0
        self._seq = 0
        self._journal_start = 0  # where the journal's transactions begin (after its header)
        self._journal_end = 0
        self.manifest = Manifest(folder)
        self._tx: _Transaction | None = None
        self._mutex = threading.RLock()
        self._log_head = Head(0, GENESIS)
        self._journal_log_seq = 0
        # Called in each commit with the changes, the new log entry's seq and what it is about; a
        # hook may write more documents, which join the same transaction.
        self.commit_hooks: list[Callable[[list[list[Any]], int, dict[str, Any]], bool]] = []  # True: it wrote

    @property
    def read_only(self) -> bool:
        return self.lock.read_only

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        folder: Path,
        create: bool = True,
        lock_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
        inspect: bool = False,
    ) -> Database:
        """Open (and with ``create``, create) the database in ``folder``."""
        folder = Path(folder)
        with reported(f"データベース {folder} を開く処理"):
            if folder.exists() and not folder.is_dir():
                raise StoreError(
                    f"データベースはフォルダです: {folder} はファイルです",
                    "--db にはデータベースのフォルダを指定してください",
                )
            if not (folder / "main.json").exists():
                if folder.exists() and any(_is_register_file(p) for p in folder.iterdir()):
                    raise CorruptDatabaseError(
                        f"{folder} に main.json がありません（他のファイルはあります）", Backups(folder).restore_hint()
                    )
                if not create:
                    raise StoreError(f"データベースがありません: {folder}", "trainer demo で作成できます")
                make_private_dir(folder)
            db = cls(folder, lock_timeout, clock, inspect)
            db.lock.read_only = not os.access(folder, os.W_OK)
            try:
                with db.lock.held():
                    db._open_files()
            except ReadOnlyFolderError:
                db.lock.read_only = True
                db._open_files()
        return db

    def _open_files(self) -> None:
        if self.read_only:
            if (self.folder / STAGED).exists():
                raise StoreError(
                    f"{self.folder} は復元の途中ですが、読み取り専用のため続きができません",
                    "書き込める状態で一度開いて、復元を終わらせてください",
                )
            if not (self.folder / "main.json").exists():
                raise ReadOnlyFolderError(self.folder)
        else:
            self._remove_leftovers()
            self.backups_folder.finish_pending()
            if not (self.folder / "main.json").exists():
                self._create()
        header = self.journal.read_header() if self.journal.path.exists() else None
        if header is not None and migrations.needs_migration(header, str(self.folder)):
            self._require_writable("古い版のデータベースの更新", folds_data=False)
            migrations.migrate(self, header)
        self._reopened()

    def _reopened(self) -> None:
        """Read the files afresh; then finish what a crash may have left (when we may write)."""
        if self.read_only:
            try:
                self._load()
            except CorruptDatabaseError:
                if not self.journal.replaced():
                    raise
                self._load()  # without a lock: a writer elsewhere checkpointed while we read
            return
        self._load()
        self._repair_log_tail()
        self._start_log_if_missing()
        if self.manifest.files is None and not self.inspect:  # a register from before manifests gets one now
            self.checkpoint()

    def _remove_leftovers(self) -> None:
        """Temp files of a writer that died (we hold the lock, so nobody is writing them)."""
        for path in leftover_temp_files(self.folder, _written_atomically) + self.backups_folder.leftovers():
            path.unlink()

    def _create(self) -> None:
        entry = self.write_partition_file(MAIN, {n: TableData(n, k, {}) for n, k in MAIN_TABLES.items()}, 0)
        self.journal.create(1, SCHEMA_VERSION, files={MAIN: entry})

    def _require_writable(self, doing: str, folds_data: bool = True) -> None:
        """Refuse a write to a read-only register; and in inspect mode (verify, which tolerates a
        changed file) anything that would fold what it read into the files (a commit, a checkpoint)."""
        if self.read_only:
            raise StoreError(
                f"{self.folder} は読み取り専用のため、{doing}はできません（書き込み権限がありません）",
                "書き込み権限のある人に頼むか、書き込める場所にコピーしてください。"
                "読むだけのコマンド（status、staff list、verify など）は使えます",
            )
        if self.inspect and folds_data:
            raise StoreError(f"内部エラー: 検査のために開いたデータベースで{doing}をしようとしました")

    def _load(self) -> None:
        self._parts.clear()
        self._pending.clear()
        self.findings = []
        if not self.journal.path.exists():
            # A checkpoint always writes the journal last; its absence means damage.
            raise CorruptDatabaseError(f"ジャーナルがありません: {self.journal.path}", self._restore_hint())
        header = self.journal.read_header()
        self._gen, self._journal_start = header.gen, header.start
        self._journal_end = header.start
        self.manifest = Manifest(self.folder, dict(header.files) if header.files is not None else None)
        if header.log_seq is not None and header.log_hash is not None:
            self._log_head = Head(header.log_seq, header.log_hash)
        else:
            self._log_head = self.changelog.head()
        self._journal_log_seq = self._log_head.seq  # the file's head when this journal began
        self._read_journal()
        for name, problem in self.manifest.file_problems():
            self._file_problem(name, problem)
        self._partition(MAIN)

    def _read_journal(self) -> None:
        batch = self.journal.read(self._journal_end)
        for tx in batch.transactions:
            if "checkpoint" in tx:  # a checkpoint's intent: the file may already hold this digest
                self.manifest.intend(str(tx["file"]), str(tx["sha256"]))
                continue
            self._seq = max(self._seq, int(tx.get("seq", 0)))
            for op in migrations.ops_of(tx):
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
            with self.lock.held(), reported("データベースの読み込み"):
                self._catch_up()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the lock (when there is one to hold) and read everything committed so far."""
        with self._mutex, self.lock.held():
            with reported("データベースの読み込み"):
                self._catch_up()
            yield

    def _catch_up(self) -> None:
        if self.journal.replaced():  # another process checkpointed, restored or repaired: reload
            opened = list(self._parts)
            self._reopened()
            for name in opened:
                self._partition(name)
        elif self.journal.has_more(self._journal_end):
            self._read_journal()

    def table(self, partition: str, name: str) -> JournaledTable:
        """The TinyDB table ``name`` of ``partition`` (``main`` or ``fy2026``).

        The handle stays good across reloads: it always works on what the register holds now.
        """
        with self._mutex:
            table = self._partition(partition).db.table(name, cache_size=0)
        assert isinstance(table, JournaledTable)
        return table

    def data(self, partition: str, name: str) -> TableData:
        """The raw documents and key index of a table (read-only for callers)."""
        with self._mutex:
            return self._partition(partition).tables[name]

    def _all_documents(self) -> Iterator[tuple[str, str, str, Any]]:
        for part in self._parts.values():
            for table in part.tables.values():
                for doc_id, doc in table.docs.items():
                    yield part.name, table.name, doc_id, doc

    def close(self) -> None:
        with self._mutex:
            self.journal.close()
            self.lock.close()
            self._parts.clear()
            self._pending.clear()

    # ------------------------------------------------------------------ backups
    @property
    def backup_dir(self) -> Path:
        return self.backups_folder.dir

    def backups(self) -> list[Path]:
        """Backups, newest first."""
        return self.backups_folder.list()

    def _restore_hint(self) -> str:
        return self.backups_folder.restore_hint()

    def backup(self, reason: str) -> Path:
        """Copy every file of the register into a new zip in ``backups/``; keep the newest 30."""
        with self._mutex, self.lock.held():
            self._require_writable("バックアップ", folds_data=False)
            with reported(f"バックアップ（{self.backup_dir}）の作成", "データベースは変更していません"):
                return self.backups_folder.make(reason)

    def restore(self, source: Path) -> Path:
        """Replace the register with a backup; the current state is backed up first."""
        source = Path(source)
        names = check_backup(source)
        with reported(f"バックアップ {source} の読み込み"):
            content = source.read_bytes()  # the backup below prunes ``source`` if it is the oldest kept
        with self._mutex, self.lock.held():
            before = self.backup("before-restore")
            with reported("復元", f"戻す前の状態は {before} にあります。もう一度開くと復元の続きをします"):
                self.backups_folder.stage(content)
                self.backups_folder.finish_pending(names)
                self._reopened()
            return before

    @staticmethod
    def restore_unopened(folder: Path, source: Path, lock_timeout: float = DEFAULT_TIMEOUT) -> Path:
        """:meth:`restore` into a folder whose register does not open (a damaged or missing
        main.json or journal: the messages for those name this very command). The files as they
        are go into a backup first, as in :meth:`restore`."""
        source = Path(source)
        names = check_backup(source)
        with reported(f"バックアップ {source} の読み込み"):
            content = source.read_bytes()
        backups, lock = Backups(folder), DatabaseLock(folder, lock_timeout)
        try:
            with lock.held():
                with reported(f"バックアップ（{backups.dir}）の作成", "データベースは変更していません"):
                    before = backups.make("before-restore")
                with reported("復元", f"戻す前の状態は {before} にあります。もう一度開くと復元の続きをします"):
                    backups.stage(content)
                    backups.finish_pending(names)
        finally:
            lock.close()
        return before


def _written_atomically(name: str) -> bool:
    """A file of the folder that atomic_write replaces (its temp files are ours to clean up)."""
    return is_data_file(name) or name in ("lock.json", "lock", STAGED)  # ".lock.PID.tmp": lock.json before


def _is_register_file(path: Path) -> bool:
    """A file holding data (not the lock: another process may be creating the register)."""
    return path.name == "journal.jsonl" or (path.suffix == ".json" and path.name != "lock.json")


__all__ = ["MAIN", "PRIVATE_DIR", "SIGNOFFS", "Database", "year_partition"]
