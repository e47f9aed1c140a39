"""A question before a write: what will happen, with counts, and two buttons (Esc is いいえ)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Returns True only when the coordinator pressed the yes button."""

    BINDINGS = [Binding("escape", "no", "やめる", id="confirm.no", tooltip="何もせずに戻る")]

    def __init__(self, question: str, details: str = "", yes: str | None = "はい", no: str = "やめる") -> None:
        """``yes=None``: a message with one button (a refusal shown in full)."""
        super().__init__()
        self.question = question
        self.details = details
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            if self.details:
                yield VerticalScroll(Static(self.details, markup=False), id="confirm-details")
            with Horizontal(classes="row"):
                yield Button(self.no, id="confirm-no", compact=True)
                if self.yes is not None:
                    yield Button(self.yes, id="confirm-yes", variant="warning", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # a stray Enter never writes

    @on(Button.Pressed, "#confirm-yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_no(self) -> None:
        self.dismiss(False)
