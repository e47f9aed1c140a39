"""trainer demo / settings / tui: the demo city, the settings, the terminal app."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from trainer.cli.base import EXIT_OK, Commands, progress_printer

if TYPE_CHECKING:
    from trainer.service import Service


def cmd_demo(svc: Service, a: argparse.Namespace) -> int:
    counts = svc.create_demo(a.staff, a.seed, a.fy, a.years, a.force, progress_printer("デモ作成"))
    print(
        f"デモの市を作成しました: {svc.register.folder}\n"
        f"  所属 {counts['divisions']}、職員 {counts['staff']}、"
        f"受講記録 {counts['records']}、免除 {counts['exemptions']}"
    )
    return EXIT_OK


def cmd_settings(svc: Service, a: argparse.Namespace) -> int:
    if a.key is None:
        for key, value in svc.settings().items():
            print(f"{key}: {value}")
        return EXIT_OK
    if a.value is None:
        print(svc.settings().get(a.key, ""))
        return EXIT_OK
    svc.set_setting(a.key, a.value)
    print(f"設定しました: {a.key} = {a.value}")
    return EXIT_OK


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    p = c.command("demo", cmd_demo, "架空の市のデモデータを作成する", creates=True)
    p.add_argument("--staff", type=int, default=300, help="職員数（既定 300。政令市規模なら 50000）")
    p.add_argument("--seed", type=int, default=1, help="乱数の種（同じ種なら同じ市）")
    c.fy_option(p)
    p.add_argument("--years", type=int, default=2, help="受講記録を作る年度の数（既定 2: 前年度と今年度）")
    p.add_argument(
        "--force", action="store_true", help="データのあるデータベースを置き換える（先にバックアップします）"
    )

    c.sub.add_parser(
        "tui",
        help="端末の画面（アプリ）を開く（引数なしの trainer と同じ）",
        description="端末の画面を開く",
        parents=[c.common],
    )

    p = c.command("settings", cmd_settings, "団体名などの設定を表示・変更する")
    p.add_argument(
        "key",
        nargs="?",
        help="設定の名前（organization: 団体名、operator: 作業者名、coordinator: 研修を取りまとめる課・係）",
    )
    p.add_argument("value", nargs="?", help="新しい値")
