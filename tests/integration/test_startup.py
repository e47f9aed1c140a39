"""A command loads what it uses: `status`, `staff show` and `record` never load the PDF stack,
the spreadsheet reader, the importers, the report code, the app's toolkit or the demo city's
generator, and on a frozen year only `status` reads the catalog's YAML (to say whether the files
now differ from the year's copy). Issue 16: every command used to pay for all of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.cli import main

HEAVY = ("weasyprint", "openpyxl", "jinja2", "textual", "yaml", "trainer.reports", "trainer.importers",
         "trainer.tui", "trainer.demo")  # fmt: skip

SCRIPT = """
import json, sys
from trainer.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("startup") / "db"
    assert main(["demo", "--db", str(db), "--staff", "60", "--seed", "3"]) == 0
    return db


def _loaded(db: Path, *args: str) -> list[str]:
    env_args = [sys.executable, "-c", SCRIPT, *args, "--db", str(db)]
    result = subprocess.run(env_args, capture_output=True, text=True, timeout=120, check=False)
    last = result.stdout.strip().splitlines()[-1]
    found = json.loads(last)
    assert found["code"] == 0, result.stderr
    modules: list[str] = found["modules"]
    return modules


@pytest.mark.parametrize(
    "args",
    [("status",), ("staff", "list"), ("record", "{sid}", "intro", "--date", "2026-11-20", "--replace")],
    ids=["status", "staff-list", "record"],
)
def test_a_command_on_a_frozen_year_loads_only_what_it_uses(demo_db: Path, args: tuple[str, ...]) -> None:
    people = _people(demo_db)
    loaded = _loaded(demo_db, *(a.format(sid=people[0]) for a in args))
    assert "trainer.store.register" in loaded  # (it did open the register)
    heavy = tuple(m for m in HEAVY if not (args[0] == "status" and m == "yaml"))
    assert [m for m in loaded if m.startswith(heavy)] == []


def test_staff_show_loads_only_what_it_uses(demo_db: Path) -> None:
    loaded = _loaded(demo_db, "staff", "show", _people(demo_db)[0])
    assert [m for m in loaded if m.startswith(HEAVY)] == []
    # of the command groups, only its own (the others' parsers are not even built)
    assert [m for m in loaded if m.startswith("trainer.cli.") and m != "trainer.cli.base"] == ["trainer.cli.people"]
    # nor the signed rosters' code, verify, repair, backups' zip files or the suggestions for a
    # mistyped name, which are loaded when they are used
    used_by_others = ("trainer.signoff", "trainer.store.verify", "trainer.store.repair", "zipfile", "difflib")
    assert [m for m in loaded if m.startswith(used_by_others)] == []


def _people(db: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "trainer.cli", "staff", "list", "--format", "json", "--db", str(db)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return [p["staff_id"] for p in json.loads(result.stdout)]


def test_the_app_loads_the_import_pane_and_the_checkpoint_sheet_when_first_used(tmp_path: Path) -> None:
    """The app starts without the import pane (its importers and YAML reader) or the checkpoint
    sheet, 28 ms of the launch: they are imported when first shown. A keymap may still name their
    keys (the binding ids are looked for in every module of the app)."""
    code = f"""
import sys
from pathlib import Path
from trainer.tui.app import binding_ids, create_app
create_app(Path({str(tmp_path / "db")!r}), keymap=Path({str(tmp_path / "no-keymap.yaml")!r}))
loaded = [m for m in sys.modules if m.startswith(("yaml", "trainer.importers", "trainer.tui.widgets.import_pane",
                                                  "trainer.tui.screens.checkpoint"))]
assert loaded == [], loaded
ids = binding_ids()
assert {{"import.up", "import.cancel", "sheet.tick", "sheet.save"}} <= ids, sorted(ids)
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
