"""Status benchmark (issue 16): a 政令市 of 50,000 staff with five fiscal years of records.

    .venv/bin/python benchmarks/bench_status.py [--staff 50000] [--years 5] [--runs 7] [--db DIR]

Every figure is a new ``trainer`` process as a coordinator runs it (interpreter start, imports,
opening the register), median of ``--runs`` with the fastest and slowest printed:

  open + ``status``                (the year's overview from its derived cache)   target < 0.5 s
  ``status`` after one ``record``  (the cache catches up with one change)          (reported)
  ``staff show``                                                                   target < 0.3 s
  one ``record`` end to end                                                        target < 0.4 s
  peak memory of ``status``                                                        target < 300 MB
  ``status`` with no cache         (the first command after a deadline passes)     (reported)

With ``--db`` an existing register is measured (its cache is deleted first for the cold run).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from process import append_results, build_city, run_trainer  # benchmarks/process.py

TODAY = date(2026, 11, 25)
FY = 2026


def measure(runs: int, command: Callable[[int], list[str]], before: Callable[[int], None] | None = None) -> dict:
    times, peaks = [], []
    for i in range(runs):
        if before is not None:
            before(i)
        elapsed, peak, _out = run_trainer(command(i), TODAY)
        times.append(elapsed)
        peaks.append(peak)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "peak_mb": max(peaks)}


def line(label: str, m: dict, target: float | None = None, unit: str = "s") -> str:
    verdict = ""
    if target is not None:
        verdict = "  met" if m["median"] < target else "  MISSED"
        verdict += f" (target < {target} {unit})"
    return (
        f"{label:<34} median {m['median']:.2f} s  min {m['min']:.2f}  max {m['max']:.2f}"
        f"  peak {m['peak_mb']:.0f} MB{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=50000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="an existing register to measure")
    parser.add_argument("--append", action="store_true", help="add the numbers to benchmarks/RESULTS.md")
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.db
        if folder is None:
            folder = Path(tmp) / "register"
            print(f"building a city of {a.staff:,} staff and {a.years} years …", flush=True)
            build_city(folder, a.staff, a.years, FY, TODAY)
        db = ["--db", str(folder)]
        _e, _p, out = run_trainer(["staff", "list", "--division", "160", "--format", "json", *db], TODAY)
        people = [p["staff_id"] for p in json.loads(out)][: a.runs * 2]

        def no_cache(_i: int) -> None:
            shutil.rmtree(folder / "cache", ignore_errors=True)

        cold = measure(min(a.runs, 3), lambda _i: ["status", *db], no_cache)
        run_trainer(["status", *db], TODAY)  # the cache of today
        warm = measure(a.runs, lambda _i: ["status", *db])
        show = measure(a.runs, lambda i: ["staff", "show", people[i], *db])
        record = measure(
            a.runs, lambda i: ["record", people[i], "checkpoint", "--date", "2026-11-20", "--replace", *db]
        )

        def one_record(i: int) -> None:
            run_trainer(["record", people[a.runs + i], "checkpoint", "--date", "2026-11-21", "--replace", *db], TODAY)

        after = measure(a.runs, lambda _i: ["status", *db], one_record)
    peak = {**warm, "median": warm["peak_mb"]}
    lines = [
        f"status at {a.staff:,} staff, {a.years} fiscal years, {a.runs} runs each (new processes):",
        line("open + status (cache of today)", warm, 0.5),
        line("status after one record", after),
        line("staff show", show, 0.3),
        line("one record end to end", record, 0.4),
        f"{'peak memory of status':<34} {peak['median']:.0f} MB"
        + ("  met" if peak["median"] < 300 else "  MISSED")
        + " (target < 300 MB)",
        line("status with no cache", cold),
    ]
    print("\n".join(lines))
    if a.append:
        append_results("bench_status", lines)


if __name__ == "__main__":
    main()
