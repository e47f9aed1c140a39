"""What the 研修実施計画 shows (the training plan, in the shape of the PPC reference forms'
様式第2号: the year, who is to be trained, the content, the method and the schedule), as plain
data for its template. Pure: from a status of the year and the year's catalog."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.calendar import wareki
from trainer.model import DEFAULT_EMPLOYMENT_TYPES, Catalog, Division, Requirement
from trainer.reports.views import window_words
from trainer.rules import PersonStatus, deadline, window_dates

# The fiscal year's months, in order (April first).
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@dataclass(frozen=True)
class ScopeRow:
    """One division's people in scope, by employment type (in the plan's column order)."""

    label: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class CourseLine:
    title: str
    short_title: str
    kind: str  # course / checklist
    window: str
    deadline: str
    hours: str
    late_days: int
    items: int  # a checklist's number of items (0 for a course)


@dataclass(frozen=True)
class Training:
    """One training (接続運用に関する研修 …) as the 様式第2号 table lists it."""

    name: str
    kinds: frozenset[str]
    courses: tuple[CourseLine, ...]
    period: str  # the earliest start to the latest deadline

    @property
    def hours(self) -> str:
        total = sum(float(c.hours.rstrip("時間")) for c in self.courses if c.hours)
        return f"{total:g}時間" if total else ""


@dataclass(frozen=True)
class ScheduleRow:
    label: str
    months: tuple[bool, ...]  # in MONTHS' order: whether the window is open in that month
    window: str


@dataclass(frozen=True)
class PlanView:
    employment_types: tuple[str, ...]
    scope: tuple[ScopeRow, ...]
    totals: tuple[int, ...]
    trainings: tuple[Training, ...]
    courses: tuple[CourseLine, ...]
    sheets: tuple[Requirement, ...]
    schedule: tuple[ScheduleRow, ...]
    milestones: tuple[ScheduleRow, ...] = ()
    months: tuple[int, ...] = MONTHS

    @property
    def people(self) -> int:
        return sum(self.totals)


def _course(r: Requirement, fiscal_year: int) -> CourseLine:
    window, last_day = window_words(r, fiscal_year, "（随時）")
    return CourseLine(
        title=r.title,
        short_title=r.short_title,
        kind=r.kind,
        window=window,
        deadline=last_day,
        hours=f"{r.expected_hours:g}時間" if r.expected_hours else "",
        late_days=r.late_joiner_days,
        items=sum(len(s.items) for s in r.sections),
    )


def plan_view(
    people: list[PersonStatus], catalog: Catalog, divisions: dict[str, Division], fiscal_year: int
) -> PlanView:
    """The plan for ``fiscal_year``: ``people`` are those in scope on the plan's date."""
    seen = {p.staff.employment for p in people}
    types = tuple(t for t in DEFAULT_EMPLOYMENT_TYPES if t in seen) + tuple(
        sorted(seen - set(DEFAULT_EMPLOYMENT_TYPES))
    )
    column = {t: i for i, t in enumerate(types)}
    by_division: dict[str, list[int]] = {}
    for p in people:
        by_division.setdefault(p.division, [0] * len(types))[column[p.staff.employment]] += 1
    scope = tuple(
        ScopeRow(f"{code} {divisions[code].name if code in divisions else ''}".strip(), tuple(counts))
        for code, counts in sorted(by_division.items())
    )
    totals = tuple(sum(row.counts[i] for row in scope) for i in range(len(types)))
    courses = tuple(_course(r, fiscal_year) for r in catalog)
    trainings = []
    for name in dict.fromkeys(r.training for r in catalog):
        mine = [r for r in catalog if r.training == name]
        starts = [window_dates(r, fiscal_year)[0] for r in mine]
        ends = [deadline(r, fiscal_year) for r in mine]
        trainings.append(
            Training(
                name,
                frozenset(r.kind for r in mine),
                tuple(c for c, r in zip(courses, catalog, strict=True) if r.training == name),
                f"{wareki(min(starts))}〜{wareki(max(ends))}",
            )
        )
    schedule = []
    for r, c in zip(catalog, courses, strict=True):
        first, last = window_dates(r, fiscal_year)
        open_months = []
        for month in MONTHS:
            year = fiscal_year if month >= 4 else fiscal_year + 1
            open_months.append(
                bool(r.after_entry_days) or (first.year, first.month) <= (year, month) <= (last.year, last.month)
            )
        schedule.append(ScheduleRow(r.short_title, tuple(open_months), c.window))
    milestones = []
    sheet_ends = [deadline(r, fiscal_year) for r in catalog if r.kind == "checklist"]
    if sheet_ends:
        last = max(sheet_ends)
        milestones.append(
            ScheduleRow("名簿の提出", tuple(m == last.month for m in MONTHS), f"{wareki(last)}まで（所属長）")
        )
    milestones.append(ScheduleRow("実施状況報告", tuple(m == 3 for m in MONTHS), "年度末（研修担当課）"))
    return PlanView(
        employment_types=types,
        scope=scope,
        totals=totals,
        trainings=tuple(trainings),
        courses=courses,
        sheets=tuple(r for r in catalog if r.kind == "checklist"),
        schedule=tuple(schedule),
        milestones=tuple(milestones),
    )
