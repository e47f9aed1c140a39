"""The TUI driven by Pilot through real tasks, checking the register afterwards (not just text)."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from textual.widget import Widget
from textual.widgets import Button, DataTable, Footer, Input, Select, Static, TabbedContent
from textual.widgets._footer import FooterKey

from tests.files import ROSTER_HEADERS, register_bytes, write_csv
from tests.tui.common import TODAY, app_for, cancel_report, loaded, service, start_endless_report, until
from trainer.model import Progress
from trainer.service import Service
from trainer.signoff import SignoffState
from trainer.tui.app import TrainerApp
from trainer.tui.screens.person import PersonScreen
from trainer.tui.widgets.import_pane import ImportPane
from trainer.tui.widgets.staff_table import StaffTable


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.create_demo(150, seed=5)
    svc.add_staff("900001", "𠮷田 花子", "ヨシダ ハナコ", "160", "主事", "会計年度任用職員", "利用事務", "2026-10-01")
    svc.add_staff("900002", "德永 陽菜", "トクナガ ヒナ", "160", "主事", "会計年度任用職員", "利用事務", "2026-10-01")
    svc.close()
    return folder


async def show_division(app: TrainerApp, pilot, code: str) -> StaffTable:  # type: ignore[no-untyped-def]
    """The staff list, filtered to one division, as the coordinator would choose it."""
    await pilot.press("f3")
    app.query_one("#staff-division", Select).value = code
    await pilot.pause()
    return app.query_one(StaffTable)


async def record_form(app: TrainerApp, pilot, requirement: str, day: str):  # type: ignore[no-untyped-def]
    """900001's person window, its 記録 tab filled in (not yet saved); returns the window."""
    app.query_one(StaffTable).post_message(StaffTable.Opened("900001"))
    await pilot.pause()
    screen = app.screen
    screen.query_one("#person-tabs").active = "tab-record"
    await pilot.pause()
    screen.query_one("#record-requirement", Select).value = requirement
    screen.query_one("#record-date", Input).value = day
    await in_view(pilot, screen.query_one("#record-save"))
    return screen


async def pressed_again(pilot, screen, button: str, error: str, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Press a form's button again after its error was shown, and wait for the error to go.

    The error (two lines, below the buttons) grows the centred window, so the button moves up a
    line: a click computed before the new layout is drawn (a busy machine) lands beside it. The
    press itself is what is tested here; the first save of each test is a real click."""
    screen.query_one(button, Button).press()
    deadline = time.monotonic() + seconds
    while str(screen.query_one(error).render()):
        assert time.monotonic() < deadline, str(screen.query_one(error).render())
        await pilot.pause(0.02)


async def in_view(pilot, widget: Widget, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Scroll ``widget`` into view and wait (with a deadline) until it is on the screen: a click
    at a widget below the fold lands nowhere (the person window's head grows with what it shows)."""
    deadline = time.monotonic() + seconds
    while not widget.region.area:
        assert time.monotonic() < deadline, f"{widget} never came into view"
        widget.scroll_visible(animate=False, immediate=True)
        await pilot.pause(0.02)


async def test_find_by_half_width_kana_and_record_a_completion(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"ﾖｼﾀﾞﾊﾅｺ")
        await pilot.pause()
        table = app.query_one(StaffTable)
        assert [r.staff_id for r in table.shown_rows()] == ["900001"]
        await pilot.press("enter")  # from the search box: opens the first person found
        await pilot.pause()
        screen = app.screen
        screen.query_one("#person-tabs").active = "tab-record"
        await pilot.pause()
        screen.query_one("#record-requirement", Select).value = "intro"
        screen.query_one("#record-date", Input).focus()
        await pilot.press(*"R8.11.20")
        await pilot.click("#record-save")
        await pilot.pause()
        assert str(screen.query_one("#record-error").render()) == ""
        screen.query_one("#record-date", Input).value = "R8.11.19"  # a wrong date: correct it
        screen.query_one("#record-save", Button).press()  # (a toast now covers where a click would land)
        await pilot.pause()
        assert "修了日を訂正する" in str(screen.query_one("#record-error").render())  # not a CLI flag
        screen.query_one("#record-replace").value = True
        screen.query_one("#record-save", Button).press()
        await pilot.pause()
        assert str(screen.query_one("#record-error").render()) == ""
        screen.query_one("#person-tabs").active = "tab-log"  # the person's history, read when opened
        await pilot.pause()
        log = screen.query_one("#person-log", DataTable)
        await until(pilot, lambda: not log.loading)  # read in a worker
        summaries = [str(log.get_row_at(i)[2]) for i in range(log.row_count)]
        assert any("入門編 修了 令和8年11月19日" in s for s in summaries)
    record = service(db).register.record(2026, "900001", "intro")
    assert record is not None and record.progress is Progress.COMPLETED and record.on == date(2026, 11, 19)
    assert record.source == "tui"


async def test_a_bad_date_is_explained_in_place_and_nothing_is_written(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        screen = await record_form(app, pilot, "rules", "R8.2.30")
        await pilot.click("#record-save")
        await pilot.pause()
        assert "存在しない日付" in str(screen.query_one("#record-error").render())
    assert service(db).register.record(2026, "900001", "rules") is None


async def test_bulk_mark_a_filtered_list(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        table = await show_division(app, pilot, "160")
        chosen = {r.staff_id for r in table.shown_rows()}
        assert chosen and all(r.division == "160" for r in table.shown_rows())
        table.focus()
        await pilot.press("ctrl+a")
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert f"{len(chosen)}人をまとめて修了にします" in str(screen.query_one("#bulk-who").render())
        screen.query_one("#bulk-requirement", Select).value = "security"
        screen.query_one("#bulk-date", Input).value = "2026-11-24"
        await pilot.click("#bulk-save")
        await pilot.pause()
        question = str(app.screen.query_one("#confirm-question").render())  # more than one person: asked first
        assert f"{len(chosen)}人を「" in question and "修了日 2026-11-24" in question
        await pilot.click("#confirm-yes")
        await loaded(app, pilot)
        # The list reloaded with the filter still on.
        assert app.query_one("#staff-division", Select).value == "160"
        assert {r.staff_id for r in table.shown_rows()} == chosen
    records = service(db).register.records(2026)
    assert all(records[sid]["security"].completed_on is not None for sid in chosen)


async def test_import_a_roster_with_errors_read_them_cancel_nothing_changed(db: Path, tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "bad-roster.csv",
        [
            ROSTER_HEADERS,
            ["000801", "新人 一", "シンジン", "160", "市民税課", "主事", "非常勤", "利用事務", "R8.4.1"],
            ["000802", "新人 二", "シンジン", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.2.30"],
        ],
    )
    before = register_bytes(db)
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f4")
        pane = app.query_one(ImportPane)
        pane.choose(bad)  # as the file picker does on a selection
        await loaded(app, pilot)
        await pilot.click("#import-check")
        await pilot.pause()
        assert "基準日を入れてください" in str(app.query_one("#import-asof-hint", Static).render())
        app.query_one("#import-asof", Input).value = "R8.4.1"
        await pilot.click("#import-check")
        await loaded(app, pilot)
        problems = app.query_one("#import-problems", DataTable)
        rows = [problems.get_row_at(i) for i in range(problems.row_count)]
        assert any(r[0] == "問題" and r[1].startswith("2行目") and "任用区分" in r[1] for r in rows)
        assert any(r[1].startswith("3行目") and "存在しない日付" in r[2] for r in rows)
        summary = str(app.query_one("#import-summary", Static).render())
        assert "問題2件" in summary and "全件の一覧（CSV）" in summary and "bad-roster.errors.csv" in summary
        assert (tmp_path / "bad-roster.errors.csv").is_file()
        assert app.query_one("#import-commit", Button).disabled
        await pilot.click("#import-step-review .import-cancel")
        await pilot.pause()
        assert "データは変更していません" in str(app.query_one("#import-notice", Static).render())
    assert register_bytes(db) == before


async def test_generate_a_roster_pdf(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    out = tmp_path / "reports"
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f5")
        await pilot.pause()
        app.query_one("#report-division", Select).value = "160"
        app.query_one("#report-dir", Input).value = str(out)
        await pilot.click("#report-make")
        await loaded(app, pilot)
        assert "書き出しました" in str(app.query_one("#report-result", Static).render())
        [pdf] = list(out.glob("*160*.pdf"))
        pdf.write_bytes(b"kept")  # (a file of that name already there)
        await pilot.click("#report-make")  # the same report again: asked before replacing it
        await pilot.pause()
        assert "同じ名前のファイルが1件あります" in " ".join(str(s.render()) for s in app.screen.query(Static))
        await pilot.click("#confirm-no")
        await loaded(app, pilot)
        assert pdf.read_bytes() == b"kept"
        await pilot.click("#report-make")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await loaded(app, pilot)
        assert "書き出しました" in str(app.query_one("#report-result", Static).render())
        assert app.query_one("#report-cancel", Button).disabled
    assert pdf.read_bytes().startswith(b"%PDF")


async def test_a_report_shows_its_progress_from_zero_and_can_be_stopped(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f5")
        await pilot.pause()
        app.query_one("#report-result", Static).update("書き出しました: 前の結果")
        await start_endless_report(app, pilot, "report_roster", "roster_all", tmp_path / "out")
        assert str(app.query_one("#report-result", Static).render()) == "作成中…"  # the last result is gone
        assert app.query_one("#report-progress").progress == 1 and app.query_one("#report-make", Button).disabled
        await cancel_report(app, pilot)


async def test_record_a_sign_off_then_see_it_stale(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f5")
        await pilot.pause()
        app.query_one("#sign-division", Select).value = "160"
        await pilot.pause()  # (the division's head is filled in; typed over here)
        app.query_one("#sign-by", Input).value = "山田 一郎"
        app.query_one("#sign-title", Input).value = "課長"
        app.query_one("#sign-save", Button).press()  # (below the fold at this size: pressed, not clicked)
        await loaded(app, pilot)
        assert str(app.query_one("#sign-error").render()) == ""
        assert service(db).signoff_states(2026)["160"]["state"] is SignoffState.SIGNED
        # A late completion in that division, then the list says it needs a new look.
        await record_form(app, pilot, "flow", "2026-11-21")
        await pilot.click("#record-save")
        await pilot.press("escape")
        await loaded(app, pilot)  # the reload after the record redraws the sign-off list too
        app.query_one("#signoff-list").scroll_visible()
        await pilot.pause()
        text = app.export_screenshot()  # what is on the screen
    states = service(db).signoff_states(2026)
    assert states["160"]["state"] is SignoffState.STALE and states["160"]["changes"] == 1
    assert "要再確認" in text


async def test_first_run_offers_the_demo(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    app = app_for(folder, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.click("#first-demo")
        await loaded(app, pilot)
        assert app.query_one(StaffTable).rows
    assert (folder / "main.json").exists()


async def test_help_lists_the_keys_and_the_palette_has_prefixed_commands(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f3")
        app.query_one(StaffTable).focus()
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        keys = {key: what for key, what, _tooltip in app.screen.bindings}
        assert keys["1 2 3 4 5 6 7 8 9"] == "左から n 列目で並べ替え" and keys["ctrl+p"] == "コマンドパレット"
        assert keys["f1 ?"] == "ヘルプ" and keys["/"] == "検索"
        assert not [w for w in keys.values() if w.isascii()]  # Japanese only (Textual's own keys left out)
        await pilot.press("escape")
        assert app.screen.__class__.__name__ != "HelpScreen"
        await pilot.press("slash")  # in the search box, the function keys still switch screens
        await pilot.press("f2")
        await pilot.pause()
        assert app.query_one("#tabs").active == "dashboard"
        from trainer.tui.commands import COMMANDS

        names = [name for name, _action, _help in COMMANDS]
        assert "職員: 検索" in names and "レポート: 修了者名簿" in names
        await app.run_action("toggle_theme")
        assert app.theme == "textual-light"
        await pilot.press("f1")
        await pilot.press("ctrl+q")  # quits from any window
        await pilot.pause()
        assert app.return_code == 0


async def test_checkpoint_sheet_tick_who_completed_on_a_date(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        await show_division(app, pilot, "160")
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert screen.__class__.__name__ == "CheckpointScreen"
        items = str(screen.query_one("#sheet-items", Static).render())
        assert "組織的安全管理措置" in items and "O-1" in items
        table = screen.query_one("#sheet-table", DataTable)
        pending = [table.get_row_at(i)[1] for i in range(table.row_count) if table.get_row_at(i)[3].plain != "修了"]
        assert len(pending) >= 2
        first = [table.get_row_at(i)[1] for i in range(table.row_count)].index(pending[0])
        table.move_cursor(row=first)
        await pilot.press("space")  # ticks, moves down
        assert table.get_row_at(first)[0] == "✓"
        await pilot.press("c")  # (the app's key does not open a second sheet over this one)
        assert len(app.screen_stack) == 2
        screen.query_one("#sheet-date", Input).value = "R8.11.2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(screen.query_one("#sheet-error").render()) == ""
        assert table.get_row_at(first)[3].plain == "修了" and table.get_row_at(first)[4] == "R8.11.2"
        await pilot.press("escape")
        await loaded(app, pilot)
    record = service(db).register.record(2026, str(pending[0]), "checkpoint")
    assert record is not None and record.progress is Progress.COMPLETED and record.on == date(2026, 11, 2)
    sheet = service(db).checklist()
    assert record.items == tuple(item.id for section in sheet.sections for item in section.items)
    untouched = service(db).register.record(2026, str(pending[1]), "checkpoint")  # not ticked
    assert untouched is None or untouched.progress is not Progress.COMPLETED


HOLD_THE_LOCK = """
import sys, time
from datetime import date
from pathlib import Path
from trainer.service import Service
from trainer.signoff import SignoffState

svc = Service.open(Path(sys.argv[1]), today=lambda: date(2026, 11, 25), create=False)
with svc.register.transaction():  # an import that takes a while, as a big one from the CLI does
    svc.import_progress(Path(sys.argv[2]), 2026)
    print("holding", flush=True)
    sys.stdin.readline()  # until the test lets go
svc.close()
"""


async def test_an_edit_survives_a_cli_import_running_at_the_same_time(db: Path, tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "elearning.csv",
        [["学習者ID", "コース名", "受講状況", "修了日"], ["900001", "接続運用規程理解編", "修了", "2026/11/10"]],
    )
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        assert app.service is not None
        app.service.set_lock_timeout(0.5)  # (the app waits 3 s; the test need not)
        screen = await record_form(app, pilot, "intro", "R8.11.20")

        other = subprocess.Popen(
            [sys.executable, "-c", HOLD_THE_LOCK, str(db), str(export)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert other.stdout is not None and other.stdout.readline().strip() == "holding"
            app.watch_lock()
            banner = str(app.query_one("#lock-banner", Static).render())
            assert f"プロセス {other.pid}" in banner and app.query_one("#lock-banner").display

            await pilot.click("#record-save")  # waits, then says who holds it; the form keeps the entry
            await pilot.pause()
            assert "データベースが使用中" in str(screen.query_one("#record-error").render())
            assert screen.query_one("#record-date", Input).value == "R8.11.20"
        finally:
            assert other.stdin is not None
            other.stdin.write("\n")
            other.stdin.close()
            assert other.wait(30) == 0

        app.watch_lock()  # the import finished: the banner goes, the lists reload with its change
        assert not app.query_one("#lock-banner").display
        await loaded(app, pilot)
        row = next(r for r in app.query_one(StaffTable).rows if r.staff_id == "900001")
        assert row.cells[1] == "R8.11.10"  # 規程理解編, from the other process
        await pilot.click("#record-save")
        await pilot.pause()
        assert str(screen.query_one("#record-error").render()) == ""
    records = service(db).register.records(2026)["900001"]
    assert records["rules"].completed_on == date(2026, 11, 10)  # the import's
    assert records["intro"].completed_on == date(2026, 11, 20)  # the coordinator's


async def test_sort_by_any_column_shift_select_and_filter_by_sign_off(db: Path, tmp_path: Path) -> None:
    svc = service(db)
    svc.sign_off("160", 2026, "山田 一郎", "課長")
    svc.close()
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f3")
        table = app.query_one(StaffTable)
        table.focus()
        await pilot.press("1")  # 職員番号
        await pilot.pause()
        ids = [r.staff_id for r in table.shown_rows()]
        assert ids == sorted(ids)
        await pilot.press("1")  # again: the other way round
        await pilot.pause()
        assert [r.staff_id for r in table.shown_rows()] == sorted(ids, reverse=True)
        await pilot.press("7")  # the first requirement (入門編): the behind first, completions by date
        await pilot.pause()
        year = service(db).status(2026)
        intro = {p.staff.staff_id: p.for_requirement("intro") for p in [*year.people, *year.departures]}
        ranks = [(intro[r.staff_id].state, intro[r.staff_id].completed_on) for r in table.shown_rows()]
        completed = [d for state, d in ranks if d is not None]
        assert completed == sorted(completed)
        assert ranks[0][1] is None  # someone not yet completed heads the list

        table.action_cursor_to(0)
        await pilot.press("shift+down", "shift+down")  # three rows, from the top
        await pilot.pause()
        assert table.selected == {r.staff_id for r in table.shown_rows()[:3]}

        app.query_one("#staff-signoff", Select).value = SignoffState.SIGNED.value
        await pilot.pause()
        assert table.shown_rows() and {r.division for r in table.shown_rows()} == {"160"}
        app.query_one("#staff-signoff", Select).value = SignoffState.UNSIGNED.value
        await pilot.pause()
        assert "160" not in {r.division for r in table.shown_rows()}


async def test_a_change_made_from_the_cli_shows_without_asking(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        assert app.service is not None and app.service.written_elsewhere() is None
        other = service(db)  # another process would do the same: the register's own lock and journal
        other.exempt("900001", "all", "other", "人事課長 佐藤 一郎", evidence="R8-人-0007", note="長期研修で派遣中")
        other.close()
        app.watch_lock()  # (every 2 s in the app)
        await loaded(app, pilot)
        row = next(r for r in app.query_one(StaffTable).rows if r.staff_id == "900001")
        assert row.state.value == "exempt"


async def test_a_reload_while_a_person_is_open_fills_the_lists_below(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(app, pilot)
        app.query_one(StaffTable).post_message(StaffTable.Opened("900001"))
        await pilot.pause()
        assert app.screen.__class__.__name__ == "PersonScreen"
        other = service(db)
        other.exempt("900001", "all", "other", "人事課長 佐藤 一郎", evidence="R8-人-0007", note="長期研修で派遣中")
        other.close()
        app.watch_lock()  # another process's change arrives while the person window is open
        await loaded(app, pilot)
        assert app.screen.__class__.__name__ == "PersonScreen"
        row = next(r for r in app.screen_stack[0].query_one(StaffTable).rows if r.staff_id == "900001")
        assert row.state.value == "exempt"


async def test_windows_leave_nothing_behind(db: Path, tmp_path: Path) -> None:
    """A person window opened and closed leaves no objects behind once it is collected: the main
    footer let go of the keys it drew for each screen (textual #6666), and the line caches of the
    closed window's widgets are not kept (each cycle left ~7,000 objects for every full collection
    to go through, growing all day)."""
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)

        async def open_and_close() -> None:
            app.open_staff("900001")
            await pilot.pause()
            assert isinstance(app.screen, PersonScreen)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.pause()  # (the closed window is collected after the next frame)

        await open_and_close()  # (Textual's own caches filled once)
        app.collect_garbage()
        before = len(gc.get_objects())
        for _ in range(5):
            await open_and_close()
        app.collect_garbage()
        assert len(gc.get_objects()) - before < 1500
        footer = app.main.query_one(Footer)
        assert sum(1 for o in gc.get_objects() if isinstance(o, FooterKey)) <= len(footer.query(FooterKey))


async def test_an_exemption_needs_an_approver_and_can_be_revoked_in_the_person_window(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.query_one(StaffTable).post_message(StaffTable.Opened("900001"))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#person-tabs", TabbedContent).active = "tab-exempt"
        await pilot.pause()
        screen.query_one("#exempt-requirement", Select).value = "checkpoint"
        screen.query_one("#exempt-kind", Select).value = "other_body"
        screen.query_one("#exempt-evidence", Input).value = "修了証の写し（人事課で保管）"
        await pilot.click("#exempt-save")
        await pilot.pause()
        assert "承認者" in str(screen.query_one("#exempt-error").render())
        assert service(db).register.exemptions_of(2026, "900001") == []
        screen.query_one("#exempt-approver", Input).value = "人事課長 佐藤 一郎"
        await pressed_again(pilot, screen, "#exempt-save", "#exempt-error")
        [granted] = service(db).register.exemptions_of(2026, "900001")
        assert granted.approved_by == "人事課長 佐藤 一郎" and granted.kind == "other_body" and not granted.revoked
        screen.query_one("#revoke-reason", Input).value = "修了証が前年度のものだった"
        await pilot.click("#exempt-revoke")
        await pilot.pause()
        assert str(screen.query_one("#exempt-error").render()) == ""
    [revoked] = service(db).register.exemptions_of(2026, "900001")
    assert revoked.revoked_on == TODAY and revoked.revoked_reason == "修了証が前年度のものだった"
    actions = [e["action"] for e in service(db).log(staff_id="900001")[:2]]
    assert actions == ["exempt_revoke", "exempt"]


async def test_people_who_left_scope_this_year_are_listed_and_found_by_the_left_filter(
    db: Path, tmp_path: Path
) -> None:
    gone = {d.staff.staff_id for d in service(db).status(2026).departures}
    assert gone  # the demo has a retiree of September 30th and a transfer out of 利用事務
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f3")
        app.query_one("#staff-state", Select).value = "left"
        await pilot.pause()
        table = app.query_one(StaffTable)
        assert {r.staff_id for r in table.shown_rows()} == gone
        assert all(r.state_label == "離脱" for r in table.shown_rows())
        app.query_one("#staff-state", Select).value = "pending"
        await pilot.pause()
        assert table.shown_rows() and all(r.state.pending and not r.left for r in table.shown_rows())


async def test_a_retirement_cancelled_a_rehire_and_a_concurrent_post_from_the_person_window(
    db: Path, tmp_path: Path
) -> None:
    svc = service(db)
    svc.retire("900002", date(2026, 10, 31))
    svc.close()
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.query_one(StaffTable).post_message(StaffTable.Opened("900002"))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#person-tabs", TabbedContent).active = "tab-moves"
        await pilot.pause()
        screen.query_one("#rehire-date", Input).value = "R8.11.16"
        await in_view(pilot, screen.query_one("#rehire-save"))
        await pilot.click("#rehire-save")
        await pilot.pause()
        assert str(screen.query_one("#moves-error").render()) == ""
        screen.query_one("#concurrent-division", Input).value = "150"
        screen.query_one("#concurrent-start", Input).value = "2026-11-16"
        await in_view(pilot, screen.query_one("#concurrent-save"))
        await pilot.click("#concurrent-save")
        await pilot.pause()
        assert str(screen.query_one("#moves-error").render()) == ""
        head = str(screen.query_one("#person-head", Static).render())
        assert "前の在職 令和8年10月1日〜令和8年10月31日" in head and "兼務" in head
    person = service(db).staff("900002")
    assert person.hired == date(2026, 11, 16) and person.earlier[0].end == date(2026, 10, 31)
    assert person.concurrent[0].division == "150"


@pytest.mark.parametrize("typed", ["よしだ", "ヨシダ", "ﾖｼﾀﾞ", "よし だ"])
async def test_searching_the_staff_list_in_hiragana_finds_the_katakana_kana(
    db: Path, tmp_path: Path, typed: str
) -> None:
    """「よしだ」 finds 𠮷田 and 吉田 (their カナ is ヨシダ), as ヨシダ and ﾖｼﾀﾞ do; nobody else."""
    svc = service(db)
    svc.add_staff("900003", "吉田 太郎", "ヨシダ タロウ", "110", "主事", "正規職員", "利用事務", "2026-10-01")
    svc.close()
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        table = app.query_one(StaffTable)
        everyone = len(table.shown)
        await pilot.press("slash")
        await pilot.press(*typed)
        await pilot.pause()
        expected = {r.staff_id for r in table.rows if "ヨシダ" in r.kana.replace(" ", "") and not r.outside}
        assert {"900001", "900003"} <= expected
        assert {r.staff_id for r in table.shown_rows()} == expected
        assert 0 < len(table.shown) < everyone


async def test_the_app_looks_for_others_every_2_s_and_a_save_waits_3_s_for_their_lock(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fake time: the 2 s look is the app's own timer, driven here by hand; the 3 s wait is the
    timeout the save hands to the lock, which here gives up at once instead of after 3 s."""
    from trainer.store.lock import DatabaseLock

    intervals: list[tuple[float, object]] = []
    real_set_interval = TrainerApp.set_interval

    def set_interval(self: TrainerApp, interval: float, callback: object = None, **kwargs: object) -> object:
        intervals.append((interval, callback))
        return real_set_interval(self, interval, callback, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(TrainerApp, "set_interval", set_interval)
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        looks = [callback for interval, callback in intervals if callback == app.watch_lock]
        assert [interval for interval, callback in intervals if callback == app.watch_lock] == [2.0]

        other = service(db)  # another process's change: the timer's next tick reloads the lists
        other.exempt("900001", "all", "other", "人事課長 佐藤 一郎", evidence="R8-人-0007", note="長期研修で派遣中")
        other.close()
        looks[0]()  # type: ignore[operator]
        await loaded(app, pilot)
        row = next(r for r in app.query_one(StaffTable).rows if r.staff_id == "900001")
        assert row.state.value == "exempt"

        waits: list[float] = []
        real_take = DatabaseLock._take

        def busy(self: DatabaseLock, wait: float) -> None:
            """A writer waiting for the lock: someone holds it for longer than the wait."""
            waits.append(wait)
            raise self._timeout_error(wait)

        screen = await record_form(app, pilot, "intro", "R8.11.20")
        monkeypatch.setattr(DatabaseLock, "_take", busy)
        await pilot.click("#record-save")
        await pilot.pause()
        monkeypatch.setattr(DatabaseLock, "_take", real_take)
        assert waits == [3.0]
        assert "3秒待ちましたが" in str(screen.query_one("#record-error").render())
        assert screen.query_one("#record-date", Input).value == "R8.11.20"  # the entry is kept
        await pressed_again(pilot, screen, "#record-save", "#record-error")  # the lock is free: it saves
    record = service(db).register.record(2026, "900001", "intro")
    assert record is not None and record.completed_on == date(2026, 11, 20)
