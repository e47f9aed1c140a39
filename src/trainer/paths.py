"""Where the register lives by default (the user's data folder, via platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "trainer"


def default_db_path() -> Path:
    """``$TRAINER_DB`` if set, else ``<user data dir>/trainer/register``."""
    env = os.environ.get("TRAINER_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "register"


def shown_path(path: Path) -> str:
    """A path as a person reads it: under the home folder it starts with ``~``."""
    path = Path(path).absolute()
    home = Path.home()
    if path == home:
        return "~"
    if path.is_relative_to(home):
        return str(Path("~") / path.relative_to(home))
    return str(path)
