"""The register's side of the change log: reading it, flushing the journal's entries into it,
cutting off a torn last line, and the baseline of a register that had none.

Reads take a consistent snapshot under the lock (the file's complete lines as they end now, and
the journal's newer entries) and release it before handing out the first entry, so a caller may
take its time (the TUI's person history, ``trainer log``) without holding writers up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from trainer.errors import CorruptDatabaseError
from trainer.store.changelog import GENESIS, ChangeLogFile, Head, LogLines, entry_summary, tail_lines
from trainer.store.changelog import digest as log_digest
from trainer.store.faults import reported
from trainer.store.journal import Journal
from trainer.store.lock import os_user

CHANGELOG_NAME = "changelog.jsonl"


class History:
    """Change-log methods of :class:`~trainer.store.database.Database` (which provides these)."""

    changelog: ChangeLogFile
    journal: Journal
    inspect: bool
    findings: list[tuple[str, str]]
    clock: Callable[[], datetime]
    _journal_start: int
    _journal_log_seq: int
    _log_head: Head

    if TYPE_CHECKING:  # provided by Database

        def reading(self) -> AbstractContextManager[None]: ...

        def load_all(self) -> list[str]: ...

        def _all_documents(self) -> Iterator[tuple[str, str, str, Any]]: ...

    def log_entries(self) -> Iterator[tuple[str, Any]]:
        """Every change-log entry, oldest first: ("line", (number, raw bytes)) from the file,
        then ("entry", dict) for the journal's entries not yet in the file.

        A consistent snapshot is taken under the lock, which is released before the first entry
        is handed out.
        """
        with self.reading(), reported("変更履歴の読み込み"):
            lines = self.changelog.snapshot()
            try:
                newer = self._journal_log_entries(self.changelog.head().seq)
            except BaseException:
                lines.close()
                raise
        return _entries(lines, newer)

    def recent_log_entries(self, count: int) -> list[dict[str, Any]]:
        """The newest ``count`` entries, newest first, without their documents and without
        reading the whole log file (for the dashboard)."""
        with self.reading(), reported("変更履歴の読み込み"):
            end = self.changelog.complete_end()
            in_file = [entry_summary(line) for line in tail_lines(self.changelog.path, count, end)]
            newest = in_file[-1]["seq"] if in_file else 0
            entries = [*in_file, *self._journal_log_entries(newest)][-count:]
        return [{k: v for k, v in e.items() if k != "changes"} for e in reversed(entries)]

    def log_entries_after(self, seq: int, limit: int) -> list[dict[str, Any]] | None:
        """The entries after ``seq``, oldest first, with their documents — for a derived cache
        catching up. None when there are more than ``limit`` or the log no longer holds them all
        (the caller then starts again from the register itself)."""
        head = self._log_head.seq
        if head - seq > limit or head < seq:
            return None
        if head == seq:
            return []
        with self.reading(), reported("変更履歴の読み込み"):
            in_file_head = self._journal_log_seq  # entries after it are in the journal
            entries = self._journal_log_entries(max(seq, in_file_head))
            if seq < in_file_head:
                end = self.changelog.complete_end()
                lines = tail_lines(self.changelog.path, in_file_head - seq, end)
                entries = [*(orjson.loads(line) for line in lines), *entries]
        entries = sorted((e for e in entries if int(e["seq"]) > seq), key=lambda e: int(e["seq"]))
        if [int(e["seq"]) for e in entries] != list(range(seq + 1, head + 1)):
            return None
        return entries

    def _journal_log_entries(self, after_seq: int) -> list[dict[str, Any]]:
        """The change-log entries in the journal with a seq after ``after_seq``."""
        return [
            tx["log"]
            for tx in self.journal.read(self._journal_start).transactions
            if tx.get("log") and int(tx["log"]["seq"]) > after_seq
        ]

    def _repair_log_tail(self) -> None:
        """Cut off the incomplete last line a killed checkpoint left, if the journal still has it."""
        torn = self.changelog.torn_tail()
        if torn is None:
            return
        offset, fragment = torn
        if any(orjson.dumps(e).startswith(fragment) for e in self._journal_log_entries(0)):
            self.changelog.cut(offset)
            return
        message = (
            f"変更履歴 {self.changelog.path} の最後の {len(fragment)}バイト（{offset}バイト目から）は"
            "途中で切れた行で、ジャーナルにもその記録がありません"
        )
        if self.inspect:
            self.findings.append((CHANGELOG_NAME, message))
            return
        raise CorruptDatabaseError(
            message, "trainer repair でその部分を別のファイルに移せます（先にバックアップします）"
        )

    def _flush_log_to_file(self) -> None:
        """Append the journal's change-log entries that the file does not have yet."""
        self._repair_log_tail()
        self.changelog.append(self._journal_log_entries(self.changelog.head().seq))

    def _start_log_if_missing(self) -> None:
        """A register written before the change log existed gets a baseline: its whole state."""
        if self._log_head.seq != 0 or self.changelog.path.exists():
            return
        self.load_all()
        changes = [[part, table, doc_id, None, doc] for part, table, doc_id, doc in self._all_documents()]
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


def _entries(lines: LogLines, newer: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Hand out a log snapshot: the file's lines, then the journal's newer entries."""
    with reported("変更履歴の読み込み"):
        yield from (("line", line) for line in lines)
    yield from (("entry", entry) for entry in newer)
