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


class BulkRecordScreen(ModalScreen[int]):
    """Returns how many were recorded (0 when cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "やめる", id="bulk.cancel", tooltip="記録せずに戻る")]

    def __init__(self, service: Service, people: list[tuple[str, str]], fiscal_year: int) -> None:
        super().__init__()
        self.service = service
        self.people = people  # (staff id, name)
        self.fiscal_year = fiscal_year

    def compose(self) -> ComposeResult:
        names = "、".join(f"{sid} {name}" for sid, name in self.people[:12])
        more = f" ほか{len(self.people) - 12}人" if len(self.people) > 12 else ""
        with Vertical(id="bulk-box"):
            yield Static(f"{len(self.people)}人をまとめて修了にします:\n{names}{more}", id="bulk-who")
            yield Select([(r.short_title, r.id) for r in self.service.catalog], prompt="研修", id="bulk-requirement")
            yield Input(placeholder="修了日（R8.11.20 など）", id="bulk-date")
            with Horizontal(classes="row"):
                yield Button(f"{len(self.people)}人を修了にする", id="bulk-save", variant="primary")
                yield Button("やめる", id="bulk-cancel")
            yield Label("", id="bulk-error", classes="error")

    @on(Button.Pressed, "#bulk-save")
    def save(self) -> None:
        requirement = self.query_one("#bulk-requirement", Select).value
        label = self.query_one("#bulk-error", Label)
        try:
            if requirement is Select.NULL:
                raise TrainerError("研修を選んでください")
            records = self.service.record_many(
                [sid for sid, _ in self.people], str(requirement), self.query_one("#bulk-date", Input).value.strip(),
                self.fiscal_year, source="tui",
            )  # fmt: skip
        except TrainerError as e:
            label.update(e.explain())
            return
        self.notify(f"{len(records)}人を修了にしました（修了済みの人はそのまま）")
        self.dismiss(len(records))

    @on(Button.Pressed, "#bulk-cancel")
    def action_cancel(self) -> None:
        self.dismiss(0)
