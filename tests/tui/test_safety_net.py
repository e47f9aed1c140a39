"""No blind writes: a question with counts before writing for more than one person, a guard before
leaving unsaved input, and 元に戻す (the last change, or an entry of a person's history)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from tests.tui.common import TODAY, app_for, service, until
from trainer.model import Progress
from trainer.service import Service
from trainer.tui.app import TrainerApp
from trainer.tui.screens.checkpoint import CheckpointScreen
from trainer.tui.screens.confirm import ConfirmScreen
from trainer.tui.screens.help import HelpScreen
from trainer.tui.screens.person import PersonScreen
from trainer.tui.widgets.dashboard import Dashboard
from trainer.tui.widgets.staff_pane import StaffPane
from trainer.tui.widgets.staff_table import StaffTable


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.create_demo(60, seed=5)
    svc.add_staff("900001", "𠮷田 花子", "ヨシダ ハナコ", "160", "主事", "会計年度任用職員", "利用事務", "2026-10-01")
    svc.add_staff("900002", "德永 陽菜", "トクナガ ヒナ", "160", "主事", "会計年度任用職員", "利用事務", "2026-10-01")
    svc.add_staff("900003", "髙橋 一", "タカハシ ハジメ", "160", "主事", "正規職員", "利用事務", "2026-10-01")
    svc.close()
    return folder


async def loaded(app: TrainerApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(400):
        await pilot.pause(0.01)
        busy = [w for w in app.workers if w.group in ("load", "import", "report") and not w.is_finished]
        if not busy and app.query(StaffTable) and app.query_one(StaffTable).rows:
            break
    await pilot.pause()


def question(app: TrainerApp) -> str:
    assert isinstance(app.screen, ConfirmScreen)
    return " ".join(str(s.render()) for s in app.screen.query(Static))


async def test_the_checkpoint_sheet_asks_before_recording_many_and_before_dropping_ticks(
    db: Path, tmp_path: Path
) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f3")
        app.query_one("#staff-division", Select).value = "160"
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        sheet = app.screen
        assert isinstance(sheet, CheckpointScreen)
        table = sheet.query_one("#sheet-table", DataTable)
        pending = sorted(sheet.sheet.pending())  # type: ignore[union-attr]
        assert len(pending) >= 3
        await pilot.press("ctrl+a")
        await pilot.press("escape")  # ticks not recorded: asked
        await pilot.pause()
        assert f"チェックした{len(pending)}人はまだ記録していません" in question(app)
        await pilot.click("#confirm-no")
        await pilot.pause()
        assert app.screen is sheet and sheet.ticked == set(pending)  # back, the ticks kept
        sheet.query_one("#sheet-date", Input).value = "R8.11.2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert f"{len(pending)}人を、" in question(app) and "確認日 R8.11.2" in question(app)
        await pilot.press("escape")  # no: nothing written
        await pilot.pause()
        assert service(db).register.record(2026, pending[0], "checkpoint") is None
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await pilot.pause()
        assert not sheet.ticked
        table.move_cursor(row=0)
        await pilot.press("escape")  # nothing ticked now: closes at once
        await pilot.pause()
        assert not isinstance(app.screen, CheckpointScreen)
    records = service(db).register.records(2026)
    assert all(records[sid]["checkpoint"].progress is Progress.COMPLETED for sid in pending)


async def test_the_person_window_guards_unsaved_input_and_its_tabs_and_help_have_keys(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.query_one(StaffTable).post_message(StaffTable.Opened("900001"))
        await pilot.pause()
        person = app.screen
        assert isinstance(person, PersonScreen)
        await pilot.press("alt+4")  # 異動・休業・退職
        await pilot.pause()
        assert person.query_one("#person-tabs").active == "tab-moves"
        person.query_one("#retire-date", Input).value = "R8.12.31"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")  # typed, not saved: asked
        await pilot.pause()
        assert "保存していない入力があります（異動・休業・退職）" in question(app)
        await pilot.click("#confirm-no")
        await pilot.pause()
        assert app.screen is person and person.query_one("#retire-date", Input).value == "R8.12.31"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await pilot.pause()
        assert not isinstance(app.screen, PersonScreen)
    assert service(db).staff("900001").retired is None


async def test_undo_the_last_change_and_an_entry_of_a_person_s_history(db: Path, tmp_path: Path) -> None:
    svc = service(db)
    svc.record("900001", "intro", "2026-11-20")
    svc.record("900001", "flow", "2026-11-21")
    svc.close()
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("ctrl+z")  # the last change: flow
        await pilot.pause()
        assert "この変更を元に戻しますか" in question(app) and "1人に関わる" in question(app)
        await pilot.click("#confirm-yes")
        await loaded(app, pilot)
        assert service(db).register.record(2026, "900001", "flow") is None
        assert service(db).register.record(2026, "900001", "intro") is not None

        app.query_one(StaffTable).post_message(StaffTable.Opened("900001"))
        await pilot.pause()
        person = app.screen
        await pilot.press("alt+5")  # 履歴
        await pilot.pause()
        log = person.query_one("#person-log", DataTable)
        await until(pilot, lambda: not log.loading)  # read in a worker
        summaries = [str(log.get_row_at(i)[2]) for i in range(log.row_count)]
        added = next(i for i, s in enumerate(summaries) if s.startswith("職員を登録: 900001"))
        log.move_cursor(row=added)
        await pilot.press("u")  # the person's addition: later changes are this person's records
        await pilot.pause()
        refusal = question(app)
        assert "元に戻せません" in refusal and "後の変更がこの変更に重なっているため" in refusal
        assert "後の変更から順に元に戻してください" in refusal  # the reason in full
        assert not app.screen.query("#confirm-yes")
        await pilot.click("#confirm-no")
        await pilot.pause()
        intro = next(i for i, s in enumerate(summaries) if "入門編" in s and "修了" in s and "元に戻す" not in s)
        log.move_cursor(row=intro)
        await pilot.press("u")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await pilot.pause()
        assert person.changed
    assert service(db).register.record(2026, "900001", "intro") is None
    actions = [e["action"] for e in service(db).log(staff_id="900001")[:2]]
    assert actions == ["undo", "undo"]


async def test_people_outside_scope_are_found_by_the_scope_filter_and_a_search_offers_to_switch(
    db: Path, tmp_path: Path
) -> None:
    svc = service(db)
    svc.add_staff("900011", "関係 次郎", "カンケイ ジロウ", "160", "主事", "正規職員", "関係事務", "2020-04-01")
    svc.add_staff("900012", "前年 四郎", "ゼンネン シロウ", "160", "主事", "正規職員", "利用事務", "2015-04-01")
    svc.retire("900012", "2026-03-31")
    svc.close()
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"ｶﾝｹｲ")
        await pilot.pause()
        table = app.query_one(StaffTable)
        assert table.shown_rows() == []  # 対象者 only, by default
        count = str(app.query_one("#staff-count", Static).render())
        assert "条件を外すと1人: 900011 関係 次郎（対象外：事務区分「関係事務」）" in count
        await pilot.press("enter")  # switches to すべて and opens the person found
        await pilot.pause()
        await pilot.pause()
        assert app.query_one("#staff-scope", Select).value == "all"
        assert isinstance(app.screen, PersonScreen) and app.screen.staff_id == "900011"
        await pilot.press("escape")
        await pilot.pause()
        search = app.query_one("#staff-search", Input)
        search.value = ""
        for scope, expected in (("retired", {"900012"}), ("outside", {"900011"})):
            app.query_one("#staff-scope", Select).value = scope
            await pilot.pause()
            assert {r.staff_id for r in table.shown_rows()} >= expected
            assert all(r.outside for r in table.shown_rows())
        app.query_one("#staff-scope", Select).value = "in"
        await pilot.pause()
        assert not {"900011", "900012"} & {r.staff_id for r in table.shown_rows()}
        app.query_one("#staff-scope", Select).value = "left"
        await pilot.pause()
        assert table.shown_rows() and all(r.left for r in table.shown_rows())


async def test_repeated_year_keys_show_the_target_year_at_once_and_load_it_once(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        assert app.service is not None
        lists: list[object] = []
        status = app.service.status
        app.service.status = lambda fy=None, *a, **k: (lists.append(fy), status(fy, *a, **k))[1]  # type: ignore[method-assign]
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        assert app.fiscal_year == 2029 and "令和11年度" in app.title  # at once, before any load
        assert app.query_one(StaffPane).loading
        for _ in range(200):
            await pilot.pause(0.02)
            if not app.query_one(StaffPane).loading:
                break
        assert lists == [2029]  # the keys coalesced: one load of everyone, in the year they ended on
        assert app.title == "trainer  令和11年度" and not app.query_one(Dashboard).loading
        assert str(app.query_one("#dash-year", Static).content).startswith("令和11年度")


async def test_the_palette_finds_people_by_id_name_and_kana_and_divisions_and_opens_them(
    db: Path, tmp_path: Path
) -> None:
    from trainer.tui.commands import PeopleCommands

    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        provider = PeopleCommands(app.screen)
        for typed in ("900001", "𠮷田", "ﾖｼﾀﾞ", "よしだ"):
            hits = [hit async for hit in provider.search(typed)]
            assert any("900001 𠮷田 花子" in str(hit.text) for hit in hits), typed
        hits = [hit async for hit in provider.search("市民税")]
        division = next(hit for hit in hits if str(hit.text).startswith("所属: 160"))
        await division.command()
        await pilot.pause()
        assert app.query_one("#tabs").active == "staff"
        assert app.query_one("#staff-division", Select).value == "160"
        hits = [hit async for hit in provider.search("900001")]
        hits[0].command()
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen) and app.screen.staff_id == "900001"
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"zzzzqqq")
        await pilot.pause(0.8)
        shown = " ".join(str(o.prompt) for o in app.screen.query_one("CommandList").options)
        assert "見つかりません" in shown and "No matches" not in shown


async def test_an_open_dropdown_says_its_key_in_japanese(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f3")
        app.query_one("#staff-division", Select).focus()
        await pilot.press("enter")
        await pilot.pause()
        shown = [b.binding.description for b in app.active_bindings.values() if b.binding.show]
        assert "選択肢を閉じる" in shown and not [d for d in shown if d.isascii()]


async def test_the_sign_off_form_shows_the_code_fills_the_head_names_a_wrong_division_and_clears(
    db: Path, tmp_path: Path
) -> None:
    svc = service(db)
    report = svc.status(2026)
    codes = svc.roster_codes(report)
    head = report.divisions["160"]
    svc.close()
    app = app_for(db, tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f5")
        await pilot.pause()
        app.query_one("#sign-division", Select).value = "160"
        await pilot.pause()
        assert app.query_one("#sign-by", Input).value == head.head_name
        assert app.query_one("#sign-title", Input).value == head.head_title
        assert codes["160"] in str(app.query_one("#sign-current", Static).render())
        assert codes["110"] in app.export_screenshot()  # every division's code in the list
        app.query_one("#sign-code", Input).value = codes["110"]  # the paper of another division
        app.query_one("#sign-save").press()
        await pilot.pause()
        error = str(app.query_one("#sign-error", Static).render())
        assert f"名簿コード {codes['110']} は所属 110" in error and f"いまの名簿コードは {codes['160']}" in error
        assert "160" not in service(db).signoff_states(2026)
        app.query_one("#sign-code", Input).value = codes["160"]
        app.query_one("#sign-save").press()
        await loaded(app, pilot)
        assert str(app.query_one("#sign-error", Static).render()) == ""
        assert app.query_one("#sign-division", Select).is_blank()
        assert app.query_one("#sign-by", Input).value == "" and app.query_one("#sign-code", Input).value == ""
    assert service(db).signoff_states(2026)["160"]["code"] == codes["160"]


def test_change_log_times_are_shown_in_local_time_and_wareki(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from trainer.tui.words import local_time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert local_time("2026-11-24T15:30:00+00:00") == "R8.11.25 00:30"
        assert local_time("2019-04-30T09:00:00+09:00") == "H31.4.30 09:00"
    finally:
        monkeypatch.undo()
        time.tzset()


async def test_the_name_column_sorts_by_its_reading(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f3")
        app.query_one(StaffTable).focus()
        await pilot.press("2")  # 氏名
        await pilot.pause()
        kana = [r.kana for r in app.query_one(StaffTable).shown_rows()]
        assert kana == sorted(kana)  # 𠮷田 (ヨシダ) among the ヨ, not after every other name


def test_a_long_cell_ends_in_an_ellipsis_without_cutting_a_wide_character() -> None:
    from rich.cells import cell_len

    from trainer.tui.widgets.staff_table import _cell

    assert _cell("長谷川 𠮷之助左衛門", 14) == "長谷川 𠮷之助… "
    assert cell_len(_cell("長谷川 𠮷之助左衛門", 13)) == 14  # (a wide character that does not fit: a space)
    assert _cell("山田 一郎", 14) == "山田 一郎      "


async def test_the_list_s_columns_grow_with_the_terminal(db: Path, tmp_path: Path) -> None:
    for size, grown in (((80, 24), False), ((160, 48), True)):
        app = app_for(db, tmp_path)
        async with app.run_test(size=size) as pilot:
            await loaded(app, pilot)
            await pilot.press("f3")
            await pilot.pause()
            table = app.query_one(StaffTable)
            assert (table.widths["division"] > 14) is grown and (table.widths["employment"] > 10) is grown
            assert not grown or table._line_width() <= size[0]  # grown only into the room there is


async def test_the_app_s_messages_name_no_cli_option(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f5")
        await pilot.pause()
        app.query_one("#sign-division", Select).value = "160"
        await pilot.pause()
        app.query_one("#sign-by", Input).value = ""
        app.query_one("#sign-save").press()
        await pilot.pause()
        error = str(app.query_one("#sign-error", Static).render())
        assert "所属長の氏名が空です" in error and "--" not in error
        app.query_one(StaffTable).post_message(StaffTable.Opened("900001"))
        await pilot.pause()
        await pilot.press("alt+3")  # 免除, with no approver
        await pilot.pause()
        app.screen.query_one("#exempt-requirement", Select).value = "checkpoint"
        app.screen.query_one("#exempt-save").press()
        await pilot.pause()
        error = str(app.screen.query_one("#exempt-error").render())
        assert "承認者" in error and "--" not in error


async def test_a_reload_that_is_no_year_switch_leaves_the_search_box_in_use(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"ﾖｼ")
        app.refresh_data()  # as after a change made elsewhere
        assert "更新中" in app.sub_title and not app.query_one(StaffPane).loading
        await pilot.press(*"ﾀﾞ")
        assert app.query_one("#staff-search", Input).value == "ﾖｼﾀﾞ" and app.focused.id == "staff-search"
        await loaded(app, pilot)
        for _ in range(100):
            if "更新中" not in app.sub_title:
                break
            await pilot.pause(0.02)
        assert "更新中" not in app.sub_title


async def test_down_from_the_search_box_goes_into_the_list_and_the_first_enter_opens(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("slash", "ﾀ")
        await pilot.pause()
        table = app.query_one(StaffTable)
        second = table.shown_rows()[1].staff_id
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen) and app.screen.staff_id == second
