"""``trainer repair``: make a register with a damaged journal open again, explicitly.

Nothing is zeroed or deleted. Under the lock, after a backup of every file as it is:

1. the damaged bytes (from the damage to the end of the journal's content, intact lines after
   it included) are copied into ``journal.damaged-<stamp>.bin`` in the register's folder;
2. the journal is replaced (atomically) by its intact part, followed by one transaction whose
   change-log entry (action ``repair``) says where the damage was, which change-log numbers were
   lost (the damaged transaction and every one after it: they may depend on it), and where the
   bytes were kept; ``verify`` accepts the gap that entry explains, and no number is reused.

A last change-log line cut short that the journal does not explain is moved aside the same way
(``changelog.damaged-<stamp>.bin``). A repair that would have to throw away more than the
journal's damaged part (a checkpoint had already written files or change-log entries past the
damage, or the journal's header itself is damaged) is refused: restore a backup instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from trainer.errors import StoreError
from trainer.store.backups import STAGED, Backups
from trainer.store.changelog import ChangeLogFile, Head, encode_entry
from trainer.store.faults import reported
from trainer.store.files import atomic_write
from trainer.store.journal import FIRST_ROOM, Damage, Journal, encode_line
from trainer.store.layout import partition_files
from trainer.store.lock import DEFAULT_TIMEOUT, DatabaseLock, local_now, os_user
from trainer.store.manifest import Manifest


@dataclass
class RepairReport:
    """What a repair found and did."""

    damage: Damage | None = None
    lost: list[int] = field(default_factory=list)  # change-log numbers lost
    more_unknown: bool = False  # the journal was cut: more may have stood after what is known
    described: list[dict[str, Any]] = field(default_factory=list)  # legible lost entries: seq, at, summary
    aside: Path | None = None  # where the damaged bytes were kept
    backup: Path | None = None
    log_tail: int = 0  # bytes of a torn change-log line moved aside

    @property
    def repaired(self) -> bool:
        return self.aside is not None


def repair(folder: Path, clock: Any = None, lock_timeout: float = DEFAULT_TIMEOUT) -> RepairReport:
    """Repair the register in ``folder`` (see the module's notes); returns what was done."""
    folder = Path(folder)
    if not (folder / "main.json").is_file():
        raise StoreError(f"データベースがありません: {folder}", "--db でデータベースのフォルダを指定してください")
    lock = DatabaseLock(folder, lock_timeout)
    with lock.held(), reported("修復", "ファイルは変更していないか、変更前のバックアップがあります"):
        try:
            return _repair(folder, clock or local_now)
        finally:
            lock.close()


def _repair(folder: Path, clock: Any) -> RepairReport:
    backups = Backups(folder)
    backups.finish_pending()  # a restore a crash interrupted comes first, as on every open
    journal = Journal(folder / "journal.jsonl")
    try:
        header = journal.read_header()
        found = journal.scan(header.start)
        report = RepairReport(found.damage)
        changelog = ChangeLogFile(folder / "changelog.jsonl")
        head = Head(header.log_seq, header.log_hash or "") if header.log_seq is not None else changelog.head()
        manifest = Manifest(folder, header.files)
        for tx in found.transactions:
            if "checkpoint" in tx:
                manifest.intend(str(tx["file"]), str(tx["sha256"]))
            elif isinstance(tx.get("log"), dict):
                head = Head(int(tx["log"]["seq"]), str(tx["log"]["hash"]))
        seq = max([0, *(int(tx.get("seq", 0)) for tx in found.transactions)]) + 1
        if found.damage is None:
            cut = _move_log_tail_aside(folder, changelog, found.transactions, backups, report, clock)
            if cut is not None and report.aside and report.backup:
                summary = (
                    f"変更履歴の最後の、途中で切れた行（{report.log_tail}バイト）を {report.aside.name} に移しました"
                )
                line, at = _entry(head, [], clock, summary, file=report.aside.name, backup=report.backup.name)
                journal.append({"seq": seq, "at": at, "log": orjson.Fragment(line)}, found.end)
                changelog.cut(cut)  # last: until the entry is in, the next open still refuses
            return report
    finally:
        journal.close()
    damage = found.damage
    _refuse_if_more_would_be_lost(folder, manifest, changelog, head, backups)

    after = damage.transactions_after()
    known = [int(tx["log"]["seq"]) for tx in after if isinstance(tx.get("log"), dict)]
    if damage.damaged_log_seq is not None:
        known.append(damage.damaged_log_seq)
    report.lost = list(range(head.seq + 1, max([head.seq + 1, *known]) + 1))
    report.more_unknown = not after and "切り詰め" in damage.reason
    report.described = [{k: tx["log"].get(k) for k in ("seq", "at", "summary")} for tx in after if "log" in tx]
    report.backup = backups.make("before-repair")
    data = (folder / "journal.jsonl").read_bytes()
    report.aside = folder / f"journal.damaged-{clock().strftime('%Y%m%d-%H%M%S')}.bin"
    atomic_write(report.aside, data[damage.offset : damage.end])
    lost = "、".join(map(str, report.lost)) + ("（そのあとにもあったかもしれません）" if report.more_unknown else "")
    line, at = _entry(
        head,
        report.lost,
        clock,
        f"ジャーナルの壊れた部分（{damage.offset}バイト目から {damage.size}バイト、{damage.reason}）を"
        f" {report.aside.name} に移しました。失われた変更: 記録 {lost}",
        file=report.aside.name,
        offset=damage.offset,
        bytes=damage.size,
        backup=report.backup.name,
    )
    payload = encode_line({"seq": seq, "at": at, "log": orjson.Fragment(line)})
    atomic_write(folder / "journal.jsonl", data[: damage.offset] + payload + b"\0" * FIRST_ROOM)
    return report


def _refuse_if_more_would_be_lost(
    folder: Path, manifest: Manifest, changelog: ChangeLogFile, head: Head, backups: Backups
) -> None:
    """A checkpoint that had already written past the damage: cutting the journal is not enough."""
    problems = [problem for _name, problem in manifest.file_problems()]
    for path in partition_files(folder):
        if path.exists() and (problem := manifest.problem(path.stem, path.read_bytes())):
            problems.append(problem)
    if changelog.head().seq > head.seq:
        problems.append(f"{changelog.path} にはジャーナルの壊れた部分より新しい記録があります")
    if (folder / STAGED).exists():
        problems.append("復元の途中です")
    if problems:
        raise StoreError(
            "ジャーナルの壊れた部分を移すだけでは直せません: " + " / ".join(problems),
            backups.restore_hint(),
        )


def _move_log_tail_aside(
    folder: Path,
    changelog: ChangeLogFile,
    transactions: list[dict[str, Any]],
    backups: Backups,
    report: RepairReport,
    clock: Any,
) -> int | None:
    """Copy aside a torn last change-log line the journal does not explain; where to cut it (None: none)."""
    torn = changelog.torn_tail()
    if torn is None:
        return None
    offset, fragment = torn
    entries = [tx["log"] for tx in transactions if isinstance(tx.get("log"), dict)]
    if any(orjson.dumps(e).startswith(fragment) for e in entries):
        return None  # a torn append that the next open completes from the journal by itself
    report.backup = backups.make("before-repair")
    report.aside = folder / f"changelog.damaged-{clock().strftime('%Y%m%d-%H%M%S')}.bin"
    report.log_tail = len(fragment)
    atomic_write(report.aside, fragment)
    return offset


def _entry(head: Head, lost: list[int], clock: Any, summary: str, **refs: Any) -> tuple[bytes, str]:
    """The repair's change-log entry (JSON with its hash) and its time; its number follows the lost ones."""
    now = clock().isoformat(timespec="seconds")
    body = {
        "seq": max([head.seq, *lost]) + 1,
        "at": now,
        "user": os_user(),
        "action": "repair",
        "summary": summary,
        "lost": lost,
        **refs,
        "changes": [],
        "prev": head.hash,
    }
    return encode_entry(body)[0], now
