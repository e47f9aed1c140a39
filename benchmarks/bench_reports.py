"""Report benchmark (issue 5): a 300-person division roster and the audit PDF of a 50,000-staff city.

    .venv/bin/python benchmarks/bench_reports.py [--staff 50000]

Targets: the roster under 3 s; the audit under 60 s with peak resident memory under 1.5 GB.
Each report runs as the CLI runs it: a new process, timed from start to exit (bytecode warm).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from process import build_city, run_trainer  # benchmarks/process.py
from pypdf import PdfReader

from trainer.catalog import load_catalog
from trainer.model import Assignment, Division, Duty, Progress, Record, Staff
from trainer.store.register import Register

TODAY = date(2026, 11, 25)
FY = 2026


def build(folder: Path, staff: int) -> None:
    build_city(folder, staff, 2, FY, TODAY)
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
    register = Register.open(folder)
    with register.transaction():  # a 300-person division for the roster's measure
        register.put_divisions([Division("999", "ベンチマーク課", "課長", "試験 一郎")])
        register.put_staff(big)
        register.put_records(records)
        register.put_setting("organization", "ベンチマーク市")
    register.db.checkpoint()
    register.close()


def run(folder: Path, *args: str) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one `trainer ...` process."""
    elapsed, rss, _out = run_trainer([*args, "--db", str(folder)], TODAY)
    return elapsed, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=50000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-bench-reports-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        folder = work / "register"
        start = time.perf_counter()
        build(folder, args.staff)
        print(f"built a {args.staff}-staff city (+ a 300-person division) in {time.perf_counter() - start:.1f} s")
        out = work / "out"
        run(folder, "status")  # warm the bytecode cache
        roster_t, roster_rss = run(folder, "report", "roster", "--division", "999", "-o", str(out))
        roster_pages = len(PdfReader(next(out.glob("*999*.pdf"))).pages)
        # The audit of the year that ended (令和7年度): what an inspector is handed.
        audit_t, audit_rss = run(folder, "report", "audit", "--fy", str(FY - 1), "-o", str(out / "audit.pdf"))
        audit_pages = len(PdfReader(out / "audit.pdf").pages)
        print(f"{'report':46} {'pages':>6} {'seconds':>8} {'peak MB':>8} {'target':>16}")
        rows = (
            ("roster of a 300-person division", roster_pages, roster_t, roster_rss, "< 3 s", roster_t < 3),
            (f"audit PDF, {args.staff}-staff city, FY{FY - 1}", audit_pages, audit_t, audit_rss, "< 60 s, < 1.5 GB",
             audit_t < 60 and audit_rss < 1536),
        )  # fmt: skip
        for name, pages, seconds, rss, target, ok in rows:
            print(f"{name:46} {pages:6d} {seconds:8.2f} {rss:8.0f} {target:>16}  {'ok' if ok else 'MISSED'}")
        print("(each a new `trainer report` process, from start to exit, opening the register itself)")


if __name__ == "__main__":
    main()
