"""Mutation testing of the modules that carry the evidence, one module at a time (run by scripts/mutation).

For each module, mutmut changes one thing at a time in it (an operator, a constant, a comparison, a
call's argument …) and runs only the tests that exercise it; a mutant the tests do not notice
"survived". The script prints, per module, the share of mutants killed, and lists the survivors
that are not in ``scripts/mutation-equivalent.txt`` (mutants that cannot change any outcome, each
with why). The score that counts is killed / (mutants - equivalent): target >= 90 %.

Each module runs in its own copy of the tree under ``.mutation/<module>/`` (mutmut reads its
settings from the pyproject.toml of the folder it runs in), with ``HYPOTHESIS_PROFILE=ci``: the
property tests are derandomised, so a run gives the same numbers every time on the same code.

Slow (minutes per module on a shared 2-core machine): not part of scripts/test or CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
EQUIVALENT_FILE = ROOT / "scripts" / "mutation-equivalent.txt"
BUNDLED = ("courses", "checklists", "policy", "reports")
TARGET = 90.0
CAUGHT = ("killed", "timeout", "segfault")  # a mutant that hangs or crashes the tests is caught too


@dataclass(frozen=True)
class Module:
    name: str
    source: str  # a file, or a folder ending in "/"
    tests: tuple[str, ...]  # only the tests that exercise it


MODULES = [
    Module(
        "rules",
        "src/trainer/rules/",
        (
            "tests/unit/test_rules.py",
            "tests/unit/test_rules_properties.py",
            "tests/unit/test_year_accounting.py",
            "tests/unit/test_rules_exact.py",
            "tests/unit/test_people_rules.py",
            "tests/unit/test_stability.py",
        ),
    ),
    Module("calendar", "src/trainer/calendar.py", ("tests/unit/test_calendar.py", "tests/unit/test_calendar_exact.py")),
    Module(
        "guard",
        "src/trainer/guard.py",
        ("tests/unit/test_my_number.py", "tests/unit/test_text_and_numbers.py", "tests/unit/test_guard_unit.py"),
    ),
    Module(
        "values",
        "src/trainer/importers/values.py",
        ("tests/unit/test_import_values.py",),
    ),
    Module(
        "journal",
        "src/trainer/store/journal.py",
        (
            "tests/unit/test_journal_damage.py",
            # (ten seconds a run, and only repair's: it would cover every function of the journal)
            "--deselect=tests/unit/test_journal_damage.py::test_a_repair_killed_at_any_step_is_finished_by_running_it_again",
            "tests/unit/test_journal_unit.py",
            "tests/unit/test_journal_file.py",
            # the sync counts only: the rest of that file injects faults for a minute a run
            "tests/unit/test_store_faults.py::test_a_write_that_failed_to_sync_is_wiped_so_it_cannot_come_back",
            "tests/unit/test_store_faults.py::test_the_wipe_of_a_write_that_failed_to_sync_is_itself_synced",
            "tests/unit/test_store_faults.py::test_every_write_is_synced_before_it_is_acknowledged_or_renamed_into_place",
        ),
    ),
    Module(
        "changelog",
        "src/trainer/store/changelog.py",
        ("tests/unit/test_changelog_tail.py", "tests/unit/test_journal_damage.py", "tests/unit/test_changelog_unit.py"),
    ),
    Module(
        "verify",
        "src/trainer/store/verify.py",
        ("tests/unit/test_store_api.py", "tests/unit/test_journal_damage.py", "tests/unit/test_verify.py"),
    ),
    Module(
        "signoff",
        "src/trainer/signoff/",
        ("tests/unit/test_roster_codes.py", "tests/unit/test_signoff_unit.py", "tests/unit/test_signoff_frozen.py"),
    ),
]


@dataclass(frozen=True)
class Equivalent:
    module: str
    function: str
    mutated: str  # the mutated line, stripped
    why: str


def load_equivalents() -> list[Equivalent]:
    """``module | function | the mutated line | why`` per line (no " | " in the why); # starts a comment."""
    found = []
    for number, line in enumerate(EQUIVALENT_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]  # the mutated line may hold " | " itself (a type)
        if len(parts) < 4 or not all(parts):
            sys.exit(f"{EQUIVALENT_FILE.name}:{number}: expected 'module | function | mutated line | why'")
        found.append(Equivalent(parts[0], parts[1], " | ".join(parts[2:-1]), parts[-1]))
    return found


def prepare(module: Module) -> Path:
    """A fresh copy of the tree for one module, with mutmut's settings for it."""
    work = WORK / module.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", "*.pyc")
    for name in ("src", "tests", *BUNDLED):
        shutil.copytree(ROOT / name, work / name, symlinks=True, ignore=ignore)
    only = f"{module.source}*" if module.source.endswith("/") else module.source
    tests = list(module.tests)
    settings = (ROOT / "pyproject.toml").read_text(encoding="utf-8") + (
        "\n[tool.mutmut]\n"
        'source_paths = ["src/"]\n'
        f"only_mutate = {json.dumps([only])}\n"
        f"also_copy = {json.dumps([f'{b}/' for b in BUNDLED])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly", "-q"]\n'
    )
    (work / "pyproject.toml").write_text(settings, encoding="utf-8")
    # mutmut copies files, not the symlinks that put the catalogs into the package: link them first.
    bundled = work / "mutants" / "src" / "trainer" / "bundled"
    bundled.mkdir(parents=True)
    for name in BUNDLED:
        (bundled / name).symlink_to(work / name)
    return work


def mutmut(work: Path, *args: str, capture: bool = True) -> str:
    env = os.environ | {"HYPOTHESIS_PROFILE": "ci", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("TRAINER_TODAY", None)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), *args],
        cwd=work,
        env=env,
        capture_output=capture,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"mutmut {' '.join(args)} failed in {work}:\n{(done.stdout or '')[-3000:]}{done.stderr or ''}")
    return done.stdout or ""


# x_<function> for a function, xǁ<Class>ǁ<method> for a method (``__init__`` keeps its underscores)
_FUNCTION = re.compile(r"\.x(?:ǁ([A-Za-z0-9_]+)ǁ|_)([A-Za-z0-9_]+?)__mutmut_\d+$")


def mutated_line(work: Path, name: str) -> tuple[str, str]:
    """(function, the mutated line) of a mutant, from mutmut's diff."""
    diff = mutmut(work, "show", name)
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    match = _FUNCTION.search(name)
    if match is None:
        function = name.rsplit(".", 1)[-1]
    else:
        function = f"{match.group(1)}.{match.group(2)}" if match.group(1) else match.group(2)
    return function, " ".join(added)


@dataclass
class Score:
    module: str
    total: int
    killed: int
    equivalent: int
    survivors: list[tuple[str, str, str]]  # name, function, line
    seconds: float

    @property
    def raw(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 100.0

    @property
    def counted(self) -> float:
        live = self.total - self.equivalent
        return 100.0 * self.killed / live if live else 100.0


def run(module: Module, equivalents: list[Equivalent], children: int) -> Score:
    started = time.monotonic()
    work = prepare(module)
    print(f"== {module.name}: {module.source} with {', '.join(module.tests)}", flush=True)
    mutmut(work, "run", "--max-children", str(children))
    mutmut(work, "export-cicd-stats")
    stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text(encoding="utf-8"))
    listed = [line.rsplit(":", 1) for line in mutmut(work, "results").splitlines() if ":" in line]
    names = [name.strip() for name, status in listed if status.strip() not in CAUGHT]
    known = [e for e in equivalents if e.module == module.name]
    survivors, equivalent = [], 0
    for name in names:
        function, line = mutated_line(work, name)
        if any(e.function == function and e.mutated == line for e in known):
            equivalent += 1
        else:
            survivors.append((name, function, line))
    killed = sum(stats[status.replace(" ", "_")] for status in CAUGHT)
    return Score(module.name, stats["total"], killed, equivalent, survivors, time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description="Mutation testing, one module at a time (slow; not in CI).")
    parser.add_argument(
        "modules", nargs="*", help=f"modules to run (default: all): {', '.join(m.name for m in MODULES)}"
    )
    parser.add_argument(
        "--children", type=int, default=1, help="mutants run at once (default 1: the machine is shared)"
    )
    args = parser.parse_args()
    chosen = [m for m in MODULES if not args.modules or m.name in args.modules]
    unknown = set(args.modules) - {m.name for m in MODULES}
    if unknown:
        parser.error(f"unknown module(s): {', '.join(sorted(unknown))}")
    equivalents = load_equivalents()
    scores = []
    for module in chosen:
        score = run(module, equivalents, args.children)
        scores.append(score)
        for name, function, line in score.survivors:
            print(f"   survived {name}  [{function}]  {line}")
        print(
            f"   {score.module}: {score.killed}/{score.total} killed ({score.raw:.1f} %), "
            f"{score.equivalent} equivalent, {score.counted:.1f} % of the rest, in {score.seconds / 60:.1f} min",
            flush=True,
        )
    print("\n| module | mutants | killed | equivalent | survived | killed of the non-equivalent |")
    print("|---|---:|---:|---:|---:|---:|")
    for s in scores:
        print(f"| {s.module} | {s.total} | {s.killed} | {s.equivalent} | {len(s.survivors)} | {s.counted:.1f} % |")
    return 0 if all(s.counted >= TARGET for s in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
