"""Store benchmark (issue 3): a 50,000-staff city with five fiscal years of records.

Prints one table: our journaled TinyDB store beside SQLite (WAL, synchronous=FULL) on the same
rows, in the same run, and beside plain TinyDB (JSONStorage) so the gain is visible.

    .venv/bin/python benchmarks/bench_store.py [--staff 50000] [--years 5] [--samples 200]

Targets: one durable completion <= 3x SQLite's single-row update (median); a 10,000-record bulk
operation <= 3x SQLite's executemany in one transaction; opening the register and answering
`status` for the current year < 1.5 s with < 500 MB resident (measured in a fresh process).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from process import build_city, run_trainer  # benchmarks/process.py
from tinydb import TinyDB

from trainer.model import Progress, Record
from trainer.service import Service
from trainer.store import codec

TODAY = date(2026, 11, 25)
FY = 2026


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def build(folder: Path, staff: int, years: int) -> tuple[list[Record], list[str]]:
    city = build_city(folder, staff, years, FY, TODAY)
    # the register's records of the year: a demo record written again (a correction) replaces the first
    current = list({(r.staff_id, r.requirement): r for r in city.records if r.fiscal_year == FY}.values())
    riyo = [
        s.staff_id
        for s in city.staff
        if s.current.duty.value == "利用事務" and s.retired is None and s.hired <= date(FY, 4, 1)
    ]
    return current, riyo


def sqlite_db(path: Path, records: list[Record]) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute(
        "CREATE TABLE records (staff_id TEXT, requirement TEXT, fiscal_year INT, progress TEXT,"
        " percent INT, on_date TEXT, source TEXT, PRIMARY KEY (staff_id, requirement, fiscal_year))"
    )
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO records VALUES (?,?,?,?,?,?,?)",
        [
            (r.staff_id, r.requirement, r.fiscal_year, r.progress.value, r.percent, r.on.isoformat(), r.source)
            for r in records
        ],
    )
    con.execute("COMMIT")
    return con


def sqlite_upsert(con: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO records VALUES (?,?,?,?,?,?,?) ON CONFLICT (staff_id, requirement, fiscal_year)"
        " DO UPDATE SET progress=excluded.progress, percent=excluded.percent, on_date=excluded.on_date",
        rows,
    )
    con.execute("COMMIT")


def fresh_status(folder: Path) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of `trainer status --format json` in a whole new process."""
    elapsed, rss, out = run_trainer(["status", "--db", str(folder), "--format", "json"], TODAY)
    totals = json.loads(out)["totals"]
    assert (
        sum(totals[k] for k in ("completed", "exempt", "overdue", "in_progress", "not_started")) == totals["in_scope"]
    )
    return elapsed, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=50000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--naive-samples", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-bench-", ignore_cleanup_errors=True) as work:
        run(Path(work), args)


def run(work: Path, args: argparse.Namespace) -> None:
    folder = work / "register"
    start = time.perf_counter()
    current, riyo = build(folder, args.staff, args.years)
    t = time.perf_counter() - start
    size = sum(p.stat().st_size for p in folder.glob("*.json")) / 1e6
    print(
        f"built {args.staff} staff, {args.years} fiscal years "
        f"({len(current)} records this year, {size:.0f} MB JSON) in {t:.1f} s"
    )

    # --- one durable completion: ours and SQLite's interleaved, so disk noise hits both -----
    svc = Service.open(folder, today=lambda: TODAY)
    targets = riyo[: args.samples]
    con = sqlite_db(work / "bench.sqlite", current)
    ours, lite = [], []
    for i, sid in enumerate(targets):
        day = date(2026, 7, 1) + timedelta(days=i % 140)
        ours.append(timed(lambda sid=sid, day=day: svc.record(sid, "rules", day, replace_existing=True)))
        row = (sid, "rules", FY, "completed", 100, day.isoformat(), "bench")
        lite.append(timed(lambda row=row: sqlite_upsert(con, [row])))
    naive_path = work / "naive.json"
    naive = TinyDB(naive_path, encoding="utf-8")
    naive.table("records").insert_multiple(codec.record_to_doc(r) for r in current)
    naive_table = naive.table("records")
    naive_one = []
    for _ in targets[: args.naive_samples]:
        naive_one.append(timed(lambda: naive_table.update({"progress": "completed"}, doc_ids=[1])))

    # --- a bulk operation of 10,000 records, three rounds, ours and SQLite's interleaved ------
    bulk_people = riyo[:10000]
    register = svc.register
    ours_bulk, lite_bulk = [], []
    for round_ in range(3):
        day = date(2026, 11, 2 + round_)
        bulk = [Record(s, FY, "security", Progress.COMPLETED, 100, day, "bench") for s in bulk_people]

        def ours_bulk_op(bulk: list[Record] = bulk) -> None:
            with register.transaction():
                register.put_records(bulk)

        ours_bulk.append(timed(ours_bulk_op))
        rows = [(r.staff_id, r.requirement, FY, "completed", 100, r.on.isoformat(), "bench") for r in bulk]
        lite_bulk.append(timed(lambda rows=rows: sqlite_upsert(con, rows)))
    ours_bulk_t, lite_bulk_t = statistics.median(ours_bulk), statistics.median(lite_bulk)
    bulk2 = [Record(s, FY, "security", Progress.COMPLETED, 100, date(2026, 11, 9), "bench") for s in bulk_people]
    naive_bulk_t = timed(lambda: naive_table.insert_multiple(codec.record_to_doc(r) for r in bulk2))
    svc.close()
    con.close()
    naive.close()

    # --- open + status in a fresh process --------------------------------------------------
    fresh_status(folder)  # warm the bytecode cache
    runs = [fresh_status(folder) for _ in range(5)]
    status_t = statistics.median(t for t, _ in runs)
    status_rss = max(rss for _, rss in runs)

    med = statistics.median
    rows_out = [
        ("one durable completion (median)", med(ours) * 1e3, med(lite) * 1e3, med(naive_one) * 1e3, "ms", 3.0),
        (
            "bulk 10,000 records, one tx (median of 3)",
            ours_bulk_t * 1e3,
            lite_bulk_t * 1e3,
            naive_bulk_t * 1e3,
            "ms",
            3.0,
        ),
    ]
    print()
    print(f"{'operation':40} {'trainer':>10} {'SQLite':>10} {'ratio':>7} {'target':>7} {'TinyDB plain':>13}")
    for name, ours_v, lite_v, naive_v, unit, target in rows_out:
        ratio = ours_v / lite_v
        ok = "ok" if ratio <= target else "MISSED"
        print(
            f"{name:40} {ours_v:8.2f}{unit} {lite_v:8.2f}{unit} {ratio:6.2f}x {target:5.1f}x "
            f"{naive_v:10.1f}{unit}  {ok}"
        )
    ok = "ok" if status_t < 1.5 and status_rss < 500 else "MISSED"
    print(
        f"{'open + status, this year (fresh process)':40} {status_t:9.2f}s {'':>10} {'':>7} {'<1.5s':>7} {'':>13}  {ok}"
    )
    print(f"{'  peak resident memory':40} {status_rss:8.0f}MB {'':>10} {'':>7} {'<500MB':>7}")
    print(
        f"\n(samples: {len(ours)} completions; plain TinyDB: {len(naive_one)} updates "
        f"of a {len(current)}-document table)"
    )
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {os.uname().sysname} {os.uname().release}"
    )


if __name__ == "__main__":
    main()
