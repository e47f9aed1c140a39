"""How long a verdict holds (rules.stability): the exact days on which a person's verdict may change."""

from __future__ import annotations

from datetime import date

from trainer.model import Assignment, Duty, Exemption, Leave, LeaveKind, Period, Progress, Record, Staff, State
from trainer.rules.stability import stable_until
from trainer.rules.verdicts import RequirementStatus

FY = 2026


def _everything() -> tuple[Staff, list[RequirementStatus], dict[str, Record], list[Exemption]]:
    """Someone with one of each thing that can change a verdict, each on its own day of FY2026."""
    staff = Staff(
        "000101",
        "市役所 太郎",
        "シヤクショ タロウ",
        "会計年度任用職員",
        date(2026, 6, 15),  # appointed again after a gap
        (
            Assignment(date(2026, 4, 1), "160", "事務補助員", Duty.RIYO),
            Assignment(date(2026, 6, 15), "160", "事務補助員", Duty.RIYO),
            Assignment(date(2026, 7, 1), "170", "事務補助員", Duty.RIYO),
        ),
        (
            Leave(LeaveKind.IKUKYU, date(2026, 8, 10), date(2026, 9, 20)),
            Leave(LeaveKind.BYOKYU, date(2027, 1, 15), None),
        ),
        date(2027, 2, 26),
        earlier=(Period(date(2026, 4, 1), date(2026, 5, 31)),),
    )
    statuses = [
        RequirementStatus("intro", State.NOT_STARTED, date(2026, 10, 30)),
        RequirementStatus("rules", State.NOT_STARTED, None),  # on leave: no deadline
    ]
    records = {"intro": Record("000101", FY, "intro", Progress.IN_PROGRESS, 40, date(2026, 11, 5))}
    effective, revoked = date(2026, 12, 1), date(2027, 1, 5)
    exemptions = [
        Exemption("000101", FY, "rules", "診断書", date(2026, 12, 10), effective=effective, revoked_on=revoked),
        Exemption("000101", FY, "intro", "修了証", date(2026, 12, 20)),
    ]
    return staff, statuses, records, exemptions


def _chain(day: date) -> list[date]:
    """Every day stable_until names, from ``day`` on, until it says never (at most 30 steps)."""
    staff, statuses, records, exemptions = _everything()
    days = []
    for _ in range(30):
        day = stable_until(staff, FY, day, statuses, records, exemptions)
        days.append(day)
        if day == date.max:
            break
    return days


def test_each_day_a_verdict_may_change_is_named_once_and_in_order() -> None:
    assert _chain(date(2026, 4, 1)) == [
        date(2026, 6, 1),  # the day after an earlier period of service ended
        date(2026, 6, 15),  # the current period (and an assignment) begins
        date(2026, 7, 1),  # a transfer
        date(2026, 8, 10),  # a leave begins
        date(2026, 9, 21),  # the day after it ends
        date(2026, 10, 31),  # the day after a deadline
        date(2026, 11, 5),  # a record's date
        date(2026, 12, 1),  # an exemption counts from its effective day
        date(2026, 12, 20),  # another from the day it was recorded
        date(2027, 1, 5),  # the first is revoked
        date(2027, 1, 15),  # an open-ended leave begins
        date(2027, 2, 27),  # the day after retirement
        date(2027, 3, 31),  # the year's last day
        date.max,  # from then on every day reads as the last
    ]


def test_a_day_that_is_itself_a_change_names_the_next_one_not_itself() -> None:
    assert _chain(date(2026, 7, 1))[:2] == [date(2026, 8, 10), date(2026, 9, 21)]
    assert _chain(date(2026, 10, 31))[0] == date(2026, 11, 5)


def test_on_the_years_last_day_and_after_it_nothing_changes_any_more() -> None:
    staff, statuses, records, exemptions = _everything()
    later = (*staff.assignments, Assignment(date(2027, 4, 1), "180", "主事", Duty.RIYO))  # next year's transfer
    staff = Staff(staff.staff_id, staff.name, staff.kana, staff.employment, staff.hired, later, staff.leaves)
    assert stable_until(staff, FY, date(2027, 3, 31), statuses, records, exemptions) == date.max
    assert stable_until(staff, FY, date(2027, 3, 30), statuses, records, exemptions) == date(2027, 3, 31)


def test_with_nothing_ahead_in_the_year_the_verdict_holds_until_its_last_day() -> None:
    staff = Staff("000102", "市役所 花子", "シヤクショ ハナコ", "正規職員", date(2015, 4, 1),
                  (Assignment(date(2015, 4, 1), "160", "主事", Duty.RIYO),))  # fmt: skip
    assert stable_until(staff, FY, date(2026, 4, 1), [], {}, []) == date(2027, 3, 31)
