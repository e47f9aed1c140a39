"""Bringing a register written by an older trainer up to :data:`SCHEMA_VERSION`, after a backup.

The journal's transactions are in the old format too, so they are folded into each old file
before it is migrated; then a new journal of the next generation starts. A crash in between is
safe: a file already migrated (it says the new schema) is left as it is, and the old journal is
not replaced until every file is migrated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from trainer.errors import SchemaVersionError
from trainer.store.journal import Header, Op
from trainer.store.layout import SCHEMA_VERSION, partition_files, tables_of
from trainer.store.manifest import FileEntry
from trainer.store.tables import Doc, TableData

if TYPE_CHECKING:
    from trainer.store.database import Database


def _v1_to_v2(partition: str, tables: dict[str, dict[str, Doc]]) -> None:
    """Schema 2: a year file's records and exemptions no longer repeat the fiscal year."""
    for table in ("records", "exemptions"):
        for doc in tables.get(table, {}).values():
            doc.pop("fiscal_year", None)


# schema version -> how to bring a partition's tables from it to the next version (in place)
def _v2_to_v3(partition: str, tables: dict[str, dict[str, Doc]]) -> None:
    """Schema 3: exemptions are decisions with a number, an approver and a revocation.

    The files need no change: an exemption recorded before has no number and no approver, and
    the service numbers such exemptions in a logged transaction after opening (so the change log
    replays to exactly what the files hold). The new version keeps an older trainer, which would
    count a revoked exemption, from opening the register.
    """


MIGRATIONS: dict[int, Callable[[str, dict[str, dict[str, Doc]]], None]] = {1: _v1_to_v2, 2: _v2_to_v3}


def ops_of(tx: dict[str, Any]) -> list[Op]:
    """The document writes of a journal transaction (older journals list them as "ops")."""
    if "ops" in tx:
        return [tuple(op) for op in tx["ops"]]
    log = tx.get("log")
    return [(c[0], c[1], c[2], c[4]) for c in log.get("changes", ())] if isinstance(log, dict) else []


def needs_migration(header: Header, folder_name: str) -> bool:
    """True when the register is older than this trainer; refuses one that is newer."""
    if header.schema > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{folder_name} は新しい版の trainer（スキーマ {header.schema}）で作られています"
            f"（この trainer はスキーマ {SCHEMA_VERSION} まで）",
            "trainer を新しい版に更新してください。ファイルは変更していません",
        )
    return header.schema < SCHEMA_VERSION  # the journal is replaced last: equal means all files are current


def migrate(db: Database, header: Header) -> None:
    """Migrate every partition file and start a new journal (call with the lock held)."""
    names = [path.stem for path in partition_files(db.folder)]
    raws = {name: db.read_partition_file(name)[0] for name in names}
    db.backup(f"before-migration-v{header.schema}-v{SCHEMA_VERSION}")
    ops: dict[str, list[Op]] = {}
    for tx in db.journal.read(header.start).transactions:
        for op in ops_of(tx):
            ops.setdefault(op[0], []).append(op)
    files: dict[str, FileEntry] = {}
    for name in sorted(set(names) | set(ops)):
        raw = raws.get(name, {"_meta": {"1": {"schema": header.schema, "through_gen": -1}}})
        meta = raw["_meta"]["1"]
        if int(meta["schema"]) == SCHEMA_VERSION:  # migrated before an interruption: it includes the journal
            files[name] = db.read_partition_file(name)[1]
            continue
        tables = {n: dict(raw.get(n, {})) for n in tables_of(name)}
        if header.gen >= int(meta.get("through_gen", -1)):
            for _part, table, doc_id, doc in ops.get(name, []):
                if doc is None:
                    tables[table].pop(doc_id, None)
                else:
                    tables[table][doc_id] = doc
        for version in range(int(meta["schema"]), SCHEMA_VERSION):
            MIGRATIONS[version](name, tables)
        data = {n: TableData(n, k, tables[n]) for n, k in tables_of(name).items()}
        files[name] = db.write_partition_file(name, data, header.gen)
    db.journal.create(header.gen + 1, SCHEMA_VERSION, header.log_seq, header.log_hash, files)
