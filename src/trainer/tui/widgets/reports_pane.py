"""Make reports in a worker with a progress bar; record a division head's sign-off; see stale ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from trainer.calendar import fy_label
from trainer.errors import TrainerError
from trainer.model import Division
from trainer.paths import shown_path
from trainer.progress import Task
from trainer.service import Service, StatusReport
from trainer.signoff import SignoffState, normalize_code
from trainer.tui.screens.confirm import ConfirmScreen
from trainer.tui.words import explain

REPORTS = (("修了者名簿（選んだ所属）", "roster"), ("修了者名簿（全所属）", "roster_all"),
           ("未修了者一覧", "overdue"), ("未修了者一覧（所属ごとのファイル）", "overdue_split"),
           ("監査用報告", "audit"), ("研修実施計画", "plan"))  # fmt: skip


class ReportsPane(Vertical):
    class SignedOff(Message):
        """Posted after a sign-off was recorded."""

    def __init__(self, service: Service, out_dir: Path, fiscal_year: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.service = service
        self.out_dir = out_dir
        self.fiscal_year = fiscal_year
        self.running: Task | None = None
        self.codes: dict[str, str] = {}  # division → its roster's 名簿コード now (what a print carries)
        self.codes_pending = True  # the codes of what is shown are still to come
        self.codes_of: StatusReport | None = None  # the year's state the codes are being computed from
        self.shown: tuple[int, dict[str, dict[str, Any]], dict[str, Division]] = (fiscal_year, {}, {})
        self.divisions: dict[str, Division] = {}

    def compose(self) -> ComposeResult:
        divisions = [(f"{d.code} {d.name}", d.code) for d in self.service.divisions()]
        with Horizontal(id="reports-forms"):
            with Vertical(classes="half"):
                yield Label("レポート", classes="title")
                yield Select(REPORTS, value="roster", id="report-kind", allow_blank=False, compact=True)
                yield Select(divisions, prompt="所属", id="report-division", compact=True)
                yield Input(shown_path(self.out_dir), placeholder="書き出すフォルダ", id="report-dir", compact=True)
                with Horizontal(classes="row"):
                    yield Button("作成", id="report-make", variant="primary", compact=True)
                    yield Button("中止", id="report-cancel", disabled=True, compact=True)
                yield ProgressBar(total=100, id="report-progress", show_eta=False)  # at rest: 0%, not a pulse
                yield Static("", id="report-result")
            with Vertical(classes="half"):
                yield Label("所属長の確認（署名）を記録", classes="title")
                yield Select(divisions, prompt="所属", id="sign-division", compact=True)
                yield Static("", id="sign-current", markup=False)
                yield Input(placeholder="所属長の氏名", id="sign-by", compact=True)
                yield Input(placeholder="職名（課長など）", id="sign-title", compact=True)
                yield Input(placeholder="確認日（空なら今日）", id="sign-date", compact=True)
                yield Input(placeholder="電子決裁番号（あれば）", id="sign-approval", compact=True)
                yield Input(placeholder="紙の名簿の名簿コード（あれば照合します）", id="sign-code", compact=True)
                with Horizontal(classes="row"):
                    yield Button("署名を記録", id="sign-save", variant="success", compact=True)
                    yield Button("この所属の名簿を作成", id="sign-print", compact=True)
                yield Static("", id="sign-error", classes="error", markup=False)
        yield VerticalScroll(Static(id="signoff-list"), id="signoff-scroll")

    def on_mount(self) -> None:
        shown = getattr(self.app, "signoffs_shown", None)  # what the app's last load fetched
        if shown is not None and shown[0] == self.fiscal_year:
            self.show_signoffs(*shown)
        else:
            divisions = {d.code: d for d in self.service.divisions()}
            self.show_signoffs(self.fiscal_year, self.service.signoff_states(self.fiscal_year), divisions)
        report: StatusReport | None = getattr(self.app, "report", None)  # the staff list's year
        if report is not None and report.fiscal_year == self.fiscal_year:
            self.roster_codes_of(report)

    def show_signoffs(
        self,
        fiscal_year: int,
        states: dict[str, dict[str, Any]],
        divisions: dict[str, Division],
        codes: dict[str, str] | None = None,
    ) -> None:
        """Each division's sign-off for the year and its roster's 名簿コード now: ``codes`` when
        known, else 計算中 until :meth:`roster_codes_of` has them (codes computed before are dropped)."""
        self.codes = codes or {}
        self.codes_pending = codes is None
        self.shown = (fiscal_year, states, divisions)
        if codes is None:
            self.codes_of = None  # codes still being computed are of what was shown before
        self.divisions = dict(divisions)
        table = Table(title=f"{fy_label(fiscal_year)} 署名の状況", box=None, title_justify="left")
        table.add_column("所属", no_wrap=True, overflow="ellipsis", max_width=16)
        table.add_column("状態", no_wrap=True)
        table.add_column("いまの名簿コード", no_wrap=True, min_width=19)  # a code is never cut
        table.add_column("署名した名簿コード", no_wrap=True, min_width=19)
        table.add_column("署名")
        table.add_column("署名後の変更")
        for code in sorted(divisions):
            name = f"{code} {divisions[code].name}"
            now = "計算中…" if self.codes_pending else self.codes.get(code, "")
            item = states.get(code)
            if item is None:
                table.add_row(name, SignoffState.UNSIGNED.label, now, "", "", "")
                continue
            changes = ""
            stale = item["state"] is SignoffState.STALE
            if stale:
                doc = self.service.signed(item["code"])
                changes = "\n".join(c["summary"] for c in doc.get("changes_since", [])[-3:])
            color = "red" if stale else "green"
            state = f"[{color}]{item['state'].label}[/{color}]"
            table.add_row(name, state, now, item["code"], f"{item['date']} {item['by']}", changes)
        self.query_one("#signoff-list", Static).update(table)
        self.query_one("#signoff-scroll").loading = False
        self._show_current()

    def loading_year(self, on: bool) -> None:
        """The sign-offs shown are of a year no longer asked for: covered until the new year's come."""
        self.query_one("#signoff-scroll").loading = on

    def roster_codes_of(self, report: StatusReport) -> None:
        """Each division's 名簿コード as its roster stands in ``report`` (every division's roster
        built and hashed: in a worker, shown when done)."""
        self.codes_of = report
        self._codes(report)

    @work(thread=True, exclusive=True, group="load")
    def _codes(self, report: StatusReport) -> None:
        try:
            codes = self.service.roster_codes(report)
        except TrainerError as e:
            self.app.call_from_thread(self.notify, explain(e), severity="error")
            return
        self.app.call_from_thread(self._codes_done, report, codes)

    def _codes_done(self, report: StatusReport, codes: dict[str, str]) -> None:
        if report is self.codes_of and self.shown[0] == report.fiscal_year:
            self.show_signoffs(*self.shown, codes)

    @on(Select.Changed, "#sign-division")
    def sign_division_chosen(self) -> None:
        """The division's head filled in (as registered; overwrite when someone else signs)."""
        division = self.query_one("#sign-division", Select).value
        found = self.divisions.get(str(division)) if division is not Select.NULL else None
        if found is None:
            found = next((d for d in self.service.divisions() if d.code == division), None)
        if found is not None:
            self.query_one("#sign-by", Input).value = found.head_name
            self.query_one("#sign-title", Input).value = found.head_title
        self._show_current()

    def _show_current(self) -> None:
        division = self.query_one("#sign-division", Select).value
        current = self.query_one("#sign-current", Static)
        if division is Select.NULL:
            current.update("")
        elif self.codes_pending:
            current.update("いまの名簿コードを計算中です（職員の一覧を読み込んだ後に出ます）")
        elif self.codes.get(str(division)):
            current.update(
                f"いまの名簿コード: {self.codes[str(division)]}"
                "（署名を受けた紙の名簿の下の番号と同じか確かめてください）"
            )
        else:
            current.update("この所属には、この年度の名簿に載る人がいません")

    @on(Button.Pressed, "#sign-print")
    def print_roster(self) -> None:
        """The chosen division's roster, as the report form would make it."""
        division = self.query_one("#sign-division", Select).value
        if division is Select.NULL:
            self.query_one("#sign-error", Static).update("名簿を作る所属を選んでください")
            return
        self.query_one("#report-kind", Select).value = "roster"
        self.query_one("#report-division", Select).value = division
        self.make()

    @on(Button.Pressed, "#report-make")
    def make(self) -> None:
        kind = str(self.query_one("#report-kind", Select).value)
        division = self.query_one("#report-division", Select).value
        if kind == "roster" and division is Select.NULL:
            self.notify("所属を選んでください", severity="warning")
            return
        folder = Path(self.query_one("#report-dir", Input).value.strip() or ".").expanduser()
        chosen = None if division is Select.NULL else str(division)
        try:
            existing = [p for p in self._targets(kind, chosen, folder) if p.exists()]
        except TrainerError as e:
            self._show(explain(e))
            return
        if not existing:
            self._start(kind, chosen, folder)
            return
        names = "\n".join(shown_path(p) for p in existing[:10])
        more = f"\nほか{len(existing) - 10:,}件" if len(existing) > 10 else ""

        def answered(yes: bool | None) -> None:
            if yes:
                self._start(kind, chosen, folder)

        self.app.push_screen(
            ConfirmScreen(
                f"同じ名前のファイルが{len(existing):,}件あります。新しいもので置き換えますか？",
                names + more,
                yes="置き換える",
            ),
            answered,
        )

    def _targets(self, kind: str, division: str | None, folder: Path) -> list[Path]:
        """The files a report would write (those it would replace are asked about first)."""
        if kind == "overdue_split":
            return self.service.report_files(
                kind, folder / f"{fy_label(self.fiscal_year)}_未修了者一覧", self.fiscal_year
            )
        return self.service.report_files(kind.removesuffix("_all"), folder, self.fiscal_year, division)

    def _start(self, kind: str, division: str | None, folder: Path) -> None:
        """The report in a worker: the previous result cleared, the bar from 0, 中止 enabled."""
        bar = self.query_one("#report-progress", ProgressBar)
        bar.update(total=100, progress=0)
        self.query_one("#report-result", Static).update("作成中…")
        self.query_one("#report-make", Button).disabled = True
        self.query_one("#report-cancel", Button).disabled = False

        def progress(done: int, total: int, message: str) -> None:
            self.app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        self.running = Task(on_progress=progress)
        self._make(kind, division, folder, self.running)

    @on(Button.Pressed, "#report-cancel")
    def cancel(self) -> None:
        if self.running is not None:
            self.running.cancel()
            self.query_one("#report-result", Static).update("中止しています…")

    @work(thread=True, exclusive=True, group="report")
    def _make(self, kind: str, division: str | None, folder: Path, task: Task) -> None:
        try:
            if kind == "roster":
                paths = self.service.report_roster(folder, self.fiscal_year, division=division, task=task)
            elif kind == "roster_all":
                paths = self.service.report_roster(folder, self.fiscal_year, task=task)
            elif kind == "overdue":
                out = folder / f"{fy_label(self.fiscal_year)}_未修了者一覧.pdf"
                paths = [self.service.report_overdue(out, self.fiscal_year, task=task)]
            elif kind == "overdue_split":
                out = folder / f"{fy_label(self.fiscal_year)}_未修了者一覧"
                paths = self.service.report_overdue_split(out, self.fiscal_year, task=task)
            elif kind == "plan":
                out = folder / f"{fy_label(self.fiscal_year)}_研修実施計画.pdf"
                paths = [self.service.report_plan(out, self.fiscal_year, task=task)]
            else:
                out = folder / f"{fy_label(self.fiscal_year)}_研修実施状況報告.pdf"
                paths = [self.service.report_audit(out, self.fiscal_year, task=task)]
        except TrainerError as e:
            self.app.call_from_thread(self._show, explain(e))
            return
        self.app.call_from_thread(self._show, "書き出しました:\n" + "\n".join(shown_path(p) for p in paths))

    def _show(self, text: str) -> None:
        self.running = None
        self.query_one("#report-result", Static).update(text)
        self.query_one("#report-progress", ProgressBar).update(total=1, progress=1)
        self.query_one("#report-make", Button).disabled = False
        self.query_one("#report-cancel", Button).disabled = True

    def _check_code(self, division: str, printed: str) -> None:
        """A code from another division's roster: say so, naming both (the service would only see
        that the contents differ)."""
        wanted = normalize_code(printed)
        if not wanted or not self.codes:
            return
        mine = self.codes.get(division, "")
        if wanted == mine:
            return
        other = next((c for c, code in self.codes.items() if code == wanted), None)
        if other is not None:
            name = self.divisions[other].name if other in self.divisions else ""
            chosen = self.divisions[division].name if division in self.divisions else ""
            raise TrainerError(
                f"名簿コード {printed} は所属 {other} {name} の名簿のものです。"
                f"選んだ所属 {division} {chosen} の名簿のいまの名簿コードは {mine or '（なし）'} です",
                "署名を受けた紙の名簿の所属を確かめて、所属を選び直してください",
            )

    @on(Button.Pressed, "#sign-save")
    def sign(self) -> None:
        division = self.query_one("#sign-division", Select).value
        label = self.query_one("#sign-error", Static)

        def value(selector: str) -> str:
            return self.query_one(selector, Input).value.strip()

        try:
            if division is Select.NULL:
                raise TrainerError("所属を選んでください")
            self._check_code(str(division), value("#sign-code"))
            doc = self.service.sign_off(
                str(division), self.fiscal_year, value("#sign-by"), value("#sign-title"), value("#sign-date") or None,
                value("#sign-approval"), "", None, value("#sign-code") or None,
            )  # fmt: skip
        except TrainerError as e:
            label.update(explain(e))
            return
        label.update("")
        for box in self.query("#reports-forms Input").results(Input):
            if box.id != "report-dir":
                box.value = ""
        self.query_one("#sign-division", Select).clear()  # the next division starts from an empty form
        self.notify(f"署名を記録しました（名簿コード {doc['code']}）")
        self.post_message(self.SignedOff())  # (the app reloads, the list here included)
