"""What the benchmarks share: a demo city written to a register, and `trainer ...` run as its own
process and measured as a coordinator would wait for it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from trainer.catalog import load_catalog
from trainer.demo import DemoCity, build_demo
from trainer.store.register import Register


def build_city(folder: Path, staff: int, years: int, fiscal_year: int, today: date) -> DemoCity:
    """A demo city of ``staff`` people with ``years`` years of records, written as a city's
    register is (each year in its own transaction), then checkpointed; seed 42 each time."""
    city = build_demo(load_catalog(), staff, seed=42, fiscal_year=fiscal_year, today=today, years=years)
    register = Register.open(folder)
    with register.transaction():
        register.put_divisions(city.divisions)
        register.put_staff(city.staff)
    for fy in range(fiscal_year - years + 1, fiscal_year + 1):
        with register.transaction():
            register.put_records(r for r in city.records if r.fiscal_year == fy)
            register.put_exemptions(e for e in city.exemptions if e.fiscal_year == fy)
        register.db.checkpoint()
    register.close()
    return city


def trainer_env(today: date) -> dict[str, str]:
    """The environment of a measured `trainer` process: bytecode caching on, as in an installed
    app, and today fixed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["TRAINER_TODAY"] = today.isoformat()
    return env


_CHILD = (
    "import sys\n"
    "from trainer import cli\n"
    "sys.argv = ['trainer', *{args!r}]\n"
    "real_exit = cli.os._exit\n"
    "def report(code):\n"
    "    hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
    "    print(int(hwm.split()[1]) / 1024, file=sys.stderr, flush=True)\n"
    "    real_exit(code)\n"
    "cli.os._exit = report\n"
    "cli.run()  # exactly what the trainer console script runs\n"
)


def run_trainer(args: list[str], today: date, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall time (s), peak RSS (MB) and stdout of one `trainer` console-script run.

    Timed from before the interpreter starts to after it exits. Bytecode caching is on (as in an
    installed app). Peak RSS is VmHWM from /proc, read just before the process exits:
    getrusage's ru_maxrss would carry the (large) benchmark parent's peak across fork and exec.
    Nothing samples it meanwhile (see :func:`run_trainer_tree` for a command with workers).
    """
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _CHILD.format(args=args)],
        capture_output=True, text=True, env=trainer_env(today) | (env or {}), check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return elapsed, float(result.stderr.split()[-1]), result.stdout


def run_trainer_tree(
    args: list[str], today: date, env: dict[str, str] | None = None
) -> tuple[float, float, float, str]:
    """As :func:`run_trainer`, and the peak of the memory the command and the worker processes it
    starts held together (MB): the sum of their proportional set sizes, sampled every 10 ms from
    /proc (see :func:`_tree_pss`; the sampling costs the command a few per cent of its time).

    A worker's own ``ru_maxrss`` cannot be used: Linux carries the peak of the process a child
    was forked from across its exec, so each worker would be charged the parent's memory.
    """
    if not os.path.exists(f"/proc/self/task/{os.getpid()}/children"):
        raise SystemExit("this kernel has no /proc/*/task/*/children: the workers' memory cannot be sampled")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD.format(args=args)], stdout=out, stderr=err,
            env=trainer_env(today) | (env or {}),
        )  # fmt: skip
        together = 0.0
        try:
            while child.poll() is None:
                together = max(together, _tree_pss(child.pid))
                time.sleep(0.01)
        finally:
            if child.poll() is None:  # interrupted: never leave the command running
                child.kill()
                child.wait()
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode != 0:
        raise SystemExit(stderr)
    own = float(stderr.split()[-1])  # VmHWM: an RSS, so at least the process's own PSS
    return elapsed, own, max(own, together), stdout


def _tree_pss(pid: int) -> float:
    """The memory (MB) ``pid`` and every process below it hold now: the sum of their proportional
    set sizes (a page shared by n processes counts 1/n in each), so a child forked and not yet
    exec'd, which shares its parent's pages, adds nothing to what the parent holds."""
    total, stack = 0, [pid]
    while stack:
        process = stack.pop()
        try:
            with open(f"/proc/{process}/smaps_rollup", encoding="ascii") as rollup:
                total += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
            for task in os.listdir(f"/proc/{process}/task"):
                with open(f"/proc/{process}/task/{task}/children", encoding="ascii") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended meanwhile
    return total / 1024


def machine() -> str:
    """What the numbers were measured on: processors, memory, Python, the commit."""
    cores = os.cpu_count() or 0
    try:
        pages, page = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages * page / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "? GiB"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent
    ).stdout.strip()
    return f"{cores} cores, {memory}, Python {sys.version.split()[0]}, commit {commit or '?'}"


def append_results(title: str, lines: list[str], path: Path = Path(__file__).parent / "RESULTS.md") -> None:
    """Add a run's lines to the history in benchmarks/RESULTS.md (newest last)."""
    stamp = time.strftime("%Y-%m-%d %H:%M")
    block = [f"\n## {title}: {stamp}\n", f"{machine()}\n", "\n```\n", *(f"{line}\n" for line in lines), "```\n"]
    with path.open("a", encoding="utf-8") as f:
        f.writelines(block)
