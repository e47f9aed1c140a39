"""The files a report would write are known before it runs (the app names those it would
replace): exactly what each report then writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.service import Service


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Service:
    from datetime import date

    svc = Service.open(tmp_path_factory.mktemp("files") / "db", today=lambda: date(2026, 11, 25))
    svc.create_demo(staff_count=60, seed=3)
    return svc


def test_every_roster_and_the_split_list_are_the_files_named_beforehand(city: Service, tmp_path: Path) -> None:
    rosters = city.report_roster(tmp_path / "all", fmt="html")
    assert set(rosters) == set(city.report_files("roster", tmp_path / "all", fmt="html"))
    split = city.report_overdue_split(tmp_path / "split", fmt="html")
    named = city.report_files("overdue_split", tmp_path / "split", fmt="html")
    assert split and set(split) <= set(named)  # (a division where nobody owes gets no file)
    assert {p.parent for p in named} == {split[0].parent}


@pytest.mark.parametrize("kind", ["overdue", "audit", "plan", "roster-one"])
def test_a_single_document_is_the_file_named_beforehand(city: Service, tmp_path: Path, kind: str) -> None:
    division = city.divisions()[0].code
    if kind == "overdue":
        made = city.report_overdue(tmp_path, fmt="html")
    elif kind == "audit":
        made = city.report_audit(tmp_path, fmt="html")
    elif kind == "plan":
        made = city.report_plan(tmp_path, fmt="html")
    else:
        (made,) = city.report_roster(tmp_path, division=division, fmt="html")
    named = city.report_files(kind.removesuffix("-one"), tmp_path, division=division if kind == "roster-one" else None,
                              fmt="html")  # fmt: skip
    assert named == [made]
