"""The year as of a date: everyone in scope, everyone who left scope before it, and the counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from trainer.model import (
    Catalog,
    Duty,
    Exemption,
    LeftReason,
    Record,
    Staff,
    State,
)
from trainer.rules.deadlines import owes
from trainer.rules.person import _person_status, _Year, requirement_status
from trainer.rules.verdicts import Counts, Departure, PersonStatus, Summary


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
