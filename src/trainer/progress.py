"""How long operations report progress and learn they were cancelled (no UI here)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from trainer.errors import CancelledError

ProgressCallback = Callable[[int, int, str], None]


def _ignore(done: int, total: int, message: str) -> None:
    """The default callback: report nothing."""


@dataclass
class Task:
    """Passed to a long operation: ``report(done, total, message)`` and ``check()``.

    The TUI sets ``on_progress`` to update a progress bar and calls ``cancel()`` from its
    cancel button; the CLI prints progress to stderr. ``check()`` raises
    :class:`~trainer.errors.CancelledError` once cancelled, before anything is written.
    """

    on_progress: ProgressCallback = _ignore
    _cancelled: threading.Event = field(default_factory=threading.Event)

    def report(self, done: int, total: int, message: str = "") -> None:
        self.on_progress(done, total, message)

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise CancelledError("中止しました。データは変更していません")
