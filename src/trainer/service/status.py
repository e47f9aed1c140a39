"""Reading the year: where everyone stands, one person, the lists, a division's checkpoint sheet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from trainer import rules
from trainer.calendar import fy_end, wareki
from trainer.errors import NotFoundError
from trainer.model import Catalog, Division, Exemption, Record, Requirement, Staff, State
from trainer.perf import gc_paused
from trainer.service.core import DateLike, ServiceCore, _every_item


@dataclass(frozen=True)
class PersonView:
    """One person in a year: in scope on the date (``status``), or gone from scope earlier in the
    year (``departure``: when, why, what was outstanding), or neither (never in scope this year)."""

    staff: Staff
    fiscal_year: int
    as_of: date
    status: rules.PersonStatus | None
    records: dict[str, Record]
    exemptions: list[Exemption]  # revoked ones too
    departure: rules.Departure | None = None
    catalog: Catalog | None = None  # the year's


@dataclass(frozen=True)
class OutsideScope:
    """Someone in the register who is neither in scope on the date nor left scope earlier in the
    year: retired before, not yet hired, or whose 事務区分 is 関係事務 or なし. Findable all the
    same (their 事務区分 may be the mistake)."""

    staff: Staff
    division: str  # the post on the date (the last one for the retired, the first for the not yet hired)
    reason: str  # in words: 退職（令和7年3月31日）, 事務区分「関係事務」, 採用前（令和8年12月1日採用）
    retired: bool


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
    """The year as of a date: who is in scope and where they stand, who left scope before it (離脱),
    the counts, and the catalog in force for the year."""

    fiscal_year: int
    as_of: date
    people: list[rules.PersonStatus]
    summary: rules.Summary
    divisions: dict[str, Division]
    catalog: Catalog
    departures: list[rules.Departure] = field(default_factory=list)
    # With a division: the people whose concurrent post (兼務) is there on the date (counted in
    # their main division; listed on this division's roster, marked 兼務).
    concurrent: list[rules.PersonStatus] = field(default_factory=list)


class StatusUseCases(ServiceCore):
    """Reading the year: status, one person, the staff and division lists, a checkpoint sheet."""

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
        day = self._date(as_of, "基準日") if as_of is not None else min(self.today(), fy_end(fy))
        if division is not None:
            self.division(division)
        staff = self.register.all_staff(ever_in=division)
        only = {s.staff_id for s in staff} if division is not None else None
        catalog = self.catalog_for(fy)
        year = rules.evaluate_year(
            staff, catalog, fy, day, self.register.records(fy, only), self.register.exemptions(fy), division
        )
        divisions = {d.code: d for d in self.register.divisions()}
        summary = rules.summarize(year.people, catalog, year.departures)
        concurrent = []
        if division is not None:
            records, exemptions = self.register.records(fy, only), self.register.exemptions(fy)
            for person in staff:
                if any(c.division == division for c in person.concurrent_on(day)):
                    status = rules.person_status(
                        person, catalog, fy, day, records.get(person.staff_id, {}), exemptions.get(person.staff_id, ())
                    )
                    if status is not None:
                        concurrent.append(status)
        return StatusReport(fy, day, year.people, summary, divisions, catalog, year.departures, concurrent)

    def outside_scope(self, report: StatusReport) -> list[OutsideScope]:
        """Everyone in the register the report does not list (see :class:`OutsideScope`), by 職員番号."""
        listed = {p.staff.staff_id for p in report.people} | {d.staff.staff_id for d in report.departures}
        duties = {duty for requirement in report.catalog for duty in requirement.duties}
        day = report.as_of
        outside = []
        for person in self.register.all_staff():
            if person.staff_id in listed:
                continue
            post = person.assignment_on(day)
            retired = person.retired is not None and person.retired < day
            if retired and person.retired is not None:
                reason = f"退職（{wareki(person.retired)}）"
            elif person.hired > day:
                reason = f"採用前（{wareki(person.hired)}採用）"
                post = person.assignments[0] if person.assignments else None
            elif post is not None and post.duty not in duties:
                reason = f"事務区分「{post.duty.value}」"
            else:
                reason = "この年度は対象外"
            post = post or person.current
            outside.append(OutsideScope(person, post.division, reason, retired))
        return sorted(outside, key=lambda o: o.staff.staff_id)

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
        day = rules.clamp_to_year(fy, min(self.today(), fy_end(fy)))
        catalog = self.catalog_for(fy)
        # One pass over the year's records for this person (building the table's index to look up
        # each requirement would cost a pass over every record's key at city scale).
        mine = self.register.records(fy, {person.staff_id}).get(person.staff_id, {})
        known = {r: mine[r] for r in catalog.by_id if r in mine}
        exemptions = self.register.exemptions_of(fy, person.staff_id)
        status = rules.person_status(person, catalog, fy, day, known, exemptions)
        gone = rules.departure(person, catalog, fy, day, known, exemptions) if status is None else None
        return PersonView(person, fy, day, status, known, exemptions, gone, catalog)

    def divisions(self) -> list[Division]:
        self.register.refresh()
        return self.register.divisions()

    def division_names(self, codes: Iterable[str]) -> dict[str, str]:
        """The names of the divisions with these codes (a code with no division is left out):
        for one person's few, without reading every division (a city has hundreds)."""
        self.register.refresh()
        return {code: d.name for code, d in self.register.divisions_with(set(codes)).items()}

    def checklist(self, fiscal_year: int | None = None) -> Requirement:
        """The checkpoint sheet (the サイバーセキュリティ研修) in force for the year (default: the files)."""
        catalog = self.catalog if fiscal_year is None else self.catalog_for(fiscal_year)
        sheet = next((r for r in catalog if r.kind == "checklist"), None)
        if sheet is None:
            raise NotFoundError(
                "カタログにチェックシート（checklists/）がありません",
                "checklists/ にチェックシートの YAML を置いてください",
            )
        return sheet

    def checkpoint_sheet(self, division: str, fiscal_year: int | str | None = None) -> CheckpointSheet:
        """The division's sheet: everyone now in the division who owes it, their state and record."""
        report = self.status(fiscal_year, division=division)
        sheet = self.checklist(report.fiscal_year)
        rows = []
        for p in report.people:
            status = p.for_requirement(sheet.id) if p.division == division else None
            if status is not None:  # a member now who owes the sheet
                rows.append(SheetRow(p, status, self.register.record(report.fiscal_year, p.staff.staff_id, sheet.id)))
        rows.sort(key=lambda row: (row.person.staff.kana, row.person.staff.staff_id))
        return CheckpointSheet(report.fiscal_year, report.as_of, report.divisions[division], sheet, rows)
