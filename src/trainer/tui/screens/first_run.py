"""On a first run with no database: offer the demo city, so a newcomer sees a living app."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class FirstRunScreen(ModalScreen[bool]):
    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="first-box"):
            yield Static(
                f"データベースがまだありません:\n{self.folder}\n\n"
                "架空の市（300人）のデモデータを作って、画面を試しますか？\n"
                "本番のデータは「取込」から職員名簿を取り込んで始めます。"
            )
            with Horizontal(classes="row"):
                yield Button("デモを作る", id="first-demo", variant="primary")
                yield Button("空のまま始める", id="first-empty")

    @on(Button.Pressed, "#first-demo")
    def demo(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#first-empty")
    def empty(self) -> None:
        self.dismiss(False)
