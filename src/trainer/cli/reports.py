"""trainer report: the 修了者名簿, the 未修了者一覧, the audit and the 研修実施計画."""

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
        a.output or ".",
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
    if a.split:
        paths = svc.report_overdue_split(
            a.output or ".", a.fy, a.as_of, a.division, a.format, a.templates, progress_printer("未修了者一覧")
        )
        for path in paths:
            print(path)
        print(f"{len(paths)}個のファイルを書き出しました（未修了の人がいる所属ごと）", file=sys.stderr)
        return EXIT_OK
    print(svc.report_overdue(a.output or ".", a.fy, a.as_of, a.division, a.format, a.templates))
    return EXIT_OK


def cmd_report_audit(svc: Service, a: argparse.Namespace) -> int:
    progress = progress_printer("監査用報告")
    print(svc.report_audit(a.output or ".", a.fy, a.format, progress, a.templates, a.as_of))
    return EXIT_OK


def cmd_report_plan(svc: Service, a: argparse.Namespace) -> int:
    print(svc.report_plan(a.output or ".", a.fy, a.as_of, a.format, a.templates))
    return EXIT_OK


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    report_sub = c.group(
        "report", "修了者名簿・未修了者一覧・監査用報告・研修実施計画を作る", "レポート（PDF または HTML）",
        "REPORT", "レポート", "roster / overdue / audit / plan",
    )  # fmt: skip

    def report_options(p: argparse.ArgumentParser, output_help: str) -> None:
        c.fy_option(p)
        p.add_argument("-o", "--output", help=output_help)
        p.add_argument("--format", choices=["pdf", "html"], default="pdf", help="形式（既定 pdf）")
        p.add_argument(
            "--templates", type=Path, help="自団体のひな形フォルダ（既定: TRAINER_REPORTS、なければ同梱の reports/）"
        )

    p = c.command("roster", cmd_report_roster, "所属ごとの修了者名簿（所属長の確認・署名用）", report_sub)
    report_options(
        p,
        "--all: 書き出すフォルダ（なければ作ります）。1所属: ファイル（r120.pdf）か、その中に書き出すフォルダ"
        "（既定: 今のフォルダ）",
    )
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
    p.add_argument(
        "--split",
        action="store_true",
        help="所属ごとに1ファイル（所属長に渡す用）を -o のフォルダに書き出す（なければ作ります）",
    )
    p = c.command(
        "audit",
        cmd_report_audit,
        "年度の監査用報告（表紙・根拠・承認欄・対象者の突合・基準・研修別/所属別・離脱・免除・未修了・署名状況）",
        report_sub,
    )
    report_options(
        p, "書き出すファイル、またはその名前で書き出すフォルダ（既定: 今のフォルダに 年度_研修実施状況報告.pdf）"
    )
    p.add_argument("--as-of", help="集計の基準日（既定: 年度末。今年度は今日）")
    p = c.command(
        "plan",
        cmd_report_plan,
        "年度の研修実施計画（様式第2号の形: 根拠・対象者・研修の内容・実施方法・日程・承認欄）",
        report_sub,
    )
    report_options(
        p, "書き出すファイル、またはその名前で書き出すフォルダ（既定: 今のフォルダに 年度_研修実施計画.pdf）"
    )
    p.add_argument("--as-of", help="対象者を数える日（既定: 今日。始まる前の年度はその4月1日）")
