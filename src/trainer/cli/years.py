"""trainer year: a fiscal year's frozen catalog — open a year, show it, apply a change deliberately."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from trainer.calendar import fy_label, wareki
from trainer.cli.base import EXIT_OK, Commands
from trainer.rules import deadline, window_dates
from trainer.textfmt import table

if TYPE_CHECKING:
    from trainer.service import Service, YearCatalog


HOW = {
    "first_write": "最初の書き込みのとき",
    "open": "trainer year open で",
    "upgrade": "この版への更新のとき（現在のファイルで）",
    "apply": "trainer year apply-catalog で",
}


def _print(info: YearCatalog) -> None:
    label = fy_label(info.fiscal_year)
    if info.frozen:
        print(
            f"{label}の研修カタログ: 凍結済み（{info.frozen_at.replace('T', ' ')[:16]}、{HOW.get(info.how, info.how)}）"
        )
        if info.reason:
            print(f"  最後に反映した理由: {info.reason}")
    else:
        print(f"{label}の研修カタログ: まだ凍結されていません（最初の書き込みで、いまのファイルの内容が凍結されます）")
    rows = []
    for r in info.catalog:
        first, last = window_dates(r, info.fiscal_year)
        rows.append(
            [
                r.id,
                r.title,
                f"{wareki(first)}〜{wareki(last)}",
                wareki(deadline(r, info.fiscal_year)),
                f"{r.late_joiner_days}日",
            ]
        )
    print(table(["研修", "名称", "受講期間", "期限", "途中から対象の猶予"], rows))
    kinds = "、".join(f"{k.id}（{k.label}）" for k in info.catalog.exemption_kinds)
    print(f"免除の種類: {kinds}")
    if not info.frozen:
        return
    if info.differences:
        print(f"\nいまのファイルとの違い（{len(info.differences)}点。この年度には反映されていません）:")
        for line in info.differences:
            print(f"  {line}")
        print(f"反映するには: trainer year apply-catalog {info.fiscal_year} --reason 理由")
    else:
        print("\nいまのファイルと同じです")


def cmd_year_show(svc: Service, a: argparse.Namespace) -> int:
    _print(svc.year_catalog_info(a.fiscal_year))
    return EXIT_OK


def cmd_year_open(svc: Service, a: argparse.Namespace) -> int:
    info = svc.open_year(a.fiscal_year)
    print(f"{fy_label(info.fiscal_year)}を開始しました（研修カタログを凍結）")
    _print(info)
    return EXIT_OK


def cmd_year_apply(svc: Service, a: argparse.Namespace) -> int:
    info = svc.apply_catalog(a.fiscal_year, a.reason)
    print(
        f"{fy_label(info.fiscal_year)}の研修カタログをいまのファイルの内容にしました（変更前の状態はバックアップしました）"
    )
    _print(info)
    return EXIT_OK


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    sub = c.group(
        "year", "年度の研修カタログ（凍結した基準）を見る・開始する・変更を反映する", "年度の研修カタログ",
        "SUBCOMMAND", "サブコマンド", "show / open / apply-catalog",
    )  # fmt: skip
    p = c.command("show", cmd_year_show, "年度の研修カタログと、いまのファイルとの違いを表示する", sub)
    p.add_argument("fiscal_year", nargs="?", help="年度（既定: 今日の年度）")
    p = c.command("open", cmd_year_open, "年度を開始し、いまのファイルの研修カタログを凍結する", sub)
    p.add_argument("fiscal_year", help="年度（2027、令和9年度 など）")
    p = c.command(
        "apply-catalog",
        cmd_year_apply,
        "凍結した年度の研修カタログを、いまのファイルの内容に変える（記録し、先にバックアップします）",
        sub,
    )
    p.add_argument("fiscal_year", help="年度")
    p.add_argument("--reason", required=True, help="変更する理由（変更履歴と監査用報告に残ります）")
