"""The year's accounting, in the words of the rules: whoever did 利用事務 on any day of the year
is accounted for, an exemption counts only while in force, and every figure says what it means."""

from __future__ import annotations

from datetime import date

from tests.factories import person
from trainer.model import Catalog, Duty, Exemption, LeftReason, Progress, Record, State
from trainer.rules import Counts, departure, evaluate_year, person_status, summarize

FY = 2026
DEC_1 = date(2026, 12, 1)


def done(staff_id: str, req: str, on: date) -> Record:
    return Record(staff_id, FY, req, Progress.COMPLETED, 100, on)


def test_a_retiree_of_september_with_nothing_done_left_owing_everything(catalog: Catalog) -> None:
    p = person("141543", retired=date(2026, 9, 30))
    assert person_status(p, catalog, FY, DEC_1, {}) is None  # not in scope on the date
    gone = departure(p, catalog, FY, DEC_1, {})
    assert gone is not None
    assert gone.left_on == date(2026, 9, 30)
    assert gone.reason is LeftReason.RETIRED
    assert gone.division == "160"
    assert gone.outstanding == tuple(r.id for r in catalog)


def test_a_transfer_out_of_riyo_jimu_is_a_departure_kept_by_the_division_left(catalog: Catalog) -> None:
    p = person("341724", moves=((date(2026, 10, 1), "510", Duty.KANKEI),))
    year = evaluate_year([p], catalog, FY, DEC_1, {}, {}, division="160")
    assert year.people == []
    [gone] = year.departures
    assert gone.left_on == date(2026, 9, 30)
    assert gone.reason is LeftReason.TRANSFERRED
    assert gone.moved_to is not None and gone.moved_to.division == "510"
    assert evaluate_year([p], catalog, FY, DEC_1, {}, {}, division="510").departures == []


def test_a_change_of_duty_in_the_same_division_is_a_departure(catalog: Catalog) -> None:
    p = person("397157", moves=((date(2026, 8, 1), "160", Duty.NONE),))
    gone = departure(p, catalog, FY, DEC_1, {})
    assert gone is not None and gone.reason is LeftReason.DUTY_CHANGED
    assert gone.left_on == date(2026, 7, 31)


def test_what_was_completed_before_leaving_is_not_outstanding(catalog: Catalog) -> None:
    p = person(retired=date(2026, 9, 30))
    records = {
        "intro": done(p.staff_id, "intro", date(2026, 7, 20)),
        "rules": done(p.staff_id, "rules", date(2026, 10, 5)),
    }
    gone = departure(p, catalog, FY, DEC_1, records)
    assert gone is not None
    assert "intro" not in gone.outstanding
    assert "rules" in gone.outstanding  # dated after the day they left


def test_people_in_scope_on_the_date_or_never_in_scope_this_year_have_not_left(catalog: Catalog) -> None:
    assert departure(person(), catalog, FY, DEC_1, {}) is None
    assert departure(person(retired=date(2026, 3, 31)), catalog, FY, DEC_1, {}) is None  # the year before
    assert departure(person(duty=Duty.KANKEI), catalog, FY, DEC_1, {}) is None
    assert departure(person(hired=date(2027, 1, 4)), catalog, FY, DEC_1, {}) is None  # not yet hired


def test_someone_who_left_and_came_back_is_in_scope(catalog: Catalog) -> None:
    p = person(moves=((date(2026, 6, 1), "510", Duty.KANKEI), (date(2026, 9, 1), "160", Duty.RIYO)))
    year = evaluate_year([p], catalog, FY, DEC_1, {}, {})
    assert len(year.people) == 1 and year.departures == []


def test_leavers_are_counted_apart_from_the_five_states(catalog: Catalog) -> None:
    stays = person("1")
    leaves = person("2", retired=date(2026, 9, 30))
    leaves_done = person("3", retired=date(2026, 9, 30))
    records = {"3": {r.id: done("3", r.id, date(2026, 7, 10)) for r in catalog}}
    year = evaluate_year([stays, leaves, leaves_done], catalog, FY, DEC_1, records, {})
    summary = summarize(year.people, catalog, year.departures)
    t = summary.totals
    assert t.in_scope == 1 and t.left == 2 and t.left_open == 1 and t.in_year == 3
    assert t.completed + t.exempt + t.overdue + t.in_progress + t.not_started == t.in_scope
    assert summary.divisions["160"].left == 2


def test_a_division_whose_only_open_item_is_not_yet_due_is_pending_not_failing(catalog: Catalog) -> None:
    courses = [r.id for r in catalog if r.kind == "course"]
    people = [person(str(i)) for i in range(4)]
    records = {p.staff_id: {c: done(p.staff_id, c, date(2026, 8, 1)) for c in courses} for p in people}
    year = evaluate_year(people, catalog, FY, DEC_1, records, {})
    summary = summarize(year.people, catalog, year.departures)
    c = summary.divisions["160"]
    assert c.overdue == 0 and c.pending == 4 and c.completed == 0
    assert c.rate == 0.0  # nobody has finished everything …
    assert c.due == 4 and c.due_rate == 100.0  # … but everything already due is done
    assert summary.requirements["checkpoint"].pending == 4
    assert summary.requirements["checkpoint"].due_rate is None  # not due until 2月1日


def test_the_completion_rate_never_counts_exemptions() -> None:
    counts = Counts()
    counts.add(State.COMPLETED)
    counts.add(State.EXEMPT)
    assert counts.rate == 50.0
    assert counts.done == 2


def _exemption(staff_id: str, **kw: object) -> Exemption:
    fields: dict[str, object] = {"no": 1, "kind": "other_body", "approved_by": "課長 佐藤 二郎", **kw}
    return Exemption(staff_id, FY, "all", "他団体で本年度受講済み", date(2026, 12, 1), **fields)  # type: ignore[arg-type]


def test_an_exemption_counts_from_its_effective_date_not_back_to_april(catalog: Catalog) -> None:
    p = person()
    ex = [_exemption(p.staff_id)]
    before = person_status(p, catalog, FY, date(2026, 11, 30), {}, ex)
    after = person_status(p, catalog, FY, date(2026, 12, 2), {}, ex)
    assert before is not None and before.state is not State.EXEMPT
    assert after is not None and after.state is State.EXEMPT
    earlier = [_exemption(p.staff_id, effective=date(2026, 6, 1), evidence="R8-人-0012")]
    status = person_status(p, catalog, FY, date(2026, 7, 1), {}, earlier)
    assert status is not None and status.state is State.EXEMPT


def test_a_revoked_exemption_stops_counting_from_the_day_it_was_revoked(catalog: Catalog) -> None:
    p = person()
    ex = [_exemption(p.staff_id, effective=date(2026, 6, 1), evidence="x", revoked_on=date(2026, 12, 10))]
    during = person_status(p, catalog, FY, date(2026, 12, 9), {}, ex)
    after = person_status(p, catalog, FY, date(2026, 12, 10), {}, ex)
    assert during is not None and during.state is State.EXEMPT
    assert after is not None and after.state is State.OVERDUE
