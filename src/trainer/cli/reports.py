"""trainer report: the 修了者名簿, the 未修了者一覧 and the audit PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.cli.base import EXIT_OK, EXIT_USAGE, Commands, progress_printer

if TYPE_CHECKING:
    from trainer.service import Service


def cmd_report_roster(svc: Service, a: argparse.Namespace) -> int:
    if not a.all and not a.division and not a.signed:
        print("trainer report roster: --division CODE か --all を指定してください", file=sys.stderr)
        return EXIT_USAGE
    paths = svc.report_roster(
        a.output or Path("."),
        a.fy,
        a.as_of,
        None if a.all else a.division,
        a.format,
        progress_printer("名簿"),
        a.templates,
        signed=a.signed,
    )
    for path in paths:
        print(path)
    print(f"{len(paths)}個のファイルを書き出しました", file=sys.stderr)
    return EXIT_OK


def cmd_report_overdue(svc: Service, a: argparse.Namespace) -> int:
    print(svc.report_overdue(a.output or Path("."), a.fy, a.as_of, a.division, a.format, a.templates))
    return EXIT_OK


def cmd_report_audit(svc: Service, a: argparse.Namespace) -> int:
    print(svc.report_audit(a.output or Path("."), a.fy, a.format, progress_printer("監査用報告"), a.templates))
    return EXIT_OK


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    report_sub = c.group(
        "report", "修了者名簿・未修了者一覧・監査用報告を作る", "レポート（PDF または HTML）", "REPORT", "レポート",
        "roster / overdue / audit",
    )  # fmt: skip

    def report_options(p: argparse.ArgumentParser, output_help: str) -> None:
        c.fy_option(p)
        p.add_argument("-o", "--output", type=Path, help=output_help)
        p.add_argument("--format", choices=["pdf", "html"], default="pdf", help="形式（既定 pdf）")
        p.add_argument(
            "--templates", type=Path, help="自団体のひな形フォルダ（既定: TRAINER_REPORTS、なければ同梱の reports/）"
        )

    p = c.command("roster", cmd_report_roster, "所属ごとの修了者名簿（所属長の確認・署名用）", report_sub)
    report_options(p, "書き出すフォルダ（既定: 今のフォルダ。なければ作ります）")
    p.add_argument("--as-of", help="基準日（既定: 今日。過去の年度はその年度末）")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--division", help="この所属の名簿だけを作る")
    which.add_argument("--all", action="store_true", help="全所属の名簿を1所属1ファイルで作り、1つにまとめたPDFも作る")
    p.add_argument(
        "--signed",
        nargs="?",
        const="",
        metavar="CODE",
        help="署名済みの名簿を署名したときのとおりに出し直す（名簿コード、または --division の署名）",
    )
    p = c.command("overdue", cmd_report_overdue, "未修了者一覧（督促用）", report_sub)
    report_options(
        p, "書き出すファイル、またはその名前で書き出すフォルダ（既定: 今のフォルダに 年度_未修了者一覧.pdf）"
    )
    p.add_argument("--as-of", help="基準日（既定: 今日）")
    p.add_argument("--division", help="所属コードで絞り込む")
    p = c.command(
        "audit", cmd_report_audit, "年度の監査用報告（表紙・基準・所属別・免除・未修了・署名状況）", report_sub
    )
    report_options(
        p, "書き出すファイル、またはその名前で書き出すフォルダ（既定: 今のフォルダに 年度_研修実施状況報告.pdf）"
    )
