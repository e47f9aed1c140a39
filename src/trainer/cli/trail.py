"""trainer signoff / verify / log / backup / restore / repair: sign-offs and the audit trail."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.calendar import fy_label, wareki
from trainer.cli.base import EXIT_ERROR, EXIT_OK, Commands, print_json, progress_printer
from trainer.textfmt import table

if TYPE_CHECKING:
    from trainer.service import Service


def cmd_signoff(svc: Service, a: argparse.Namespace) -> int:
    doc = svc.sign_off(
        a.division, a.fy, a.by, a.title or "", a.date, a.approval_no or "", a.note or "", a.as_of, a.code
    )
    print(f"署名を記録しました: {doc['division']} {fy_label(doc['fiscal_year'])} 名簿コード {doc['code']}")
    if doc.get("supersedes"):
        print(f"  前の署名（名簿コード {doc['supersedes']}）はこの署名に置き換わりました（記録は残ります）")
    print(
        f"  所属長 {doc['title']} {doc['by']}、確認日 {doc['date_label']}"
        + (f"、電子決裁 {doc['approval_no']}" if doc["approval_no"] else "")
    )
    return EXIT_OK


def _print_signed(svc: Service, doc: dict[str, Any]) -> None:
    from trainer import signoff  # (loaded by the commands that read a sign-off)

    roster = signoff.roster_of(doc)
    division = roster.division
    state = signoff.state_of(doc)
    print(f"名簿コード {doc['code']}: {state.label}")
    print(
        f"  {fy_label(roster.fiscal_year)} {division.code} {division.name} の修了者名簿"
        f"（{wareki(date.fromisoformat(roster.as_of))} 現在、{len(roster.rows)}人"
        + (f"、年度途中の離脱 {len(roster.left)}人" if roster.left else "")
        + "）"
    )
    print(f"  署名: {doc['title']} {doc['by']}、確認日 {doc['date_label']}（記録 {doc['signed_label']}）")
    if doc.get("approval_no"):
        print(f"  電子決裁番号: {doc['approval_no']}")
    if doc.get("note"):
        print(f"  備考: {doc['note']}")
    if doc.get("anchor"):
        print(f"  署名したときの変更履歴: {doc['anchor']}")
    t = roster.totals()
    print(f"  対象 {t.in_scope}人: 修了 {t.completed}、免除 {t.exempt}、期限前 {t.pending}、期限超過 {t.overdue}")
    if doc.get("superseded_by"):
        print(f"  この署名は名簿コード {doc['superseded_by']} の署名に置き換わっています")
    for change in doc.get("changes_since", ()):
        print(f"  署名後の変更（記録 {change['seq']}）: {change['summary']}")


def cmd_verify(svc: Service, a: argparse.Namespace) -> int:
    if a.roster:
        _print_signed(svc, svc.signed(a.roster))
        return EXIT_OK
    anchor = svc.verify_anchor(a.anchor) if a.anchor else None
    result = svc.verify(progress_printer("検証"))
    if anchor is not None:
        print(("OK: " if anchor.ok else "問題: ") + anchor.message, file=sys.stdout if anchor.ok else sys.stderr)
    if result.ok and (anchor is None or anchor.ok):
        print(
            f"OK: 変更履歴 {result.entries}件のつながりが正しく、データベースは履歴と一致し、"
            f"署名済みの名簿 {result.signoffs}件はすべて名簿コードと一致します"
        )
        return EXIT_OK
    if not result.ok:
        print(
            f"問題が {len(result.findings)}件 見つかりました"
            f"（変更履歴 {result.entries}件、署名 {result.signoffs}件を確認）:",
            file=sys.stderr,
        )
        for finding in result.findings[:100]:
            print(f"  {finding}", file=sys.stderr)
        if len(result.findings) > 100:
            print(f"  …ほか {len(result.findings) - 100}件", file=sys.stderr)
    print("  → 書き換えの前の状態は backups/ のバックアップにあります（trainer backup --list）", file=sys.stderr)
    return EXIT_ERROR


ACTION_LABELS = {
    "record": "受講記録", "bulk_record": "一括記録", "exempt": "免除",
    "staff_add": "職員登録", "staff_update": "職員変更",
    "transfer": "異動", "leave": "休業", "retire": "退職", "division_add": "所属登録", "division_update": "所属変更",
    "import_staff": "名簿取込", "import_progress": "受講状況取込", "import_checkpoint": "チェックシート取込",
    "signoff": "署名", "restore": "復元", "undo": "元に戻す", "demo": "デモ作成", "settings": "設定",
    "baseline": "記録開始", "change": "変更",
}  # fmt: skip


def cmd_log(svc: Service, a: argparse.Namespace) -> int:
    entries = svc.log(a.fy, a.staff, a.division, a.since)
    if a.format == "json":
        print_json(entries)
        return EXIT_OK
    for e in entries[: a.limit]:
        who = e.get("operator") or ""
        who = f"{who}（{e.get('user', '')}）" if who else e.get("user", "")
        when = e.get("at", "").replace("T", " ")[:16]
        label = ACTION_LABELS.get(e.get("action", ""), e.get("action", ""))
        extra = f"  ［{e['count']}件の文書］" if e.get("count", 0) > 3 else ""
        print(f"{e['seq']:>6}  {when}  {who}  {e.get('summary') or label}{extra}")
    if len(entries) > a.limit:
        print(f"…ほか {len(entries) - a.limit}件（--limit で増やせます）")
    if not entries:
        print("該当する変更はありません")
    return EXIT_OK


def cmd_backup(svc: Service, a: argparse.Namespace) -> int:
    if a.list:
        rows = [[p.name, f"{p.stat().st_size / 1e6:.1f} MB"] for p in svc.register.db.backups()]
        print(
            table(["バックアップ（新しい順）", "大きさ"], rows, right=[1]) if rows else "バックアップはまだありません"
        )
        return EXIT_OK
    path = svc.register.db.backup("manual")
    print(f"バックアップを作成しました: {path}")
    return EXIT_OK


def cmd_repair(db: Path, a: argparse.Namespace) -> int:
    report = _service().repair(db)
    if not report.repaired:
        print(f"修復の必要はありません: {db} のジャーナルと変更履歴は読めます")
        return EXIT_OK
    assert report.aside is not None and report.backup is not None
    if report.damage is None:
        print(f"変更履歴の最後の、途中で切れた行（{report.log_tail}バイト）を移しました: {report.aside}")
    else:
        d = report.damage
        print(f"ジャーナルの壊れた部分を移しました: {report.aside}")
        print(f"  壊れていた場所: journal.jsonl の {d.offset}バイト目から {d.size}バイト（{d.reason}）")
        more = "（そのあとにもあったかもしれませんが、切り詰められていてわかりません）" if report.more_unknown else ""
        print(f"  失われた変更: 記録 {'、'.join(map(str, report.lost))}{more}")
        for e in report.described:
            print(f"    記録 {e['seq']}  {str(e.get('at', '')).replace('T', ' ')[:16]}  {e.get('summary', '')}")
        print("  → 失われた変更は、必要ならもう一度入力してください（移したバイトはそのファイルに残っています）")
    print(f"  修復の前の状態のバックアップ: {report.backup}")
    print("  修復したことは変更履歴に記録しました（trainer log）")
    return EXIT_OK


def cmd_restore(db: Path, a: argparse.Namespace) -> int:
    from trainer.service import Service  # (imported when the command runs, as by the other groups)

    before = Service.restore_into(db, Path(a.file), a.catalog)  # also when the register no longer opens
    print(f"{a.file} から戻しました。戻す前の状態は {before} に保存しました")
    return EXIT_OK


def cmd_undo(svc: Service, a: argparse.Namespace) -> int:
    plan = svc.undo_plan(a.entry) if a.dry_run else None
    if plan is not None and not plan.possible:
        print(f"No.{plan.seq}（{plan.summary}）: {plan.refusal}", file=sys.stderr)
        return EXIT_ERROR
    if plan is None:
        plan = svc.undo(a.entry)
        head = f"No.{plan.seq} を元に戻しました"
    else:
        head = f"No.{plan.seq} を元に戻せます（確認のみ。まだ何も変えていません）"
    print(f"{head}: {plan.summary}（{plan.at[:16].replace('T', ' ')}）")
    print(f"  書き戻す記録 {len(plan.changes)}件、職員 {len(plan.people)}人")
    if plan.people:
        print(
            "  職員番号: "
            + "、".join(plan.people[:20])
            + (f" ほか{len(plan.people) - 20}人" if len(plan.people) > 20 else "")
        )
    if not a.dry_run:
        print("  元の変更も、元に戻したことも変更履歴に残ります（trainer log）")
    return EXIT_OK


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    p = c.command("signoff", cmd_signoff, "所属長の確認（署名）を記録し、その名簿を凍結する")
    p.add_argument("division", help="所属コード")
    c.fy_option(p)
    p.add_argument("--by", required=True, help="所属長の氏名")
    p.add_argument("--title", help="所属長の職名（例: 課長）")
    p.add_argument("--date", help="確認日（既定: 今日）")
    p.add_argument("--approval-no", help="電子決裁の番号（押印のかわりに）")
    p.add_argument("--note", help="備考")
    p.add_argument("--as-of", help="署名した名簿の基準日（既定: 今日）")
    p.add_argument("--code", help="署名された紙の名簿に印刷された名簿コード（内容が同じか確かめます）")

    p = c.command(
        "verify", cmd_verify, "変更履歴・データベース・署名済みの名簿が改ざんされていないか確かめる", opens="inspect"
    )
    p.add_argument("--roster", metavar="CODE", help="名簿コードの署名の内容（いつ・誰が・何を）を表示する")
    p.add_argument(
        "--anchor",
        metavar="No.SEQ HASH",
        help="書類に印刷された変更履歴のアンカー（例: 「No.1234 7F3A-9C2E-1B4D-5E6F」）が"
        "今の履歴にそのまま残っているか確かめる",
    )

    p = c.command("log", cmd_log, "変更履歴を新しい順に表示する")
    c.fy_option(p)
    p.add_argument("--staff", help="職員番号で絞り込む")
    p.add_argument("--division", help="所属コードで絞り込む")
    p.add_argument("--since", help="この日以降の変更")
    p.add_argument("--limit", type=int, default=50, help="表示する件数（既定 50）")
    c.format_option(p)

    p = c.command(
        "undo",
        cmd_undo,
        "変更履歴の1件を元に戻す（変更前の内容を書き戻す新しい変更として記録し、履歴は消しません。"
        "後の変更が重なっていれば理由を示して断ります）",
    )
    p.add_argument("entry", metavar="ENTRY", help="元に戻す変更の番号（trainer log の左端の番号。例: 123）")
    p.add_argument("--dry-run", action="store_true", help="元に戻せるかと、書き戻す内容を表示するだけ")

    p = c.command("backup", cmd_backup, "データベースのバックアップを作成する（新しい30個を残します）")
    p.add_argument("--list", action="store_true", help="作らずに、あるバックアップを新しい順に表示する")
    p = c.command(
        "restore",
        cmd_restore,
        creates=True,
        help_text="バックアップから戻す（戻す前の状態もバックアップします）",
        opens="folder",
    )
    p.add_argument("file", help="バックアップの zip ファイル")
    c.command(
        "repair",
        cmd_repair,
        "壊れたジャーナルの壊れた部分を別のファイルに移して、データベースを開けるようにする"
        "（先にバックアップし、失われた変更を表示して変更履歴に記録します）",
        opens="folder",
    )


def _service() -> type[Service]:
    """The service class, imported only by the commands that need it before a register is open."""
    from trainer.service import Service

    return Service
