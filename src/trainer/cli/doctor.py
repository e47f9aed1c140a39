"""trainer doctor: check this machine (Python, libraries, Pango, fonts) and the register's health."""

from __future__ import annotations

import argparse
from pathlib import Path

from trainer.cli.base import EXIT_ERROR, EXIT_OK, Commands
from trainer.paths import shown_path


def cmd_doctor(db: Path, a: argparse.Namespace) -> int:
    print("この PC の点検")
    from trainer.doctor import BLOCKS, OK, WARN, diagnose  # only this command needs it

    result = diagnose(a.settings, a.reports)
    for check in result.machine:
        print(f"  {check}".replace("\n", "\n  "))
    print(f"データベースの点検: {shown_path(db)}")
    for check in result.register:
        print(f"  {check}".replace("\n", "\n  "))
    counts = result.counts()
    print(f"結果: {BLOCKS} {counts[BLOCKS]}件、{WARN} {counts[WARN]}件、{OK} {counts[OK]}件")
    if result.blocked:
        print(f"  → {BLOCKS}の行を直すまで、レポートの作成か記録ができません")
        return EXIT_ERROR
    return EXIT_OK


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    p = c.command(
        "doctor",
        cmd_doctor,
        "この PC（Python・ライブラリ・Pango・フォント）とデータベースの状態を点検し、すべきことを示す"
        "（レポートか記録ができない問題があれば終了コード 1）",
        opens="folder",
    )
    p.add_argument(
        "--reports", type=Path, help="レポートのひな形のフォルダ（既定: TRAINER_REPORTS、なければ同梱のもの）"
    )
