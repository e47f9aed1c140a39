"""The compliance rules, case by case, in the coordinator's words."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import person
from trainer.model import Catalog, Duty, Exemption, LeaveKind, Progress, Record, State
from trainer.rules import deadline, evaluate, overall_state, person_status, summarize

FY = 2026


def done(staff_id: str, req: str, on: date) -> Record:
    return Record(staff_id, FY, req, Progress.COMPLETED, 100, on)


def all_done(staff_id: str, on: date, catalog: Catalog) -> dict[str, Record]:
    return {r.id: done(staff_id, r.id, on) for r in catalog}


def states(status) -> dict[str, State]:  # type: ignore[no-untyped-def]
    return {r.requirement: r.state for r in status.requirements}


def test_course_deadline_is_end_of_five_month_window(catalog: Catalog) -> None:
    # 7月1日 + 5 months: 11月30日 2026 is a Monday, a working day.
    assert deadline(catalog.by_id["intro"], FY) == date(2026, 11, 30)


def test_deadline_on_a_weekend_or_holiday_moves_to_next_working_day(catalog: Catalog) -> None:
    # 2027-01-31 is a Sunday: the checkpoint sheet is due Monday 2月1日.
    assert deadline(catalog.by_id["checkpoint"], FY) == date(2027, 2, 1)
    # FY2025: 2025-11-30 is a Sunday -> 12月1日.
    assert deadline(catalog.by_id["intro"], 2025) == date(2025, 12, 1)


def test_completed_before_the_date_counts(catalog: Catalog) -> None:
    p = person()
    status = person_status(p, catalog, FY, date(2026, 12, 10), all_done(p.staff_id, date(2026, 8, 1), catalog))
    assert status is not None and status.state is State.COMPLETED


def test_completion_dated_after_the_as_of_date_does_not_count_yet(catalog: Catalog) -> None:
    p = person()
    status = person_status(p, catalog, FY, date(2026, 7, 31), all_done(p.staff_id, date(2026, 8, 1), catalog))
    assert status is not None and status.state is State.NOT_STARTED


def test_nothing_done_after_the_deadline_is_overdue(catalog: Catalog) -> None:
    p = person()
    status = person_status(p, catalog, FY, date(2026, 12, 1), {})
    assert status is not None
    assert states(status)["intro"] is State.OVERDUE
    assert states(status)["checkpoint"] is State.NOT_STARTED  # due 2月1日
    assert status.state is State.OVERDUE


def test_on_the_deadline_itself_nobody_is_overdue_yet(catalog: Catalog) -> None:
    status = person_status(person(), catalog, FY, date(2026, 11, 30), {})
    assert status is not None and status.state is State.NOT_STARTED


def test_progress_reported_is_in_progress(catalog: Catalog) -> None:
    p = person()
    records = {"flow": Record(p.staff_id, FY, "flow", Progress.IN_PROGRESS, 40, date(2026, 8, 1))}
    status = person_status(p, catalog, FY, date(2026, 9, 1), records)
    assert status is not None and states(status)["flow"] is State.IN_PROGRESS
    assert status.for_requirement("flow").percent == 40  # type: ignore[union-attr]
    assert status.state is State.IN_PROGRESS


def test_kankei_jimu_only_clerk_is_out_of_scope(catalog: Catalog) -> None:
    clerk = person(division="520", duty=Duty.KANKEI)
    assert person_status(clerk, catalog, FY, date(2026, 12, 1), {}) is None


def test_kaikei_nendo_hired_october_first_gets_a_personal_deadline(catalog: Catalog) -> None:
    # 会計年度任用職員 hired 10月1日: the courses close 11月30日, but 60 days from hiring
    # runs to 11月30日 -> later of the two, on a working day: 11月30日 (Mon).
    p = person(hired=date(2026, 10, 1), employment="会計年度任用職員")
    status = person_status(p, catalog, FY, date(2026, 12, 1), {})
    assert status is not None
    assert status.for_requirement("intro").deadline == date(2026, 11, 30)  # type: ignore[union-attr]
    # Hired 11月1日: 60 days -> 12月31日 (年末年始) -> 2027-01-04.
    late = person(hired=date(2026, 11, 1), employment="会計年度任用職員")
    status = person_status(late, catalog, FY, date(2026, 12, 15), {})
    assert status is not None
    assert status.for_requirement("intro").deadline == date(2027, 1, 4)  # type: ignore[union-attr]
    assert status.state is State.NOT_STARTED


def test_not_yet_hired_is_out_of_scope(catalog: Catalog) -> None:
    p = person(hired=date(2027, 1, 1))
    assert person_status(p, catalog, FY, date(2026, 12, 1), {}) is None


def test_late_joiner_deadline_never_passes_the_fiscal_year_end(catalog: Catalog) -> None:
    p = person(hired=date(2027, 3, 1))
    status = person_status(p, catalog, FY, date(2027, 3, 31), {})
    assert status is not None
    assert status.for_requirement("intro").deadline == date(2027, 3, 31)  # type: ignore[union-attr]


def test_transfer_on_april_first_belongs_to_new_division_all_year(catalog: Catalog) -> None:
    p = person(moves=((date(2026, 4, 1), "150", Duty.RIYO),))
    status = person_status(p, catalog, FY, date(2026, 4, 1), {})
    assert status is not None and status.division == "150"


def test_transfer_on_september_15th_old_division_before_new_after(catalog: Catalog) -> None:
    p = person(moves=((date(2026, 9, 15), "150", Duty.RIYO),))
    before = person_status(p, catalog, FY, date(2026, 9, 14), {})
    after = person_status(p, catalog, FY, date(2026, 9, 15), {})
    assert before is not None and before.division == "160"
    assert after is not None and after.division == "150"
    # Between two 利用事務 divisions the person stays in scope: no personal deadline.
    assert after.for_requirement("intro").deadline == date(2026, 11, 30)  # type: ignore[union-attr]


def test_completion_in_old_division_counts_in_new_division(catalog: Catalog) -> None:
    p = person(moves=((date(2026, 9, 15), "150", Duty.RIYO),))
    records = all_done(p.staff_id, date(2026, 8, 1), catalog)
    status = person_status(p, catalog, FY, date(2026, 12, 1), records)
    assert status is not None and status.division == "150" and status.state is State.COMPLETED


def test_transfer_into_riyo_jimu_mid_year_is_a_late_joiner(catalog: Catalog) -> None:
    p = person(division="520", duty=Duty.KANKEI, moves=((date(2026, 11, 1), "150", Duty.RIYO),))
    status = person_status(p, catalog, FY, date(2026, 12, 15), {})
    assert status is not None
    assert status.for_requirement("intro").deadline == date(2027, 1, 4)  # type: ignore[union-attr]
    assert status.state is State.NOT_STARTED


def test_transfer_out_of_riyo_jimu_leaves_scope(catalog: Catalog) -> None:
    p = person(moves=((date(2026, 9, 15), "520", Duty.KANKEI),))
    assert person_status(p, catalog, FY, date(2026, 12, 1), {}) is None


def test_childcare_leave_across_the_deadline_is_not_overdue(catalog: Catalog) -> None:
    # 育児休業 from 8月1日, still on leave at the deadline and after: never overdue.
    p = person(leaves=((LeaveKind.IKUKYU, date(2026, 8, 1), None),))
    status = person_status(p, catalog, FY, date(2026, 12, 15), {})
    assert status is not None
    assert status.state is State.NOT_STARTED
    intro = status.for_requirement("intro")
    assert intro is not None and intro.deadline is None and intro.note == "育児休業中"


def test_return_from_leave_after_deadline_gets_grace_period(catalog: Catalog) -> None:
    # Back on 2027-01-05 (leave ended 1月4日): 60 days -> 3月6日 (Sat) -> 3月8日 (Mon).
    p = person(leaves=((LeaveKind.IKUKYU, date(2026, 8, 1), date(2027, 1, 4)),))
    status = person_status(p, catalog, FY, date(2027, 2, 1), {})
    assert status is not None and status.state is State.NOT_STARTED
    assert status.for_requirement("intro").deadline == date(2027, 3, 8)  # type: ignore[union-attr]
    status = person_status(p, catalog, FY, date(2027, 3, 9), {})
    assert status is not None and status.state is State.OVERDUE


def test_leave_that_ended_before_the_deadline_changes_nothing(catalog: Catalog) -> None:
    p = person(leaves=((LeaveKind.BYOKYU, date(2026, 7, 1), date(2026, 7, 31)),))
    status = person_status(p, catalog, FY, date(2026, 12, 1), {})
    assert status is not None and status.state is State.OVERDUE


def test_retired_person_is_out_of_scope_after_last_day(catalog: Catalog) -> None:
    p = person(retired=date(2026, 9, 30))
    assert person_status(p, catalog, FY, date(2026, 9, 30), {}) is not None
    assert person_status(p, catalog, FY, date(2026, 10, 1), {}) is None


def test_exemption_for_all_requirements(catalog: Catalog) -> None:
    p = person()
    ex = [Exemption(p.staff_id, FY, "all", "長期の休業", date(2026, 6, 1), 1, "long_leave", "人事課長 佐藤 一郎")]
    status = person_status(p, catalog, FY, date(2026, 12, 1), {}, ex)
    assert status is not None and status.state is State.EXEMPT
    assert all(r.note == "長期の休業" for r in status.requirements)


def test_an_exemption_nobody_approved_says_so_in_the_note(catalog: Catalog) -> None:
    p = person()
    ex = [Exemption(p.staff_id, FY, "all", "長期病気休暇", date(2026, 6, 1))]
    status = person_status(p, catalog, FY, date(2026, 12, 1), {}, ex)
    assert status is not None and status.state is State.EXEMPT
    assert all(r.note == "長期病気休暇（承認者未記録）" for r in status.requirements)


def test_completed_wins_over_exemption_and_mix_is_exempt(catalog: Catalog) -> None:
    p = person()
    records = {r.id: done(p.staff_id, r.id, date(2026, 8, 1)) for r in catalog if r.id != "checkpoint"}
    ex = [Exemption(p.staff_id, FY, "checkpoint", "他団体で受講済み", date(2026, 6, 1))]
    status = person_status(p, catalog, FY, date(2027, 3, 1), records, ex)
    assert status is not None
    assert states(status)["intro"] is State.COMPLETED
    assert states(status)["checkpoint"] is State.EXEMPT
    assert status.state is State.EXEMPT


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ({State.COMPLETED}, State.COMPLETED),
        ({State.COMPLETED, State.EXEMPT}, State.EXEMPT),
        ({State.COMPLETED, State.OVERDUE}, State.OVERDUE),
        ({State.COMPLETED, State.NOT_STARTED}, State.IN_PROGRESS),
        ({State.EXEMPT, State.NOT_STARTED}, State.NOT_STARTED),
        ({State.NOT_STARTED}, State.NOT_STARTED),
    ],
)
def test_overall_state(parts: set[State], expected: State) -> None:
    assert overall_state(parts) is expected


def test_as_of_outside_the_year_is_read_as_year_end(catalog: Catalog) -> None:
    status = person_status(person(), catalog, 2025, date(2026, 11, 25), {})
    assert status is not None and status.state is State.OVERDUE


def test_summary_counts_add_up_per_division_and_requirement(catalog: Catalog) -> None:
    people = [
        person("1"),
        person("2", division="150"),
        person("3", division="520", duty=Duty.KANKEI),
        person("4", leaves=((LeaveKind.KYUSHOKU, date(2026, 4, 1), None),)),
    ]
    records = {"1": all_done("1", date(2026, 8, 1), catalog)}
    statuses = evaluate(people, catalog, FY, date(2026, 12, 1), records, {})
    summary = summarize(statuses, catalog)
    t = summary.totals
    assert t.in_scope == 3
    # 1: everything done; 2: overdue; 3: 関係事務 only, out of scope; 4: on 休職, never overdue.
    assert (t.completed, t.exempt, t.overdue, t.in_progress, t.not_started) == (1, 0, 1, 0, 1)
    assert summary.divisions["150"].overdue == 1
    assert summary.requirements["intro"].completed == 1
    for counts in [t, *summary.divisions.values(), *summary.requirements.values()]:
        assert (
            counts.completed + counts.exempt + counts.overdue + counts.in_progress + counts.not_started
            == counts.in_scope
        )
