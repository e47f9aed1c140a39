"""Report benchmark (issues 5 and 14): every roster of a city, a 300-person roster, the audit.

    .venv/bin/python benchmarks/bench_reports.py [--sizes 5000,50000] [--runs 1] [--workers N]

For each size a demo city is built (two years of records; the largest also gets a 300-person
division), then measured, each report as the CLI runs it: a new process, timed from start to
exit (bytecode warm), ``--runs`` times (min / median / max):

  report roster --all        every size: < 40 s and < 800 MB at 5,000 staff, < 5 min and
                             < 1.5 GB at 50,000
  report roster --division   the 300-person division of the largest city: < 3 s
  report audit               the year that ended (令和7年度) of the largest city: < 30 s, < 1 GB

Memory is the peak of what the process and the worker processes printing batches of rosters held
together: the sum of their proportional set sizes, sampled every 10 ms (see process.run_trainer_tree; the
process's own exact peak is printed beside it). ``--workers`` sets TRAINER_REPORT_WORKERS
(default: as the app decides, one per processor up to 2).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from process import build_city, run_trainer_tree  # benchmarks/process.py
from pypdf import PdfReader

from trainer.catalog import load_catalog
from trainer.model import Assignment, Division, Duty, Progress, Record, Staff
from trainer.store.register import Register

TODAY = date(2026, 11, 25)
FY = 2026
TARGETS = {  # staff -> (seconds, MB) for --all
    5000: (40, 800),
    50000: (300, 1536),
}


def build(folder: Path, staff: int, big_division: bool) -> None:
    build_city(folder, staff, 2, FY, TODAY)
    register = Register.open(folder)
    with register.transaction():
        register.put_setting("organization", "ベンチマーク市")
        register.put_setting("coordinator", "総務課 情報政策係")
    if big_division:
        catalog = load_catalog()
        big = [
            Staff(f"9{i:05d}", f"名簿 太郎{i}", "メイボ タロウ", "会計年度任用職員", date(2020, 4, 1),
                  (Assignment(date(2020, 4, 1), "999", "事務補助員", Duty.RIYO),))
            for i in range(300)
        ]  # fmt: skip
        records = [
            Record(s.staff_id, FY, r.id, Progress.COMPLETED, 100, date(2026, 7, 1) + timedelta(days=i % 120), "bench")
            for i, s in enumerate(big)
            for r in catalog
            if i % 9 or r.id != "checkpoint"
        ]
        with register.transaction():  # a 300-person division for the roster's measure
            register.put_divisions([Division("999", "ベンチマーク課", "課長", "試験 一郎")])
            register.put_staff(big)
            register.put_records(records)
    register.db.checkpoint()
    register.close()


class Measure:
    """One report, run ``runs`` times as a new process each."""

    def __init__(self, name: str, target: tuple[float, float] | None) -> None:
        self.name, self.target = name, target
        self.seconds: list[float] = []
        self.memory: list[float] = []  # the whole tree's peak
        self.own: list[float] = []  # the process's own peak
        self.pages = 0

    def run(self, folder: Path, args: list[str], workers: int) -> None:
        env = {"TRAINER_REPORT_WORKERS": str(workers)} if workers else {}
        elapsed, own, together, _out = run_trainer_tree([*args, "--db", str(folder)], TODAY, env)
        self.seconds.append(elapsed)
        self.memory.append(together)
        self.own.append(own)

    def line(self) -> str:
        s = sorted(self.seconds)
        spread = f"{s[0]:.1f}/{statistics.median(s):.1f}/{s[-1]:.1f}" if len(s) > 1 else f"{s[0]:.1f}"
        memory = f", < {self.target[1]:g} MB" if self.target and self.target[1] < 1e9 else ""  # 1e9: none
        target = f"< {self.target[0]:g} s{memory}" if self.target else ""
        ok = ""
        if self.target:
            ok = "ok" if statistics.median(s) < self.target[0] and max(self.memory) < self.target[1] else "MISSED"
        detail = f"  (its own {max(self.own):.0f})" if max(self.memory) > max(self.own) + 1 else ""
        return f"{self.name:44} {self.pages:6d} {spread:>17} {max(self.memory):8.0f} {target:>22}  {ok}{detail}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000", help="staff counts, comma-separated")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="TRAINER_REPORT_WORKERS (0: as the app decides)")
    args = parser.parse_args()
    sizes = sorted(int(x) for x in args.sizes.split(","))
    print(f"machine: {os.cpu_count()} processors, load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    measures: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="trainer-bench-reports-", ignore_cleanup_errors=True) as tmp:
        for staff in sizes:
            folder = Path(tmp) / f"register-{staff}"
            largest = staff == sizes[-1]
            start = time.perf_counter()
            build(folder, staff, largest)
            print(f"built a {staff}-staff city{' (+ a 300-person division)' if largest else ''}"
                  f" in {time.perf_counter() - start:.1f} s")  # fmt: skip
            out = Path(tmp) / f"out-{staff}"
            run_trainer_tree(["status", "--db", str(folder)], TODAY)  # warm the bytecode cache
            every = Measure(f"roster --all, {staff}-staff city", TARGETS.get(staff))
            roster = Measure("roster of a 300-person division", (3, 1e9))
            audit = Measure(f"audit, {staff}-staff city, FY{FY - 1}", (30, 1024))
            for _ in range(args.runs):
                every.run(folder, ["report", "roster", "--all", "-o", str(out / "all")], args.workers)
                if largest:
                    roster.run(folder, ["report", "roster", "--division", "999", "-o", str(out / "999.pdf")], 0)
                    audit.run(folder, ["report", "audit", "--fy", str(FY - 1), "-o", str(out / "audit.pdf")], 0)
                print(f"  run done, load {os.getloadavg()[0]:.2f}", flush=True)
            every.pages = len(PdfReader(next((out / "all").glob("*全所属.pdf"))).pages)
            measures.append(every)
            if largest:
                roster.pages = len(PdfReader(out / "999.pdf").pages)
                audit.pages = len(PdfReader(out / "audit.pdf").pages)
                measures += [roster, audit]
    print(f"{'report':44} {'pages':>6} {'seconds (min/med/max)':>17} {'peak MB':>8} {'target':>22}")
    for m in measures:
        print(m.line())
    print("(each a new `trainer report` process, from start to exit, opening the register itself;")
    print(" peak MB: what it and its worker processes held together, sampled every 10 ms)")
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
