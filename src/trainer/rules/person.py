"""One person's state as of a date: each requirement, and the person over all they owe."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Final, Literal, NamedTuple

from trainer.calendar import fy_start
from trainer.model import (
    Catalog,
    Duty,
    Exemption,
    Progress,
    Record,
    Requirement,
    Staff,
    State,
)
from trainer.rules.deadlines import clamp_to_year, deadline, owes, personal_deadline
from trainer.rules.verdicts import PersonStatus, RequirementStatus


class _Compute(Enum):
    """requirement_status(): work the personal deadline out (an enum: a sentinel mypy narrows)."""

    DEADLINE = 0


_COMPUTE: Final = _Compute.DEADLINE


def requirement_status(
    staff: Staff,
    requirement: Requirement,
    fiscal_year: int,
    day: date,
    record: Record | None,
    exemptions: Sequence[Exemption] = (),
    due: date | Literal[_Compute.DEADLINE] | None = _COMPUTE,
) -> RequirementStatus:
    """One person's state on one requirement (call only when the person is in scope).

    ``due`` may be passed when the caller already knows the personal deadline.
    """
    if due is _COMPUTE:
        due = personal_deadline(staff, requirement, fiscal_year, day)
    rid = requirement.id
    percent = 0
    progress = None
    passed = due is not None and day > due
    if record is not None and record.on <= day:  # progress known on the day
        if record.progress is _DONE:
            caution = leave_caution(staff, record.on) if staff.leaves else ""
            return RequirementStatus(rid, _COMPLETED, due, record.on, 100, caution, passed)
        percent, progress = record.percent, record.progress
    if exemptions:
        for e in exemptions:
            if e.applies_to(rid) and e.in_force_on(day):
                return RequirementStatus(rid, _EXEMPT, due, None, percent, exemption_note(e))
    note = ""
    if staff.leaves:
        leave = staff.leave_on(day)
        note = f"{leave.kind.value}中" if leave is not None else ""
    if passed:
        return RequirementStatus(rid, _OVERDUE, due, None, percent, note, True)
    state = _IN_PROGRESS if progress is _ONGOING else _NOT_STARTED
    return RequirementStatus(rid, state, due, None, percent, note)


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


class _Year(NamedTuple):
    """What every person's evaluation on one day shares, worked out once (a named tuple: a
    dataclass costs every command its creation at import)."""

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
    # Here since before April 1st doing the same 事務, never on leave: the catalog's deadlines
    # (never for a 着任時研修: its deadline counts from the day they entered scope, April 1st too).
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
            requirement_status(
                staff,
                r,
                fy,
                day,
                records.get(r.id),
                exemptions,
                due if settled and r.after_entry_days is None else _COMPUTE,
            )
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
