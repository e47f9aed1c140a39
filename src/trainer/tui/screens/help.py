"""Every key of the screen below and of the app, with what it does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark", "dismiss", "閉じる", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        table = Table(title="キー操作（Esc で閉じる）", box=None, title_justify="left", expand=True)
        table.add_column("キー", style="bold", overflow="fold", ratio=2)
        table.add_column("操作", overflow="fold", ratio=3)
        table.add_column("説明", style="dim", overflow="fold", ratio=4)
        for key, description, tooltip in self.bindings:
            table.add_row(key, description, tooltip)
        yield VerticalScroll(Static(table), id="help-box")
