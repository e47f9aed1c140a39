"""The audit trail: verify the chain and the register, read the change log, restore a backup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from trainer.errors import CorruptDatabaseError, InputError
from trainer.files import input_file
from trainer.guard import checked, checked_path
from trainer.progress import Task
from trainer.service.core import DateLike, ServiceCore, _file_digest, guarded
from trainer.store.database import Database
from trainer.store.lock import DEFAULT_TIMEOUT
from trainer.store.register import Register

if TYPE_CHECKING:  # loaded by verify and repair themselves: most commands never need them
    from trainer.store.repair import RepairReport
    from trainer.store.verify import Finding


@dataclass(frozen=True)
class Verification:
    entries: int
    signoffs: int
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class AnchorCheck:
    seq: int
    ok: bool
    message: str
    entry: dict[str, Any] | None


class TrailUseCases(ServiceCore):
    """The audit trail: verifying the register, reading the change log, restoring a backup."""

    def verify(self, task: Task | None = None) -> Verification:
        """The change log's chain, the register against the log, and every signed roster's code."""
        from trainer import signoff
        from trainer.store.verify import Finding, check_log, check_register

        task = task or Task()
        with self.register.db.reading():  # hold the lock: nobody writes while we check
            task.report(0, 3, "変更履歴を確認中")
            log = check_log(self.register.db)
            task.report(1, 3, "データベースと変更履歴を照合中")
            findings = [*log.findings, *check_register(self.register.db, log)]
            task.report(2, 3, "署名済みの名簿を確認中")
            signoffs = self.register.signoffs()
            for doc in signoffs:
                if signoff.frozen_code(doc["frozen"]) != doc["code"]:
                    findings.append(
                        Finding(
                            f"署名 {doc['code']}（{doc['division']}）",
                            "署名した名簿の内容が名簿コードと一致しません（書き換えられています）",
                        )
                    )
        task.report(3, 3, "完了")
        return Verification(log.entries, len(signoffs), findings)

    def verify_anchor(self, anchor: str) -> AnchorCheck:
        """Whether the change log still holds the entry a printed document anchors to (``No.SEQ HASH``),
        with the same hash: a history rewritten after printing fails against the paper."""
        from trainer import signoff

        parsed = signoff.parse_anchor(anchor)
        if parsed is None:
            raise InputError(
                f"「{anchor}」は変更履歴のアンカーとして読めません",
                "書類に印刷された「変更履歴 No.1234 7F3A-9C2E-1B4D-5E6F」の No. から後を入れてください",
            )
        seq, prefix = parsed
        for entry in self._entries():
            if entry.get("seq") != seq:
                continue
            digest = str(entry.get("hash", ""))
            if digest.startswith(prefix):
                return AnchorCheck(
                    seq, True, f"記録 No.{seq}（{entry.get('at', '')}）は印刷されたときのままです", entry
                )
            return AnchorCheck(
                seq,
                False,
                f"記録 No.{seq} の内容が、書類を印刷したときと違います（変更履歴が書き換えられています）",
                entry,
            )
        return AnchorCheck(
            seq, False, f"記録 No.{seq} が変更履歴にありません（履歴が消されたか、別のデータベースの書類です）", None
        )

    def _entries(self) -> Iterator[dict[str, Any]]:
        for kind, item in self.register.db.log_entries():
            yield item if kind == "entry" else orjson.loads(item[1])

    def log(
        self,
        fiscal_year: int | str | None = None,
        staff_id: str | None = None,
        division: str | None = None,
        since: DateLike | None = None,
    ) -> list[dict[str, Any]]:
        """Change-log entries, newest first, filtered (by year, person, division, date)."""
        fy = self.fiscal_year(fiscal_year) if fiscal_year is not None else None
        first = self._date(since, "開始日") if since is not None else None
        sid = guarded(staff_id, "職員番号") if staff_id else None
        if division is not None:
            checked(division, "所属コード")
        entries = []
        for entry in self._entries():
            if not _log_matches(entry, fy, sid, division, first):
                continue
            entries.append(
                {k: v for k, v in entry.items() if k != "changes"} | {"count": len(entry.get("changes", ()))}
            )
        entries.reverse()
        return entries

    def recent_changes(self, count: int = 8) -> list[dict[str, Any]]:
        """The newest change-log entries, newest first, without their documents (for the dashboard)."""
        return self.register.db.recent_log_entries(count)

    @staticmethod
    def repair(
        db_path: Path, lock_timeout: float = DEFAULT_TIMEOUT, now: Callable[[], datetime] | None = None
    ) -> RepairReport:
        """Make a register with a damaged journal open again: back it up, move the damaged bytes
        aside into a file in its folder and log which changes were lost (see trainer.store.repair).

        Nothing is done to a register that needs no repair. The repaired register is opened once,
        to show that it opens.
        """
        from trainer.store.repair import repair as repair_register

        report = repair_register(Path(db_path), now, lock_timeout)
        if report.repaired:
            Register.open(Path(db_path), create=False, lock_timeout=lock_timeout, clock=now).close()
        return report

    def restore(self, path: Path) -> Path:
        """Restore a backup (the current state is backed up first), and log that it happened."""
        input_file(checked_path(Path(path), "バックアップの名前"), "バックアップ")
        before = self.register.db.restore(Path(path))
        self._log_restore(Path(path), before)
        return before

    @classmethod
    def restore_into(
        cls, db_path: Path, path: Path, catalog_dir: Path | None = None, lock_timeout: float = DEFAULT_TIMEOUT
    ) -> Path:
        """:meth:`restore` for the CLI: into the register at ``db_path`` (made when missing), also
        when it no longer opens because main.json or the journal is damaged or gone."""
        input_file(checked_path(Path(path), "バックアップの名前"), "バックアップ")
        try:
            service = cls.open(Path(db_path), catalog_dir, lock_timeout=lock_timeout)
        except CorruptDatabaseError:
            before = Database.restore_unopened(Path(db_path), Path(path), lock_timeout)
            service = cls.open(Path(db_path), catalog_dir, create=False, lock_timeout=lock_timeout)
            try:
                service._log_restore(Path(path), before)
            finally:
                service.close()
            return before
        try:
            return service.restore(Path(path))
        finally:
            service.close()

    def _log_restore(self, path: Path, before: Path) -> None:
        with self.register.transaction():
            self._about(
                "restore",
                f"バックアップから戻しました: {Path(path).name}（戻す前の状態は {before.name}）",
                always=True,
                file=str(path),
                digest=_file_digest(Path(path)),
            )


def _log_matches(
    entry: dict[str, Any], fy: int | None, staff_id: str | None, division: str | None, since: date | None
) -> bool:
    if since is not None and entry.get("at", "")[:10] < since.isoformat():
        return False
    changes = entry.get("changes", ())
    if fy is not None and entry.get("fy") != fy and not any(c[0] == f"fy{fy}" for c in changes):
        return False
    if staff_id is not None:
        mentioned = staff_id in entry.get("staff", ()) or any(
            (c[4] or c[3] or {}).get("staff_id") == staff_id for c in changes
        )
        if not mentioned:
            return False
    if division is not None:
        in_division = entry.get("division") == division or any(
            c[1] == "staff" and any(a.get("division") == division for d in (c[3], c[4]) if d for a in d["assignments"])
            for c in changes
        )
        if not in_division:
            return False
    return True
