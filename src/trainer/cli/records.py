"""trainer record / exempt: progress, completions and exemptions one at a time."""

from __future__ import annotations

import argparse

from trainer.calendar import fy_label, wareki
from trainer.cli.base import EXIT_OK, Commands
from trainer.model import ALL_REQUIREMENTS
from trainer.service import Service


def cmd_record(svc: Service, a: argparse.Namespace) -> int:
    r = svc.record(a.staff_id, a.requirement, a.date, a.progress, a.fy, a.replace)
    title = svc.catalog.by_id[r.requirement].short_title
    if r.completed_on:
        print(f"修了を記録しました: {r.staff_id} {title} {wareki(r.on)}")
    else:
        print(f"進捗を記録しました: {r.staff_id} {title} {r.percent}%（{wareki(r.on)}）")
    return EXIT_OK


def cmd_exempt(svc: Service, a: argparse.Namespace) -> int:
    e = svc.exempt(a.staff_id, a.requirement, a.reason, a.fy)
    what = "すべての研修" if e.requirement == ALL_REQUIREMENTS else svc.catalog.by_id[e.requirement].short_title
    print(f"免除を記録しました: {e.staff_id} {what}（{fy_label(e.fiscal_year)}）理由: {e.reason}")
    return EXIT_OK


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    p = c.command("record", cmd_record, "受講の進捗・修了を記録する")
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("requirement", help="研修（intro / rules / flow / security / checkpoint、または名称）")
    p.add_argument("--date", required=True, help="修了日（進捗なら報告日）")
    p.add_argument("--progress", type=int, help="進捗率 0〜100（省略すると修了）")
    c.fy_option(p)
    p.add_argument("--replace", action="store_true", help="記録済みの修了日を訂正する")

    p = c.command("exempt", cmd_exempt, "受講の免除を理由とともに記録する")
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("requirement", help="研修の id、または all（すべて）")
    p.add_argument("--reason", required=True, help="免除の理由（監査で説明できるもの）")
    c.fy_option(p)
