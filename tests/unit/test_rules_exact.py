"""The rules' verdicts compared whole: every field of a requirement's status, every count of a
summary, every word of a departure's reason (the mutation runs showed where only a part was)."""

from __future__ import annotations

import dataclasses
from datetime import date

from tests.factories import person
from trainer.model import (
    Assignment,
    Catalog,
    Duty,
    Exemption,
    LeaveKind,
    LeftReason,
    MonthDay,
    Progress,
    Record,
    State,
    Window,
)
from trainer.rules import (
    Counts,
    Departure,
    PersonStatus,
    RequirementStatus,
    evaluate_year,
    requirement_status,
    summarize,
    window_dates,
)

FY = 2026


def test_window_dates_fall_in_the_fiscal_year_months_1_to_3_in_the_next_calendar_year(catalog: Catalog) -> None:
    assert window_dates(catalog.by_id["intro"], FY) == (date(2026, 7, 1), date(2026, 11, 30))
    assert window_dates(catalog.by_id["checkpoint"], FY) == (date(2026, 10, 1), date(2027, 1, 31))
    whole_year = dataclasses.replace(
        catalog.by_id["intro"], window=Window(MonthDay(4, 1), MonthDay(3, 31))
    )  # April is this year, March the next
    assert window_dates(whole_year, 2025) == (date(2025, 4, 1), date(2026, 3, 31))
    late = dataclasses.replace(catalog.by_id["intro"], window=Window(MonthDay(1, 5), MonthDay(5, 20)))
    assert window_dates(late, FY) == (date(2027, 1, 5), date(2026, 5, 20))


def test_a_requirements_status_is_right_in_every_field(catalog: Catalog) -> None:
    intro = catalog.by_id["intro"]
    staff = person("000101")  # here since 2015: the catalog's deadline, 2026-11-30
    due = date(2026, 11, 30)
    done = Record("000101", FY, "intro", Progress.COMPLETED, 100, date(2026, 8, 1))
    assert requirement_status(staff, intro, FY, date(2026, 12, 5), done) == RequirementStatus(
        "intro", State.COMPLETED, due, date(2026, 8, 1), 100, "", True
    )
    assert requirement_status(staff, intro, FY, date(2026, 8, 1), done) == RequirementStatus(
        "intro", State.COMPLETED, due, date(2026, 8, 1), 100, "", False
    )
    # Not yet known on the day before it was recorded.
    assert requirement_status(staff, intro, FY, date(2026, 7, 31), done) == RequirementStatus(
        "intro", State.NOT_STARTED, due, None, 0, "", False
    )
    ongoing = Record("000101", FY, "intro", Progress.IN_PROGRESS, 40, date(2026, 8, 1))
    assert requirement_status(staff, intro, FY, date(2026, 12, 1), ongoing) == RequirementStatus(
        "intro", State.OVERDUE, due, None, 40, "", True
    )
    assert requirement_status(staff, intro, FY, date(2026, 11, 30), ongoing) == RequirementStatus(
        "intro", State.IN_PROGRESS, due, None, 40, "", False
    )
    exempt = Exemption("000101", FY, "intro", "長期研修で派遣中", date(2026, 7, 1), approved_by="人事課長")
    assert requirement_status(staff, intro, FY, date(2026, 12, 1), ongoing, [exempt]) == RequirementStatus(
        "intro", State.EXEMPT, due, None, 40, "長期研修で派遣中", False
    )
    unapproved = dataclasses.replace(exempt, approved_by="")
    assert requirement_status(staff, intro, FY, date(2026, 12, 1), None, [unapproved]).note == (
        "長期研修で派遣中（承認者未記録）"
    )
    # On leave on the day: no deadline while it lasts, and the note says why.
    away = person("000101", leaves=((LeaveKind.IKUKYU, date(2026, 10, 1), None),))
    assert requirement_status(away, intro, FY, date(2026, 12, 1), None) == RequirementStatus(
        "intro", State.NOT_STARTED, None, None, 0, "育児休業中", False
    )
    # Back from a leave that ended in May: no note, the deadline as before.
    back = person("000101", leaves=((LeaveKind.IKUKYU, date(2026, 4, 1), date(2026, 5, 31)),))
    assert requirement_status(back, intro, FY, date(2026, 12, 1), None) == RequirementStatus(
        "intro", State.OVERDUE, due, None, 0, "", True
    )


def test_counts_as_a_dict_name_every_number() -> None:
    counts = Counts(in_scope=15, completed=5, exempt=1, overdue=2, in_progress=3, not_started=4, due=6, left=7)
    counts.left_open = 8
    assert counts.as_dict() == {
        "in_scope": 15,
        "completed": 5,
        "exempt": 1,
        "overdue": 2,
        "in_progress": 3,
        "not_started": 4,
        "pending": 7,
        "due": 6,
        "left": 7,
        "left_open": 8,
    }


def _rs(requirement: str, state: State, due: bool = False) -> RequirementStatus:
    return RequirementStatus(requirement, state, date(2026, 11, 30), None, 0, "", due)


def _status(staff_id: str, division: str, state: State, *requirements: RequirementStatus) -> PersonStatus:
    staff = person(staff_id, division=division)
    return PersonStatus(staff, staff.assignments[-1], state, requirements)


def _gone(staff_id: str, division: str, *requirements: RequirementStatus) -> Departure:
    staff = person(staff_id, division=division)
    return Departure(staff, staff.assignments[-1], date(2026, 9, 30), LeftReason.RETIRED, None, requirements)


def test_a_summary_counts_each_state_what_is_due_and_who_left_by_division_and_requirement(catalog: Catalog) -> None:
    people = [
        _status("1", "160", State.COMPLETED, _rs("intro", State.COMPLETED, due=True), _rs("rules", State.COMPLETED)),
        _status("2", "160", State.OVERDUE, _rs("intro", State.OVERDUE, True), _rs("rules", State.OVERDUE, True)),
        _status("3", "150", State.NOT_STARTED, _rs("intro", State.EXEMPT, due=True), _rs("rules", State.NOT_STARTED)),
    ]
    departures = [
        _gone("4", "160", _rs("intro", State.COMPLETED), _rs("rules", State.NOT_STARTED)),
        _gone("5", "170", _rs("intro", State.COMPLETED), _rs("rules", State.COMPLETED)),
    ]
    summary = summarize(people, catalog, departures)
    assert summary.totals.as_dict() == {
        "in_scope": 3, "completed": 1, "exempt": 0, "overdue": 1, "in_progress": 0, "not_started": 1,
        "pending": 1, "due": 2, "left": 2, "left_open": 1,
    }  # fmt: skip
    assert {code: c.as_dict() for code, c in summary.divisions.items()} == {
        "160": {"in_scope": 2, "completed": 1, "exempt": 0, "overdue": 1, "in_progress": 0, "not_started": 0,
                "pending": 0, "due": 2, "left": 1, "left_open": 1},
        "150": {"in_scope": 1, "completed": 0, "exempt": 0, "overdue": 0, "in_progress": 0, "not_started": 1,
                "pending": 1, "due": 0, "left": 0, "left_open": 0},
        "170": {"in_scope": 0, "completed": 0, "exempt": 0, "overdue": 0, "in_progress": 0, "not_started": 0,
                "pending": 0, "due": 0, "left": 1, "left_open": 0},
    }  # fmt: skip
    assert summary.requirements["intro"].as_dict() == {
        "in_scope": 3, "completed": 1, "exempt": 1, "overdue": 1, "in_progress": 0, "not_started": 0,
        "pending": 0, "due": 2, "left": 2, "left_open": 0,
    }  # fmt: skip
    assert summary.requirements["rules"].as_dict() == {
        "in_scope": 3, "completed": 1, "exempt": 0, "overdue": 1, "in_progress": 0, "not_started": 1,
        "pending": 1, "due": 1, "left": 2, "left_open": 1,
    }  # fmt: skip
    assert summary.requirements["flow"].as_dict()["in_scope"] == 0  # every requirement of the catalog is there


def test_a_departures_reason_in_words() -> None:
    staff = person("000101")
    here = staff.assignments[0]
    retired = Departure(staff, here, date(2026, 9, 30), LeftReason.RETIRED, None, ())
    assert retired.reason_text() == "退職"
    moved = Assignment(date(2026, 10, 1), "110", "主事", Duty.NONE)
    transferred = Departure(staff, here, date(2026, 9, 30), LeftReason.TRANSFERRED, moved, ())
    assert transferred.reason_text({"110": "企画政策課"}) == "異動（企画政策課・なし）"
    assert transferred.reason_text() == "異動（110・なし）"
    assert transferred.reason_text({"999": "他の課"}) == "異動（110・なし）"
    kankei = Assignment(date(2026, 10, 1), "160", "主事", Duty.KANKEI)
    changed = Departure(staff, here, date(2026, 9, 30), LeftReason.DUTY_CHANGED, kankei, ())
    assert changed.reason_text({"160": "市民税課"}) == "事務区分の変更（関係事務へ）"


def test_a_departure_is_found_with_each_requirement_as_it_stood_on_the_last_day(catalog: Catalog) -> None:
    moved = person("000101", moves=((date(2026, 10, 1), "110", Duty.NONE),))
    retired = person("000102", retired=date(2026, 8, 31))
    duty = person("000103", moves=((date(2026, 9, 1), "160", Duty.KANKEI),))
    stays = person("000104")
    records = {"000101": {"intro": Record("000101", FY, "intro", Progress.COMPLETED, 100, date(2026, 9, 1))}}
    year = evaluate_year([moved, retired, duty, stays], catalog, FY, date(2026, 11, 25), records, {})
    assert [p.staff.staff_id for p in year.people] == ["000104"]
    gone = {d.staff.staff_id: d for d in year.departures}
    assert set(gone) == {"000101", "000102", "000103"}
    assert (gone["000101"].left_on, gone["000101"].reason, gone["000101"].moved_to) == (
        date(2026, 9, 30), LeftReason.TRANSFERRED, moved.assignments[1]
    )  # fmt: skip
    assert (gone["000102"].left_on, gone["000102"].reason, gone["000102"].moved_to) == (
        date(2026, 8, 31), LeftReason.RETIRED, None
    )  # fmt: skip
    assert (gone["000103"].left_on, gone["000103"].reason) == (date(2026, 8, 31), LeftReason.DUTY_CHANGED)
    intro = gone["000101"].for_requirement("intro")
    assert intro is not None and (intro.state, intro.completed_on) == (State.COMPLETED, date(2026, 9, 1))
    assert gone["000101"].outstanding == ("rules", "flow", "security", "checkpoint")
    assert gone["000101"].for_requirement("nothing") is None
    assert {rs.requirement for rs in gone["000102"].requirements} == {r.id for r in catalog}
    # Only the division they were in on their last day in scope lists them.
    by_division = evaluate_year([moved, retired, stays], catalog, FY, date(2026, 11, 25), records, {}, "160")
    assert {d.staff.staff_id for d in by_division.departures} == {"000101", "000102"}
    assert [p.staff.staff_id for p in by_division.people] == ["000104"]
    elsewhere = evaluate_year([moved, retired, stays], catalog, FY, date(2026, 11, 25), records, {}, "110")
    assert elsewhere.people == [] and elsewhere.departures == []


DAY = date(2026, 11, 25)


def test_scope_entry_is_never_before_april_1st(catalog: Catalog) -> None:
    from trainer.rules import scope_entry

    intro = catalog.by_id["intro"]
    assert scope_entry(person("000101"), intro, FY, DAY) == date(2026, 4, 1)
    moved_in = person("000101", duty=Duty.KANKEI, moves=((date(2026, 9, 1), "160", Duty.RIYO),))
    assert scope_entry(moved_in, intro, FY, DAY) == date(2026, 9, 1)


def test_a_personal_deadline_counts_the_grace_only_for_those_who_came_after_april_1st(catalog: Catalog) -> None:
    from trainer.rules import personal_deadline

    early = dataclasses.replace(catalog.by_id["intro"], window=Window(MonthDay(4, 1), MonthDay(5, 20)))
    assert personal_deadline(person("000101"), early, FY, date(2026, 5, 1)) == date(2026, 5, 20)
    came = person("000101", hired=date(2026, 4, 2))
    assert personal_deadline(came, early, FY, date(2026, 5, 1)) == date(2026, 6, 1)  # 4/2 + 60 = 5/31, a Sunday
    # Back from a leave over the deadline: the day after it ends, plus the grace.
    back = person("000101", leaves=((LeaveKind.IKUKYU, date(2026, 10, 1), date(2026, 12, 31)),))
    assert personal_deadline(back, catalog.by_id["intro"], FY, date(2027, 3, 1)) == date(2027, 3, 2)
    # Moved from 関係事務 into 利用事務 on the very day: its own deadline, not the catalog's.
    today = person("000101", duty=Duty.KANKEI, moves=((DAY, "160", Duty.RIYO),))
    status = evaluate_year([today], catalog, FY, DAY, {}, {}).people[0]
    intro = status.for_requirement("intro")
    assert intro is not None and intro.deadline == date(2027, 1, 25)  # 11/25 + 60 = 1/24, a Sunday


def _exempt(staff_id: str) -> Exemption:
    return Exemption(staff_id, FY, "all", "派遣中", date(2026, 7, 1), approved_by="人事課長")


def test_exemptions_reach_everyone_evaluated_and_everyone_who_left(catalog: Catalog) -> None:
    from trainer.rules import departure, evaluate

    here, gone = person("000101"), person("000102", retired=date(2026, 9, 30))
    exemptions = {"000101": [_exempt("000101")], "000102": [_exempt("000102")]}
    year = evaluate_year([here, gone], catalog, FY, DAY, {}, exemptions)
    assert [p.state for p in year.people] == [State.EXEMPT]
    assert {rs.state for rs in year.departures[0].requirements} == {State.EXEMPT}
    alone = departure(gone, catalog, FY, DAY, {}, [_exempt("000102")])
    assert alone is not None and {rs.state for rs in alone.requirements} == {State.EXEMPT}
    assert [
        p.staff.staff_id for p in evaluate([here, person("000201", division="150")], catalog, FY, DAY, {}, {}, "150")
    ] == ["000201"]


def test_who_left_and_when_at_the_edges(catalog: Catalog) -> None:
    def gone(staff: object) -> tuple[date, LeftReason, Assignment | None] | None:
        found = evaluate_year([staff], catalog, FY, DAY, {}, {}).departures  # type: ignore[list-item]
        return (found[0].left_on, found[0].reason, found[0].moved_to) if found else None

    assert gone(person("000101", retired=date(2026, 4, 1))) == (date(2026, 4, 1), LeftReason.RETIRED, None)
    one_day = person("000101", hired=date(2026, 6, 1), retired=date(2026, 6, 1))
    assert gone(one_day) == (date(2026, 6, 1), LeftReason.RETIRED, None)
    # Transferred out in September, retired in November: they left scope by the transfer.
    moved = person("000101", moves=((date(2026, 10, 1), "110", Duty.NONE),), retired=date(2026, 11, 1))
    assert gone(moved) == (date(2026, 9, 30), LeftReason.TRANSFERRED, moved.assignments[1])
    # Out, then to a third post: the post they moved to is the next one, not the last.
    twice = person("000101", moves=((date(2026, 10, 1), "110", Duty.NONE), (date(2026, 11, 1), "120", Duty.NONE)))
    assert gone(twice) == (date(2026, 9, 30), LeftReason.TRANSFERRED, twice.assignments[1])
    # Out in October, back in 利用事務 only from next month: gone on the day, since September 30.
    back_later = person("000101", moves=((date(2026, 10, 1), "110", Duty.NONE), (date(2026, 12, 1), "160", Duty.RIYO)))
    assert gone(back_later) == (date(2026, 9, 30), LeftReason.TRANSFERRED, back_later.assignments[1])
    # One day in 利用事務 in October.
    a_day = person(
        "000101", duty=Duty.NONE, moves=((date(2026, 10, 1), "160", Duty.RIYO), (date(2026, 10, 2), "160", Duty.NONE))
    )
    assert gone(a_day) == (date(2026, 10, 1), LeftReason.DUTY_CHANGED, a_day.assignments[2])
    # Out of scope since 2020: not a leaver of this year.
    long_ago = person("000101", moves=((date(2020, 4, 1), "110", Duty.NONE),))
    assert gone(long_ago) is None


def test_the_last_day_in_scope_and_its_assignment(catalog: Catalog) -> None:
    from trainer.rules import last_day_in_scope

    riyo = (Duty.RIYO,)
    start = date(2026, 4, 1)
    moves = (
        (date(2026, 6, 1), "110", Duty.NONE),
        (date(2026, 8, 1), "160", Duty.RIYO),
        (date(2026, 10, 1), "110", Duty.NONE),
    )
    staff = person("000101", moves=moves)
    assert last_day_in_scope(staff, riyo, start, DAY) == (date(2026, 9, 30), 2)
    assert last_day_in_scope(staff, riyo, start, date(2026, 7, 1)) == (date(2026, 5, 31), 0)
    back_on_the_day = person("000101", moves=((date(2026, 10, 1), "110", Duty.NONE), (DAY, "160", Duty.RIYO)))
    assert last_day_in_scope(back_on_the_day, riyo, start, DAY) == (DAY, 2)
    assert last_day_in_scope(person("000101", hired=date(2026, 12, 1)), riyo, start, DAY) is None


def test_a_summary_adds_people_of_one_state_and_what_is_due_across_divisions(catalog: Catalog) -> None:
    people = [
        _status("1", "160", State.OVERDUE, _rs("intro", State.OVERDUE, True)),
        _status("2", "160", State.OVERDUE, _rs("intro", State.OVERDUE, True)),
        _status("3", "150", State.OVERDUE, _rs("intro", State.OVERDUE, True)),
    ]
    summary = summarize(people, catalog)
    assert (summary.totals.in_scope, summary.totals.overdue, summary.totals.due) == (3, 3, 3)
    assert (summary.divisions["160"].overdue, summary.divisions["160"].due) == (2, 2)
    assert (summary.requirements["intro"].overdue, summary.requirements["intro"].due) == (3, 3)
