"""Recording training: progress and completions, one person or many."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from trainer.calendar import fiscal_year_of, fy_end, fy_label, fy_start, wareki
from trainer.errors import InputError
from trainer.model import Progress, Record
from trainer.service.core import DateLike, ServiceCore, _every_item


class RecordUseCases(ServiceCore):
    """Progress and completions, one person or many."""

    # ---------------------------------------------------------------- progress
    def _check_record_date(self, day: date, fy: int) -> None:
        if day > self.today():
            raise InputError(
                f"{wareki(day)} は未来の日付です（今日は {wareki(self.today())}）", "修了した日を入れてください"
            )
        if not fy_start(fy) <= day <= fy_end(fy):
            raise InputError(
                f"{wareki(day)} は{fy_label(fy)}（{wareki(fy_start(fy))}〜{wareki(fy_end(fy))}）の外です",
                "--fy で年度を指定するか、日付を確認してください",
            )

    def record(
        self,
        staff_id: str,
        requirement: str,
        on: DateLike,
        percent: int | None = None,
        fiscal_year: int | str | None = None,
        replace_existing: bool = False,
        source: str = "cli",
    ) -> Record:
        """Record completion (no ``percent``, or 100) or progress (``percent`` 0–99)."""
        day = self._date(on, "日付")
        fy = self.fiscal_year(fiscal_year) if fiscal_year is not None else fiscal_year_of(day)
        req = self.requirement(requirement, fy)
        if percent is not None and not 0 <= percent <= 100:
            raise InputError(f"進捗 {percent}% は 0〜100 の範囲外です")
        self._check_record_date(day, fy)
        done = percent is None or percent == 100
        with self.register.transaction():
            person = self.staff(staff_id)
            if day < person.hired:
                raise InputError(f"{wareki(day)} は採用日 {wareki(person.hired)} より前です")
            existing = self.register.record(fy, person.staff_id, req.id)
            if existing is not None and existing.progress is Progress.COMPLETED and not replace_existing:
                raise InputError(
                    f"{person.name} さんの「{req.short_title}」は {wareki(existing.on)} に修了済みです",
                    "修了日を訂正するときは「修了日を訂正する」を選んでください（CLI では --replace）",
                )
            record = Record(
                person.staff_id,
                fy,
                req.id,
                Progress.COMPLETED if done else Progress.IN_PROGRESS,
                100 if done else int(percent or 0),
                day,
                source,
                _every_item(req) if done else (existing.items if existing else ()),  # progress keeps ticks
            )
            self.register.put_records([record])
            what = f"修了 {wareki(day)}" if done else f"進捗 {record.percent}%（{wareki(day)}）"
            summary = f"受講記録: {person.staff_id} {person.name} {req.short_title} {what}"
            self._about("record", summary, fy=fy, staff=[person.staff_id])
        return record

    def record_many(
        self,
        staff_ids: Iterable[str],
        requirement: str,
        on: DateLike,
        fiscal_year: int | str | None = None,
        source: str = "bulk",
    ) -> list[Record]:
        """Mark many people completed on one date: all of them, or none on any error."""
        day = self._date(on, "日付")
        fy = self.fiscal_year(fiscal_year) if fiscal_year is not None else fiscal_year_of(day)
        req = self.requirement(requirement, fy)
        self._check_record_date(day, fy)
        with self.register.transaction():
            records = []
            for sid in staff_ids:
                person = self.staff(sid)
                existing = self.register.record(fy, person.staff_id, req.id)
                if existing is not None and existing.progress is Progress.COMPLETED:
                    continue  # already completed: keep the earlier, true date
                records.append(
                    Record(person.staff_id, fy, req.id, Progress.COMPLETED, 100, day, source, _every_item(req))
                )
            self.register.put_records(records)
            self._about(
                "bulk_record",
                f"一括記録: {req.short_title} を {len(records)}人 修了（{wareki(day)}）",
                fy=fy,
                staff=[r.staff_id for r in records],
            )
        return records
