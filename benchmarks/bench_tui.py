"""TUI benchmark (issues 7, 15.10 and 16): a 50,000-staff city with five fiscal years in the terminal app.

    .venv/bin/python benchmarks/bench_tui.py [--staff 50000] [--years 5] [--register DIR] [--rounds 3]

The city is built once by :func:`process.build_city` into ``--register`` (default
``/tmp/tui-bench/city-<staff>-<years>y``; a few minutes at 50,000 staff) and copied for each run, so
the built one is never changed. Before measuring, every year's overview cache is made (as after each
year was looked at once) and one launch warms the bytecode and page caches (a second start of the day).

Measured, headless, each against its target (min / median / max; met when the median is):

- launch: from starting ``trainer tui`` as a new process (the console script's own code path,
  interpreter start and imports included) to the first frame showing the year's figures on the
  dashboard (< 1.0 s; fresh processes);
- a year switch: from the ``[`` or ``]`` key to the frame showing that year's figures (< 0.5 s);
- the first open of the staff tab: from F3 to the first line of the list drawn (< 0.3 s), with the
  list loaded in the background after launch (how long that took is printed too);
- opening a person window: from Enter on a line of the list to the frame showing the person (< 0.2 s);
- a 50,000-row roster's dry run in the import wizard: from 「確認する」 to the frame of the review step
  (< 5 s), and how many frames showed the progress bar moving meanwhile;
- a keystroke in the search box to the first line of the filtered list drawn (median < 100 ms).

Times run from just before the key is sent to the first frame (``App._display``) or list line
(``render_line``) showing the state: what Pilot waits afterwards is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from process import build_city, trainer_env  # benchmarks/process.py

from trainer.calendar import fy_label
from trainer.service import Service
from trainer.tui.app import create_app
from trainer.tui.widgets.dashboard import Dashboard
from trainer.tui.widgets.staff_table import StaffTable

TODAY = date(2026, 11, 25)
FY = 2026

# The child process: the console script's code path; the first frame with the figures ends it.
LAUNCH = """
import sys, time
from trainer import cli
from trainer.tui import app as tui

def figures(app):
    try:
        dashboard = app.screen_stack[0].query_one("#dashboard-view")
        totals = app.screen_stack[0].query_one("#dash-totals")
    except Exception:
        return False
    return not dashboard.loading and "対象" in str(totals.content)

display = tui.TrainerApp._display
def displayed(self, screen, renderable):
    display(self, screen, renderable)
    if renderable is not None and not getattr(self, "_shown", False) and figures(self):
        self._shown = True
        print("shown", flush=True)
        self.exit()
tui.TrainerApp._display = displayed
run = tui.TrainerApp.run
tui.TrainerApp.run = lambda self, **kw: run(self, headless=True, size=(160, 48))
sys.argv = ["trainer", "tui", "--db", sys.argv[1]]
cli.run()  # exactly what the trainer console script runs
"""


def launch(folder: Path) -> float:
    """Seconds from starting the process to the first frame of the dashboard with the year's figures."""
    env = trainer_env(TODAY)
    env["XDG_CONFIG_HOME"] = str(folder.parent / "config")  # no keymap of the user's
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", LAUNCH, str(folder)], stdout=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(child.stdout.readline() if child.stdout else ""), daemon=True).start()
    try:
        line = lines.get(timeout=300)
    except queue.Empty:
        child.kill()
        raise SystemExit("the app did not show its dashboard within 300 s") from None
    elapsed = time.perf_counter() - start
    try:
        child.wait(60)
    except subprocess.TimeoutExpired:
        child.kill()
    if line.strip() != "shown":
        raise SystemExit(f"the app did not show its dashboard (exit code {child.returncode})")
    return elapsed


class Frames:
    """The time of the first frame (``App._display``) at which a condition holds."""

    def __init__(self, app: Any) -> None:
        self.waiting: list[tuple[Callable[[], bool], list[float]]] = []
        display = app._display

        def displayed(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is None:
                return
            now = time.perf_counter()
            for condition, when in self.waiting:
                if not when and condition():
                    when.append(now)

        app._display = displayed

    def expect(self, condition: Callable[[], bool]) -> list[float]:
        """Watch for the first frame at which ``condition`` holds (call before the key is sent)."""
        when: list[float] = []
        self.waiting.append((condition, when))
        return when

    async def wait(self, pilot: Any, when: list[float], timeout: float = 120) -> float:
        deadline = time.perf_counter() + timeout
        while not when:
            if time.perf_counter() > deadline:
                raise SystemExit("timed out waiting for a frame")
            await asyncio.sleep(0.005)  # (not pilot.pause: its checks of every widget would slow the app)
        self.waiting = [(c, w) for c, w in self.waiting if w is not when]
        return when[0]


def idle(app: Any) -> bool:
    """No worker of the app runs (the folder tree's own, which waits all the time, aside)."""
    return not any(w.is_running and w.group != "_loader" for w in app.workers)


async def settle(app: Any, pilot: Any) -> None:
    """Until no worker runs (the year's list loaded in the background, say)."""
    while not idle(app):
        await asyncio.sleep(0.02)
    await pilot.pause(0.05)


def shows_year(app: Any, fy: int) -> Callable[[], bool]:
    def condition() -> bool:
        main = app.screen_stack[0]
        dashboard = main.query_one(Dashboard)
        year = str(main.query_one("#dash-year").content)
        totals = str(main.query_one("#dash-totals").content)
        return not dashboard.loading and year.startswith(fy_label(fy)) and "対象" in totals

    return condition


def write_roster(folder: Path, path: Path) -> int:
    """The city's roster as HR would send it today (UTF-8 CSV): everyone in service, one in fifty
    moved to another division. Returns the number of rows."""
    svc = Service.open(folder, today=lambda: TODAY, create=False)
    try:
        divisions = {d.code: d.name for d in svc.divisions()}
        codes = sorted(divisions)
        people = svc.list_staff()
        with path.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["職員番号", "氏名", "カナ", "所属コード", "所属名", "職名", "任用区分", "事務区分", "採用日"])
            for i, person in enumerate(people):
                post = person.assignment_on(TODAY) or person.current
                division = post.division if i % 50 else codes[(codes.index(post.division) + 1) % len(codes)]
                row = [person.staff_id, person.name, person.kana, division, divisions.get(division, "")]
                out.writerow([*row, post.title, person.employment, post.duty.value, person.hired.isoformat()])
    finally:
        svc.close()
    return len(people)


async def measure(folder: Path, roster: Path, results: dict[str, list[float]], notes: list[str]) -> None:
    """One run of the app in this process: the staff tab's first open, person windows, the search,
    year switches, the import's dry run."""
    from textual.widgets import ContentSwitcher, Input, ProgressBar

    from trainer.tui.screens.person import PersonScreen

    app = create_app(folder, today=lambda: TODAY, keymap=folder / "none.yaml", workdir=roster.parent)
    start = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        frames = Frames(app)
        shown = await frames.wait(pilot, frames.expect(shows_year(app, FY)))
        table = app.query_one(StaffTable)
        while not table.rows:
            await asyncio.sleep(0.02)
        listed = time.perf_counter()
        await settle(app, pilot)
        notes.append(
            f"in-process start: figures {shown - start:.2f} s, list of {len(table.rows):,} loaded "
            f"{listed - start:.2f} s after the start"
        )

        # The staff tab, first open: F3 to the first line of the list drawn.
        drawn: list[float] = []
        draw = table.render_line

        def timed_draw(y: int):  # type: ignore[no-untyped-def]
            drawn.append(time.perf_counter())
            return draw(y)

        table.render_line = timed_draw  # type: ignore[method-assign]
        before = time.perf_counter()
        await pilot.press("f3")
        while not drawn:
            await asyncio.sleep(0.005)
        results["staff"].append(drawn[0] - before)
        await settle(app, pilot)

        # A person window: Enter on a line to the frame showing the person.
        table.focus()
        await pilot.pause()
        for _ in range(4):
            await pilot.press("down")

            def person_shown() -> bool:
                screen = app.screen
                return isinstance(screen, PersonScreen) and bool(str(screen.query_one("#person-status").content))

            when = frames.expect(person_shown)
            before = time.perf_counter()
            await pilot.press("enter")
            results["person"].append(await frames.wait(pilot, when) - before)
            await pilot.press("escape")
            await settle(app, pilot)

        # The search box: a keystroke to the first line of the filtered list drawn.
        await pilot.press("slash")
        await pilot.pause()
        for key in [*"ｻﾄｳ", "backspace", "backspace", "backspace", *"000", "backspace", *"12", "backspace"]:
            drawn.clear()
            before = time.perf_counter()
            await pilot.press(key)
            while not drawn:
                await asyncio.sleep(0.002)
            results["search"].append(drawn[0] - before)
        app.query_one("#staff-search", Input).value = ""
        table.render_line = draw  # type: ignore[method-assign]
        await pilot.press("f2")
        await settle(app, pilot)

        # Year switches, each from a settled app: the key to that year's figures drawn.
        fy = FY
        for key, step in (("left_square_bracket", -1), ("left_square_bracket", -1), ("right_square_bracket", 1)) * 2:
            fy += step
            when = frames.expect(shows_year(app, fy))
            before = time.perf_counter()
            await pilot.press(key)
            results["year"].append(await frames.wait(pilot, when) - before)
            await settle(app, pilot)

        # The import wizard's dry run of the city's roster.
        await pilot.press("f4")
        await pilot.pause()
        await settle(app, pilot)
        box = app.query_one("#import-path", Input)
        box.value = str(roster)
        box.focus()
        await pilot.press("enter")
        await settle(app, pilot)  # the file's own date looked for (a user reads the hint it gives)
        app.query_one("#import-asof", Input).value = "R8.11.25"
        await pilot.pause()
        bar = app.query_one("#import-progress", ProgressBar)
        running = app.query_one("#import-running")
        moving: set[float] = set()

        def progress_drawn() -> bool:  # never done: notes each frame's progress while the dry run runs
            if running.display and bar.progress:
                moving.add(bar.progress)
            return False

        frames.waiting.append((progress_drawn, []))
        steps = app.query_one("#import-steps", ContentSwitcher)
        when = frames.expect(lambda: steps.current == "import-step-review")
        before = time.perf_counter()
        app.query_one("#import-check").press()  # type: ignore[attr-defined]
        results["import"].append(await frames.wait(pilot, when) - before)
        notes.append(f"dry run: {len(moving)} frames showed the progress bar moving")
        summary = str(app.query_one("#import-summary").content).splitlines()
        notes.append("dry run: " + " / ".join(summary[:2]))


TARGETS = {
    "launch": ("launch to interactive dashboard (new process)", 1.0),
    "year": ("year switch ([ or ]) to the year's figures", 0.5),
    "staff": ("first open of the staff tab (list drawn)", 0.3),
    "person": ("opening a person window", 0.2),
    "import": ("roster dry run in the import wizard", 5.0),
    "search": ("keystroke to filtered list", 0.1),
}


def report(results: dict[str, list[float]]) -> None:
    print(f"{'measure':48} {'n':>3} {'min':>8} {'median':>8} {'max':>8} {'target':>8}")
    for key, (title, target) in TARGETS.items():
        times = results[key]
        if not times:
            continue
        median = statistics.median(times)
        ok = "met" if median < target else "MISSED"
        cells = " ".join(f"{t:7.3f}s" for t in (min(times), median, max(times)))
        print(f"{title:48} {len(times):3} {cells} {f'< {target:g} s':>8}  {ok}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=50000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--register", type=Path, help="the built city (made there when missing; never changed)")
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="runs of the app in this process")
    args = parser.parse_args()
    built = args.register or Path(f"/tmp/tui-bench/city-{args.staff}-{args.years}y")
    if not (built / "main.json").exists():
        print(f"building the city in {built} …", flush=True)
        build_city(built, args.staff, args.years, FY, TODAY)
    with tempfile.TemporaryDirectory(prefix="trainer-bench-tui-", ignore_cleanup_errors=True) as work:
        folder = Path(work) / "register"
        shutil.copytree(built, folder)
        svc = Service.open(folder, today=lambda: TODAY, create=False)
        for fy in range(FY - args.years + 1, FY + 1):
            svc.overview(fy)  # every year looked at once before
        svc.close()
        roster = Path(work) / "roster.csv"
        rows = write_roster(folder, roster)
        print(f"{args.staff:,} staff, {args.years} years, roster of {rows:,} rows", flush=True)
        launch(folder)  # warm the bytecode cache and the page cache, as a second start of the day
        results: dict[str, list[float]] = {key: [] for key in TARGETS}
        results["launch"] = [launch(folder) for _ in range(args.launches)]
        notes: list[str] = []
        for _ in range(args.rounds):
            asyncio.run(measure(folder, roster, results, notes))
        for note in notes:
            print(note)
        report(results)


if __name__ == "__main__":
    main()
