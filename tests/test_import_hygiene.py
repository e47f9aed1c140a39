"""The core never loads textual; only trainer.store loads tinydb."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CORE = ["trainer.cli", "trainer.service", "trainer.rules", "trainer.catalog", "trainer.calendar", "trainer.demo"]


def test_core_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        + "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_tinydb_is_imported_only_in_store() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "trainer"
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if "store" not in path.relative_to(src).parts
        and any(
            line.lstrip().startswith(("import tinydb", "from tinydb"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
