"""When a requirement is due: the year's deadline, a person's entry into scope and their own deadline."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta
from functools import lru_cache

from trainer.calendar import fy_end, fy_start, next_working_day
from trainer.model import (
    Duty,
    Requirement,
    Staff,
)


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
