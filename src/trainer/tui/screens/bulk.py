"""Mark many people completed on one date, after a confirmation that says how many and who."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from trainer.errors import TrainerError
from trainer.service import Service
from trainer.tui.screens.confirm import ConfirmScreen
from trainer.tui.words import explain


class BulkRecordScreen(ModalScreen[int]):
    """Returns how many were recorded (0 when cancelled)."""

    BINDINGS = [
        Binding(
            "f1,question_mark", "app.help", "ヘルプ", id="bulk.help", tooltip="この画面のキー操作"
        ),  # (a window stops the app's keys)
        Binding("escape", "cancel", "やめる", id="bulk.cancel", tooltip="記録せずに戻る"),
    ]

    def __init__(self, service: Service, people: list[tuple[str, str]], fiscal_year: int) -> None:
        super().__init__()
        self.service = service
        self.people = people  # (staff id, name)
        self.fiscal_year = fiscal_year

    def compose(self) -> ComposeResult:
        names = "、".join(f"{sid} {name}" for sid, name in self.people[:12])
        more = f" ほか{len(self.people) - 12:,}人" if len(self.people) > 12 else ""
        with Vertical(id="bulk-box"):
            yield Static(f"{len(self.people):,}人をまとめて修了にします:\n{names}{more}", id="bulk-who")
            yield Select([(r.short_title, r.id) for r in self.service.catalog], prompt="研修", id="bulk-requirement")
            yield Input(placeholder="修了日（R8.11.20 など）", id="bulk-date")
            with Horizontal(classes="row"):
                yield Button(f"{len(self.people):,}人を修了にする…", id="bulk-save", variant="primary")
                yield Button("やめる", id="bulk-cancel")
            yield Label("", id="bulk-error", classes="error")

    @on(Button.Pressed, "#bulk-save")
    def save(self) -> None:
        requirement = self.query_one("#bulk-requirement", Select).value
        label = self.query_one("#bulk-error", Label)
        if requirement is Select.NULL:
            label.update("研修を選んでください")
            return
        day = self.query_one("#bulk-date", Input).value.strip()
        if not day:
            label.update("修了日を入れてください（R8.11.20 など）")
            return
        if len(self.people) == 1:
            self._save(str(requirement), day)
            return
        title = next((r.short_title for r in self.service.catalog if r.id == requirement), str(requirement))
        question = f"{len(self.people):,}人を「{title}」の修了（修了日 {day}）として記録します。よろしいですか？"

        def answered(yes: bool | None) -> None:
            if yes:
                self._save(str(requirement), day)

        self.app.push_screen(
            ConfirmScreen(question, "修了済みの人はそのままです。", yes=f"{len(self.people):,}人を記録する"), answered
        )

    def _save(self, requirement: str, day: str) -> None:
        label = self.query_one("#bulk-error", Label)
        try:
            records = self.service.record_many(
                [sid for sid, _ in self.people], requirement, day, self.fiscal_year, source="tui",
            )  # fmt: skip
        except TrainerError as e:
            label.update(explain(e))
            return
        self.notify(f"{len(records):,}人を修了にしました（修了済みの人はそのまま）")
        self.dismiss(len(records))

    @on(Button.Pressed, "#bulk-cancel")
    def action_cancel(self) -> None:
        typed = (
            self.query_one("#bulk-date", Input).value.strip()
            or not self.query_one("#bulk-requirement", Select).is_blank()
        )
        if not typed:
            self.dismiss(0)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(0)

        self.app.push_screen(
            ConfirmScreen("入力した内容を記録せずに閉じますか？", yes="記録せずに閉じる", no="戻る"), answered
        )
