"""Check the register against its change log: the hash chain, and that replaying the log gives
exactly the documents the register holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from trainer.errors import CorruptDatabaseError
from trainer.store.changelog import GENESIS, digest
from trainer.store.database import Database

SHOWN = 30


@dataclass(frozen=True, slots=True)
class Finding:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class LogCheck:
    entries: int = 0
    findings: list[Finding] = field(default_factory=list)
    state: dict[tuple[str, str, str], Any] = field(default_factory=dict)


def _differences(expected: Any, actual: Any) -> str:
    if expected is None:
        return "変更履歴にない文書があります（履歴を通さずに追加されています）"
    if actual is None:
        return "変更履歴にある文書がありません（履歴を通さずに削除されています）"
    fields = sorted(set(expected) | set(actual))
    diffs = [f"{k}: {expected.get(k)!r} → {actual.get(k)!r}" for k in fields if expected.get(k) != actual.get(k)]
    return "変更履歴と違います（" + "、".join(diffs[:4]) + "）"


def check_log(db: Database) -> LogCheck:
    """Walk every entry: sequence, chain and digest; replay the changes."""
    result = LogCheck()
    expected_seq = 1
    expected_prev: str | None = GENESIS  # None: a line could not be read, the chain restarts after it
    for kind, item in db.log_entries():
        if kind == "line":
            number, raw = item
            where = f"changelog.jsonl {number}行目"
            try:
                entry = orjson.loads(raw)
            except orjson.JSONDecodeError:
                result.findings.append(Finding(where, "JSON として読めません（書き換えられています）"))
                expected_prev = None
                continue
        else:
            entry = item
            where = f"journal.jsonl（記録 {entry.get('seq')}）"
        result.entries += 1
        seq = entry.get("seq")
        if isinstance(seq, int) and seq != expected_seq and not _explained_by_repair(entry, expected_seq):
            if seq > expected_seq:
                gap = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}〜{seq - 1}"
                result.findings.append(Finding(where, f"記録 {gap} がありません（削除されています）"))
            else:
                result.findings.append(Finding(where, f"記録 {seq} がこの位置にあります（並べ替えられています）"))
        if expected_prev is not None and entry.get("prev") != expected_prev:
            result.findings.append(Finding(where, "前の記録とのつながり（ハッシュ）が切れています"))
        if digest(entry) != entry.get("hash"):
            result.findings.append(Finding(where, "記録の内容が書き換えられています（ハッシュが一致しません）"))
        expected_seq = seq + 1 if isinstance(seq, int) else expected_seq + 1
        expected_prev = entry.get("hash")
        for part, table, doc_id, _before, after in entry.get("changes", ()):
            key = (part, table, doc_id)
            if after is None:
                result.state.pop(key, None)
            else:
                result.state[key] = after
    return result


def _explained_by_repair(entry: dict[str, Any], expected_seq: int) -> bool:
    """A repair's entry (itself chained and hashed) names the numbers it lost: not a deletion."""
    seq = entry.get("seq")
    return entry.get("action") == "repair" and entry.get("lost") == list(range(expected_seq, int(seq or 0)))


def check_register(db: Database, log: LogCheck) -> list[Finding]:
    """Every file against the manifest, and every document of the register against the replayed log."""
    actual: dict[tuple[str, str, str], Any] = {}
    twice: list[Finding] = []  # two documents under one key
    for name in db.load_all():
        for table in db.table_names(name):
            data = db.data(name, table)
            for doc_id, doc in data.docs.items():
                actual[(name, table, doc_id)] = doc
            try:
                data.refuse_duplicates()
            except CorruptDatabaseError as e:
                twice.append(Finding(f"{name}.json {table}", e.message))
    findings = [Finding(where, problem) for where, problem in db.findings] + twice
    for key in sorted(set(actual) | set(log.state)):
        if actual.get(key) != log.state.get(key):
            part, table, doc_id = key
            findings.append(
                Finding(f"{part}.json {table} 文書{doc_id}", _differences(log.state.get(key), actual.get(key)))
            )
    return findings
