"""Paths as a person reads them (where the register lives by default: :mod:`trainer.settings`)."""

from __future__ import annotations

from pathlib import Path


def shown_path(path: Path) -> str:
    """A path as a person reads it: under the home folder it starts with ``~``."""
    path = Path(path).absolute()
    home = Path.home()
    if path == home:
        return "~"
    if path.is_relative_to(home):
        return str(Path("~") / path.relative_to(home))
    return str(path)
