"""What the app's tests share: the fixed day, the app on a register, the service beside it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

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
