"""Who owes what, and where each person stands, as of a date. Pure: no I/O.

The rules, in the words a coordinator would use:

Scope
  A person is in scope of a requirement on a date when, on that date, they are in service
  (hired on or before it, not past their 退職日) and their assignment's 事務区分 is one the
  requirement names (利用事務 for every shipped course and sheet). 関係事務-only staff are out of
  scope. A date outside the fiscal year is read as the year's first or last day.

Division
  The division that owns a person on a date is the division of the assignment in force that day:
  after a transfer the new division owns the person, before it the old one. Records belong to
  the person, so a course finished in the old division still counts in the new one.

Deadline
  Each requirement's deadline is the end of its window in that fiscal year, moved to the next
  working day when it falls on a weekend, a national holiday or 年末年始.

Late joiners
  Someone who enters scope after April 1st (a mid-year hire, or a transfer from 関係事務 work
  into 利用事務) gets a personal deadline: the later of the requirement's deadline and
  ``late_joiner_days`` after they entered (next working day), but never after March 31st.

Leave
  While a person is on leave (休職, 育児休業, 病気休暇) they are never overdue. When a leave covers
  their deadline, the deadline moves to ``late_joiner_days`` after they return (next working
  day), but never after March 31st. Someone still on leave at year end is not overdue; the
  note says why they have not completed.

Retirement
  After their 退職日 a person is out of scope; their records stay in the register.

State of one requirement (exactly one, first that holds)
  completed  a completion dated on or before the date;
  exempt     an exemption for this requirement or for ``all``;
  overdue    the personal deadline has passed;
  in_progress progress reported on or before the date;
  not_started otherwise.

State of a person over everything they owe
  completed when every requirement is completed; exempt when every requirement is completed
  or exempt (and at least one exempt); overdue when any is overdue; in_progress when any is in
  progress or completed; not_started otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from trainer.calendar import fy_end, fy_start, next_working_day
from trainer.model import (
    Assignment,
    Catalog,
    Duty,
    Exemption,
    Progress,
    Record,
    Requirement,
    Staff,
    State,
)


class RequirementStatus(NamedTuple):
    """One requirement's verdict for one person (a named tuple: built 250,000 times a status)."""

    requirement: str
    state: State
    deadline: date | None
    completed_on: date | None = None
    percent: int = 0
    note: str = ""

    @property
    def label(self) -> str:
        """The state in words, with the percentage while in progress (受講中 40%)."""
        return self.state.label + (f" {self.percent}%" if self.state is State.IN_PROGRESS else "")


class PersonStatus(NamedTuple):
    staff: Staff
    assignment: Assignment
    state: State
    requirements: tuple[RequirementStatus, ...]

    @property
    def division(self) -> str:
        return self.assignment.division

    @property
    def notes(self) -> str:
        """The requirements' notes (休業中, 採用から60日 …), each once, joined with ／."""
        return "／".join(dict.fromkeys(rs.note for rs in self.requirements if rs.note))

    def for_requirement(self, requirement_id: str) -> RequirementStatus | None:
        for status in self.requirements:
            if status.requirement == requirement_id:
                return status
        return None


@dataclass(slots=True)
class Counts:
    """How many people are in each state. The five states add up to ``in_scope``."""

    in_scope: int = 0
    completed: int = 0
    exempt: int = 0
    overdue: int = 0
    in_progress: int = 0
    not_started: int = 0

    @property
    def done(self) -> int:
        """Completed or exempt: nothing more is owed."""
        return self.completed + self.exempt

    @property
    def rate(self) -> float:
        """``done`` as a percentage of those in scope (0 when nobody is)."""
        return 100.0 * self.done / self.in_scope if self.in_scope else 0.0

    def add(self, state: State, n: int = 1) -> None:
        self.in_scope += n
        setattr(self, state.value, getattr(self, state.value) + n)

    def as_dict(self) -> dict[str, int]:
        return {
            "in_scope": self.in_scope,
            "completed": self.completed,
            "exempt": self.exempt,
            "overdue": self.overdue,
            "in_progress": self.in_progress,
            "not_started": self.not_started,
        }


@dataclass(slots=True)
class Summary:
    totals: Counts = field(default_factory=Counts)
    divisions: dict[str, Counts] = field(default_factory=dict)
    requirements: dict[str, Counts] = field(default_factory=dict)


_COMPUTE = object()  # requirement_status(): work the personal deadline out


def clamp_to_year(fiscal_year: int, as_of: date) -> date:
    """The date the rules look at: ``as_of`` clamped into the fiscal year."""
    return min(max(as_of, fy_start(fiscal_year)), fy_end(fiscal_year))


def window_dates(requirement: Requirement, fiscal_year: int) -> tuple[date, date]:
    """The window's first and last day in ``fiscal_year`` (months 1-3 are in the next year)."""

    def in_year(month: int, day: int) -> date:
        return date(fiscal_year if month >= 4 else fiscal_year + 1, month, day)

    w = requirement.window
    return in_year(w.start.month, w.start.day), in_year(w.end.month, w.end.day)


@lru_cache(maxsize=4096)
def _next_working_day(day: date) -> date:
    return next_working_day(day)


def deadline(requirement: Requirement, fiscal_year: int) -> date:
    """The requirement's deadline: the window's end, or the next working day after it."""
    end = requirement.window.end
    return _deadline(end.month, end.day, fiscal_year)


@lru_cache(maxsize=1024)
def _deadline(month: int, day: int, fiscal_year: int) -> date:
    return _next_working_day(date(fiscal_year if month >= 4 else fiscal_year + 1, month, day))


def in_scope(staff: Staff, requirement: Requirement, day: date) -> bool:
    if not staff.active_on(day):
        return False
    assignment = staff.assignment_on(day)
    return assignment is not None and assignment.duty in requirement.duties


def scope_entry(staff: Staff, requirement: Requirement, fiscal_year: int, day: date) -> date:
    """The day the person's current unbroken stretch in scope began (not before April 1st)."""
    entry: date | None = None
    for a in staff.assignments:
        if a.start > day:
            break
        if a.duty in requirement.duties:
            entry = entry or a.start
        else:
            entry = None
    return max(entry or day, fy_start(fiscal_year), staff.hired)


def personal_deadline(staff: Staff, requirement: Requirement, fiscal_year: int, day: date) -> date | None:
    """The person's own deadline, or ``None`` while they are on leave (never overdue then)."""
    due = deadline(requirement, fiscal_year)
    if staff.leave_on(day) is not None:
        return None
    last = fy_end(fiscal_year)
    grace = timedelta(days=requirement.late_joiner_days)
    entry = scope_entry(staff, requirement, fiscal_year, day)
    if entry > fy_start(fiscal_year):
        due = max(due, _next_working_day(entry + grace))
    for _ in range(len(staff.leaves) + 1):
        leave = staff.leave_on(min(due, last))
        if leave is None or leave.end is None:
            break
        due = max(due, _next_working_day(leave.end + timedelta(days=1) + grace))
    return min(due, last)


def requirement_status(
    staff: Staff,
    requirement: Requirement,
    fiscal_year: int,
    day: date,
    record: Record | None,
    exemptions: Sequence[Exemption] = (),
    due: date | object | None = _COMPUTE,
) -> RequirementStatus:
    """One person's state on one requirement (call only when the person is in scope).

    ``due`` may be passed when the caller already knows the personal deadline.
    """
    if due is _COMPUTE:
        due = personal_deadline(staff, requirement, fiscal_year, day)
    rid = requirement.id
    percent = 0
    progress = None
    if record is not None and record.on <= day:  # progress known on the day
        if record.progress is _DONE:
            return RequirementStatus(rid, _COMPLETED, due, record.on, 100)  # type: ignore[arg-type]
        percent, progress = record.percent, record.progress
    if exemptions:
        for e in exemptions:
            if e.applies_to(rid):
                return RequirementStatus(rid, _EXEMPT, due, None, percent, e.reason)  # type: ignore[arg-type]
    note = ""
    if staff.leaves:
        leave = staff.leave_on(day)
        note = f"{leave.kind.value}中" if leave is not None else ""
    if due is not None and day > due:  # type: ignore[operator]
        return RequirementStatus(rid, _OVERDUE, due, None, percent, note)  # type: ignore[arg-type]
    state = _IN_PROGRESS if progress is _ONGOING else _NOT_STARTED
    return RequirementStatus(rid, state, due, None, percent, note)  # type: ignore[arg-type]


_DONE, _ONGOING = Progress.COMPLETED, Progress.IN_PROGRESS
_COMPLETED, _EXEMPT, _OVERDUE = State.COMPLETED, State.EXEMPT, State.OVERDUE
_IN_PROGRESS, _NOT_STARTED = State.IN_PROGRESS, State.NOT_STARTED


def overall_state(states: Iterable[State]) -> State:
    """A person's one state over every requirement they owe (see the module docstring)."""
    seen = set(states)
    if seen <= {State.COMPLETED}:
        return State.COMPLETED
    if seen <= {State.COMPLETED, State.EXEMPT}:
        return State.EXEMPT
    if State.OVERDUE in seen:
        return State.OVERDUE
    if seen & {State.IN_PROGRESS, State.COMPLETED}:
        return State.IN_PROGRESS
    return State.NOT_STARTED


@dataclass(frozen=True, slots=True)
class _Year:
    """What every person's evaluation on one day shares, worked out once."""

    fiscal_year: int
    start: date
    day: date
    owed: dict[Duty, tuple[tuple[Requirement, date], ...]]  # by 事務区分: requirement, deadline

    @classmethod
    def of(cls, catalog: Catalog, fiscal_year: int, as_of: date) -> _Year:
        owed = {duty: tuple((r, deadline(r, fiscal_year)) for r in catalog if duty in r.duties) for duty in Duty}
        return cls(fiscal_year, fy_start(fiscal_year), clamp_to_year(fiscal_year, as_of), owed)


def person_status(
    staff: Staff,
    catalog: Catalog,
    fiscal_year: int,
    as_of: date,
    records: Mapping[str, Record],
    exemptions: Sequence[Exemption] = (),
) -> PersonStatus | None:
    """Where one person stands on ``as_of``; ``None`` when they owe nothing that day."""
    return _person_status(staff, catalog, _Year.of(catalog, fiscal_year, as_of), records, exemptions)


def _person_status(
    staff: Staff, catalog: Catalog, year: _Year, records: Mapping[str, Record], exemptions: Sequence[Exemption]
) -> PersonStatus | None:
    day = year.day
    if not staff.active_on(day):
        return None
    assignment = staff.assignment_on(day)
    if assignment is None:
        return None
    # Here since before April 1st doing the same 事務, never on leave: the catalog's deadlines.
    settled = not staff.leaves and staff.hired <= year.start and _same_duty_all_year(staff, year.start, day)
    owed = year.owed[assignment.duty]
    if not owed:
        return None
    fy = year.fiscal_year
    statuses = tuple(
        [
            requirement_status(staff, r, fy, day, records.get(r.id), exemptions, due if settled else _COMPUTE)
            for r, due in owed
        ]
    )
    return PersonStatus(staff, assignment, overall_state(s.state for s in statuses), statuses)


def _same_duty_all_year(staff: Staff, start: date, day: date) -> bool:
    """True when every assignment in force from ``start`` to ``day`` has one 事務区分."""
    duty = None
    for a in staff.assignments:
        if a.start > day:
            break
        if a.start <= start or duty is None:
            duty = a.duty  # the assignment in force on ``start`` (or the first after it)
        elif a.duty is not duty:
            return False
    return duty is not None


def evaluate(
    staff: Iterable[Staff],
    catalog: Catalog,
    fiscal_year: int,
    as_of: date,
    records: Mapping[str, Mapping[str, Record]],
    exemptions: Mapping[str, Sequence[Exemption]],
    division: str | None = None,
) -> list[PersonStatus]:
    """Every in-scope person's status; ``records`` and ``exemptions`` are keyed by staff id."""
    year = _Year.of(catalog, fiscal_year, as_of)
    result = []
    empty: dict[str, Record] = {}
    no_exemptions: tuple[Exemption, ...] = ()
    for person in staff:
        if division is not None:
            assignment = person.assignment_on(year.day)
            if assignment is None or assignment.division != division:
                continue  # another division's person: not worth evaluating
        sid = person.staff_id
        status = _person_status(person, catalog, year, records.get(sid, empty), exemptions.get(sid, no_exemptions))
        if status is not None:
            result.append(status)
    return result


def summarize(statuses: Iterable[PersonStatus], catalog: Catalog) -> Summary:
    """Counts in total, per owning division and per requirement."""
    by_division: Counter[tuple[str, State]] = Counter()
    by_requirement: Counter[tuple[str, State]] = Counter()
    for status in statuses:
        by_division[status.assignment.division, status.state] += 1
        by_requirement.update((rs.requirement, rs.state) for rs in status.requirements)
    summary = Summary(requirements={r.id: Counts() for r in catalog})
    for (division, state), n in by_division.items():
        summary.totals.add(state, n)
        summary.divisions.setdefault(division, Counts()).add(state, n)
    for (requirement, state), n in by_requirement.items():
        summary.requirements.setdefault(requirement, Counts()).add(state, n)
    return summary
