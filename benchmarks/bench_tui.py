"""TUI benchmark (issue 7): a 50,000-staff city in the terminal app.

    .venv/bin/python benchmarks/bench_tui.py [--staff 50000]

Measures, headless (Textual's run_test) in one process: from creating the app to the dashboard
showing the year's data (target under 2 s, with the import of the app's modules, timed apart in a
new process), and from a keystroke in the search box to the first line of the filtered list drawn
(target: median under 100 ms; Pilot's own waiting after the frame is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from trainer.catalog import load_catalog
from trainer.demo import build_demo
from trainer.store.register import Register
from trainer.tui.app import create_app
from trainer.tui.widgets.staff_table import StaffTable

TODAY = date(2026, 11, 25)


def build(folder: Path, staff: int) -> None:
    city = build_demo(load_catalog(), staff, seed=42, fiscal_year=2026, today=TODAY, years=1)
    register = Register.open(folder)
    with register.transaction():
        register.put_divisions(city.divisions)
        register.put_staff(city.staff)
        register.put_records(city.records)
        register.put_exemptions(city.exemptions)
    register.db.checkpoint()
    register.close()


async def measure(folder: Path) -> tuple[float, list[float], int]:
    start = time.perf_counter()
    app = create_app(folder, today=lambda: TODAY, keymap=folder / "none.yaml")
    async with app.run_test(size=(160, 48)) as pilot:
        while app.dashboard_shown is None:
            await asyncio.sleep(0.005)
        launch = app.dashboard_shown - start
        while not app.query_one(StaffTable).rows:
            await pilot.pause(0.01)
        table = app.query_one(StaffTable)
        drawn: list[float] = []
        draw = table.render_line

        def timed_draw(y: int):  # type: ignore[no-untyped-def]
            drawn.append(time.perf_counter())
            return draw(y)

        table.render_line = timed_draw  # type: ignore[method-assign]
        await pilot.press("slash")
        await pilot.pause()
        times = []
        for key in [*"ｻﾄｳ", "backspace", "backspace", "backspace", *"000", "backspace", *"12", "backspace"]:
            drawn.clear()
            before = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            # From the keystroke to the first line of the filtered list drawn on screen.
            times.append(drawn[0] - before)
        rows = len(table.rows)
    return launch, times, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=50000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="trainer-bench-tui-"))
    try:
        folder = work / "register"
        build(folder, args.staff)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        code = "import time; t = time.perf_counter(); import trainer.tui.app; print(time.perf_counter() - t)"
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)  # warm bytecode
        imported = float(subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                                        text=True).stdout)  # fmt: skip
        launch, times, rows = asyncio.run(measure(folder))
        median = statistics.median(times) * 1000
        print(f"{rows} people in the list")
        print(f"{'measure':52} {'value':>10} {'target':>9}")
        print(f"{'import of the app (new process)':52} {imported:9.2f}s")
        total = imported + launch
        ok = "ok" if total < 2 else "MISSED"
        print(f"{'launch to interactive dashboard (import + start)':52} {total:9.2f}s {'< 2 s':>9}  {ok}")
        ok = "ok" if median < 100 else "MISSED"
        print(f"{f'keystroke to filtered list (median of {len(times)})':52} {median:8.1f}ms {'< 100 ms':>9}  {ok}")
        print(f"{'  slowest keystroke':52} {max(times) * 1000:8.1f}ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
