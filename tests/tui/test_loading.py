"""The year comes in two steps: the dashboard's figures from the year's overview (what `trainer
status` prints), then everyone's state for the staff list in the background, the list saying it is
loading meanwhile; a year switch shows that year's figures before its list."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tests.tui.common import TODAY, app_for, service, until
from trainer.service import Service
from trainer.tui.app import TrainerApp
from trainer.tui.widgets.dashboard import Dashboard
from trainer.tui.widgets.staff_pane import StaffPane
from trainer.tui.widgets.staff_table import StaffTable


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.create_demo(80, seed=3, years=2)
    svc.close()
    return folder


class Gate:
    """Holds a load until it is opened: everyone's state (``Service.status``), or with ``method``
    another of the service's reads (the year's overview: its figures and sign-offs)."""

    def __init__(self, method: str = "status") -> None:
        self.method = method
        self.open = threading.Event()
        self.years: list[object] = []

    def app(self, db: Path, tmp_path: Path) -> TrainerApp:
        app = app_for(db, tmp_path)
        open_service = app.open_service

        def opened(create: bool) -> Service:
            svc = open_service(create)
            read = getattr(svc, self.method)

            def held(fiscal_year=None, *args, **kwargs):  # type: ignore[no-untyped-def]
                self.years.append(fiscal_year)
                self.open.wait(30)
                return read(fiscal_year, *args, **kwargs)

            setattr(svc, self.method, held)
            return svc

        app.open_service = opened
        return app

    @asynccontextmanager
    async def running(
        self, db: Path, tmp_path: Path, held: bool = False
    ) -> AsyncIterator[tuple[TrainerApp, Pilot[None]]]:
        """The app on ``db`` with this gate (``held``: closed from the start), opened again at the
        end whatever happens, so no worker waits on it after the test."""
        if not held:
            self.open.set()
        app = self.app(db, tmp_path)
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                yield app, pilot
        finally:
            self.open.set()


def text(app: TrainerApp, selector: str) -> str:
    return str(app.query_one(selector, Static).content)


def signoffs_title(app: TrainerApp) -> str:
    """The title of the reports pane's sign-off table (a Rich table: its year)."""
    return str(getattr(app.query_one("#signoff-list", Static).content, "title", ""))


def figures(counts) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"対象 {counts.in_scope:,}人", f"修了 {counts.completed:,}", f"期限超過 {counts.overdue:,}"]


async def test_the_dashboard_shows_the_overviews_figures_before_the_list_is_loaded(db: Path, tmp_path: Path) -> None:
    svc = service(db)
    expected = svc.overview(2026).summary.totals  # what `trainer status` prints
    svc.close()
    gate = Gate()
    async with gate.running(db, tmp_path, held=True) as (app, pilot):
        await until(pilot, lambda: "対象" in text(app, "#dash-totals"))
        assert all(f in text(app, "#dash-totals") for f in figures(expected))
        assert app.title == "trainer  令和8年度" and not app.query_one(Dashboard).loading
        await until(pilot, lambda: gate.years == [2026])  # everyone's state: being read
        pane = app.query_one(StaffPane)
        assert pane.loading and not app.query_one(StaffTable).rows  # and the list says so
        assert "読み込み中" not in text(app, "#dash-changes")  # the newest changes came first
        await pilot.press("f3")  # the tab opens at once, its loading indicator over it
        assert pane.loading and app.query_one("#tabs").active == "staff"  # type: ignore[attr-defined]
        gate.open.set()
        await until(pilot, lambda: not pane.loading)
        table = app.query_one(StaffTable)
        assert sum(1 for row in table.rows if not row.outside and not row.left) == expected.in_scope


async def test_a_year_switch_shows_that_years_figures_before_its_list(db: Path, tmp_path: Path) -> None:
    svc = service(db)
    last_year = svc.overview(2025).summary.totals
    svc.close()
    gate = Gate()
    async with gate.running(db, tmp_path) as (app, pilot):
        pane = app.query_one(StaffPane)
        await until(pilot, lambda: bool(app.query_one(StaffTable).rows) and not pane.loading)
        gate.open.clear()
        await pilot.press("left_square_bracket")
        assert "令和7年度" in app.title and pane.loading
        dashboard = app.query_one(Dashboard)
        await until(pilot, lambda: not dashboard.loading and text(app, "#dash-year").startswith("令和7年度"))
        assert all(f in text(app, "#dash-totals") for f in figures(last_year))
        assert app.title == "trainer  令和7年度"
        await until(pilot, lambda: gate.years == [2026, 2025])  # its list: being read
        assert pane.loading and app.report is not None and app.report.fiscal_year == 2026
        gate.open.set()
        await until(pilot, lambda: not pane.loading)
        assert app.report is not None and app.report.fiscal_year == 2025


async def test_a_year_switch_covers_the_sign_offs_of_the_year_left_until_the_new_ones_come(
    db: Path, tmp_path: Path
) -> None:
    """The reports pane's sign-off list is of the year shown: during a switch it says it is
    loading, not the previous year's states under the new year's title."""
    gate = Gate("overview")
    async with gate.running(db, tmp_path) as (app, pilot):
        await until(pilot, lambda: "対象" in text(app, "#dash-totals"))
        await pilot.press("f5")
        await until(pilot, lambda: signoffs_title(app) == "令和8年度 署名の状況")
        scroll = app.query_one("#signoff-scroll")
        assert not scroll.loading
        gate.open.clear()
        await pilot.press("left_square_bracket")
        assert scroll.loading  # what it shows is the year left
        await until(pilot, lambda: gate.years[-1:] == [2025])  # the new year's: being read
        assert scroll.loading and signoffs_title(app) == "令和8年度 署名の状況"
        gate.open.set()
        await until(pilot, lambda: not scroll.loading)
        assert signoffs_title(app) == "令和7年度 署名の状況"


async def test_the_history_tab_is_read_in_a_worker_and_says_so_meanwhile(db: Path, tmp_path: Path) -> None:
    """A person's history comes from the whole change log (seconds at 50,000 staff): the tab says
    it is loading while the app keeps answering, then shows the person's changes."""
    staff_id = service(db).status(2026).people[0].staff.staff_id
    gate = Gate("log")
    async with gate.running(db, tmp_path) as (app, pilot):
        await until(pilot, lambda: "対象" in text(app, "#dash-totals"))
        app.query_one(StaffTable).post_message(StaffTable.Opened(staff_id))
        await until(pilot, lambda: app.screen.query("#person-log"))
        person = app.screen
        log = person.query_one("#person-log", DataTable)
        gate.open.clear()
        await pilot.press("alt+5")  # 履歴
        await until(pilot, lambda: log.loading)
        await pilot.press("alt+1")  # the app answers meanwhile
        await pilot.press("alt+5")
        await pilot.press("u")  # nothing to undo until the history is shown
        await pilot.pause()
        assert log.loading and app.screen is person and not app.screen.query("#confirm-yes")
        gate.open.set()
        await until(pilot, lambda: not log.loading and log.row_count > 0)
        expected = [str(e["summary"]) for e in service(db).log(staff_id=staff_id)[:200]]
        assert expected and [str(log.get_row_at(i)[2]) for i in range(log.row_count)] == expected
