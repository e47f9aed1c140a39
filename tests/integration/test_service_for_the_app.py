"""What the terminal app asks of the service: everyone outside scope with the reason, each division's
current 名簿コード, the date an import file gives itself, every person a roster leaves as they are."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.files import ROSTER_HEADERS, write_csv
from trainer.importers.asof import date_in_name
from trainer.service import Service

TODAY = date(2026, 11, 25)


@pytest.fixture
def svc(tmp_path: Path) -> Service:
    service = Service.open(tmp_path / "register", today=lambda: TODAY)
    service.add_division("160", "市民税課", "課長", "山田 一郎")
    service.add_division("610", "企画政策課", "課長", "鈴木 三郎")
    service.add_staff("500001", "任用 花子", "ニンヨウ ハナコ", "160", "主事", "正規職員", "利用事務", "2020-04-01")
    service.add_staff("500002", "関係 次郎", "カンケイ ジロウ", "160", "主事", "正規職員", "関係事務", "2020-04-01")
    service.add_staff("500003", "企画 三郎", "キカク サブロウ", "610", "主事", "正規職員", "なし", "2020-04-01")
    service.add_staff("500004", "前年 四郎", "ゼンネン シロウ", "160", "主事", "正規職員", "利用事務", "2015-04-01")
    service.retire("500004", "2026-03-31")
    service.add_staff("500005", "新人 五郎", "シンジン ゴロウ", "160", "主事", "正規職員", "利用事務", "2026-12-01")
    service.add_staff("500006", "年度 六子", "ネンド ロクコ", "160", "主事", "正規職員", "利用事務", "2020-04-01")
    service.retire("500006", "2026-09-30")
    service.concurrent_post("500003", "160", "2026-10-01")
    yield service
    service.close()


def test_everyone_outside_scope_is_listed_with_the_reason(svc: Service) -> None:
    report = svc.status(2026)
    outside = {o.staff.staff_id: o for o in svc.outside_scope(report)}
    assert set(outside) == {"500002", "500003", "500004", "500005"}
    assert outside["500002"].reason == "事務区分「関係事務」" and outside["500002"].division == "160"
    assert outside["500003"].reason == "事務区分「なし」"
    assert outside["500004"].retired and outside["500004"].reason == "退職（令和8年3月31日）"
    assert outside["500005"].reason == "採用前（令和8年12月1日採用）"
    assert [d.staff.staff_id for d in report.departures] == ["500006"]  # left during the year: not outside


def test_each_division_s_current_roster_code_is_what_a_sign_off_freezes(svc: Service) -> None:
    codes = svc.roster_codes(svc.status(2026))
    assert set(codes) == {"160"}
    assert codes["160"] == svc.roster(svc.status(2026, division="160"), "160").code()
    assert svc.sign_off("160", 2026, "山田 一郎", "課長")["code"] == codes["160"]


def test_the_date_an_import_file_gives_itself(svc: Service, tmp_path: Path) -> None:
    assert date_in_name("職員名簿_R8.4.1.csv") == date(2026, 4, 1)
    assert date_in_name("20260401_職員.csv") == date(2026, 4, 1)
    assert date_in_name("令和8年4月1日現在.xlsx") == date(2026, 4, 1)
    assert date_in_name("職員名簿_11月.csv") is None
    named = write_csv(tmp_path / "roster_2026-04-01.csv", [ROSTER_HEADERS])
    assert svc.import_file_date(named) == (date(2026, 4, 1), "ファイル名")
    rows = [
        [*ROSTER_HEADERS, "基準日"],
        ["500001", "任用 花子", "ﾆﾝﾖｳ", "160", "市民税課", "主事", "正規職員", "利用事務", "R2.4.1", "R8.4.1"],
    ]
    in_column = write_csv(tmp_path / "roster.csv", rows)
    assert svc.import_file_date(in_column) == (date(2026, 4, 1), "基準日の列")
    assert svc.import_file_date(write_csv(tmp_path / "plain.csv", [ROSTER_HEADERS])) is None


def test_a_roster_plan_lists_the_people_it_leaves_as_they_are(svc: Service, tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "roster.csv",
        [
            ROSTER_HEADERS,
            ["500001", "任用 花子", "ニンヨウ ハナコ", "160", "市民税課", "主事", "正規職員", "利用事務", "R2.4.1"],
            ["500002", "関係 次郎", "カンケイ ジロウ", "160", "市民税課", "主査", "正規職員", "関係事務", "R2.4.1"],
        ],
    )
    plan = svc.import_staff(roster, as_of="2026-11-01", dry_run=True)
    assert [s.staff_id for s in plan.same] == ["500001"] and plan.unchanged == 1
    assert [c.after.staff_id for c in plan.changed] == ["500002"]
