"""Fixtures of the app's tests: each module builds its ``demo`` register once; every test gets a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def db(demo: Path, tmp_path: Path) -> Path:
    """A copy of the module's ``demo`` register, for one test to change."""
    target = tmp_path / "register"
    shutil.copytree(demo, target)
    return target
