"""People as cities have them, in the rules: periods of service, 着任時研修, completions during leave."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.factories import person
from trainer.model import Assignment, Catalog, Duty, LeaveKind, LeftReason, Period, Progress, Record, State
from trainer.rules import departure, evaluate_year, person_status

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
