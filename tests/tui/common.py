"""What the app's tests share: the fixed day, the app on a register, the service beside it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from trainer.service import Service
from trainer.tui.app import TrainerApp, create_app

TODAY = date(2026, 11, 25)


def app_for(db: Path, tmp_path: Path) -> TrainerApp:
    """The app on ``db`` as of :data:`TODAY`, with no keymap of the user's."""
    return create_app(db, today=lambda: TODAY, keymap=tmp_path / "no-keymap.yaml")


def service(db: Path) -> Service:
    """The service on the same register, as another process would open it."""
    return Service.open(db, today=lambda: TODAY, create=False)
