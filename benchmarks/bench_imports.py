"""Import benchmark (issue 4): a 50,000-row HR roster and a 200,000-row e-learning export.

    .venv/bin/python benchmarks/bench_imports.py [--staff 50000] [--progress-rows 200000]

Generates both files (CP932 CSV, as personnel systems write them), imports them into a new
register through the service (validation, planning, backup, one transaction) and prints the
times. Target: each under 10 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from trainer.service import Service

TODAY = date(2026, 11, 25)
EMPLOYMENT = ["正規職員", "再任用職員", "任期付職員", "会計年度任用職員", "臨時職員"]
COURSES = ["マイナンバー制度入門編", "接続運用規程理解編", "情報連携・業務フロー編", "セキュリティ対策端末操作者編"]


def write_cp932(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp932"))


def roster_rows(staff: int, rng: random.Random) -> list[list[str]]:
    rows = [["職員番号", "氏名", "フリガナ", "所属コード", "所属名", "職名", "任用区分", "事務区分", "採用日"]]
    for i in range(staff):
        division = 100 + i % 400
        rows.append(
            [
                f"{i:06d}",
                f"市役所 太郎{i % 97}",
                f"ｼﾔｸｼｮ ﾀﾛｳ{i % 97}",
                str(division),
                f"第{division}課",
                "主事",
                rng.choice(EMPLOYMENT),
                "利用事務" if division % 7 else "関係事務",
                f"R{rng.randint(2, 8)}.4.1",
            ]
        )
    return rows


def progress_rows(staff: int, count: int, rng: random.Random) -> list[list[str]]:
    rows = [["学習者ID", "コース名", "受講状況", "進捗率", "修了日", "最終学習日"]]
    start = date(2026, 7, 1)
    for _ in range(count):
        sid = f"{rng.randrange(staff):06d}"
        day = start + timedelta(days=rng.randint(0, 140))
        if rng.random() < 0.7:
            rows.append([sid, rng.choice(COURSES), "修了", "100%", day.strftime("%Y/%m/%d"), ""])
        else:
            rows.append([sid, rng.choice(COURSES), "受講中", f"{rng.randint(1, 99)}%", "", day.strftime("%Y/%m/%d")])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=50000)
    parser.add_argument("--progress-rows", type=int, default=200000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-bench-imports-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        rng = random.Random(7)
        roster, progress = work / "roster.csv", work / "elearning.csv"
        write_cp932(roster, roster_rows(args.staff, rng))
        write_cp932(progress, progress_rows(args.staff, args.progress_rows, rng))
        svc = Service.open(work / "register", today=lambda: TODAY)

        start = time.perf_counter()
        plan = svc.import_staff(roster, as_of=date(2026, 4, 1))
        roster_t = time.perf_counter() - start
        assert len(plan.added) == args.staff

        start = time.perf_counter()
        records = svc.import_progress(progress, fiscal_year=2026)
        progress_t = time.perf_counter() - start
        written = len(records.records_to_write())
        svc.close()

        print(f"{'import':42} {'rows':>8} {'seconds':>8} {'target':>7}")
        for name, rows, seconds in (
            (f"HR roster, CP932 CSV ({roster.stat().st_size / 1e6:.1f} MB)", args.staff, roster_t),
            (f"e-learning export, CP932 CSV ({progress.stat().st_size / 1e6:.1f} MB)", args.progress_rows, progress_t),
        ):
            print(f"{name:42} {rows:8d} {seconds:8.2f} {'<10 s':>7}  {'ok' if seconds < 10 else 'MISSED'}")
        print(f"(progress: {written} records written; both into a new register, a backup first)")


if __name__ == "__main__":
    main()
