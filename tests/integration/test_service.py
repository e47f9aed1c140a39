"""The Service's use cases that only the CLI or the TUI reached, called as the TUI calls them:
each checked by what the register holds afterwards (and the change log), not by what it printed."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.files import ROSTER_HEADERS, register_bytes, write_csv
from trainer.errors import InputError, NotFoundError, TrainerError
from trainer.model import Progress, State
from trainer.service import Service

FY = 2026


@pytest.fixture
def city(svc: Service) -> Service:
    svc.add_division("160", "市民税課", "課長", "山田 一郎")
    svc.add_division("150", "保護課", "課長", "佐藤 二郎")
    for sid, division in [("000101", "160"), ("000102", "160"), ("000201", "150")]:
        svc.add_staff(sid, f"職員 {sid}", "ショクイン", division, "主事", "正規職員", "利用事務", "2015-04-01")
    return svc


def newest_log(svc: Service) -> dict[str, object]:
    return svc.log()[0]


def test_record_many_records_everyone_in_one_entry_or_nobody(city: Service) -> None:
    before = city.register.records(FY)
    with pytest.raises(TrainerError):
        city.record_many(["000101", "999999"], "intro", "2026-11-20")
    assert city.register.records(FY) == before  # not even 000101
    written = city.record_many(["000101", "000102"], "intro", "2026-11-20")
    assert sorted(r.staff_id for r in written) == ["000101", "000102"]
    records = city.register.records(FY)
    assert {sid: records[sid]["intro"].on for sid in ("000101", "000102")} == {
        "000101": date(2026, 11, 20),
        "000102": date(2026, 11, 20),
    }
    assert all(records[sid]["intro"].progress is Progress.COMPLETED for sid in ("000101", "000102"))
    assert set(newest_log(city)["staff"]) == {"000101", "000102"}  # type: ignore[arg-type]


def test_a_leave_is_recorded_and_its_end_set_later_and_the_rules_see_it(city: Service) -> None:
    city.leave("000101", "育児休業", "2026-10-01")
    person = city.person("000101")
    assert [(lv.start, lv.end) for lv in person.staff.leaves] == [(date(2026, 10, 1), None)]
    assert person.status is not None and "育児休業中" in person.status.notes
    city.leave("000101", "育児休業", "2026-10-01", "2026-11-10")  # the same start: its end
    staff = city.register.staff("000101")
    assert staff is not None and [(lv.start, lv.end) for lv in staff.leaves] == [
        (date(2026, 10, 1), date(2026, 11, 10))
    ]
    with pytest.raises(InputError):
        city.leave("000101", "長い旅行", "2026-12-01")


def test_a_division_is_renamed_and_gets_a_new_head(city: Service) -> None:
    city.update_division("160", name="市民税務課")
    city.update_division("160", head_title="課長補佐", head_name="鈴木 三郎")
    division = city.register.division("160")
    assert division is not None
    assert (division.name, division.head_title, division.head_name) == ("市民税務課", "課長補佐", "鈴木 三郎")
    with pytest.raises(NotFoundError):
        city.update_division("999", name="ない課")


def test_employment_types_can_be_added_but_one_in_use_cannot_go(city: Service) -> None:
    types = city.employment_types()
    assert "正規職員" in types
    assert city.set_employment_types([*types, "研修生"]) == [*types, "研修生"]
    assert city.employment_types() == [*types, "研修生"]
    with pytest.raises(InputError, match="正規職員"):
        city.set_employment_types(["研修生"])
    assert city.employment_types() == [*types, "研修生"]


def test_staff_are_listed_by_division_and_the_retired_only_when_asked(city: Service) -> None:
    city.retire("000102", "2026-10-31")
    assert [s.staff_id for s in city.list_staff("160")] == ["000101"]
    assert [s.staff_id for s in city.list_staff("160", include_retired=True)] == ["000101", "000102"]
    assert {s.staff_id for s in city.list_staff()} == {"000101", "000201"}


def test_a_person_in_scope_and_one_who_left_during_the_year(city: Service) -> None:
    city.record("000101", "intro", "2026-08-01")
    city.retire("000102", "2026-10-31")
    here = city.person("000101")
    assert here.status is not None and here.departure is None
    assert here.status.for_requirement("intro").state is State.COMPLETED  # type: ignore[union-attr]
    assert set(here.records) == {"intro"}
    gone = city.person("000102")
    assert gone.status is None and gone.departure is not None
    assert gone.departure.left_on == date(2026, 10, 31)


def test_a_checkpoint_sheet_imported_through_the_service(city: Service, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "sheet.csv", [["職員番号", "確認日"], ["000101", "2026/10/20"], ["000201", "R8.10.21"]]
    )
    before = register_bytes(city.register.db.folder)
    plan = city.import_checkpoint(sheet, dry_run=True)
    assert len(plan.added) == 2 and register_bytes(city.register.db.folder) == before
    plan = city.import_checkpoint(sheet)
    assert sorted(r.staff_id for r in plan.added) == ["000101", "000201"]
    records = city.register.records(FY)
    assert records["000201"]["checkpoint"].on == date(2026, 10, 21)
    assert newest_log(city)["action"] == "import_checkpoint"


def test_a_roster_for_a_register_not_yet_made_creates_nothing(tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "r.csv",
        [
            ROSTER_HEADERS,
            ["000301", "新人 一", "シンジン ハジメ", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.4.1"],
        ],
    )
    plan = Service.plan_staff_for_new_register(roster, "2026-04-01")
    assert [p.staff_id for p in plan.added] == ["000301"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


def test_an_export_of_one_division(city: Service, tmp_path: Path) -> None:
    result = city.export(tmp_path / "160.csv", division="160")
    assert result.rows == 2
    rows = list(csv.reader((tmp_path / "160.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert sorted(row[3] for row in rows[1:]) == ["000101", "000102"]


def test_a_year_opened_early_is_frozen_and_an_unchanged_catalog_is_not_applied_again(city: Service) -> None:
    assert city.fiscal_year("令和9年度") == 2027 and city.fiscal_year() == FY
    assert not city.is_frozen(2027)
    opened = city.open_year(2027)
    assert opened.frozen and city.is_frozen(2027) and city.year_catalog_info(2027).how == "open"
    assert [r.id for r in city.catalog_for(2027)] == [r.id for r in city.catalog]
    logged = len(city.log())
    with pytest.raises(InputError, match="ファイルと同じ"):  # nothing to apply: refused, not logged
        city.apply_catalog(2027, "総務省の通知で期間が変わったため")
    assert len(city.log()) == logged
    assert {k.id for k in city.exemption_kinds(2027)} == {k.id for k in city.exemption_kinds()}


def test_the_anchor_printed_now_is_found_later_and_a_made_up_one_is_not(city: Service) -> None:
    anchor = city.log_anchor()
    city.record("000101", "intro", "2026-11-20")  # the history goes on
    assert city.verify_anchor(anchor).ok
    seq, digest = anchor.split(" ", 1)
    altered = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    assert not city.verify_anchor(f"{seq} {altered}").ok


def test_settings_are_read_back(city: Service) -> None:
    city.set_setting("organization", "石巻市")
    assert city.settings()["organization"] == "石巻市"
    assert city.today() == TODAY
