"""trainer status: the year's counts per division and per requirement."""

from __future__ import annotations

import argparse
from typing import Any

from trainer import signoff
from trainer.calendar import fy_label, wareki
from trainer.cli.base import EXIT_OK, Commands, print_json
from trainer.service import Service, StatusReport
from trainer.textfmt import table

SIGNOFF_STATE_IDS = {signoff.SIGNED: "signed", signoff.STALE: "stale"}


def _status_json(report: StatusReport, signed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    divisions = []
    for code, counts in sorted(report.summary.divisions.items()):
        division = report.divisions.get(code)
        item = signed.get(code)
        sign = {"state": "unsigned", "code": None, "changes": 0}
        if item is not None:
            sign = {"state": SIGNOFF_STATE_IDS[item["state"]], "code": item["code"], "changes": item["changes"]}
        divisions.append({"code": code, "name": division.name if division else "", **counts.as_dict(), "signoff": sign})
    return {
        "fiscal_year": report.fiscal_year,
        "fiscal_year_label": fy_label(report.fiscal_year),
        "as_of": report.as_of.isoformat(),
        "totals": report.summary.totals.as_dict(),
        "divisions": divisions,
        "requirements": [
            {"id": r.id, "title": r.title, **report.summary.requirements[r.id].as_dict()} for r in report.catalog
        ],
    }


def cmd_status(svc: Service, a: argparse.Namespace) -> int:
    report = svc.status(a.fy, a.as_of, a.division)
    if a.format == "json":
        print_json(_status_json(report, svc.signoff_states(report.fiscal_year)))
        return EXIT_OK
    t = report.summary.totals
    print(f"{fy_label(report.fiscal_year)}  {wareki(report.as_of)} 現在")
    print(
        f"対象 {t.in_scope}人  修了 {t.completed}  免除 {t.exempt}  期限超過 {t.overdue}  "
        f"受講中 {t.in_progress}  未受講 {t.not_started}"
    )
    print()
    rows = []
    signed = svc.signoff_states(report.fiscal_year)
    for code, c in sorted(report.summary.divisions.items()):
        name = report.divisions[code].name if code in report.divisions else ""
        rate = f"{c.rate:.0f}%" if c.in_scope else "-"
        item = signed.get(code)
        changes = f"（変更{item['changes']}件）" if item and item["changes"] else ""
        state = signoff.UNSIGNED if item is None else item["state"] + changes
        rows.append(
            [code, name, c.in_scope, c.completed, c.exempt, c.overdue, c.in_progress, c.not_started, rate, state]
        )
    headers = ["所属", "所属名", "対象", "修了", "免除", "期限超過", "受講中", "未受講", "修了率", "署名"]
    print(table(headers, rows, right=range(2, 9)))
    print()
    req_rows = []
    for r in report.catalog:
        c = report.summary.requirements[r.id]
        req_rows.append([r.id, r.title, c.in_scope, c.completed, c.exempt, c.overdue, c.in_progress, c.not_started])
    print(table(["研修", "名称", "対象", "修了", "免除", "期限超過", "受講中", "未受講"], req_rows, right=range(2, 8)))
    return EXIT_OK


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    p = c.command("status", cmd_status, "年度の受講状況（所属別・研修別の人数）を表示する")
    c.fy_option(p)
    p.add_argument("--as-of", help="基準日（既定: 今日。過去の年度はその年度末）")
    p.add_argument("--division", help="所属コードで絞り込む")
    c.format_option(p)
