"""The register's writing half: transactions, commits and checkpoints (see database.py).

A transaction holds the lock, catches up with other processes, collects the before-images of
every document it touches, and on commit appends one journal line (its change-log entry, with
every document before and after) and fdatasyncs it; on any error it puts the before-images back.
A checkpoint flushes the change log, writes each changed partition after an intent line, then
replaces the journal with one whose header is the new manifest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from trainer.errors import CorruptDatabaseError, StoreError
from trainer.store.changelog import ChangeLogFile, Head, encode_entry
from trainer.store.faults import reported, store_error
from trainer.store.files import atomic_write
from trainer.store.journal import AppendError, Journal, Op
from trainer.store.layout import SCHEMA_VERSION, digest, encode_partition, partition_files
from trainer.store.lock import DatabaseLock, os_user
from trainer.store.manifest import FileEntry, Manifest
from trainer.store.tables import TableData, Touch, snapshot

if TYPE_CHECKING:
    from trainer.store.partitions import _Partition

CHECKPOINT_BYTES = 16 * 1024 * 1024
SAFE_IN_JOURNAL = "これまでの変更はジャーナル（journal.jsonl）に保存されていて、失われていません"


class _Transaction:
    """The open transaction: each touched document's before-image and its table, what the change
    log will say of it. (A plain class, not a dataclass: every command pays a dataclass's
    creation at import, and this one needs none of the methods it would make.)"""

    __slots__ = ("about", "always_log", "before", "data")

    def __init__(self) -> None:
        self.before: dict[tuple[str, str, str], Any] = {}
        self.data: dict[tuple[str, str], TableData] = {}
        self.about: dict[str, Any] = {}  # what the change log says of it
        self.always_log = False


class Writing:
    """Transactions and checkpoints of :class:`~trainer.store.database.Database` (which provides these)."""

    folder: Path
    clock: Callable[[], datetime]
    lock: DatabaseLock
    journal: Journal
    changelog: ChangeLogFile
    manifest: Manifest
    commit_hooks: list[Callable[[list[list[Any]], int, dict[str, Any]], bool]]
    _mutex: threading.RLock
    _tx: _Transaction | None
    _parts: dict[str, _Partition]
    _pending: dict[str, list[Op]]
    _gen: int
    _seq: int
    _journal_start: int
    _journal_end: int
    _log_head: Head
    _journal_log_seq: int

    if TYPE_CHECKING:  # provided by Database

        def _catch_up(self) -> None: ...

        def _require_writable(self, doing: str, folds_data: bool = True) -> None: ...

        def _partition(self, name: str) -> _Partition: ...

        def _flush_log_to_file(self) -> None: ...

        def read_partition_file(self, name: str) -> tuple[dict[str, Any], FileEntry]: ...

        def year_partitions(self) -> list[str]: ...

        def backup(self, reason: str) -> Path: ...

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside land together, durably, or none does."""
        with self._mutex, self.lock.held():
            if self._tx is not None:  # nested: part of the outer transaction
                yield
                return
            with reported("データベースの読み込み"):
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
                self.checkpoint()  # the transaction is safe in the journal already; a failure says so

    def _toucher(self, partition: str) -> Touch:
        def touch(table: str, data: TableData, doc_id: str, copy: bool) -> None:
            tx = self._tx
            if tx is None:
                raise StoreError("内部エラー: トランザクションの外で書き込もうとしました")
            key = (partition, table, doc_id)
            if key not in tx.before:
                before = data.get(doc_id)
                tx.before[key] = snapshot(before) if copy else before
                tx.data[(partition, table)] = data

        return touch

    def _commit(self) -> None:
        tx = self._tx
        assert tx is not None
        ops, changes = self._changes(tx)
        if not ops and not tx.always_log:
            return
        self._require_writable("変更の保存")
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
        doing = f"変更の保存（{self.journal.path}）"
        try:
            self._journal_end = self.journal.append(payload, self._journal_end)
        except AppendError as e:
            state = "今回の変更は保存されていません" if e.undone else "今回の変更が保存されたかどうか確かめられません"
            raise store_error(e.cause, doing, state + "（それまでの変更は無事です）") from e.cause
        except OSError as e:
            raise store_error(e, doing, "今回の変更は保存されていません（それまでの変更は無事です）") from e
        self._seq += 1
        self._log_head = Head(entry["seq"], entry_hash)
        for part, _table, _id, _doc in ops:
            self._parts[part].dirty = True

    @staticmethod
    def _changes(tx: _Transaction) -> tuple[list[Op], list[list[Any]]]:
        ops: list[Op] = []
        changes: list[list[Any]] = []
        for (part, table, doc_id), before in tx.before.items():
            after = tx.data[(part, table)].get(doc_id)
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

    def _backup_before_a_new_year(self, ops: list[Op]) -> None:
        """The first write into a new fiscal year (the rollover) is preceded by a backup."""
        new = sorted(
            {
                p
                for p, _t, _i, _d in ops
                if p.startswith("fy") and self._parts[p].through_gen < 0 and not self._parts[p].dirty
            }
        )
        if new and self.year_partitions() != new:
            self.backup("rollover-" + "-".join(new))

    def _rollback(self) -> None:
        tx = self._tx
        assert tx is not None
        for (part, table, doc_id), before in tx.before.items():
            tx.data[(part, table)].set(doc_id, before)

    # ---------------------------------------------------------------- checkpoint
    def checkpoint(self) -> None:
        """Fold the journal into the JSON files and start a new, empty journal."""
        with self._mutex, self.lock.held():
            self._require_writable("チェックポイント（ジャーナルをファイルにまとめる処理）")
            with reported("チェックポイント（ジャーナルをファイルにまとめる処理）", SAFE_IN_JOURNAL):
                self._checkpoint()

    def _checkpoint(self) -> None:
        self._catch_up()
        for name in [*self._pending, *self.manifest.intents]:  # an unfinished checkpoint's files: what they hold
            self._partition(name)
        self._flush_log_to_file()  # before the journal that holds them is replaced
        files = dict(self.manifest.on_disk) if self.manifest.files is not None else self._files_on_disk()
        for part in self._parts.values():
            if part.dirty or part.through_gen < 0 or part.name not in files or not part.placed:
                data = encode_partition(part.name, part.tables, self._gen)
                sha = digest(data)
                intent = {"checkpoint": self._gen, "file": part.name, "through_gen": self._gen, "sha256": sha}
                self._journal_end = self.journal.append(intent, self._journal_end)
                self.manifest.intend(part.name, sha)
                atomic_write(self.folder / f"{part.name}.json", data)
                part.through_gen, part.dirty, part.placed = self._gen, False, True
                files[part.name] = self.manifest.on_disk[part.name] = (self._gen, sha)
        self.journal.create(self._gen + 1, SCHEMA_VERSION, self._log_head.seq, self._log_head.hash, files)
        header = self.journal.read_header()
        self._gen, self._journal_start = header.gen, header.start
        self._journal_end = header.start
        self._journal_log_seq = self._log_head.seq  # the file holds every entry up to here now
        self.manifest = Manifest(self.folder, files)
        for part in self._parts.values():
            part.through_gen = self._gen - 1

    def _files_on_disk(self) -> dict[str, FileEntry]:
        """The manifest of a register from before manifests: what its files hold now."""
        return {path.stem: self.read_partition_file(path.stem)[1] for path in partition_files(self.folder)}
