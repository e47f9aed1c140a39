"""People as cities have them, in the rules: periods of service, 着任時研修, completions during leave."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.factories import person
from trainer.model import Assignment, Catalog, Duty, LeaveKind, LeftReason, Period, Progress, Record, State
from trainer.rules import (
    deadline,
    departure,
    entered_scope,
    evaluate_year,
    last_day_in_scope,
    leave_caution,
    owes,
    person_status,
)

FY = 2026


def done(staff_id: str, req: str, on: date) -> Record:
    return Record(staff_id, FY, req, Progress.COMPLETED, 100, on)


def rehired(retired: date, again: date) -> object:
    """A 会計年度任用職員 appointed 4/1, out on ``retired``, appointed again on ``again``."""
    first = person("500001", hired=date(2026, 4, 1), employment="会計年度任用職員")
    return replace(
        first,
        earlier=(Period(date(2026, 4, 1), retired),),
        hired=again,
        retired=None,
        assignments=(*first.assignments, Assignment(again, "160", "事務補助員", Duty.RIYO)),
    )


def test_someone_reappointed_after_a_gap_is_in_scope_again_with_a_late_joiners_deadline(catalog: Catalog) -> None:
    p = rehired(date(2026, 8, 31), date(2026, 10, 15))
    assert not p.active_on(date(2026, 9, 15)) and p.active_on(date(2026, 10, 15)) and p.active_on(date(2026, 5, 1))
    status = person_status(p, catalog, FY, date(2026, 12, 1), {"intro": done("500001", "intro", date(2026, 7, 10))})
    assert status is not None
    by_id = {r.requirement: r for r in status.requirements}
    assert by_id["intro"].state is State.COMPLETED  # done in the first period: it counts
    # 60 days after the re-appointment (12/14, a Monday) is later than the window's end (11/30).
    assert by_id["rules"].deadline == date(2026, 12, 14)
    assert by_id["rules"].state is State.NOT_STARTED


def test_during_the_gap_the_reappointed_person_had_left_and_came_back(catalog: Catalog) -> None:
    p = rehired(date(2026, 8, 31), date(2026, 10, 15))
    gone = departure(p, catalog, FY, date(2026, 9, 15), {})
    assert gone is not None and gone.reason is LeftReason.RETIRED and gone.left_on == date(2026, 8, 31)
    year = evaluate_year([p], catalog, FY, date(2026, 12, 1), {}, {})
    assert len(year.people) == 1 and year.departures == []


def test_a_requirement_due_after_entry_is_owed_only_by_those_who_entered_this_year(catalog: Catalog) -> None:
    from trainer.catalog import load_catalog
    from trainer.model import Catalog as C

    base = load_catalog()
    onboarding = next(r for r in _with_onboarding() if r.id == "onboarding")
    catalog = C((onboarding, *base.requirements), base.exemption_kinds)
    veteran = person("1")
    newcomer = person("2", hired=date(2026, 11, 2))
    veteran_status = person_status(veteran, catalog, FY, date(2026, 12, 1), {})
    newcomer_status = person_status(newcomer, catalog, FY, date(2026, 12, 1), {})
    assert veteran_status is not None and "onboarding" not in {r.requirement for r in veteran_status.requirements}
    assert newcomer_status is not None
    entry = newcomer_status.for_requirement("onboarding")
    assert entry is not None and entry.deadline == date(2026, 11, 16)  # 14 days after 11/2 (a Monday)
    assert entry.state is State.OVERDUE


def _with_onboarding() -> Catalog:
    """The shipped onboarding example, switched on."""
    import shutil
    import tempfile
    from pathlib import Path

    from trainer.catalog import default_catalog_dir, load_catalog

    folder = Path(tempfile.mkdtemp())
    for name in ("courses", "checklists", "policy"):
        shutil.copytree(default_catalog_dir() / name, folder / name)
    path = folder / "courses" / "onboarding.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("enabled: false", "enabled: true"), encoding="utf-8")
    return load_catalog(folder)


def test_a_completion_dated_during_leave_counts_with_a_caution(catalog: Catalog) -> None:
    p = person("721836", leaves=((LeaveKind.KYUSHOKU, date(2026, 4, 1), None),))
    status = person_status(p, catalog, FY, date(2027, 3, 31), {"intro": done("721836", "intro", date(2026, 7, 10))})
    assert status is not None
    intro = status.for_requirement("intro")
    assert intro is not None and intro.state is State.COMPLETED
    assert intro.note == "注意: 休職中の日付で修了"


def _onboarding_catalog() -> Catalog:
    from trainer.catalog import load_catalog

    base = load_catalog()
    onboarding = next(r for r in _with_onboarding() if r.id == "onboarding")
    return Catalog((onboarding, *base.requirements), base.exemption_kinds)


def test_a_requirement_due_after_entry_counts_from_april_1st_for_those_who_entered_scope_that_day() -> None:
    catalog = _onboarding_catalog()
    hired = person("3", hired=date(2026, 4, 1))
    moved_in = person("4", duty=Duty.KANKEI, moves=((date(2026, 4, 1), "160", Duty.RIYO),))
    for p in (hired, moved_in):
        status = person_status(p, catalog, FY, date(2026, 12, 1), {})
        assert status is not None
        entry = status.for_requirement("onboarding")
        # 14 days after 4/1 (4/15, a Wednesday), not the catalog's year-end deadline.
        assert entry is not None and (entry.deadline, entry.state) == (date(2026, 4, 15), State.OVERDUE)
        window = status.for_requirement("rules")  # a requirement with a window: the catalog's deadline
        assert window is not None and window.deadline == deadline(next(r for r in catalog if r.id == "rules"), FY)


def test_who_owes_a_requirement_due_after_entry_entered_scope_on_or_after_april_1st() -> None:
    onboarding = next(r for r in _onboarding_catalog() if r.id == "onboarding")
    day = date(2026, 12, 1)
    assert owes(person("5", hired=date(2026, 4, 1)), onboarding, FY, day) is True
    assert owes(person("6", hired=date(2026, 3, 31)), onboarding, FY, day) is False
    assert (
        owes(person("7", moves=((date(2026, 4, 1), "170", Duty.RIYO),)), onboarding, FY, day) is False
    )  # in scope before
    intro = next(r for r in _onboarding_catalog() if r.id == "intro")
    assert owes(person("8"), intro, FY, day) is True  # a requirement with a window: owed by everyone in scope


def test_the_day_someone_entered_scope_is_their_unbroken_stretchs_first_day_or_none() -> None:
    duties = {Duty.RIYO}
    veteran = person("9")
    assert entered_scope(veteran, duties, date(2026, 12, 1)) == date(2015, 4, 1)
    moving_in = person("10", duty=Duty.KANKEI, moves=((date(2026, 10, 1), "160", Duty.RIYO),))
    assert entered_scope(moving_in, duties, date(2026, 10, 1)) == date(2026, 10, 1)  # on the day itself
    assert entered_scope(moving_in, duties, date(2026, 9, 30)) is None
    moving_out = person("11", moves=((date(2026, 10, 1), "170", Duty.KANKEI),))
    assert entered_scope(moving_out, duties, date(2026, 10, 1)) is None
    assert entered_scope(moving_out, duties, date(2026, 9, 30)) == date(2015, 4, 1)
    retired = person("12", retired=date(2026, 6, 30))
    assert entered_scope(retired, duties, date(2026, 7, 1)) is None
    back = rehired(date(2026, 8, 31), date(2026, 10, 15))  # a new period starts a new stretch
    assert entered_scope(back, duties, date(2026, 11, 1)) == date(2026, 10, 15)


def test_a_completion_outside_any_leave_carries_no_caution() -> None:
    p = person("13", leaves=((LeaveKind.KYUSHOKU, date(2026, 4, 1), date(2026, 5, 31)),))
    assert leave_caution(p, date(2026, 6, 1)) == ""
    assert leave_caution(p, date(2026, 5, 31)) == "注意: 休職中の日付で修了"


def test_a_leaver_owes_a_requirement_due_after_entry_only_when_they_entered_scope_that_year() -> None:
    catalog = _onboarding_catalog()
    newcomer = person("14", hired=date(2026, 6, 1), moves=((date(2026, 9, 1), "170", Duty.KANKEI),))
    veteran = person("15", moves=((date(2026, 9, 1), "170", Duty.KANKEI),))
    gone = departure(newcomer, catalog, FY, date(2026, 12, 1), {})
    assert gone is not None and gone.left_on == date(2026, 8, 31)
    onboarding = gone.for_requirement("onboarding")
    assert onboarding is not None and (onboarding.deadline, onboarding.state) == (date(2026, 6, 15), State.OVERDUE)
    settled = departure(veteran, catalog, FY, date(2026, 12, 1), {})
    assert settled is not None and settled.for_requirement("onboarding") is None
    assert {r.requirement for r in settled.requirements} == {r.id for r in catalog} - {"onboarding"}


def test_a_period_of_service_that_ended_before_april_1st_does_not_hide_a_departure_in_the_year() -> None:
    first = person("16", hired=date(2025, 4, 1), employment="会計年度任用職員")
    p = replace(
        first,
        earlier=(Period(date(2025, 4, 1), date(2026, 3, 31)),),
        hired=date(2026, 6, 1),
        assignments=(
            *first.assignments,
            Assignment(date(2026, 6, 1), "160", "事務補助員", Duty.RIYO),
            Assignment(date(2026, 9, 1), "170", "事務補助員", Duty.KANKEI),
        ),
    )
    assert last_day_in_scope(p, {Duty.RIYO}, date(2026, 4, 1), date(2026, 12, 1)) == (date(2026, 8, 31), 1)
    gone = departure(p, load_catalog_default(), FY, date(2026, 12, 1), {})
    assert gone is not None and (gone.left_on, gone.reason) == (date(2026, 8, 31), LeftReason.TRANSFERRED)


def load_catalog_default() -> Catalog:
    from trainer.catalog import load_catalog

    return load_catalog()


def test_with_only_requirements_due_after_entry_someone_in_scope_before_the_year_owes_none_of_them() -> None:
    onboarding = next(r for r in _onboarding_catalog() if r.id == "onboarding")
    only = Catalog((onboarding,), load_catalog_default().exemption_kinds)
    veteran = person_status(person("17"), only, FY, date(2026, 12, 1), {})
    assert veteran is not None and veteran.requirements == ()
    newcomer = person_status(person("18", hired=date(2026, 11, 2)), only, FY, date(2026, 12, 1), {})
    assert newcomer is not None and [r.requirement for r in newcomer.requirements] == ["onboarding"]
