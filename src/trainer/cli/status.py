"""trainer status: the year's counts per division and per requirement, and who left scope."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from trainer.calendar import fy_label, wareki
from trainer.cli.base import EXIT_OK, Commands, print_json
from trainer.rules import Counts
from trainer.textfmt import table

if TYPE_CHECKING:
    from trainer.service import Service, YearOverview


SHOWN_LEAVERS = 20


def rate_text(counts: Counts) -> str:
    return f"{counts.rate:.0f}%" if counts.in_scope else "-"


def due_rate_text(counts: Counts) -> str:
    """The rate over what is already due; "—" while nothing is due yet (never a 0% for that)."""
    rate = counts.due_rate
    return "—" if rate is None else f"{rate:.0f}%"


def _figures(counts: Counts) -> dict[str, Any]:
    return counts.as_dict() | {
        "rate": round(counts.rate, 1),
        "due_rate": None if counts.due_rate is None else round(counts.due_rate, 1),
    }


def _cells(c: Counts, left: int) -> list[object]:
    return [c.in_scope, c.completed, c.exempt, c.pending, c.overdue, left, rate_text(c), due_rate_text(c)]


def _status_json(report: YearOverview, signed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    divisions = []
    for code, counts in sorted(report.summary.divisions.items()):
        division = report.divisions.get(code)
        item = signed.get(code)
        sign = {"state": "unsigned", "code": None, "changes": 0}
        if item is not None:
            sign = {"state": item["state"].value, "code": item["code"], "changes": item["changes"]}
        divisions.append({"code": code, "name": division.name if division else "", **_figures(counts), "signoff": sign})
    totals = report.summary.totals
    return {
        "fiscal_year": report.fiscal_year,
        "fiscal_year_label": fy_label(report.fiscal_year),
        "as_of": report.as_of.isoformat(),
        "totals": _figures(totals),
        "divisions": divisions,
        "requirements": [
            {"id": r.id, "title": r.title, **_figures(report.summary.requirements[r.id])} for r in report.catalog
        ],
        "year": {
            "in_scope_any_day": totals.in_year,
            "left_scope": [
                {
                    "staff_id": d.staff_id,
                    "name": d.name,
                    "division": d.division,
                    "left_on": d.left_on.isoformat(),
                    "reason": d.reason.value,
                    "reason_label": d.reason.label,
                    "moved_to": {"division": d.moved_to[0], "duty": d.moved_to[1]} if d.moved_to else None,
                    "outstanding": list(d.outstanding),
                }
                for d in report.departures
            ],
        },
    }


def cmd_status(svc: Service, a: argparse.Namespace) -> int:
    report = svc.overview(a.fy, a.as_of, a.division)
    _note_catalog_differences(svc, report.fiscal_year)
    if a.format == "json":
        print_json(_status_json(report, svc.signoff_states(report.fiscal_year)))
        return EXIT_OK
    t = report.summary.totals
    print(f"{fy_label(report.fiscal_year)}  {wareki(report.as_of)} 現在")
    print(
        f"対象 {t.in_scope:,}人  修了 {t.completed:,}  免除 {t.exempt:,}  期限前 {t.pending:,}"
        f"（受講中 {t.in_progress:,}・未受講 {t.not_started:,}）  期限超過 {t.overdue:,}  "
        f"修了率 {rate_text(t)}  期限到来分 {due_rate_text(t)}"
    )
    if t.left:
        print(
            f"年度内に対象だった人 {t.in_year:,}人（うち年度途中の離脱 {t.left:,}人、未修了のまま {t.left_open:,}人）"
        )
    print()
    from trainer.signoff import SignoffState  # (the sign-off package: loaded when it is used)

    rows = []
    signed = svc.signoff_states(report.fiscal_year)
    for code, c in sorted(report.summary.divisions.items()):
        name = report.divisions[code].name if code in report.divisions else ""
        item = signed.get(code)
        changes = f"（変更{item['changes']}件）" if item and item["changes"] else ""
        state = SignoffState.UNSIGNED.label if item is None else item["state"].label + changes
        rows.append([code, name, *_cells(c, c.left), state])
    headers = ["所属", "所属名", "対象", "修了", "免除", "期限前", "期限超過", "離脱", "修了率", "期限到来分", "署名"]
    print(table(headers, rows, right=range(2, 10)))
    print()
    req_rows = []
    for r in report.catalog:
        c = report.summary.requirements[r.id]
        req_rows.append([r.id, r.title, *_cells(c, c.left_open)])
    req_headers = [
        "研修",
        "名称",
        "対象",
        "修了",
        "免除",
        "期限前",
        "期限超過",
        "離脱（未修了）",
        "修了率",
        "期限到来分",
    ]
    print(table(req_headers, req_rows, right=range(2, 10)))
    print("\n期限前: 受講中・未受講で、期限がまだ来ていない人。")
    print("期限到来分: 期限が過ぎた研修のある人のうち、期限超過のない人の割合（まだ期限が来ていなければ —）。")
    if report.departures:
        _print_departures(report)
    return EXIT_OK


def _note_catalog_differences(svc: Service, fiscal_year: int) -> None:
    info = svc.year_catalog_info(fiscal_year)
    if info.differences:
        print(
            f"注意: 研修カタログのファイルは{fy_label(fiscal_year)}に凍結した内容と違います"
            f"（{len(info.differences)}点）。この年度は凍結した内容で数えています"
            f"（trainer year show {fiscal_year}）",
            file=sys.stderr,
        )


def _print_departures(report: YearOverview) -> None:
    shown = report.departures
    print(f"\n年度途中の離脱 {len(shown):,}人（最後に対象だった所属に残ります）:")
    rows = []
    for d in shown[:SHOWN_LEAVERS]:
        division = report.divisions.get(d.division)
        outstanding = "、".join(report.catalog.by_id[r].short_title for r in d.outstanding) or "なし（修了済み）"
        reason = d.reason_text({code: x.name for code, x in report.divisions.items()})
        rows.append(
            [
                d.staff_id,
                d.name,
                division.name if division else d.division,
                wareki(d.left_on),
                reason,
                outstanding,
            ]
        )
    print(table(["職員番号", "氏名", "所属", "最後に対象だった日", "理由", "未修了"], rows))
    if len(shown) > SHOWN_LEAVERS:
        print(f"…ほか {len(shown) - SHOWN_LEAVERS:,}人（すべては --format json か trainer report で）")


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    p = c.command("status", cmd_status, "年度の受講状況（所属別・研修別の人数、年度途中の離脱者）を表示する")
    c.fy_option(p)
    p.add_argument("--as-of", help="基準日（既定: 今日。過去の年度はその年度末）")
    p.add_argument("--division", help="所属コードで絞り込む")
    c.format_option(p)
