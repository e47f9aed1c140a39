"""The coordinator's whole day in one Textual app. Every screen calls the service; no rules here."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import Header, Select, Static, TabbedContent, TabPane
from textual.widgets._select import InvalidSelectValueError, SelectOverlay

from trainer.calendar import fiscal_year_of, fy_label
from trainer.errors import TrainerError
from trainer.model import Division, State
from trainer.service import Service, StatusReport, YearOverview
from trainer.settings import Settings
from trainer.tui.commands import PeopleCommands, TrainerCommands, TrainerPalette
from trainer.tui.screens.bulk import BulkRecordScreen
from trainer.tui.screens.first_run import FirstRunScreen
from trainer.tui.screens.help import HelpScreen
from trainer.tui.screens.person import PersonScreen
from trainer.tui.undoing import ask_undo
from trainer.tui.widgets.dashboard import Dashboard
from trainer.tui.widgets.footer import Footer
from trainer.tui.widgets.reports_pane import ReportsPane
from trainer.tui.widgets.staff_pane import StaffPane, rows_of
from trainer.tui.widgets.staff_table import StaffRow, StaffTable
from trainer.tui.words import explain

if TYPE_CHECKING:
    from trainer.tui.widgets.import_pane import ImportPane

# Textual's own words where trainer's footer shows them: a dropdown's "esc Dismiss menu"
SelectOverlay.BINDINGS = [Binding("escape", "dismiss", "選択肢を閉じる")]
SelectOverlay._merged_bindings = SelectOverlay._merge_bindings()

WRITE_WAIT = 3.0  # seconds a save waits for another process's lock: the screen must not freeze
LOCK_POLL = 2.0  # seconds between looks at who else holds the lock


class TrainerApp(App[None]):
    """Open with :func:`create_app`; the CLI and the tests build it the same way."""

    CSS_PATH = "app.tcss"
    TITLE = "trainer"
    SUB_TITLE = "マイナンバー利用事務 研修管理"
    COMMANDS = {TrainerCommands, PeopleCommands}  # ours only: Textual's system commands are in English
    BINDINGS = [
        Binding("f1,question_mark", "help", "ヘルプ", id="app.help", tooltip="キー操作の一覧"),
        Binding("f2", "show_tab('dashboard')", "ダッシュボード", id="app.dashboard", tooltip="年度の状況"),
        Binding("f3", "show_tab('staff')", "職員", id="app.staff", tooltip="職員の一覧と検索"),
        Binding("f4", "show_tab('import')", "取込", id="app.import", tooltip="ファイルの取り込み"),
        Binding("f5", "show_tab('reports')", "レポート・署名", id="app.reports", tooltip="名簿・報告・署名"),
        Binding("slash", "search", "検索", id="app.search", tooltip="職員を探す"),
        Binding("b", "bulk", "一括記録", id="app.bulk", tooltip="選んだ人をまとめて修了に"),
        Binding("c", "checkpoint", "チェックシート", id="app.checkpoint", tooltip="所属のチェックシートで修了を記録"),
        Binding("ctrl+z", "undo", "元に戻す", id="app.undo", tooltip="最後の変更を元に戻す（確かめてから）"),
        Binding("left_square_bracket", "year(-1)", "前年度", id="app.prev_year", tooltip="前の年度"),
        Binding("right_square_bracket", "year(1)", "次年度", id="app.next_year", tooltip="次の年度"),
        Binding("ctrl+t", "toggle_theme", "配色", id="app.theme", tooltip="ライト／ダーク"),
        Binding("ctrl+q", "quit", "終了", id="app.quit", tooltip="trainer を終える", priority=True),
        Binding(  # ours, so the footer says it in Japanese (Textual adds an English one otherwise)
            "ctrl+p",
            "command_palette",
            "コマンドパレット",
            show=False,
            priority=True,
            id="app.palette",
            tooltip="すべての操作を名前で探す",
        ),
    ]

    def __init__(
        self,
        open_service: Callable[[bool], Service],
        folder: Path,
        today: Callable[[], date] = date.today,
        keymap: dict[str, str] | None = None,
        offer_demo: bool = False,
        workdir: Path | None = None,
    ) -> None:
        super().__init__()
        self.open_service = open_service
        self.folder = folder
        self.workdir = workdir or Path.cwd()  # where the file picker starts and reports go
        self.today = today
        self.offer_demo = offer_demo
        self.service: Service | None = None
        self.fiscal_year = fiscal_year_of(today())
        self._seen_elsewhere: tuple[int, int] | None = None  # the last outside change reloaded
        self._generation = 0  # one more with each change saved here or seen from elsewhere
        self._figures_shown: tuple[int, int] | None = None  # (year, generation) on the dashboard
        self._list_shown: tuple[int, int] | None = None  # (year, generation) in the staff list
        self._changes_shown: int | None = None  # the generation of the dashboard's recent changes
        self._busy = {"figures": False, "list": False}  # a loading worker runs (see _done)
        self._gave_up: tuple[int, int] | None = None  # (year, generation) whose load failed
        self._year_asked = 0.0  # time.monotonic() of the last [ or ]
        self.report: StatusReport | None = None  # everyone's state in the year the list shows
        # (fiscal year, sign-off states, divisions): for the sign-off pane when it is built
        self.signoffs_shown: tuple[int, dict[str, dict[str, Any]], dict[str, Division]] | None = None
        self.user_keys = keymap or {}  # binding id → keys, from the user's keymap file
        self.import_pane: ImportPane | None = None  # (built when first shown)
        if keymap:
            self.set_keymap(keymap)

    @property
    def main(self) -> Screen[None]:
        """The screen of the tabs (``self.query`` would search whatever window is open on top)."""
        return self.screen_stack[0]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="dashboard", id="tabs"):
            yield TabPane("ダッシュボード", Dashboard(id="dashboard-view"), id="dashboard")
            yield TabPane("職員", StaffPane(id="staff-pane"), id="staff")
            yield TabPane("取込", id="import")
            yield TabPane("レポート・署名", id="reports")
        yield Static("", id="lock-banner")
        yield Footer()

    SWITCH_INTERVAL = 0.001  # s: how soon a loading worker lets the screen's thread run again

    def on_mount(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-light" else "textual-dark"
        # A worker reading the year holds Python's lock for 5 ms at a time by default, and the
        # screen's thread waits that long each time it blocks (many times a frame): a frame took
        # 0.4 s while the staff list loaded. Handing the lock over sooner keeps the screen smooth.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(self.SWITCH_INTERVAL)
        if self.offer_demo:
            self.push_screen(FirstRunScreen(str(self.folder)), self._first_run)
        else:
            self._busy["figures"] = True
            self._open(create=False)

    def on_unmount(self) -> None:
        sys.setswitchinterval(self._switch_interval)

    def pop_screen(self) -> AwaitComplete:
        """Close the window on top (``dismiss`` comes here too); once it is gone and the screen
        below is drawn, what it left is collected (see :meth:`collect_garbage`)."""
        closing = super().pop_screen()

        async def collect() -> None:
            await closing
            self.call_after_refresh(self.collect_garbage)

        self.call_next(collect)
        return closing

    def collect_garbage(self) -> None:
        """What a closed window left, collected once the screen below is drawn, while nobody waits.

        A window's widgets refer to one another, so only the cyclic collector frees them; left to
        it, they waited for a full collection in the middle of opening the next window (30–70 ms
        of a person window's opening at 50,000 staff). Textual also keeps the line caches of the
        last 1,024 widgets drawn, closed windows' too, in a function cache keyed by each widget's
        StylesCache (a method cached as if it were a class method): emptied here, they are not
        gone through by every collection. Not while a year loads, nor before the first list is
        frozen: the collection would go through what is being read (the collections a load sets
        off collect the window too, as before)."""
        if self._list_shown is None or any(self._busy.values()):
            return
        cached = getattr(StylesCache.get_inner_outer, "cache_clear", None)
        if cached is not None:
            cached()
        gc.collect()

    def _first_run(self, make_demo: bool | None) -> None:
        self._busy["figures"] = True
        self._open(create=True, demo=bool(make_demo))

    @work(thread=True, exclusive=True, group="load")
    def _open(self, create: bool, demo: bool = False) -> None:
        """Open the register in a worker (the screen is up at once), then load the year shown."""
        try:
            service = self.open_service(create)
            if demo:
                service.create_demo(300)
        except TrainerError as e:
            self.call_from_thread(self._error, e)
            self.call_from_thread(self._done, "figures")
            return
        self.call_from_thread(self._mount_service, service)
        self._figures(service)  # (this worker goes on with the dashboard: no second one to start)

    def _mount_service(self, service: Service) -> None:
        self.service = service
        service.set_lock_timeout(WRITE_WAIT)
        self.set_interval(LOCK_POLL, self.watch_lock)
        self.sub_title = self.folder.name
        self._loading(True)
        self._mount_pane(self.main.query_one("#tabs", TabbedContent).active)

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self._mount_pane(event.pane.id or "")

    def _mount_pane(self, tab: str) -> AwaitMount | None:
        """The import and report panes are built when first shown, and the staff list's filters
        then or when its list is first loaded: launch does only the dashboard (and does not even
        import the import pane: its importers and YAML reader were 20 ms of the launch)."""
        if tab == "staff":
            return self.main.query_one(StaffPane).build_filters()
        if self.service is None:
            return None
        pane = self.main.query_one(f"#{tab}", TabPane)
        if tab == "import" and self.import_pane is None:
            from trainer.tui.widgets.import_pane import ImportPane

            self.import_pane = ImportPane(self.service, self.workdir, self.fiscal_year)
            return pane.mount(self.import_pane)
        if tab == "reports" and not pane.query(ReportsPane):
            return pane.mount(ReportsPane(self.service, self.workdir, self.fiscal_year))
        return None

    def watch_lock(self) -> None:
        """Say who else is writing (a CLI import, say); when others have changed the register, reload."""
        if self.service is None or not self.screen_stack:
            return  # (not up yet, or closing)
        banners = self.main.query("#lock-banner")
        if not banners:
            return
        banner = banners.first(Static)
        try:
            holder = self.service.lock_holder()
            elsewhere = self.service.written_elsewhere()
        except OSError as e:
            banner.update(f"データベースの使用状況を確かめられません: {e}")
            banner.display = True
            return
        if holder is not None:
            banner.update(
                f"使用中: {holder} が書き込んでいます。その間の保存は{WRITE_WAIT:g}秒待ち、"
                "終わらなければ入力を残したままお知らせします。終わると表示を更新します"
            )
            banner.display = True
            return
        banner.display = False
        if elsewhere is not None and elsewhere != self._seen_elsewhere:
            self._seen_elsewhere = elsewhere
            self.notify("ほかの作業（取込など）による変更を読み込みます")
            self.refresh_data()

    def _error(self, error: TrainerError) -> None:
        self.notify(explain(error), severity="error", timeout=30)

    # ------------------------------------------------------------ data
    # The year is read in two steps, each by one worker thread at a time that loads whatever is
    # wanted when it looks (a year asked for meanwhile, a change saved meanwhile): the dashboard's
    # figures from the year's overview (a derived cache: what changed since it was kept is what
    # it costs), then — in the background, never before the dashboard — everyone's state for the
    # staff list, the palette's people and the reports pane's roster codes. What each shows is
    # marked (year, generation); a save here or a change from elsewhere makes a new generation.

    def refresh_data(self, switching: bool = False) -> None:
        """Load the year again in the background. A year switch covers the panes with a loading
        indicator (what they show is another year's); any other reload (a save here, a change
        from elsewhere) says 更新中 in the header and leaves the lists usable (the focus stays)."""
        if self.service is None:
            return
        if not switching:
            self._generation += 1
        self._loading(True, overlay=switching)
        self._want_figures()

    def _wanted(self) -> tuple[int, int]:
        return self.fiscal_year, self._generation

    def _want_figures(self) -> None:
        """The dashboard of the year shown: loaded by the figures worker (started when none runs;
        one that runs looks again before it ends)."""
        if self.service is not None and not self._busy["figures"]:
            self._busy["figures"] = True
            self.run_worker(partial(self._figures, self.service), name="figures", group="load", thread=True)

    def _want_list(self) -> None:
        """Everyone's state in the year shown: loaded by the list worker (as the figures')."""
        if self.service is not None and not self._busy["list"]:
            self._busy["list"] = True
            self.main.query_one(StaffPane).build_filters()  # (once: while the first list loads)
            self.run_worker(partial(self._list, self.service), name="list", group="load", thread=True)

    def _done(self, worker: str) -> None:
        """A loading worker ends (on the app's thread: no request falls between its last look and
        its end): it starts again when something else is wanted meanwhile; the list follows the figures."""
        self._busy[worker] = False
        wanted = self._wanted()
        if wanted == self._gave_up:
            return
        if self._figures_shown != wanted:
            self._want_figures()
        elif self._list_shown != wanted or self._changes_shown != self._generation:
            self.call_after_refresh(self._want_list)  # once the figures are on the screen

    def _figures(self, service: Service) -> None:
        """(In a worker thread.) The figures of the wanted year until what the dashboard shows is
        what is wanted."""
        try:
            while self._figures_shown != (wanted := self._wanted()):
                year, generation = wanted
                try:
                    overview = service.overview(year)
                    signoffs = service.signoff_states(year)
                except TrainerError as e:
                    self.call_from_thread(self._failed, e, wanted)
                    return
                self.call_from_thread(self._show_dashboard, overview, signoffs, generation)
        finally:
            self.call_from_thread(self._done, "figures")

    def _list(self, service: Service) -> None:
        """(In a worker thread.) The change log's newest entries for the dashboard, then everyone's
        state in the wanted year for the staff list, once the year has stayed the same for
        :attr:`YEAR_SETTLE` (repeated [ ] keys load only the last); given up for a newer wish."""
        try:
            while True:
                if self._changes_shown != (generation := self._generation):
                    try:
                        changes = service.recent_changes(8)
                    except TrainerError as e:
                        self.call_from_thread(self._error, e)
                        changes = []
                    self.call_from_thread(self._show_changes, changes, generation)
                    continue
                wanted = self._wanted()
                if self._list_shown == wanted or self._figures_shown != wanted:
                    return  # (the figures come first)
                settled = self._year_asked + self.YEAR_SETTLE - time.monotonic()
                if settled > 0:
                    time.sleep(settled)
                    continue
                year, generation = wanted
                try:
                    report = service.status(year)
                    if self._wanted() != wanted:
                        continue
                    outside = service.outside_scope(report)
                    if self._wanted() != wanted:
                        continue
                    rows = rows_of(report, outside)  # the search keys too, here in the worker
                    types = service.employment_types()
                    signoffs = service.signoff_states(year)
                except TrainerError as e:
                    self.call_from_thread(self._failed, e, wanted)
                    return
                self.call_from_thread(self._show_staff, report, rows, types, signoffs, generation)  # type: ignore[arg-type]  # Textual: an async callback returning None
        finally:
            self.call_from_thread(self._done, "list")

    def _loading(self, on: bool, overlay: bool = True) -> None:
        """The panes being refreshed say so: Textual's loading indicator over each (``overlay``),
        or 更新中 in the header."""
        for pane in (*self.main.query(Dashboard), *self.main.query(StaffPane)):
            if overlay or not on:
                pane.loading = on
        for reports in self.main.query(ReportsPane):  # its sign-offs come with the figures
            if overlay or not on:
                reports.loading_year(on)
        self.sub_title = f"{self.folder.name}（更新中…）" if on and not overlay else self.folder.name

    def _failed(self, error: TrainerError, wanted: tuple[int, int]) -> None:
        """Loading the year failed (said in full): not tried again until something else is wanted."""
        self._error(error)
        self._gave_up = wanted
        if wanted == self._wanted():
            self._loading(False)

    def _show_dashboard(self, overview: YearOverview, signoffs: dict[str, dict[str, Any]], generation: int) -> None:
        """The year's figures (from its overview): the dashboard is usable from here on."""
        if (overview.fiscal_year, generation) != self._wanted():
            return
        self._figures_shown = (overview.fiscal_year, generation)
        dashboard = self.main.query_one(Dashboard)
        dashboard.loading = False
        self.title = f"trainer  {fy_label(overview.fiscal_year)}"
        dashboard.show(overview, signoffs, self.today())
        self.signoffs_shown = (overview.fiscal_year, signoffs, overview.divisions)
        for pane in self.main.query(ReportsPane):
            pane.show_signoffs(*self.signoffs_shown)
        if self._list_shown == self._wanted():
            self.sub_title = self.folder.name

    def _show_changes(self, changes: list[dict[str, object]], generation: int) -> None:
        self._changes_shown = generation
        self.main.query_one(Dashboard).show_changes(changes)

    async def _show_staff(self, report, rows, types, signoffs, generation: int) -> None:  # type: ignore[no-untyped-def]
        pane = self.main.query_one(StaffPane)
        await pane.build_filters()  # (built when the load began: done long since)
        if (report.fiscal_year, generation) != self._wanted() or self.return_code is not None:
            return  # (another year or generation is wanted now; or the app is closing)
        self._list_shown = (report.fiscal_year, generation)
        self.report = report
        pane.loading = False
        await pane.load(report, rows, types, signoffs)
        if self._figures_shown == self._wanted():
            self.sub_title = self.folder.name
        for reports in self.main.query(ReportsPane):
            reports.roster_codes_of(report)
        # The register and the year just loaded live until the next load: the collector need not
        # rescan them (a full collection took 0.35 s at 50,000 staff, in the middle of the next
        # year switch). What a later load replaces is freed by reference counting (cycles in it
        # would stay: none are known); cycles made from now on are still collected.
        gc.freeze()

    # --------------------------------------------------------- actions
    MAIN_SCREEN_ACTIONS = frozenset({"bulk", "checkpoint", "search", "only_overdue", "show_tab", "year", "undo"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The lists' actions work on the main screen only (not over a person or a sheet)."""
        return not (action in self.MAIN_SCREEN_ACTIONS and len(self.screen_stack) > 1)

    TAB_FOCUS = {"dashboard": "#dashboard-view", "staff": "#staff-table", "import": "#import-files"}

    async def action_show_tab(self, tab: str, focus: str | None = None) -> None:
        """Show a tab and move the focus into it (a focused widget left behind would pull it back)."""
        self.screen.set_focus(None)
        self.main.query_one("#tabs", TabbedContent).active = tab
        mounting = self._mount_pane(tab)
        if mounting is not None:
            await mounting  # (the pane's widgets exist before the focus goes into it)
        pane = self.main.query_one(f"#{tab}", TabPane)
        target = next((w for w in pane.query(focus or self.TAB_FOCUS.get(tab, "*")) if w.focusable), None)
        if target is not None:
            self.call_after_refresh(target.focus)

    async def action_search(self) -> None:
        await self.action_show_tab("staff", focus="#staff-search")

    async def action_only_overdue(self) -> None:
        await self.action_show_tab("staff")
        self.main.query_one("#staff-state", Select).value = State.OVERDUE.value

    YEAR_SETTLE = 0.3  # seconds: repeated [ ] keys within this load only the year they end on

    def action_year(self, delta: int) -> None:
        """The year asked for shows at once in the title, the panes say they are loading; its
        figures come from its overview, its list in the background (repeated keys load only the
        year they end on)."""
        self.fiscal_year += delta
        self._year_asked = time.monotonic()
        self.title = f"trainer  {fy_label(self.fiscal_year)}（読み込み中）"
        if self.import_pane is not None:
            self.import_pane.fiscal_year = self.fiscal_year
        for reports in self.main.query(ReportsPane):
            reports.fiscal_year = self.fiscal_year
        self.refresh_data(switching=True)

    def action_undo(self) -> None:
        """元に戻す: the newest change of the change log, after showing what it writes back."""
        if self.service is None:
            return
        last = self.service.last_change()
        if last is None:
            self.notify("元に戻す変更がありません（変更履歴は空です）", severity="warning")
            return
        ask_undo(self, self.service, int(last.get("seq", 0)), self.refresh_data)  # type: ignore[arg-type]  # Textual: App[object], invariant

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme != "textual-light" else "textual-dark"

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]  # Textual: App[object], invariant
            self.push_screen(
                TrainerPalette(placeholder="操作・職員・所属を探す…（例: 名簿、職員番号、ﾔﾏﾀﾞ）", id="--command-palette")
            )

    def action_help(self) -> None:
        """The keys of the focused widget, its screen and the app: trainer's own, in Japanese."""
        focused = self.screen.focused
        nodes = [*(focused.ancestors_with_self if focused else [self.screen]), self]
        rows: dict[tuple[str, str], list[str]] = {}  # (description, tooltip) → keys
        for node in nodes:
            for cls in type(node).__mro__:
                if not cls.__module__.startswith("trainer."):
                    continue  # Textual's own widgets' bindings are in English and not ours to explain
                for binding in cls.__dict__.get("BINDINGS", []):
                    if isinstance(binding, Binding) and binding.description:
                        keys = rows.setdefault((binding.description, binding.tooltip or ""), [])
                        keys += [k for k in self._keys_of(binding) if k not in keys]
        seen: set[str] = set()
        table = []
        for (description, tooltip), keys in rows.items():
            keys = [k for k in keys if k not in seen]
            seen.update(keys)
            if keys:
                table.append((" ".join(keys), description, tooltip))
        self.push_screen(HelpScreen(table))

    def _keys_of(self, binding: Binding) -> list[str]:
        """The keys a binding answers to now (after the user's keymap), as a person writes them."""
        keys = self.user_keys.get(binding.id, binding.key) if binding.id else binding.key
        names = {"question_mark": "?", "slash": "/", "left_square_bracket": "[", "right_square_bracket": "]"}
        return [names.get(k.strip(), k.strip()) for k in keys.split(",")]

    def action_bulk(self) -> None:
        table = self.main.query_one(StaffTable)
        if not table.selected or self.service is None:
            self.notify("職員の一覧で、スペースで人を選んでから b を押してください", severity="warning")
            return
        people = [(r.staff_id, r.name) for r in table.rows if r.staff_id in table.selected]

        def done(count: int | None) -> None:
            if count:
                table.selected.clear()
            self._reload_if(count)

        self.push_screen(BulkRecordScreen(self.service, people, self.fiscal_year), done)

    def action_checkpoint(self) -> None:
        """The sheet of the division chosen in the staff list's filter (else the first division)."""
        if self.service is None:
            return
        chosen = next(iter(self.main.query("#staff-division").results(Select)), None)  # (none before the list)
        divisions = self.service.divisions()
        if not divisions:
            self.notify("所属がまだありません。職員名簿を取り込んでください", severity="warning")
            return
        division = str(chosen.value) if chosen is not None and chosen.value is not Select.NULL else divisions[0].code
        from trainer.tui.screens.checkpoint import CheckpointScreen  # (imported when first used: 7 ms of the launch)

        self.push_screen(CheckpointScreen(self.service, division, self.fiscal_year), self._reload_if)

    @on(StaffTable.Opened)
    def open_person(self, event: StaffTable.Opened) -> None:
        self.open_staff(event.staff_id)

    def open_staff(self, staff_id: str) -> None:
        """The person window (from the list, or the command palette)."""
        if self.service is None:
            return
        self.push_screen(PersonScreen(self.service, staff_id, self.fiscal_year), self._reload_if)

    def staff_rows(self) -> list[StaffRow]:
        """Everyone the staff list holds for the year shown (outside scope too)."""
        return self.main.query_one(StaffTable).rows

    async def show_division(self, code: str) -> None:
        """The staff list of one division (from the command palette)."""
        await self.action_show_tab("staff")
        pane = self.main.query_one(StaffPane)
        pane.query_one("#staff-scope", Select).value = "all"
        try:
            pane.query_one("#staff-division", Select).value = code
        except InvalidSelectValueError:  # (a division with nobody this year)
            self.notify(f"所属 {code} には、この年度の職員がいません", severity="warning")

    def _reload_if(self, changed: object) -> None:
        """A window closed: load the year again when it changed something."""
        if changed:
            self.refresh_data()

    @on(ReportsPane.SignedOff)
    def data_changed(self) -> None:
        self.refresh_data()

    def on_import_pane_imported(self) -> None:
        """ImportPane.Imported (by its handler's name: the pane's module is imported when it is first shown)."""
        self.refresh_data()


def binding_ids() -> set[str]:
    """Every binding id a keymap may name: those of the app and of its screens and widgets (every
    module of trainer.tui is imported first: the app imports some only when they are first used)."""
    import pkgutil
    from importlib import import_module

    from textual.dom import DOMNode

    import trainer.tui as package

    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        import_module(module.name)

    found: set[str] = set()
    seen: set[type[DOMNode]] = set()
    stack: list[type[DOMNode]] = [DOMNode]
    while stack:
        cls = stack.pop()
        sub: type[DOMNode]
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    for cls in seen:
        if cls.__module__.startswith(package.__name__ + "."):
            for binding in getattr(cls, "BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    found.add(binding.id)
    return found


def every_binding_id() -> Iterator[str]:
    """:func:`binding_ids`, found only when a keymap file is read (finding them imports every module)."""
    yield from binding_ids()


def create_app(
    db: Path,
    catalog: Path | None = None,
    today: Callable[[], date] = date.today,
    keymap: Path | None = None,
    now: Callable[[], datetime] | None = None,
    workdir: Path | None = None,
    settings: Settings | None = None,
) -> TrainerApp:
    """The app on a database folder (the CLI's ``trainer`` and the tests both build it here).

    ``today``/``now`` fix the calendar and the change log's clock (tests and screenshots);
    ``workdir`` is where the file picker starts and reports are written (default: the current folder).
    """
    settings = settings or Settings(db=db, catalog=catalog)
    keys = (replace(settings, keymap_file=keymap) if keymap else settings).keymap(every_binding_id())
    offer_demo = not (db / "main.json").exists()

    def open_service(create: bool) -> Service:
        return Service.open(db, catalog, today=today, create=create, now=now, settings=settings)

    return TrainerApp(open_service, db, today, keys, offer_demo, workdir)
