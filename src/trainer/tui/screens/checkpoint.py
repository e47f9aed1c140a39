"""A division's checkpoint sheet: its sections and items, and ticking who completed it on which date."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Select, Static

from trainer.calendar import fy_label, wareki, wareki_short
from trainer.errors import TrainerError
from trainer.service import CheckpointSheet, Service
from trainer.tui.screens.confirm import ConfirmScreen
from trainer.tui.widgets.footer import Footer
from trainer.tui.widgets.staff_table import STATE_STYLES
from trainer.tui.words import explain

TICK = "✓"


class SheetTable(DataTable[str | Text]):
    """The division's members; space ticks the person under the cursor."""

    BINDINGS = [
        Binding("space", "screen.tick", "チェックして次へ", id="sheet.tick", tooltip="チェックを付ける／外す"),
    ]


class CheckpointScreen(Screen[bool]):
    """Returns True when something was recorded (so the lists refresh)."""

    BINDINGS = [
        Binding("escape", "close", "閉じる", id="sheet.close", tooltip="チェックシートを閉じる"),
        Binding("ctrl+a", "tick_all", "未確認を全てチェック", id="sheet.tick_all", tooltip="まだの人を全員チェック"),
        Binding("ctrl+s", "save", "記録", id="sheet.save", tooltip="チェックした人を確認日に修了とする"),
    ]

    def __init__(self, service: Service, division: str, fiscal_year: int) -> None:
        super().__init__()
        self.service = service
        self.division = division
        self.fiscal_year = fiscal_year
        self.ticked: set[str] = set()
        self.changed = False
        self.sheet: CheckpointSheet | None = None

    def compose(self) -> ComposeResult:
        divisions = [(f"{d.code} {d.name}", d.code) for d in self.service.divisions()]
        yield Header()
        with Vertical(id="sheet-box"):
            with Horizontal(classes="row"):
                yield Static(id="sheet-title")
                yield Select(divisions, value=self.division, allow_blank=False, id="sheet-division")
            with Horizontal(id="sheet-body"):
                yield VerticalScroll(Static(id="sheet-items"), id="sheet-items-scroll")
                with Vertical(id="sheet-people"):
                    yield SheetTable(cursor_type="row", zebra_stripes=True, id="sheet-table")
                    yield Label("", id="sheet-count")
            with Horizontal(classes="row"):
                yield Input(
                    value=wareki(self.service.today()), placeholder="確認日（R8.11.20 など）", id="sheet-date",
                    select_on_focus=False,  # (a key typed after Tab must not wipe the date)
                )  # fmt: skip
                yield Button("チェックした人を修了にする", id="sheet-save", variant="primary")
                yield Button("閉じる", id="sheet-close")
            yield Label("", id="sheet-error", classes="error")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(TICK, "職員番号", "氏名", "状態", "修了日", "項目")
        self.load()
        table.focus()

    def load(self) -> None:
        try:
            self.sheet = sheet = self.service.checkpoint_sheet(self.division, self.fiscal_year)
        except TrainerError as e:
            self.show_error(e)
            return
        self.ticked &= {row.person.staff.staff_id for row in sheet.rows}
        self.query_one("#sheet-title", Static).update(
            Text(f"{sheet.sheet.title}  {fy_label(sheet.fiscal_year)}", style="bold")
        )
        items = Text()
        for section in sheet.sheet.sections:
            items.append(f"{section.title}\n", style="bold")
            for item in section.items:
                items.append(f"{item.id} ", style="dim")
                items.append(f"{item.text}\n")
        self.query_one("#sheet-items", Static).update(items)
        self.draw()

    def draw(self) -> None:
        assert self.sheet is not None
        table = self.query_one(DataTable)
        row_at = table.cursor_row
        table.clear()
        for row in self.sheet.rows:
            person, status, record = row.person.staff, row.status, row.record
            confirmed = f"{len(record.items)}/{self.sheet.item_count}" if record and record.items else ""
            table.add_row(
                TICK if person.staff_id in self.ticked else "",
                person.staff_id,
                person.name,
                Text(status.state.label, style=STATE_STYLES[status.state]),
                wareki_short(status.completed_on) if status.completed_on else "",
                confirmed,
                key=person.staff_id,
            )
        if self.sheet.rows:
            table.move_cursor(row=min(row_at, len(self.sheet.rows) - 1))
        self.query_one("#sheet-count", Label).update(
            f"{self.sheet.division.name}: {len(self.sheet.rows)}人中 {self.sheet.completed}人 修了"
            f"{f'、チェック {len(self.ticked)}人' if self.ticked else ''}"
        )
        self.query_one("#sheet-save", Button).label = f"チェックした{len(self.ticked)}人を修了にする"

    @on(Select.Changed, "#sheet-division")
    def division_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value == self.division:
            return
        chosen = str(event.value)

        def answered(leave: bool | None) -> None:
            if leave:
                self.division = chosen
                self.ticked.clear()
                self.load()
            else:
                self.query_one("#sheet-division", Select).value = self.division  # the ticks stay, on their sheet

        if self.ticked:
            question = f"チェックした{len(self.ticked):,}人はまだ記録していません。記録せずにほかの所属に移りますか？"
            self.app.push_screen(ConfirmScreen(question, yes="記録せずに移る", no="戻る"), answered)
        else:
            answered(True)

    def action_tick(self) -> None:
        table = self.query_one(DataTable)
        if self.sheet is None or not self.sheet.rows:
            return
        sid = self.sheet.rows[table.cursor_row].person.staff.staff_id
        self.ticked ^= {sid}
        self.draw()
        table.move_cursor(row=min(table.cursor_row + 1, len(self.sheet.rows) - 1))

    def action_tick_all(self) -> None:
        if self.sheet is None:
            return
        self.ticked = self.sheet.pending()
        self.draw()

    @on(Button.Pressed, "#sheet-save")
    def action_save(self) -> None:
        if not self.ticked:
            self.query_one("#sheet-error", Label).update("表でスペースを押して、確認した人にチェックを付けてください")
            return
        sheet = self.sheet
        assert sheet is not None
        day = self.query_one("#sheet-date", Input).value.strip()
        if len(self.ticked) > 1:
            question = (
                f"{sheet.division.name}の{len(self.ticked):,}人を、{sheet.sheet.title}の修了"
                f"（確認日 {day}）として記録します。よろしいですか？"
            )

            def answered(yes: bool | None) -> None:
                if yes:
                    self._save(sheet)

            self.app.push_screen(ConfirmScreen(question, yes=f"{len(self.ticked):,}人を記録する"), answered)
            return
        self._save(sheet)

    def _save(self, sheet: CheckpointSheet) -> None:
        try:
            records = self.service.record_many(
                sorted(self.ticked), sheet.sheet.id, self.query_one("#sheet-date", Input).value.strip(),
                sheet.fiscal_year, source="tui",
            )  # fmt: skip
        except TrainerError as e:
            self.show_error(e)
            return
        self.query_one("#sheet-error", Label).update("")
        skipped = len(self.ticked) - len(records)
        self.notify(f"{len(records)}人を修了にしました" + (f"（{skipped}人は修了済みのまま）" if skipped else ""))
        self.changed = True
        self.ticked.clear()
        self.load()

    def show_error(self, error: TrainerError) -> None:
        self.query_one("#sheet-error", Label).update(explain(error))

    @on(Button.Pressed, "#sheet-close")
    def action_close(self) -> None:
        if not self.ticked:
            self.dismiss(self.changed)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(self.changed)

        question = f"チェックした{len(self.ticked):,}人はまだ記録していません（Ctrl+S で記録）。記録せずに閉じますか？"
        self.app.push_screen(ConfirmScreen(question, yes="記録せずに閉じる", no="戻る"), answered)
