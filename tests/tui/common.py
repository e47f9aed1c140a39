"""What the app's tests share: the fixed day, the app on a register, the service beside it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from trainer.service import Service
from trainer.tui.app import TrainerApp, create_app

TODAY = date(2026, 11, 25)


def app_for(db: Path, tmp_path: Path) -> TrainerApp:
    """The app on ``db`` as of :data:`TODAY`, with no keymap of the user's."""
    return create_app(db, today=lambda: TODAY, keymap=tmp_path / "no-keymap.yaml")


def service(db: Path) -> Service:
    """The service on the same register, as another process would open it."""
    return Service.open(db, today=lambda: TODAY, create=False)


def endless_report(started: threading.Event, step: str) -> Callable[..., Any]:
    """A report that says it is at 1 of its steps, then runs until 中止 (a real one checks for it
    between its steps the same way): what a progress and cancel test drives."""

    def report(*_args: Any, task: Any = None, **_kwargs: Any) -> Any:
        task.report(1, 3, step)
        started.set()
        while True:
            task.check()
            threading.Event().wait(0.01)

    return report


async def loaded(app: TrainerApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the data workers (the file picker's loader runs for as long as it is shown)."""
    for _ in range(5):
        await pilot.pause()
        busy = [w for w in app.workers if w.group in ("load", "import", "import-date", "report") and not w.is_finished]
        if not busy:  # (an empty list would make Textual wait for every worker, the picker's too)
            break
        await app.workers.wait_for_complete(busy)
    await pilot.pause()


async def start_endless_report(app: TrainerApp, pilot, method: str, kind: str, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """The reports pane (open) starts ``kind`` into ``folder`` with the service's ``method``
    replaced by :func:`endless_report`; returns once it has said it is at 1 of its steps."""
    started = threading.Event()
    setattr(app.service, method, endless_report(started, "作成中"))
    app.query_one("#report-kind", Select).value = kind
    app.query_one("#report-dir", Input).value = str(folder)
    await pilot.click("#report-make")
    assert started.wait(10)
    await pilot.pause()


async def cancel_report(app: TrainerApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """中止 pressed on the running report: it stops, says so, and 作成 is offered again."""
    await pilot.click("#report-cancel")
    await loaded(app, pilot)
    assert "中止しました" in str(app.query_one("#report-result", Static).render())
    assert not app.query_one("#report-make", Button).disabled


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Wait (up to 10 s) for ``condition``: what a worker does shows a few frames later."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("not within 10 s")
