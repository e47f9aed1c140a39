"""trainer import / export: files in from HR and e-learning, the year's status out."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.cli.base import EXIT_OK, Commands, import_printer

if TYPE_CHECKING:
    from trainer.service import Service


def _summary():  # type: ignore[no-untyped-def]
    """The import summaries (imported by the import commands only)."""
    from trainer.importers import summary

    return summary


def _report_plan(lines: list[str], dry_run: bool) -> None:
    print("\n".join(lines))
    print(
        "\n（--dry-run: 何も変更していません）"
        if dry_run
        else "\n取り込みました（取り込む前の状態はバックアップしました）"
    )


def cmd_import_staff(svc: Service, a: argparse.Namespace, created: Path | None = None) -> int:
    plan = svc.import_staff(
        Path(a.file), a.as_of, a.dry_run, a.mapping, a.encoding, a.retire_missing, import_printer("名簿"), a.errors
    )
    _report_plan(_summary().describe_roster(plan), a.dry_run)
    if created is not None:
        print(f"新しいデータベースを作成しました: {created}")
    return EXIT_OK


def import_staff_into_new_register(db: Path, a: argparse.Namespace, create: Callable[[], Service], today: date) -> int:
    """``import staff`` where no register is: every row is checked first (against an empty
    register), so a rejected file or a --dry-run creates nothing; only an accepted import creates it."""
    plan = _service().plan_staff_for_new_register(
        Path(a.file), a.as_of or today, a.mapping, a.encoding, a.retire_missing, import_printer("名簿"), a.errors
    )
    if a.dry_run:
        print("\n".join(_summary().describe_roster(plan)))
        print(f"\n（--dry-run: データベース {db} はまだありません。何も作っていません。取り込むと新しく作ります）")
        return EXIT_OK
    svc = create()
    try:
        return cmd_import_staff(svc, a, created=db)
    finally:
        svc.close()


def cmd_import_progress(svc: Service, a: argparse.Namespace) -> int:
    plan = svc.import_progress(
        Path(a.file), a.fy, a.dry_run, a.mapping, a.encoding, import_printer("受講状況"), a.errors, a.skip_unknown
    )
    _report_plan(_summary().describe_records(plan), a.dry_run)
    return EXIT_OK


def cmd_import_checkpoint(svc: Service, a: argparse.Namespace) -> int:
    plan = svc.import_checkpoint(
        Path(a.file), a.fy, a.dry_run, a.mapping, a.encoding, import_printer("チェックシート"), a.errors,
        a.skip_unknown,
    )  # fmt: skip
    _report_plan(_summary().describe_records(plan), a.dry_run)
    return EXIT_OK


def cmd_export(svc: Service, a: argparse.Namespace) -> int:
    result = svc.export(Path(a.file), a.fy, a.division, a.encoding)
    print(f"書き出しました: {result.path}（{result.rows}人）")
    if result.replaced_chars:
        print(
            f"注意: CP932 で書けない文字を「?」に置き換えました（{len(result.replaced_chars)}人）: "
            + "、".join(result.replaced_chars[:10])
            + "。そのままの文字が必要なら UTF-8（既定）か .xlsx で書き出してください",
            file=sys.stderr,
        )
    return EXIT_OK


def skip_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--skip-unknown",
        action="store_true",
        help="登録のない職員番号・学習者IDの行（出向者・管理者のアカウントなど）を除いて取り込む"
        "（除いた行はすべて表示し、変更履歴に残します）",
    )


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    import_sub = c.group(
        "import", "職員名簿・受講状況・チェックシートを取り込む", "ファイルの取り込み（全件正しいときだけ反映）",
        "KIND", "取り込むもの", "staff / progress / checkpoint",
    )  # fmt: skip

    def import_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", help="CSV（UTF-8・BOM 付き UTF-8・CP932）、TSV、XLSX")
        p.add_argument(
            "--dry-run", action="store_true", help="変更内容と問題だけを表示し、データベースには何も書き込まない"
        )
        p.add_argument("--mapping", type=Path, help="見出しが違うときの対応表（YAML）")
        p.add_argument("--encoding", help="CSV の文字コードを指定する（既定: 自動判定）")
        p.add_argument(
            "--errors",
            type=Path,
            metavar="FILE",
            help="取り込めないとき、すべての問題を書き出す CSV（既定: ファイルの隣の <名前>.errors.csv。"
            "フォルダならその中に。--dry-run でも書きます）",
        )

    p = c.command("staff", cmd_import_staff, "人事の職員名簿（基準日現在）を取り込む", import_sub)
    p.set_defaults(without_register=import_staff_into_new_register)  # creates one only when accepted
    import_options(p)
    p.add_argument("--as-of", help="名簿の基準日（既定: 今日）。異動・変更はこの日付で記録します")
    p.add_argument("--retire-missing", action="store_true", help="名簿にない在職者を基準日の前日付で退職にする")
    p = c.command("progress", cmd_import_progress, "e-ラーニングの受講状況を取り込む", import_sub)
    import_options(p)
    c.fy_option(p)
    skip_option(p)
    p = c.command("checkpoint", cmd_import_checkpoint, "所属から戻ったチェックシートを取り込む", import_sub)
    import_options(p)
    c.fy_option(p)
    skip_option(p)

    p = c.command("export", cmd_export, "年度の受講状況を CSV または XLSX に書き出す")
    p.add_argument(
        "file", help="書き出すファイル（拡張子 .csv / .tsv / .xlsx で形式が決まります。フォルダは既にあるもの）"
    )
    c.fy_option(p)
    p.add_argument("--division", help="所属コードで絞り込む")
    p.add_argument(
        "--encoding", default="utf-8-sig", help="CSV の文字コード（既定 utf-8-sig: Excel で開けます。cp932 も可）"
    )


def _service() -> type[Service]:
    """The service class, imported only by the commands that need it before a register is open."""
    from trainer.service import Service

    return Service
