"""What the register's folder holds: its partitions, their tables, and the partition file format.

A partition is one JSON file in TinyDB's format: ``main.json`` (divisions, staff, settings),
``signoffs.json`` and one ``fyNNNN.json`` per fiscal year (records, exemptions). Each starts with
``_meta`` saying its schema, its name and the journal generation it includes (``through_gen``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson

from trainer.errors import CorruptDatabaseError, SchemaVersionError
from trainer.store.tables import TableData

SCHEMA_VERSION = 3
MAIN = "main"
SIGNOFFS = "signoffs"

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
SIGNOFF_TABLES: dict[str, tuple[str, ...]] = {"signoffs": ("code",)}


def year_partition(fiscal_year: int) -> str:
    return f"fy{fiscal_year}"


def tables_of(partition: str) -> dict[str, tuple[str, ...]]:
    if partition == MAIN:
        return MAIN_TABLES
    return SIGNOFF_TABLES if partition == SIGNOFFS else YEAR_TABLES


def is_partition_name(name: str) -> bool:
    return name in (MAIN, SIGNOFFS) or (name.startswith("fy") and name[2:].isdigit() and len(name) == 6)


def partition_files(folder: Path) -> list[Path]:
    """The partition files on disk: main.json, signoffs.json (once there is one), fy*.json."""
    signoffs = folder / f"{SIGNOFFS}.json"
    return [
        folder / f"{MAIN}.json",
        *([signoffs] if signoffs.exists() else []),
        *sorted(p for p in folder.glob("fy*.json") if is_partition_name(p.stem)),
    ]


def digest(data: bytes) -> str:
    """A partition file's fingerprint, as the manifest keeps it."""
    return hashlib.sha256(data).hexdigest()


def encode_partition(name: str, tables: dict[str, TableData], through: int) -> bytes:
    """A partition file's bytes: TinyDB's JSON, one document per line, ids in order.

    ``_meta`` says where each table's lines are (``tables``: byte offsets of the first line's
    newline and of the closing one), so a reader can pick a table out without scanning for it.
    """
    body: list[bytes] = []
    spans: dict[str, list[int]] = {}
    size = 0
    for table_name, data in tables.items():
        header = b',\n"%s": {' % table_name.encode()
        ids = sorted(data.docs, key=int)
        lines = [b'\n"%s": %s' % (doc_id.encode(), orjson.dumps(data.docs[doc_id])) for doc_id in ids]
        content = b",".join(lines)
        start = size + len(header)
        spans[table_name] = [start, start + len(content)]
        body += [header, content, b"\n}" if ids else b"}"]
        size += len(header) + len(content) + (2 if ids else 1)
    meta: dict[str, Any] = {"schema": SCHEMA_VERSION, "partition": name, "through_gen": through}
    head = b""
    offset = -1
    while len(head) != offset:  # the offsets hold the meta's own length: a second pass settles it
        offset = len(head)
        meta["tables"] = {n: [offset + a, offset + b] for n, (a, b) in spans.items()}
        head = b'{\n"_meta": {"1": ' + orjson.dumps(meta) + b"}"
    return b"".join([head, *body, b"\n}\n"])


def check_meta(path: Path, meta: Any, hint: str) -> dict[str, Any]:
    """A partition file's ``_meta`` document, checked: its schema and generation are integers, and
    the schema is one this trainer reads."""
    if not isinstance(meta, dict) or "schema" not in meta:
        raise CorruptDatabaseError(f"データベースのファイルに版の情報（_meta）がありません: {path}", hint)
    for key in ("schema", "through_gen"):
        value = meta.get(key, -1)
        if not isinstance(value, int) or isinstance(value, bool):
            raise CorruptDatabaseError(
                f"データベースのファイルの版の情報（_meta の {key}）が整数ではありません: {path}: {value!r}", hint
            )
    if meta["schema"] > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path} は新しい版の trainer（スキーマ {meta['schema']}）で作られています"
            f"（この trainer はスキーマ {SCHEMA_VERSION} まで）",
            "trainer を新しい版に更新してください。ファイルは変更していません",
        )
    return meta


def decode_partition(path: Path, data: bytes, hint: str) -> dict[str, Any]:
    """A partition file's tables, checked for shape and schema (``hint`` says what to do if not)."""
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise CorruptDatabaseError(
            f"データベースのファイルが壊れています（JSON として読めません）: {path}: {e}", hint
        ) from e
    if not isinstance(raw, dict) or not all(isinstance(t, dict) for t in raw.values()):
        raise CorruptDatabaseError(f"データベースのファイルの形が違います: {path}", hint)
    check_meta(path, raw.get("_meta", {}).get("1"), hint)
    for name, table in raw.items():
        if name != "_meta" and not all(isinstance(doc, dict) for doc in table.values()):
            raise CorruptDatabaseError(f"データベースのファイルの {name} に文書でない値があります: {path}", hint)
    return raw
