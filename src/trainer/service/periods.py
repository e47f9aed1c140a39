"""Periods of service and concurrent posts: re-appointment under the same 職員番号, a retirement
recorded by mistake cancelled, 兼務 in another division."""

from __future__ import annotations

from dataclasses import replace

from trainer.calendar import wareki
from trainer.errors import InputError
from trainer.model import Assignment, Concurrent, Duty, Period, Staff
from trainer.service.core import DateLike, guarded
from trainer.service.staff import StaffUseCases


class PeriodUseCases(StaffUseCases):
    """Re-appointing, cancelling a retirement, concurrent posts."""

    def rehire(
        self,
        staff_id: str,
        on: DateLike,
        division: str | None = None,
        employment: str | None = None,
        title: str | None = None,
        duty: str | Duty | None = None,
    ) -> Staff:
        """Appoint again, from ``on``, someone who retired (再採用, 再任用, a 会計年度任用職員's next
        appointment): the earlier period stays on record and a new one begins."""
        day = self._date(on, "再採用日")
        with self.register.transaction():
            person = self.staff(staff_id)
            if person.retired is None:
                raise InputError(
                    f"{person.name} さんは在職中です（{wareki(person.hired)} 採用、退職の記録なし）",
                    "退職を先に記録するか、異動・職名の変更として記録してください",
                )
            if day <= person.retired:
                raise InputError(f"再採用日 {wareki(day)} が退職日 {wareki(person.retired)} より後ではありません")
            last = person.assignment_on(person.retired) or person.current
            if division is not None:
                self.division(division)
            new = Assignment(
                day,
                division or last.division,
                guarded(title, "職名") if title is not None else last.title,
                self._check_duty(duty) if duty is not None else last.duty,
            )
            updated = replace(
                person,
                earlier=(*person.earlier, Period(person.hired, person.retired)),
                hired=day,
                retired=None,
                employment=self._check_employment(employment) if employment else person.employment,
                assignments=(*[a for a in person.assignments if a.start < day], new),
            )
            self.register.put_staff([updated])
            summary = (
                f"再採用: {person.staff_id} {person.name}（{wareki(day)}から {new.division}、{updated.employment}。"
                f"前の在職 {wareki(person.hired)}〜{wareki(person.retired)}）"
            )
            self._about("rehire", summary, staff=[person.staff_id], division=new.division)
        return updated

    def cancel_retirement(self, staff_id: str) -> Staff:
        """Take back a retirement recorded by mistake (the change log keeps both)."""
        with self.register.transaction():
            person = self.staff(staff_id)
            if person.retired is None:
                raise InputError(f"{person.name} さんに取り消す退職の記録はありません")
            updated = replace(person, retired=None)
            self.register.put_staff([updated])
            summary = f"退職の取り消し: {person.staff_id} {person.name}（退職日 {wareki(person.retired)} を取り消し）"
            self._about("retire_cancel", summary, staff=[person.staff_id])
        return updated

    def concurrent_post(
        self,
        staff_id: str,
        division: str,
        start: DateLike,
        end: DateLike | None = None,
        title: str = "",
    ) -> Staff:
        """兼務: the person also holds a post in ``division`` from ``start`` (to ``end``). With the
        same division and start again, the end (or the 職名) is set or corrected."""
        first = self._date(start, "兼務の開始日")
        last = self._date(end, "兼務の終了日") if end is not None else None
        if last is not None and last < first:
            raise InputError(f"兼務の終了日 {wareki(last)} が開始日 {wareki(first)} より前です")
        with self.register.transaction():
            person = self.staff(staff_id)
            self.division(division)
            if not person.active_on(first):
                raise InputError(f"{person.name} さんは {wareki(first)} に在職していません")
            main = person.assignment_on(first)
            if main is not None and main.division == division:
                raise InputError(f"{division} は {person.name} さんの本務の所属です（兼務にはできません）")
            others = [c for c in person.concurrent if not (c.division == division and c.start == first)]
            for other in others:
                overlap = other.division == division and (other.end is None or other.end >= first)
                if overlap and (last is None or other.start <= last):
                    raise InputError(f"所属 {division} の兼務（{wareki(other.start)}〜）と期間が重なっています")
            new = Concurrent(division, first, last, guarded(title, "職名"))
            updated = replace(person, concurrent=tuple(sorted([*others, new], key=lambda c: (c.start, c.division))))
            self.register.put_staff([updated])
            period = f"{wareki(first)}〜{wareki(last) if last else ''}"
            self._about(
                "concurrent",
                f"兼務: {person.staff_id} {person.name} → {division}（{period}）",
                staff=[person.staff_id],
                division=division,
            )
        return updated
