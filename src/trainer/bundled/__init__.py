"""The shipped catalogs and report templates (the repository's top-level folders).

``courses/``, ``checklists/``, ``policy/`` and ``reports/`` at the top of the repository are linked into
this package (symlinks here, real copies in a built wheel); a city points trainer at its own
edited copies instead.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """The installed folder ``courses``, ``checklists``, ``policy`` or ``reports``."""
    return (BUNDLED / name).resolve()
