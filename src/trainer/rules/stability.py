"""How long a verdict holds: the first day on which a person's evaluation could differ without
any change to their data. Pure.

A derived cache keeps each person's verdict with this day, so the next day's status re-evaluates
only the people for whom something happens (a deadline passing, a leave beginning or ending …).
It errs on the early side: a day named here may change nothing; a day not named never changes
anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from trainer.calendar import fy_end
from trainer.model import Exemption, Record, Staff
from trainer.rules.verdicts import RequirementStatus

_DAY = timedelta(days=1)


def stable_until(
    staff: Staff,
    fiscal_year: int,
    day: date,
    statuses: Iterable[RequirementStatus],
    records: Mapping[str, Record],
    exemptions: Sequence[Exemption],
) -> date:
    """The first day after ``day`` (already clamped into the year) on which this person's verdict
    for the year may differ from the one on ``day``: ``date.max`` when it never will (a day past
    the year's end reads as its last day)."""
    last = fy_end(fiscal_year)
    if day >= last:
        return date.max
    candidates = [last]  # (from the year's last day on, every day reads as that day)
    candidates += [rs.deadline + _DAY for rs in statuses if rs.deadline is not None]  # overdue, due
    for leave in staff.leaves:
        candidates.append(leave.start)
        if leave.end is not None:
            candidates.append(leave.end + _DAY)
    candidates += [a.start for a in staff.assignments]
    for period in staff.periods:
        candidates.append(period.start)
        if period.end is not None:
            candidates.append(period.end + _DAY)
    candidates += [r.on for r in records.values()]
    for e in exemptions:
        candidates.append(e.starts)
        if e.revoked_on is not None:
            candidates.append(e.revoked_on)
    later = [c for c in candidates if c > day]
    return min(later) if later else date.max
