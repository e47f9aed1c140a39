"""Divisions and people: registering them and recording what happens to them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from trainer.calendar import wareki
from trainer.errors import InputError
from trainer.model import DEFAULT_EMPLOYMENT_TYPES, Assignment, Division, Duty, Leave, LeaveKind, Staff
from trainer.service.core import DateLike, ServiceCore, guarded


class StaffUseCases(ServiceCore):
    """Divisions and staff: add, correct, transfer, leave, retire; the city's 任用区分."""

    def employment_types(self) -> list[str]:
        return list(self.register.setting("employment_types", list(DEFAULT_EMPLOYMENT_TYPES)))

    def set_employment_types(self, types: Iterable[str]) -> list[str]:
        """Replace the city's list of 任用区分; one still used by a staff member cannot go."""
        wanted = list(dict.fromkeys(t for t in (guarded(x, "任用区分") for x in types) if t))
        if not wanted:
            raise InputError("任用区分を1つ以上指定してください")
        with self.register.transaction():
            used = sorted({s.employment for s in self.register.all_staff()} - set(wanted))
            if used:
                raise InputError(
                    f"任用区分「{'、'.join(used)}」は登録済みの職員が使っているため消せません",
                    "その職員の任用区分を先に変更してください",
                )
            self.register.put_setting("employment_types", wanted)
            self._about("settings", "任用区分の一覧を変更: " + "、".join(wanted))
        return wanted

    # ------------------------------------------------------------------- staff
    def _check_employment(self, employment: str) -> str:
        value = guarded(employment, "任用区分")
        allowed = self.employment_types()
        if value not in allowed:
            import difflib  # (a suggestion for a mistyped name: loaded only then)

            close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.3)
            raise InputError(
                f"任用区分「{value}」は使えません",
                (f"「{close[0]}」のことですか？ " if close else "") + f"使える任用区分: {'、'.join(allowed)}",
            )
        return value

    @staticmethod
    def _check_duty(duty: str | Duty) -> Duty:
        try:
            return Duty(guarded(str(duty), "事務区分"))
        except ValueError as e:
            raise InputError(
                f"事務区分「{duty}」は使えません", f"使える事務区分: {'、'.join(d.value for d in Duty)}"
            ) from e

    def add_division(self, code: str, name: str, head_title: str = "", head_name: str = "") -> Division:
        code, name = guarded(code, "所属コード"), guarded(name, "所属名")
        if not code or not name:
            raise InputError("所属コードと所属名は空にできません")
        with self.register.transaction():
            if self.register.division(code) is not None:
                raise InputError(
                    f"所属コード「{code}」はすでにあります", "名前を変えるには division update を使ってください"
                )
            division = Division(code, name, guarded(head_title, "所属長の職名"), guarded(head_name, "所属長の氏名"))
            self.register.put_divisions([division])
            self._about("division_add", f"所属を登録: {code} {name}", division=code)
        return division

    def update_division(
        self, code: str, name: str | None = None, head_title: str | None = None, head_name: str | None = None
    ) -> Division:
        with self.register.transaction():
            current = self.division(code)
            updated = replace(
                current,
                name=guarded(name, "所属名") if name else current.name,
                head_title=guarded(head_title, "所属長の職名") if head_title is not None else current.head_title,
                head_name=guarded(head_name, "所属長の氏名") if head_name is not None else current.head_name,
            )
            self.register.put_divisions([updated])
            head = f"{updated.head_title} {updated.head_name}"
            self._about("division_update", f"所属を変更: {code} {updated.name}（所属長 {head}）", division=code)
        return updated

    def add_staff(
        self,
        staff_id: str,
        name: str,
        kana: str,
        division: str,
        title: str,
        employment: str,
        duty: str | Duty,
        hired: DateLike,
    ) -> Staff:
        sid = guarded(staff_id, "職員番号")
        if not sid:
            raise InputError("職員番号は空にできません")
        person = Staff(
            staff_id=sid,
            name=guarded(name, "氏名"),
            kana=guarded(kana, "カナ"),
            employment=self._check_employment(employment),
            hired=self._date(hired, "採用日"),
            assignments=(),
        )
        if not person.name:
            raise InputError("氏名は空にできません")
        with self.register.transaction():
            existing = self.register.staff(sid)
            if existing is not None:
                again = existing.retired is not None and existing.retired < person.hired
                raise InputError(
                    f"職員番号「{sid}」はすでに登録されています（{existing.name}）",
                    "同じ職員番号で再び採用するなら trainer staff rehire を使ってください"
                    if again
                    else "変更は trainer staff update を使ってください",
                )
            self.division(division)
            person = replace(
                person,
                assignments=(Assignment(person.hired, division, guarded(title, "職名"), self._check_duty(duty)),),
            )
            self.register.put_staff([person])
            self._about("staff_add", f"職員を登録: {sid} {person.name}（{division}）", staff=[sid], division=division)
        return person

    def update_staff(
        self,
        staff_id: str,
        name: str | None = None,
        kana: str | None = None,
        employment: str | None = None,
        title: str | None = None,
        duty: str | Duty | None = None,
        effective: DateLike | None = None,
        learner_id: str | None = None,
    ) -> Staff:
        """Correct a name, カナ, 任用区分 or the e-learning id; a new 職名 or 事務区分 starts on ``effective``."""
        with self.register.transaction():
            person = self.staff(staff_id)
            updated = replace(
                person,
                name=guarded(name, "氏名") if name else person.name,
                kana=guarded(kana, "カナ") if kana else person.kana,
                employment=self._check_employment(employment) if employment else person.employment,
                learner_id=self._learner_id(learner_id, person.staff_id)
                if learner_id is not None
                else person.learner_id,
            )
            if title is not None or duty is not None:
                day = self._date(effective, "適用日") if effective is not None else self.today()
                current = updated.assignment_on(day) or updated.current
                changed = Assignment(
                    day,
                    current.division,
                    guarded(title, "職名") if title is not None else current.title,
                    self._check_duty(duty) if duty is not None else current.duty,
                )
                updated = replace(updated, assignments=_with_assignment(updated, changed))
            self.register.put_staff([updated])
            self._about("staff_update", f"職員の情報を変更: {person.staff_id} {updated.name}", staff=[person.staff_id])
        return updated

    def _learner_id(self, value: str, staff_id: str) -> str:
        """An e-learning id: unique, and not another person's 職員番号 (a progress file is matched on both)."""
        wanted = guarded(value, "学習者ID").replace(" ", "")
        if not wanted:
            return ""
        for other in self.register.all_staff():
            if other.staff_id != staff_id and wanted in (other.learner_id, other.staff_id):
                raise InputError(f"学習者ID「{wanted}」は {other.staff_id} {other.name} さんのものです")
        return wanted

    def transfer(
        self, staff_id: str, division: str, on: DateLike, title: str | None = None, duty: str | Duty | None = None
    ) -> Staff:
        """From ``on`` the person works in ``division`` (the old division keeps the days before)."""
        day = self._date(on, "異動日")
        with self.register.transaction():
            person = self.staff(staff_id)
            self.division(division)
            if day < person.hired:
                raise InputError(f"異動日 {wareki(day)} が採用日 {wareki(person.hired)} より前です")
            if person.retired is not None and day > person.retired:
                raise InputError(f"異動日 {wareki(day)} は退職日 {wareki(person.retired)} より後です")
            current = person.assignment_on(day) or person.current
            if current.division == division and title is None and duty is None:
                raise InputError(f"{person.name} さんは {wareki(day)} にすでに所属「{division}」にいます")
            changed = Assignment(
                day,
                division,
                guarded(title, "職名") if title is not None else current.title,
                self._check_duty(duty) if duty is not None else current.duty,
            )
            updated = replace(person, assignments=_with_assignment(person, changed))
            self.register.put_staff([updated])
            self._about(
                "transfer",
                f"異動: {person.staff_id} {person.name} {current.division} → {division}（{wareki(day)}から）",
                staff=[person.staff_id],
                division=division,
            )
        return updated

    def leave(self, staff_id: str, kind: str, start: DateLike, end: DateLike | None = None) -> Staff:
        """Record a leave; with the same start again, set or correct its end (the return)."""
        try:
            leave_kind = LeaveKind(guarded(kind, "休業の種類"))
        except ValueError as e:
            raise InputError(
                f"休業の種類「{kind}」は使えません", f"使える種類: {'、'.join(k.value for k in LeaveKind)}"
            ) from e
        first = self._date(start, "開始日")
        last = self._date(end, "終了日") if end is not None else None
        if last is not None and last < first:
            raise InputError(f"終了日 {wareki(last)} が開始日 {wareki(first)} より前です")
        with self.register.transaction():
            person = self.staff(staff_id)
            if first < person.hired:
                raise InputError(f"開始日 {wareki(first)} が採用日 {wareki(person.hired)} より前です")
            others = [x for x in person.leaves if not (x.start == first and x.kind == leave_kind)]
            new = Leave(leave_kind, first, last)
            for other in others:
                if other.covers(first) or (other.start >= first and (last is None or other.start <= last)):
                    raise InputError(
                        f"{other.kind.value}（{wareki(other.start)}〜）と期間が重なっています",
                        "先に既存の休業の終了日を入れてください",
                    )
            updated = replace(person, leaves=tuple(sorted([*others, new], key=lambda x: x.start)))
            self.register.put_staff([updated])
            period = f"{wareki(first)}〜{wareki(last) if last else ''}"
            summary = f"休業: {person.staff_id} {person.name} {leave_kind.value} {period}"
            self._about("leave", summary, staff=[person.staff_id])
        return updated

    def retire(self, staff_id: str, on: DateLike) -> Staff:
        """``on`` is the last day in service (退職日)."""
        day = self._date(on, "退職日")
        with self.register.transaction():
            person = self.staff(staff_id)
            if day < person.hired:
                raise InputError(f"退職日 {wareki(day)} が採用日 {wareki(person.hired)} より前です")
            if person.retired is not None:
                raise InputError(f"{person.name} さんは {wareki(person.retired)} に退職済みです")
            updated = replace(person, retired=day)
            self.register.put_staff([updated])
            summary = f"退職: {person.staff_id} {person.name}（退職日 {wareki(day)}）"
            self._about("retire", summary, staff=[person.staff_id])
        return updated


def _with_assignment(person: Staff, new: Assignment) -> tuple[Assignment, ...]:
    """The person's assignments with ``new`` starting on its date (replacing one that starts then)."""
    kept = [a for a in person.assignments if a.start != new.start]
    return tuple(sorted([*kept, new], key=lambda a: a.start))
