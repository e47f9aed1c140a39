"""Test data built in one line."""

from __future__ import annotations

from datetime import date

from trainer.model import Assignment, Duty, Leave, LeaveKind, Staff


def person(
    staff_id: str = "000101",
    hired: date = date(2015, 4, 1),
    division: str = "160",
    duty: Duty = Duty.RIYO,
    employment: str = "正規職員",
    moves: tuple[tuple[date, str, Duty], ...] = (),
    leaves: tuple[tuple[LeaveKind, date, date | None], ...] = (),
    retired: date | None = None,
) -> Staff:
    """A staff member; ``moves`` are (date, division, duty) transfers after hiring."""
    assignments = [Assignment(hired, division, "主事", duty)]
    assignments += [Assignment(day, div, "主事", d) for day, div, d in moves]
    return Staff(
        staff_id,
        "市役所 太郎",
        "シヤクショ タロウ",
        employment,
        hired,
        tuple(assignments),
        tuple(Leave(k, s, e) for k, s, e in leaves),
        retired,
    )
