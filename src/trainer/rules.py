"""Who owes what, and where each person stands, as of a date. Pure: no I/O.

The rules, in the words a coordinator would use:

Scope
  A person is in scope of a requirement on a date when, on that date, they are in service
  (hired on or before it, not past their 退職日) and their assignment's 事務区分 is one the
  requirement names (利用事務 for every shipped course and sheet). 関係事務-only staff are out of
  scope. A date outside the fiscal year is read as the year's first or last day.

The year's accounting
  A person owes a fiscal year's requirements when they were in scope on any day of it (up to
  the date looked at). Whoever was in scope earlier in the year but is not on the date has
  left scope (離脱): they retired (退職), were transferred to work outside 利用事務 (異動), or
  their 事務区分 changed. They stay accounted for, with the last day they were in scope, the
  reason, and the state of each requirement on that day (what was still outstanding); the
  division they last belonged to while in scope keeps them in its lists. 離脱 is neither
  completed nor overdue: it is its own figure.

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

Retirement and re-appointment
  After their 退職日 a person is out of scope (see 離脱 above); their records stay in the register.
  Someone appointed again under the same 職員番号 (a 会計年度任用職員's next appointment, 再任用)
  has several periods of service; the new one starts a new stretch in scope (a late joiner's
  deadline), and what they completed earlier in the year still counts.

Requirements due after entry
  A requirement with ``after_entry_days`` (着任時研修) is owed only by those who entered scope
  during the year, due that many days after they did (next working day, never after March 31st).

Completions during leave
  A completion dated inside a leave counts, with a 注意 in its note wherever it is shown.

Concurrent posts (兼務)
  A person is owned, and counted, by their main post; a concurrent post lists them on that
  division's roster too, marked 兼務.

Exemptions
  An exemption is a decision (kind, approver, evidence) that counts from its effective date
  until it is revoked; on any other day it does not exist. It is never a completion: the
  completion rate is 修了 ÷ 対象, and 免除 is shown beside it.

Figures
  修了率 = people who completed everything ÷ people in scope. 期限前 = 受講中 or 未受講 while
  the deadline is ahead: not a failure. Beside the completion rate, the rate over what is
  already due: of the people with at least one requirement past its deadline (and not
  exempt), the share with none overdue — "—" while nothing is due yet.

State of one requirement (exactly one, first that holds)
  completed  a completion dated on or before the date;
  exempt     an exemption for this requirement or for ``all``, in force on the date;
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
from collections.abc import Container, Iterable, Mapping, Sequence
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
    LeftReason,
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
    due: bool = False  # the personal deadline has passed (whatever the state)

    @property
    def outstanding(self) -> bool:
        """Still owed: neither completed nor exempt."""
        return self.state is not State.COMPLETED and self.state is not State.EXEMPT

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
    """How many people are in each state on the date. The five states add up to ``in_scope``.

    ``due`` counts the people in scope with at least one requirement past its deadline (and not
    exempt from it); ``left`` the people who were in scope earlier in the year and are not on
    the date (離脱), ``left_open`` those of them who left with something outstanding. Neither
    is part of ``in_scope``.
    """

    in_scope: int = 0
    completed: int = 0
    exempt: int = 0
    overdue: int = 0
    in_progress: int = 0
    not_started: int = 0
    due: int = 0
    left: int = 0
    left_open: int = 0

    @property
    def pending(self) -> int:
        """期限前: in progress or not started, the deadline still ahead."""
        return self.in_progress + self.not_started

    @property
    def done(self) -> int:
        """Completed or exempt: nothing more is owed (never a completion rate's numerator)."""
        return self.completed + self.exempt

    @property
    def in_year(self) -> int:
        """Everyone accounted for in the year so far: in scope on the date, and those who left."""
        return self.in_scope + self.left

    @property
    def rate(self) -> float:
        """修了率: completed as a percentage of those in scope (exemptions never count; 0 when nobody is)."""
        return 100.0 * self.completed / self.in_scope if self.in_scope else 0.0

    @property
    def due_rate(self) -> float | None:
        """Of the people with something already due, the percentage with nothing overdue (None: nothing due)."""
        return 100.0 * (self.due - self.overdue) / self.due if self.due else None

    def add(self, state: State, n: int = 1) -> None:
        self.in_scope += n
        setattr(self, state.value, getattr(self, state.value) + n)

    def as_dict(self) -> dict[str, int]:
        """The five states and ``in_scope`` (they add up), then 期限前, due and 離脱."""
        return {
            "in_scope": self.in_scope,
            "completed": self.completed,
            "exempt": self.exempt,
            "overdue": self.overdue,
            "in_progress": self.in_progress,
            "not_started": self.not_started,
            "pending": self.pending,
            "due": self.due,
            "left": self.left,
            "left_open": self.left_open,
        }


@dataclass(slots=True)
class Summary:
    totals: Counts = field(default_factory=Counts)
    divisions: dict[str, Counts] = field(default_factory=dict)
    requirements: dict[str, Counts] = field(default_factory=dict)


class Departure(NamedTuple):
    """Someone in scope earlier in the year who is not on the date (離脱), and what they left owing."""

    staff: Staff
    assignment: Assignment  # the last one in scope: its division keeps them in its lists
    left_on: date  # the last day in scope
    reason: LeftReason
    moved_to: Assignment | None  # the assignment outside scope they moved to (None: retired)
    requirements: tuple[RequirementStatus, ...]  # each requirement as it stood on ``left_on``

    @property
    def division(self) -> str:
        return self.assignment.division

    def reason_text(self, division_names: Mapping[str, str] | None = None) -> str:
        """退職 / 異動（企画政策課・なし）/ 事務区分の変更（関係事務へ）."""
        after = self.moved_to
        if after is None:
            return self.reason.label
        if self.reason is LeftReason.TRANSFERRED:
            where = (division_names or {}).get(after.division, after.division)
            return f"{self.reason.label}（{where}・{after.duty.value}）"
        return f"{self.reason.label}（{after.duty.value}へ）"

    @property
    def outstanding(self) -> tuple[str, ...]:
        """The requirements still owed on the day they left."""
        return tuple(rs.requirement for rs in self.requirements if rs.outstanding)

    def for_requirement(self, requirement_id: str) -> RequirementStatus | None:
        for status in self.requirements:
            if status.requirement == requirement_id:
                return status
        return None


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


def entered_scope(staff: Staff, duties: Container[Duty], day: date) -> date | None:
    """The day the person's current unbroken stretch in scope began (any year), or None when
    they are not in scope on ``day``. A new period of service (a re-appointment) starts a new stretch."""
    entry: date | None = None
    for a in staff.assignments:
        if a.start > day:
            break
        if a.duty in duties:
            entry = entry or a.start
        else:
            entry = None
    period = staff.period_on(day)
    if entry is None or period is None:
        return None
    return max(entry, period.start)


def scope_entry(staff: Staff, requirement: Requirement, fiscal_year: int, day: date) -> date:
    """The day the person's current unbroken stretch in scope began (not before April 1st)."""
    entry = entered_scope(staff, requirement.duties, day)
    return max(entry or day, fy_start(fiscal_year))


def owes(staff: Staff, requirement: Requirement, fiscal_year: int, day: date) -> bool:
    """Whether someone in scope on ``day`` owes ``requirement`` this year: always, except a
    requirement due after entry (着任時研修), owed only by those who entered scope this year."""
    if requirement.after_entry_days is None:
        return True
    entry = entered_scope(staff, requirement.duties, day)
    return entry is not None and entry >= fy_start(fiscal_year)


def personal_deadline(staff: Staff, requirement: Requirement, fiscal_year: int, day: date) -> date | None:
    """The person's own deadline, or ``None`` while they are on leave (never overdue then)."""
    due = deadline(requirement, fiscal_year)
    if staff.leave_on(day) is not None:
        return None
    last = fy_end(fiscal_year)
    grace = timedelta(days=requirement.late_joiner_days)
    entry = scope_entry(staff, requirement, fiscal_year, day)
    if requirement.after_entry_days is not None:  # 着任時研修: N days after entering scope
        due = _next_working_day(entry + timedelta(days=requirement.after_entry_days))
    elif entry > fy_start(fiscal_year):
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
    passed = due is not None and day > due  # type: ignore[operator]
    if record is not None and record.on <= day:  # progress known on the day
        if record.progress is _DONE:
            caution = leave_caution(staff, record.on) if staff.leaves else ""
            return RequirementStatus(rid, _COMPLETED, due, record.on, 100, caution, passed)  # type: ignore[arg-type]
        percent, progress = record.percent, record.progress
    if exemptions:
        for e in exemptions:
            if e.applies_to(rid) and e.in_force_on(day):
                return RequirementStatus(rid, _EXEMPT, due, None, percent, exemption_note(e))  # type: ignore[arg-type]
    note = ""
    if staff.leaves:
        leave = staff.leave_on(day)
        note = f"{leave.kind.value}中" if leave is not None else ""
    if passed:
        return RequirementStatus(rid, _OVERDUE, due, None, percent, note, True)  # type: ignore[arg-type]
    state = _IN_PROGRESS if progress is _ONGOING else _NOT_STARTED
    return RequirementStatus(rid, state, due, None, percent, note)  # type: ignore[arg-type]


def leave_caution(staff: Staff, day: date) -> str:
    """注意 for a completion dated inside a leave (it is kept, and said wherever it is shown)."""
    leave = staff.leave_on(day)
    return f"注意: {leave.kind.value}中の日付で修了" if leave is not None else ""


def exemption_note(e: Exemption) -> str:
    """What a roster's 備考 says of an exemption: its reason, and 承認者未記録 when nobody approved it."""
    return e.reason if e.approved else f"{e.reason}（承認者未記録）"


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
    in_scope_duties: frozenset[Duty]  # the 事務区分 that owe anything
    after_entry: bool  # the catalog has a requirement due after entry (着任時研修)

    @classmethod
    def of(cls, catalog: Catalog, fiscal_year: int, as_of: date) -> _Year:
        owed = {duty: tuple((r, deadline(r, fiscal_year)) for r in catalog if duty in r.duties) for duty in Duty}
        duties = frozenset(duty for duty, requirements in owed.items() if requirements)
        after_entry = any(r.after_entry_days is not None for r in catalog)
        return cls(fiscal_year, fy_start(fiscal_year), clamp_to_year(fiscal_year, as_of), owed, duties, after_entry)


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
    settled = (
        not staff.leaves
        and not staff.earlier
        and staff.hired <= year.start
        and _same_duty_all_year(staff, year.start, day)
    )
    owed = year.owed[assignment.duty]
    if not owed:
        return None
    if year.after_entry:  # 着任時研修: only those who entered scope this year owe it
        owed = tuple((r, due) for r, due in owed if r.after_entry_days is None or owes(staff, r, year.fiscal_year, day))
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


def departure(
    staff: Staff,
    catalog: Catalog,
    fiscal_year: int,
    as_of: date,
    records: Mapping[str, Record],
    exemptions: Sequence[Exemption] = (),
) -> Departure | None:
    """How one person left scope earlier in the year (``None`` when they did not)."""
    return _departure(staff, _Year.of(catalog, fiscal_year, as_of), records, exemptions)


def last_day_in_scope(staff: Staff, duties: Container[Duty], start: date, day: date) -> tuple[date, int] | None:
    """The last day from ``start`` to ``day`` the person was in service doing one of ``duties``,
    and the index of the assignment in force then (``None``: never in that time)."""
    found = None
    assignments = staff.assignments
    for period in staff.periods:
        first_day = max(period.start, start)
        last_day = day if period.end is None else min(day, period.end)
        if first_day > last_day:
            continue
        for i, a in enumerate(assignments):
            first = max(a.start, first_day)
            if first > last_day:
                break
            last = last_day
            if i + 1 < len(assignments):
                last = min(last, assignments[i + 1].start - _ONE_DAY)
            if first <= last and a.duty in duties:
                found = (last, i)
    return found


_ONE_DAY = timedelta(days=1)


def _departure(
    staff: Staff, year: _Year, records: Mapping[str, Record], exemptions: Sequence[Exemption]
) -> Departure | None:
    """Call only for someone not in scope on ``year.day``."""
    if staff.first_hired > year.day or (staff.retired is not None and staff.retired < year.start):
        return None  # not in service at any time of the year so far
    found = last_day_in_scope(staff, year.in_scope_duties, year.start, year.day)
    if found is None:
        return None
    left_on, index = found
    assignment = staff.assignments[index]
    if left_on >= year.day:
        return None  # in scope on the day after all
    moved_to = None
    if any(p.end == left_on for p in staff.periods):
        reason = LeftReason.RETIRED
    else:
        moved_to = staff.assignments[index + 1]  # an assignment outside scope began the next day
        reason = LeftReason.TRANSFERRED if moved_to.division != assignment.division else LeftReason.DUTY_CHANGED
    fy = year.fiscal_year
    statuses = tuple(
        requirement_status(staff, r, fy, left_on, records.get(r.id), exemptions)
        for r, _ in year.owed[assignment.duty]
        if owes(staff, r, fy, left_on)
    )
    return Departure(staff, assignment, left_on, reason, moved_to, statuses)


@dataclass(slots=True)
class YearStatus:
    """The year as of a date: everyone in scope on it, and everyone who left scope before it."""

    people: list[PersonStatus]
    departures: list[Departure]


def evaluate_year(
    staff: Iterable[Staff],
    catalog: Catalog,
    fiscal_year: int,
    as_of: date,
    records: Mapping[str, Mapping[str, Record]],
    exemptions: Mapping[str, Sequence[Exemption]],
    division: str | None = None,
) -> YearStatus:
    """Every in-scope person's status and every departure (离脱) so far; ``records`` and
    ``exemptions`` are keyed by staff id. With ``division``, only the people it owns: in
    scope there on the date, or in scope there on their last day in scope."""
    year = _Year.of(catalog, fiscal_year, as_of)
    people: list[PersonStatus] = []
    departures: list[Departure] = []
    empty: dict[str, Record] = {}
    no_exemptions: tuple[Exemption, ...] = ()
    for person in staff:
        sid = person.staff_id
        mine = records.get(sid, empty)
        theirs = exemptions.get(sid, no_exemptions)
        status = None
        if division is None or _owned_on(person, year.day, division):
            status = _person_status(person, catalog, year, mine, theirs)
        if status is not None:
            people.append(status)
        elif not _in_scope_on(person, year):
            gone = _departure(person, year, mine, theirs)
            if gone is not None and (division is None or gone.division == division):
                departures.append(gone)
    return YearStatus(people, departures)


def _owned_on(staff: Staff, day: date, division: str) -> bool:
    assignment = staff.assignment_on(day)
    return assignment is not None and assignment.division == division


def _in_scope_on(staff: Staff, year: _Year) -> bool:
    if not staff.active_on(year.day):
        return False
    assignment = staff.assignment_on(year.day)
    return assignment is not None and assignment.duty in year.in_scope_duties


def evaluate(
    staff: Iterable[Staff],
    catalog: Catalog,
    fiscal_year: int,
    as_of: date,
    records: Mapping[str, Mapping[str, Record]],
    exemptions: Mapping[str, Sequence[Exemption]],
    division: str | None = None,
) -> list[PersonStatus]:
    """Every in-scope person's status on the date (see :func:`evaluate_year` for the leavers too)."""
    return evaluate_year(staff, catalog, fiscal_year, as_of, records, exemptions, division).people


def summarize(statuses: Iterable[PersonStatus], catalog: Catalog, departures: Iterable[Departure] = ()) -> Summary:
    """Counts in total, per owning division and per requirement (departures: 離脱, by their last division)."""
    by_division: Counter[tuple[str, State]] = Counter()
    by_requirement: Counter[tuple[str, State]] = Counter()
    due_division: Counter[str] = Counter()
    due_requirement: Counter[str] = Counter()
    for status in statuses:
        division = status.assignment.division
        by_division[division, status.state] += 1
        due = False
        for rs in status.requirements:
            by_requirement[rs.requirement, rs.state] += 1
            if rs.due and rs.state is not State.EXEMPT:
                due_requirement[rs.requirement] += 1
                due = True
        if due:
            due_division[division] += 1
    summary = Summary(requirements={r.id: Counts() for r in catalog})
    for (division, state), n in by_division.items():
        summary.totals.add(state, n)
        summary.divisions.setdefault(division, Counts()).add(state, n)
    for (requirement, state), n in by_requirement.items():
        summary.requirements.setdefault(requirement, Counts()).add(state, n)
    for division, n in due_division.items():
        summary.divisions[division].due += n
        summary.totals.due += n
    for requirement, n in due_requirement.items():
        summary.requirements[requirement].due += n
    for gone in departures:
        open_ = bool(gone.outstanding)
        for counts in (summary.totals, summary.divisions.setdefault(gone.division, Counts())):
            counts.left += 1
            counts.left_open += open_
        for rs in gone.requirements:
            counts = summary.requirements.setdefault(rs.requirement, Counts())
            counts.left += 1
            counts.left_open += rs.outstanding
    return summary
