"""trainer record / exempt: progress, completions and exemptions one at a time."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from trainer.calendar import fy_label, wareki
from trainer.cli.base import EXIT_OK, Commands
from trainer.model import ALL_REQUIREMENTS, Exemption

if TYPE_CHECKING:
    from trainer.service import Service


def cmd_record(svc: Service, a: argparse.Namespace) -> int:
    r = svc.record(a.staff_id, a.requirement, a.date, a.progress, a.fy, a.replace)
    title = svc.catalog_for(r.fiscal_year).by_id[r.requirement].short_title  # (the year's own names)
    if r.completed_on:
        print(f"修了を記録しました: {r.staff_id} {title} {wareki(r.on)}")
    else:
        print(f"進捗を記録しました: {r.staff_id} {title} {r.percent}%（{wareki(r.on)}）")
    return EXIT_OK


def cmd_exempt(svc: Service, a: argparse.Namespace) -> int:
    if a.revoke:
        e = svc.revoke_exemption(a.staff_id, a.requirement, a.reason or "", a.fy)
        what = f"{e.staff_id} {_what(svc, e)}（{fy_label(e.fiscal_year)}）"
        print(f"免除 No.{e.no} を取り消しました: {what} 理由: {e.revoked_reason}")
        return EXIT_OK
    e = svc.exempt(
        a.staff_id, a.requirement, a.kind or "", a.approved_by or "", a.approved_on, a.evidence or "",
        a.effective, a.reason or "", a.fy,
    )  # fmt: skip
    print(
        f"免除 No.{e.no} を記録しました: {e.staff_id} {_what(svc, e)}（{fy_label(e.fiscal_year)}）{e.reason}\n"
        f"  承認 {e.approved_by}（{wareki(e.approved_on or e.on)}）"
        + (f"、根拠 {e.evidence}" if e.evidence else "")
        + f"、{wareki(e.starts)}から"
    )
    return EXIT_OK


def _what(svc: Service, e: Exemption) -> str:
    if e.requirement == ALL_REQUIREMENTS:
        return "すべての研修"
    found = svc.catalog_for(e.fiscal_year).get(e.requirement)
    return found.short_title if found else e.requirement


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    p = c.command("record", cmd_record, "受講の進捗・修了を記録する")
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("requirement", help="研修（intro / rules / flow / security / checkpoint、または名称）")
    p.add_argument("--date", required=True, help="修了日（進捗なら報告日）")
    p.add_argument("--progress", type=int, help="進捗率 0〜100（省略すると修了）")
    c.fy_option(p)
    p.add_argument("--replace", action="store_true", help="記録済みの修了日を訂正する")

    p = c.command(
        "exempt",
        cmd_exempt,
        "受講の免除を、承認者・種類・根拠とともに記録する（--revoke で取り消す）",
    )
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("requirement", help="研修の id、または all（すべて）")
    p.add_argument("--kind", help="免除の種類（policy/exemptions.yaml の id か名前。例: other_body）")
    p.add_argument("--approved-by", help="承認者の職名・氏名（例: 「人事課長 佐藤 一郎」）")
    p.add_argument("--approved-on", help="承認日（既定: 今日）")
    p.add_argument("--evidence", help="根拠: 文書番号や保管している書類のメモ（種類によって必須）")
    p.add_argument(
        "--from", dest="effective", help="免除が効く最初の日（既定: 今日。過去にするには --evidence が必要）"
    )
    p.add_argument("--reason", help="補足（免除のとき）／取り消しの理由（--revoke のとき、必須）")
    p.add_argument("--revoke", action="store_true", help="いま効いている免除を取り消す（記録は残ります）")
    c.fy_option(p)
