"""元に戻す from the app: what the undo would write back, asked first; a refusal shown in full."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App

from trainer.errors import TrainerError
from trainer.service import Service
from trainer.tui.screens.confirm import ConfirmScreen
from trainer.tui.words import explain, local_time


def ask_undo(app: App[object], service: Service, entry: int, done: Callable[[], None]) -> None:
    """Show what undoing change-log entry ``entry`` does and undo it on yes (``done`` after it)."""
    try:
        plan = service.undo_plan(entry)
    except TrainerError as e:
        app.push_screen(ConfirmScreen("元に戻せません", explain(e), yes=None, no="閉じる"))
        return
    head = f"No.{plan.seq}（{local_time(plan.at)}）{plan.summary}"
    if not plan.possible:
        app.push_screen(ConfirmScreen(f"元に戻せません: {head}", plan.refusal, yes=None, no="閉じる"))
        return
    who = f"{len(plan.people):,}人に関わる" if plan.people else ""
    details = (
        f"{who}{len(plan.changes):,}件のデータを、この変更の前の状態に戻します。"
        "元に戻したことも新しい変更として変更履歴に残ります"
    )

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            service.undo(entry)
        except TrainerError as e:
            app.push_screen(ConfirmScreen("元に戻せませんでした", explain(e), yes=None, no="閉じる"))
            return
        app.notify(f"元に戻しました: No.{plan.seq} {plan.summary}")
        done()

    app.push_screen(ConfirmScreen(f"この変更を元に戻しますか？\n{head}", details, yes="元に戻す"), answered)
