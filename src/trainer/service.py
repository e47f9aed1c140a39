"""The use cases: the one door through which the CLI, the TUI and the tests reach the register.

Nothing here prints. Every method validates its input completely before it writes, writes in
one transaction, and raises a :class:`~trainer.errors.TrainerError` with what went wrong and
what to do.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from trainer import rules, signoff
from trainer.calendar import fiscal_year_of, fy_end, fy_label, fy_start, parse_date, parse_fiscal_year, wareki
from trainer.catalog import find_requirement, load_catalog, suggest_requirement
from trainer.demo import build_demo
from trainer.errors import InputError, NotFoundError, TrainerError
from trainer.exporters import ExportResult
from trainer.exporters import export as export_status
from trainer.importers import progress, roster
from trainer.importers.columns import Column, load_mapping
from trainer.importers.progress import RecordPlan
from trainer.importers.roster import RosterPlan
from trainer.importers.table import read_table
from trainer.model import (
    ALL_REQUIREMENTS,
    DEFAULT_EMPLOYMENT_TYPES,
    Assignment,
    Catalog,
    Division,
    Duty,
    Exemption,
    Leave,
    LeaveKind,
    Progress,
    Record,
    Requirement,
    Staff,
    State,
)
from trainer.perf import gc_paused
from trainer.progress import Task
from trainer.reports import build as reports_build
from trainer.reports import render, views
from trainer.store.lock import DEFAULT_TIMEOUT, describe_holder
from trainer.store.register import Register
from trainer.store.verify import Finding, check_log, check_register
from trainer.text import free_text, standard

DateLike = date | str

# The settings a city sets once: key -> what it is for.
SETTINGS: dict[str, str] = {
    "organization": "団体名（レポートの表紙・名簿に出ます）",
    "operator": "作業者の名前（変更履歴に残ります）",
}


@dataclass(frozen=True)
class PersonView:
    staff: Staff
    fiscal_year: int
    status: rules.PersonStatus | None
    records: dict[str, Record]
    exemptions: list[Exemption]


@dataclass(frozen=True)
class Verification:
    entries: int
    signoffs: int
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class SheetRow:
    """One member of a division on its checkpoint sheet: their state and what they confirmed."""

    person: rules.PersonStatus
    status: rules.RequirementStatus
    record: Record | None


@dataclass(frozen=True)
class CheckpointSheet:
    """A division's checkpoint sheet for a year: its sections and items, and who confirmed it when."""

    fiscal_year: int
    as_of: date
    division: Division
    sheet: Requirement
    rows: list[SheetRow]

    @property
    def item_count(self) -> int:
        return len(_every_item(self.sheet))

    @property
    def completed(self) -> int:
        return sum(row.status.state is State.COMPLETED for row in self.rows)

    def pending(self) -> set[str]:
        """Staff ids of the members who have not completed it."""
        return {row.person.staff.staff_id for row in self.rows if row.status.state is not State.COMPLETED}


@dataclass(frozen=True)
class StatusReport:
    fiscal_year: int
    as_of: date
    people: list[rules.PersonStatus]
    summary: rules.Summary
    divisions: dict[str, Division]
    catalog: Catalog


def normalize_text(text: str) -> str:
    """Half-width カナ and 全角 digits made standard, names' own kanji kept (see trainer.text)."""
    return standard(text)


def _date(value: DateLike, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return parse_date(value)
    except TrainerError as e:
        raise InputError(f"{what}: {e.message}", e.hint) from e


class Service:
    """Open with :meth:`open`; ``today`` can be fixed for tests and demos."""

    def __init__(self, register: Register, catalog: Catalog, today: Callable[[], date] = date.today) -> None:
        self.register = register
        self.catalog = catalog
        self._today = today

    @classmethod
    def open(
        cls,
        db_path: Path,
        catalog_dir: Path | None = None,
        today: Callable[[], date] = date.today,
        create: bool = True,
        lock_timeout: float = DEFAULT_TIMEOUT,
        now: Callable[[], datetime] | None = None,
    ) -> Service:
        """``today`` dates the rules; ``now`` stamps the change log, sign-offs and reports."""
        catalog = load_catalog(catalog_dir)
        return cls(Register.open(db_path, create=create, lock_timeout=lock_timeout, clock=now), catalog, today)

    def close(self) -> None:
        self.register.close()

    # ------------------------------------------------------------------ basics
    def _about(self, action: str, summary: str, always: bool = False, **refs: Any) -> None:
        """Describe the open transaction for the change log (who: the OS user and the operator)."""
        operator = self.register.setting("operator", "")
        self.register.db.describe(action, summary, always, operator=operator or None, **refs)

    def today(self) -> date:
        return self._today()

    def lock_holder(self) -> str | None:
        """Who else is writing to the register right now (an import from the CLI, say), in words."""
        info = self.register.db.lock.other_holder()
        return describe_holder(info) if info is not None else None

    def written_elsewhere(self) -> tuple[int, int] | None:
        """Whether another process (a CLI import, another coordinator) changed the register since
        this one last read it: a mark that changes with each such change, or None."""
        return self.register.db.written_elsewhere()

    def set_lock_timeout(self, seconds: float) -> None:
        """How long a write waits for another process's lock before it gives up with who holds it."""
        self.register.db.lock.timeout = seconds

    def now(self) -> datetime:
        return self.register.db.clock()

    def fiscal_year(self, value: int | str | None = None) -> int:
        """The fiscal year given (2026, "令和8年度" …), or the current one."""
        if value is None or value == "":
            return fiscal_year_of(self.today())
        try:
            return parse_fiscal_year(value)
        except TrainerError as e:
            raise InputError(f"年度: {e.message}", e.hint) from e

    def employment_types(self) -> list[str]:
        return list(self.register.setting("employment_types", list(DEFAULT_EMPLOYMENT_TYPES)))

    def set_employment_types(self, types: Iterable[str]) -> list[str]:
        """Replace the city's list of 任用区分; one still used by a staff member cannot go."""
        wanted = list(dict.fromkeys(t for t in (normalize_text(x) for x in types) if t))
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

    def requirement(self, name: str) -> Requirement:
        found = find_requirement(self.catalog, name)
        if found is None:
            close = suggest_requirement(self.catalog, name)
            ids = "、".join(r.id for r in self.catalog)
            raise NotFoundError(
                f"研修「{name}」はカタログにありません",
                (f"「{close}」のことですか？ " if close else "") + f"使える研修: {ids}",
            )
        return found

    def division(self, code: str) -> Division:
        self.register.refresh()
        found = self.register.division(code)
        if found is None:
            codes = [d.code for d in self.register.divisions()]
            close = difflib.get_close_matches(code, codes, n=3)
            raise NotFoundError(
                f"所属コード「{code}」はありません",
                f"近いコード: {'、'.join(close)}" if close else "trainer division list で一覧を確認してください",
            )
        return found

    def staff(self, staff_id: str) -> Staff:
        self.register.refresh()
        sid = normalize_text(staff_id)
        found = self.register.staff(sid)
        if found is None:
            close = difflib.get_close_matches(sid, self.register.staff_ids(), n=3)
            raise NotFoundError(
                f"職員番号「{sid}」の職員はいません",
                f"近い職員番号: {'、'.join(close)}" if close else "trainer staff list で一覧を確認してください",
            )
        return found

    # ------------------------------------------------------------------ status
    def status(
        self, fiscal_year: int | str | None = None, as_of: DateLike | None = None, division: str | None = None
    ) -> StatusReport:
        """Every in-scope person's state and the counts, as of a date (default: today)."""
        with gc_paused():
            return self._status(fiscal_year, as_of, division)

    def _status(self, fiscal_year: int | str | None, as_of: DateLike | None, division: str | None) -> StatusReport:
        self.register.refresh()
        fy = self.fiscal_year(fiscal_year)
        day = _date(as_of, "基準日") if as_of is not None else min(self.today(), fy_end(fy))
        if division is not None:
            self.division(division)
        staff = self.register.all_staff(ever_in=division)
        only = {s.staff_id for s in staff} if division is not None else None
        people = rules.evaluate(
            staff, self.catalog, fy, day, self.register.records(fy, only), self.register.exemptions(fy), division
        )
        divisions = {d.code: d for d in self.register.divisions()}
        return StatusReport(fy, day, people, rules.summarize(people, self.catalog), divisions, self.catalog)

    def list_staff(self, division: str | None = None, include_retired: bool = False) -> list[Staff]:
        self.register.refresh()
        if division is not None:
            self.division(division)
        today = self.today()
        people = []
        for s in self.register.all_staff():
            if not include_retired and not s.active_on(today) and s.hired <= today:
                continue
            if division is not None and s.current.division != division:
                continue
            people.append(s)
        return sorted(people, key=lambda s: (s.current.division, s.kana, s.staff_id))

    def person(self, staff_id: str, fiscal_year: int | str | None = None) -> PersonView:
        """One person: who they are, their state this year, their records and exemptions."""
        person = self.staff(staff_id)
        fy = self.fiscal_year(fiscal_year)
        day = min(self.today(), fy_end(fy))
        records = {r: self.register.record(fy, person.staff_id, r) for r in self.catalog.by_id}
        known = {k: v for k, v in records.items() if v is not None}
        exemptions = self.register.exemptions_of(fy, person.staff_id)
        status = rules.person_status(person, self.catalog, fy, day, known, exemptions)
        return PersonView(person, fy, status, known, exemptions)

    def divisions(self) -> list[Division]:
        self.register.refresh()
        return self.register.divisions()

    # ------------------------------------------------------------------- staff
    def _check_employment(self, employment: str) -> str:
        value = normalize_text(employment)
        allowed = self.employment_types()
        if value not in allowed:
            close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.3)
            raise InputError(
                f"任用区分「{value}」は使えません",
                (f"「{close[0]}」のことですか？ " if close else "") + f"使える任用区分: {'、'.join(allowed)}",
            )
        return value

    @staticmethod
    def _check_duty(duty: str | Duty) -> Duty:
        try:
            return Duty(normalize_text(str(duty)))
        except ValueError as e:
            raise InputError(
                f"事務区分「{duty}」は使えません", f"使える事務区分: {'、'.join(d.value for d in Duty)}"
            ) from e

    def add_division(self, code: str, name: str, head_title: str = "", head_name: str = "") -> Division:
        code, name = normalize_text(code), normalize_text(name)
        if not code or not name:
            raise InputError("所属コードと所属名は空にできません")
        with self.register.transaction():
            if self.register.division(code) is not None:
                raise InputError(
                    f"所属コード「{code}」はすでにあります", "名前を変えるには division update を使ってください"
                )
            division = Division(code, name, normalize_text(head_title), normalize_text(head_name))
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
                name=normalize_text(name) if name else current.name,
                head_title=normalize_text(head_title) if head_title is not None else current.head_title,
                head_name=normalize_text(head_name) if head_name is not None else current.head_name,
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
        sid = normalize_text(staff_id)
        if not sid:
            raise InputError("職員番号は空にできません")
        person = Staff(
            staff_id=sid,
            name=normalize_text(name),
            kana=normalize_text(kana),
            employment=self._check_employment(employment),
            hired=_date(hired, "採用日"),
            assignments=(),
        )
        if not person.name:
            raise InputError("氏名は空にできません")
        with self.register.transaction():
            if self.register.staff(sid) is not None:
                raise InputError(
                    f"職員番号「{sid}」はすでに登録されています", "変更は trainer staff update を使ってください"
                )
            self.division(division)
            person = replace(
                person, assignments=(Assignment(person.hired, division, normalize_text(title), self._check_duty(duty)),)
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
    ) -> Staff:
        """Correct a name, カナ or 任用区分; a new 職名 or 事務区分 starts on ``effective``."""
        with self.register.transaction():
            person = self.staff(staff_id)
            updated = replace(
                person,
                name=normalize_text(name) if name else person.name,
                kana=normalize_text(kana) if kana else person.kana,
                employment=self._check_employment(employment) if employment else person.employment,
            )
            if title is not None or duty is not None:
                day = _date(effective, "適用日") if effective is not None else self.today()
                current = updated.assignment_on(day) or updated.current
                changed = Assignment(
                    day,
                    current.division,
                    normalize_text(title) if title is not None else current.title,
                    self._check_duty(duty) if duty is not None else current.duty,
                )
                updated = replace(updated, assignments=_with_assignment(updated, changed))
            self.register.put_staff([updated])
            self._about("staff_update", f"職員の情報を変更: {person.staff_id} {updated.name}", staff=[person.staff_id])
        return updated

    def transfer(
        self, staff_id: str, division: str, on: DateLike, title: str | None = None, duty: str | Duty | None = None
    ) -> Staff:
        """From ``on`` the person works in ``division`` (the old division keeps the days before)."""
        day = _date(on, "異動日")
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
                normalize_text(title) if title is not None else current.title,
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
            leave_kind = LeaveKind(normalize_text(kind))
        except ValueError as e:
            raise InputError(
                f"休業の種類「{kind}」は使えません", f"使える種類: {'、'.join(k.value for k in LeaveKind)}"
            ) from e
        first = _date(start, "開始日")
        last = _date(end, "終了日") if end is not None else None
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
        day = _date(on, "退職日")
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
        day = _date(on, "日付")
        fy = self.fiscal_year(fiscal_year) if fiscal_year is not None else fiscal_year_of(day)
        req = self.requirement(requirement)
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
        day = _date(on, "日付")
        fy = self.fiscal_year(fiscal_year) if fiscal_year is not None else fiscal_year_of(day)
        req = self.requirement(requirement)
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

    def exempt(self, staff_id: str, requirement: str, reason: str, fiscal_year: int | str | None = None) -> Exemption:
        fy = self.fiscal_year(fiscal_year)
        req_id = ALL_REQUIREMENTS if requirement == ALL_REQUIREMENTS else self.requirement(requirement).id
        text = free_text(reason)
        if not text:
            raise InputError("免除の理由は空にできません", "監査で説明できる理由を書いてください")
        with self.register.transaction():
            person = self.staff(staff_id)
            exemption = Exemption(person.staff_id, fy, req_id, text, self.today())
            self.register.put_exemptions([exemption])
            what = "すべて" if req_id == ALL_REQUIREMENTS else self.catalog.by_id[req_id].short_title
            summary = f"免除: {person.staff_id} {person.name} {what}（理由: {text}）"
            self._about("exempt", summary, fy=fy, staff=[person.staff_id])
        return exemption

    # ----------------------------------------------------------------- imports
    def import_staff(
        self,
        path: Path,
        as_of: DateLike | None = None,
        dry_run: bool = False,
        mapping: Path | None = None,
        encoding: str | None = None,
        retire_missing: bool = False,
        task: Task | None = None,
    ) -> RosterPlan:
        """An HR roster as of a date; all or nothing, after a backup (``dry_run``: plan only)."""
        day = _date(as_of, "基準日") if as_of is not None else self.today()
        table = read_table(Path(path), encoding)
        columns = load_mapping(Path(mapping), roster.COLUMNS) if mapping else None
        with self.register.transaction():
            plan = roster.plan_roster(
                table,
                day,
                {s.staff_id: s for s in self.register.all_staff()},
                {d.code: d for d in self.register.divisions()},
                self.employment_types(),
                columns,
                retire_missing,
                task,
            )
            if not dry_run:
                self.register.db.backup("before-import-staff")
                self.register.put_divisions(plan.divisions_to_write())
                people = plan.staff_to_write()
                self.register.put_staff(people)
                self._about(
                    "import_staff",
                    f"職員名簿を取込: {table.path.name}（基準日 {wareki(day)}、"
                    f"追加 {len(plan.added)}人、変更 {len(plan.changed)}人）",
                    file=str(table.path),
                    digest=table.digest,
                    staff=[p.staff_id for p in people],
                )
        return plan

    def import_progress(
        self,
        path: Path,
        fiscal_year: int | str | None = None,
        dry_run: bool = False,
        mapping: Path | None = None,
        encoding: str | None = None,
        task: Task | None = None,
    ) -> RecordPlan:
        """An e-learning export; never downgrades a completion; all or nothing, after a backup."""
        return self._import_records(
            progress.plan_progress, self.catalog, progress.PROGRESS_COLUMNS, "import_progress", "受講状況を取込",
            path, fiscal_year, dry_run, mapping, encoding, task,
        )  # fmt: skip

    def import_checkpoint(
        self,
        path: Path,
        fiscal_year: int | str | None = None,
        dry_run: bool = False,
        mapping: Path | None = None,
        encoding: str | None = None,
        task: Task | None = None,
    ) -> RecordPlan:
        """A division's returned checkpoint sheet (who, when, optionally which items)."""
        return self._import_records(
            progress.plan_checkpoint, self.checklist(), progress.CHECKPOINT_COLUMNS, "import_checkpoint",
            "チェックシートを取込", path, fiscal_year, dry_run, mapping, encoding, task,
        )  # fmt: skip

    def _import_records(
        self,
        planner: Callable[..., RecordPlan],
        subject: Catalog | Requirement,
        spec: list[Column],
        action: str,
        label: str,
        path: Path,
        fiscal_year: int | str | None,
        dry_run: bool,
        mapping: Path | None,
        encoding: str | None,
        task: Task | None,
    ) -> RecordPlan:
        """Read, plan (checking every row) and, unless a dry run, write after a backup: all or nothing."""
        fy = self.fiscal_year(fiscal_year)
        table = read_table(Path(path), encoding)
        columns = load_mapping(Path(mapping), spec) if mapping else None
        with self.register.transaction():
            staff_ids = set(self.register.staff_ids())
            plan = planner(table, subject, fy, self.today(), staff_ids, self.register.records(fy), columns, task)
            records = plan.records_to_write()
            if dry_run or not records:
                return plan
            self.register.db.backup("before-" + action.replace("_", "-"))
            self.register.put_records(records)
            self._about(
                action,
                f"{label}: {plan.path.name}（{fy_label(plan.fiscal_year)}、"
                f"新規 {len(plan.added)}件、更新 {len(plan.upgraded)}件）",
                fy=plan.fiscal_year,
                file=str(plan.path),
                digest=table.digest,
                staff=sorted({r.staff_id for r in records}),
            )
        return plan

    def checklist(self) -> Requirement:
        """The catalog's checkpoint sheet (the サイバーセキュリティ研修)."""
        sheet = next((r for r in self.catalog if r.kind == "checklist"), None)
        if sheet is None:
            raise NotFoundError(
                "カタログにチェックシート（checklists/）がありません",
                "checklists/ にチェックシートの YAML を置いてください",
            )
        return sheet

    def checkpoint_sheet(self, division: str, fiscal_year: int | str | None = None) -> CheckpointSheet:
        """The division's sheet: everyone now in the division who owes it, their state and record."""
        sheet = self.checklist()
        report = self.status(fiscal_year, division=division)
        rows = []
        for p in report.people:
            status = p.for_requirement(sheet.id) if p.division == division else None
            if status is not None:  # a member now who owes the sheet
                rows.append(SheetRow(p, status, self.register.record(report.fiscal_year, p.staff.staff_id, sheet.id)))
        rows.sort(key=lambda row: (row.person.staff.kana, row.person.staff.staff_id))
        return CheckpointSheet(report.fiscal_year, report.as_of, report.divisions[division], sheet, rows)

    def export(
        self,
        path: Path,
        fiscal_year: int | str | None = None,
        division: str | None = None,
        encoding: str = "utf-8-sig",
    ) -> ExportResult:
        """The year's status per person and requirement to CSV or XLSX (by the extension)."""
        report = self.status(fiscal_year, None, division)
        return export_status(Path(path), report.fiscal_year, report.people, self.catalog, report.divisions, encoding)

    # ----------------------------------------------------------------- reports
    def _report_context(
        self, fiscal_year: int, as_of: date, templates: Path | None, divisions: dict[str, Division] | None = None
    ) -> reports_build.Context:
        """What every report prints beside its rows (``divisions``: a status report's, if at hand)."""
        return reports_build.Context(
            fiscal_year=fiscal_year,
            as_of=as_of,
            catalog=self.catalog,
            divisions=divisions if divisions is not None else {d.code: d for d in self.register.divisions()},
            organization=str(self.register.setting("organization", "")),
            database=str(self.register.folder.resolve()),
            now=self.now().replace(tzinfo=None),
            templates=render.templates_dir(templates),
        )

    def report_roster(
        self,
        out_dir: Path,
        fiscal_year: int | str | None = None,
        as_of: DateLike | None = None,
        division: str | None = None,
        fmt: str = "pdf",
        task: Task | None = None,
        templates: Path | None = None,
        signed: str | None = None,
    ) -> list[Path]:
        """修了者名簿: one division's (``division``) or every division's, plus a combined PDF.

        ``signed``: a roster code, or "" for the division's sign-off in force: that signed
        roster again, exactly as it was signed.
        """
        if signed is not None:
            return [self._signed_roster(Path(out_dir), fiscal_year, division, signed, fmt, templates)]
        report = self.status(fiscal_year, as_of, division)
        codes = [division] if division is not None else sorted(report.summary.divisions)
        ctx = self._report_context(report.fiscal_year, report.as_of, templates, report.divisions)
        in_force = {
            code: self.register.signoff(item["code"]) or {}
            for code, item in self.signoff_states(report.fiscal_year).items()
        }
        return reports_build.roster_files(
            ctx, report.people, codes, Path(out_dir), fmt, task or Task(), division is None, in_force
        )

    def _signed_roster(
        self,
        out_dir: Path,
        fiscal_year: int | str | None,
        division: str | None,
        code: str,
        fmt: str,
        templates: Path | None,
    ) -> Path:
        if code:
            doc = self.signed(code)
        else:
            fy = self.fiscal_year(fiscal_year)
            if division is None:
                raise InputError("署名済みの名簿を出すには --division か名簿コードを指定してください")
            item = self.signoff_states(fy).get(division)
            if item is None:
                raise NotFoundError(
                    f"{fy_label(fy)}の所属 {division} の署名はありません", "trainer signoff で署名を記録できます"
                )
            doc = self.signed(item["code"])
        ctx = self._report_context(doc["fiscal_year"], self.today(), templates)
        return reports_build.signed_file(ctx, doc, out_dir, fmt)

    def report_overdue(
        self,
        out: Path,
        fiscal_year: int | str | None = None,
        as_of: DateLike | None = None,
        division: str | None = None,
        fmt: str = "pdf",
        templates: Path | None = None,
    ) -> Path:
        """未修了者一覧: who still owes what, with days left or overdue, by division."""
        report = self.status(fiscal_year, as_of, division)
        ctx = self._report_context(report.fiscal_year, report.as_of, templates, report.divisions)
        scope = f"所属: {division} {ctx.divisions[division].name}" if division else "全所属"
        return reports_build.overdue_file(ctx, report.people, scope, Path(out), fmt)

    def report_audit(
        self,
        out: Path,
        fiscal_year: int | str | None = None,
        fmt: str = "pdf",
        task: Task | None = None,
        templates: Path | None = None,
    ) -> Path:
        """The annual audit PDF, as of the year's end (or today, for the current year)."""
        report = self.status(fiscal_year)
        ctx = self._report_context(report.fiscal_year, report.as_of, templates, report.divisions)
        states = self.signoff_states(report.fiscal_year)
        signoffs = []
        for code in sorted(report.summary.divisions):
            item = states.get(code)
            detail = ""
            if item:
                detail = f"{wareki(date.fromisoformat(item['date']))} {item['by']}"
                if item.get("changes"):
                    detail += f"（署名後の変更 {item['changes']}件）"
            signoffs.append(
                {
                    "division": f"{code} {ctx.divisions[code].name if code in ctx.divisions else ''}",
                    "state": item["state"] if item else signoff.UNSIGNED,
                    "signed": bool(item) and item["state"] == signoff.SIGNED,  # in force, unchanged
                    "code": item["code"] if item else "",
                    "detail": detail,
                }
            )
        exemptions = self.register.exemptions(report.fiscal_year)
        return reports_build.audit_file(
            ctx, report.people, report.summary, exemptions, signoffs, Path(out), fmt, task or Task()
        )

    # --------------------------------------------------------------- sign-offs
    def sign_off(
        self,
        division: str,
        fiscal_year: int | str | None,
        by: str,
        title: str = "",
        on: DateLike | None = None,
        approval_no: str = "",
        note: str = "",
        as_of: DateLike | None = None,
        expect_code: str | None = None,
    ) -> dict[str, Any]:
        """Freeze a division's roster as it stands, signed by its head; supersedes an earlier one.

        ``expect_code`` is the roster code printed on the paper the head signed: when given, the
        roster must still have exactly that content.
        """
        name = free_text(by)
        if not name:
            raise InputError("署名する所属長の氏名（--by）が空です")
        day = _date(on, "確認日") if on is not None else self.today()
        if day > self.today():
            raise InputError(f"確認日 {wareki(day)} は未来の日付です")
        report = self.status(fiscal_year, as_of, division)
        view = views.roster_view(  # the roster as printed (no templates needed to sign it)
            report.fiscal_year, report.as_of, report.divisions[division], report.people, self.catalog,
            report.divisions, "", str(self.register.setting("organization", "")),
        )  # fmt: skip
        frozen = signoff.freeze(view)
        code = signoff.roster_code(frozen)
        if expect_code and signoff.normalize_code(expect_code) != code:
            raise InputError(
                f"名簿の内容が、署名された名簿（名簿コード {signoff.normalize_code(expect_code)}）と違います"
                f"（いまの名簿コードは {code}）",
                "印刷した後に変更があります。名簿を出し直して改めて確認を受けてください"
                "（--as-of で印刷した名簿の基準日を指定できます）",
            )
        now = self.now()
        key = f"{report.fiscal_year}/{division}"
        with self.register.transaction():
            index = self.register.signoff_index()
            previous = index.get(key)
            if previous and previous["code"] == code and not previous.get("changes"):
                raise InputError(
                    f"この名簿（名簿コード {code}）はすでに署名されていて、その後の変更はありません",
                    "trainer verify --roster で署名の内容を確認できます",
                )
            doc = {
                "code": code,
                "fiscal_year": report.fiscal_year,
                "division": division,
                "frozen": frozen,
                "signed_at": now.isoformat(timespec="seconds"),
                "signed_label": f"{wareki(now.date())} {now:%H:%M}",
                "date": day.isoformat(),
                "date_label": wareki(day),
                "by": name,
                "title": free_text(title),
                "approval_no": free_text(approval_no),
                "note": free_text(note),
                "log_seq": self.register.db.next_log_seq(),
                "changes_since": [],
                "supersedes": previous["code"] if previous else None,
                "superseded_by": None,
            }
            if previous:
                old = dict(self.register.signoff(previous["code"]) or {})
                if old and old.get("code") != code:
                    self.register.put_signoff({**old, "superseded_by": code})
            if self.register.signoff(code) is not None and (not previous or previous["code"] != code):
                raise InputError(f"名簿コード {code} はすでに使われています")
            self.register.put_signoff(doc)
            index[key] = {
                "code": code,
                "people": [r["staff_id"] for r in frozen["rows"]],
                "changes": 0,
                "by": name,
                "date": day.isoformat(),
            }
            self.register.put_signoff_index(index)
            self._about(
                "signoff",
                f"署名: {division} {view.division.name} {fy_label(report.fiscal_year)}の修了者名簿"
                f"（名簿コード {code}、{free_text(title)} {name}、確認日 {wareki(day)}"
                + (f"、電子決裁 {free_text(approval_no)}" if approval_no else "")
                + (f"、前の署名 {previous['code']} を置き換え" if previous else "")
                + "）",
                fy=report.fiscal_year,
                division=division,
            )
        return doc

    def signoff_states(self, fiscal_year: int) -> dict[str, dict[str, Any]]:
        """Per division code: the sign-off in force for the year (state, code, changes since).

        A division not in it is unsigned (:data:`trainer.signoff.UNSIGNED`)."""
        self.register.refresh()
        result = {}
        for key, item in self.register.signoff_index().items():
            fy, division = key.split("/", 1)
            if int(fy) == fiscal_year:
                state = signoff.STALE if item.get("changes") else signoff.SIGNED
                result[division] = {**item, "state": state}
        return result

    def signed(self, code: str) -> dict[str, Any]:
        """A sign-off by its roster code (as printed on the roster)."""
        self.register.refresh()
        found = self.register.signoff(signoff.normalize_code(code))
        if found is None:
            raise NotFoundError(
                f"名簿コード {code} の署名はありません", "名簿の下に印刷された12文字のコードを入れてください"
            )
        return found

    def verify(self, task: Task | None = None) -> Verification:
        """The change log's chain, the register against the log, and every signed roster's code."""
        task = task or Task()
        with self.register.transaction():  # hold the lock: nobody writes while we check
            task.report(0, 3, "変更履歴を確認中")
            log = check_log(self.register.db)
            task.report(1, 3, "データベースと変更履歴を照合中")
            findings = [*log.findings, *check_register(self.register.db, log)]
            task.report(2, 3, "署名済みの名簿を確認中")
            signoffs = self.register.signoffs()
            for doc in signoffs:
                if signoff.roster_code(doc["frozen"]) != doc["code"]:
                    findings.append(
                        Finding(
                            f"署名 {doc['code']}（{doc['division']}）",
                            "署名した名簿の内容が名簿コードと一致しません（書き換えられています）",
                        )
                    )
        task.report(3, 3, "完了")
        return Verification(log.entries, len(signoffs), findings)

    def log(
        self,
        fiscal_year: int | str | None = None,
        staff_id: str | None = None,
        division: str | None = None,
        since: DateLike | None = None,
    ) -> list[dict[str, Any]]:
        """Change-log entries, newest first, filtered (by year, person, division, date)."""
        fy = self.fiscal_year(fiscal_year) if fiscal_year is not None else None
        first = _date(since, "開始日") if since is not None else None
        sid = normalize_text(staff_id) if staff_id else None
        entries = []
        for kind, item in self.register.db.log_entries():
            entry = item if kind == "entry" else orjson.loads(item[1])
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

    def restore(self, path: Path) -> Path:
        """Restore a backup (the current state is backed up first), and log that it happened."""
        before = self.register.db.restore(Path(path))
        with self.register.transaction():
            self._about(
                "restore",
                f"バックアップから戻しました: {Path(path).name}（戻す前の状態は {before.name}）",
                always=True,
                file=str(path),
                digest=_file_digest(Path(path)),
            )
        return before

    # ---------------------------------------------------------------- settings
    def settings(self) -> dict[str, str]:
        self.register.refresh()
        return {key: str(self.register.setting(key, "")) for key in SETTINGS}

    def set_setting(self, key: str, value: str) -> None:
        if key not in SETTINGS:
            close = difflib.get_close_matches(key, list(SETTINGS), n=1)
            raise InputError(
                f"設定「{key}」はありません（使える設定: {'、'.join(SETTINGS)}）",
                f"「{close[0]}」のことですか？" if close else "",
            )
        with self.register.transaction():
            self.register.put_setting(key, free_text(value))
            self._about("settings", f"設定を変更: {key} = {free_text(value)}")

    # -------------------------------------------------------------------- demo
    def create_demo(
        self,
        staff_count: int = 300,
        seed: int = 1,
        fiscal_year: int | str | None = None,
        years: int = 2,
        force: bool = False,
        task: Task | None = None,
    ) -> dict[str, int]:
        """Fill an empty register with an invented city (``force`` to add to a non-empty one)."""
        if staff_count < 1:
            raise InputError(f"職員数 {staff_count} は1以上にしてください")
        self.register.refresh()
        if not force and not self.register.is_empty():
            raise InputError(
                f"データベース {self.register.folder} にはすでにデータがあります",
                "別の --db を指定するか、上書きしてよければ --force を付けてください",
            )
        fy = self.fiscal_year(fiscal_year)
        city = build_demo(self.catalog, staff_count, seed, fy, self.today(), years, task)
        with self.register.transaction():
            if force and not self.register.is_empty():
                self.register.db.backup("before-demo")
                self.register.clear()
            self.register.put_divisions(city.divisions)
            self.register.put_staff(city.staff)
            self.register.put_records(city.records)
            self.register.put_exemptions(city.exemptions)
            self._about("demo", f"デモの市を作成（職員 {len(city.staff)}人、乱数の種 {seed}）")
        self.register.db.checkpoint()
        return {
            "divisions": len(city.divisions),
            "staff": len(city.staff),
            "records": len(city.records),
            "exemptions": len(city.exemptions),
        }


def _every_item(requirement: Requirement) -> tuple[str, ...]:
    """A completed checkpoint sheet confirms every item on it (courses have none)."""
    return tuple(item.id for section in requirement.sections for item in section.items)


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


def _file_digest(path: Path) -> str:
    """SHA-256 of an imported file, so the log says exactly which file came in."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _with_assignment(person: Staff, new: Assignment) -> tuple[Assignment, ...]:
    """The person's assignments with ``new`` starting on its date (replacing one that starts then)."""
    kept = [a for a in person.assignments if a.start != new.start]
    return tuple(sorted([*kept, new], key=lambda a: a.start))
