"""The command line: parse arguments, call the service, print. No rules live here."""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from trainer import __version__, signoff
from trainer.calendar import fy_label, parse_date, wareki
from trainer.errors import TrainerError
from trainer.importers.summary import describe_records, describe_roster
from trainer.model import ALL_REQUIREMENTS, STATE_LABELS, LeaveKind
from trainer.paths import default_db_path
from trainer.progress import Task
from trainer.service import Service, StatusReport
from trainer.signoff import state_of as signoff_state
from trainer.textfmt import table

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="使い方: " if prefix is None else prefix)


_ARGPARSE_MESSAGES = [
    (re.compile(r"the following arguments are required: (.+)"), r"必要な引数がありません: \1"),
    (
        re.compile(r"argument (\S+): invalid choice: '(.*)' \(choose from (.+)\)"),
        r"\1: 「\2」は選べません（選べるもの: \3）",
    ),
    (re.compile(r"argument (\S+): invalid int value: '(.*)'"), r"\1: 「\2」は整数ではありません"),
    (re.compile(r"argument (\S+): expected one argument"), r"\1: 値が必要です"),
    (re.compile(r"unrecognized arguments: (.+)"), r"知らない引数です: \1"),
]


class _Parser(argparse.ArgumentParser):
    """argparse in Japanese: section titles, the help flag, the usual errors; usage errors exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        wants_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        if wants_help:
            self.add_argument("-h", "--help", action="help", help="このヘルプを表示して終わる")

    def error(self, message: str) -> None:  # type: ignore[override]
        for pattern, japanese in _ARGPARSE_MESSAGES:
            message = pattern.sub(japanese, message)
        self.print_usage(sys.stderr)
        print(f"{self.prog}: 使い方の誤り: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _today() -> date:
    """Today, or ``$TRAINER_TODAY`` (for demonstrations and tests)."""
    fixed = os.environ.get("TRAINER_TODAY")
    return parse_date(fixed) if fixed else date.today()


def _progress_printer(label: str) -> Task:
    if not sys.stderr.isatty():
        return Task()

    def show(done: int, total: int, message: str) -> None:
        percent = 100 * done // total if total else 100
        end = "" if done < total else "\n"
        print(f"\r\x1b[K{label}: {percent:3d}% {message}", end=end, file=sys.stderr)  # (clear the old line)

    return Task(on_progress=show)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# ------------------------------------------------------------------ commands
def cmd_demo(svc: Service, a: argparse.Namespace) -> int:
    counts = svc.create_demo(a.staff, a.seed, a.fy, a.years, a.force, _progress_printer("デモ作成"))
    print(
        f"デモの市を作成しました: {svc.register.folder}\n"
        f"  所属 {counts['divisions']}、職員 {counts['staff']}、"
        f"受講記録 {counts['records']}、免除 {counts['exemptions']}"
    )
    return EXIT_OK


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
        _print_json(_status_json(report, svc.signoff_states(report.fiscal_year)))
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


def _division_names(svc: Service) -> dict[str, str]:
    return {d.code: d.name for d in svc.divisions()}


def _staff_json(person: Any, divisions: dict[str, str]) -> dict[str, Any]:
    a = person.current
    return {
        "staff_id": person.staff_id,
        "name": person.name,
        "kana": person.kana,
        "division": a.division,
        "division_name": divisions.get(a.division, ""),
        "title": a.title,
        "employment": person.employment,
        "duty": a.duty.value,
        "hired": person.hired.isoformat(),
        "retired": person.retired.isoformat() if person.retired else None,
        "assignments": [
            {"start": x.start.isoformat(), "division": x.division, "title": x.title, "duty": x.duty.value}
            for x in person.assignments
        ],
        "leaves": [
            {"kind": x.kind.value, "start": x.start.isoformat(), "end": x.end.isoformat() if x.end else None}
            for x in person.leaves
        ],
    }


def cmd_staff_list(svc: Service, a: argparse.Namespace) -> int:
    people = svc.list_staff(a.division, a.all)
    names = _division_names(svc)
    if a.format == "json":
        _print_json([_staff_json(p, names) for p in people])
        return EXIT_OK
    rows = [
        [
            p.staff_id,
            p.name,
            p.kana,
            names.get(p.current.division, p.current.division),
            p.current.title,
            p.employment,
            p.current.duty.value,
        ]
        for p in people
    ]
    print(table(["職員番号", "氏名", "カナ", "所属", "職名", "任用区分", "事務区分"], rows))
    print(f"\n{len(people)}人")
    return EXIT_OK


def cmd_staff_show(svc: Service, a: argparse.Namespace) -> int:
    view = svc.person(a.staff_id, a.fy)
    person, status, fy = view.staff, view.status, view.fiscal_year
    names = _division_names(svc)
    if a.format == "json":
        data = _staff_json(person, names)
        data["fiscal_year"] = fy
        data["state"] = status.state.value if status else None
        data["requirements"] = [
            {
                "id": r.requirement,
                "state": r.state.value,
                "deadline": r.deadline.isoformat() if r.deadline else None,
                "completed_on": r.completed_on.isoformat() if r.completed_on else None,
                "percent": r.percent,
                "note": r.note,
            }
            for r in (status.requirements if status else ())
        ]
        data["exemptions"] = [
            {"requirement": e.requirement, "reason": e.reason, "on": e.on.isoformat()} for e in view.exemptions
        ]
        _print_json(data)
        return EXIT_OK
    print(f"{person.staff_id}  {person.name}（{person.kana}）  {person.employment}")
    print(f"採用 {wareki(person.hired)}" + (f"  退職 {wareki(person.retired)}" if person.retired else ""))
    print("\n配属の履歴:")
    for x in person.assignments:
        print(f"  {wareki(x.start)}〜  {names.get(x.division, x.division)}（{x.division}） {x.title}  {x.duty.value}")
    if person.leaves:
        print("休業:")
        for leave in person.leaves:
            end = wareki(leave.end) if leave.end else ""
            print(f"  {leave.kind.value}  {wareki(leave.start)}〜{end}")
    print(f"\n{fy_label(fy)}:", STATE_LABELS[status.state] if status else "対象外（利用事務に従事していません）")
    if status:
        rows = []
        for r in status.requirements:
            req = svc.catalog.by_id[r.requirement]
            rows.append(
                [
                    req.short_title,
                    r.label,
                    wareki(r.completed_on) if r.completed_on else "",
                    wareki(r.deadline) if r.deadline else "（休業中）",
                    r.note,
                ]
            )
        print(table(["研修", "状態", "修了日", "期限", "備考"], rows))
    if view.exemptions:
        print("\n免除:")
        for e in view.exemptions:
            what = "すべての研修" if e.requirement == ALL_REQUIREMENTS else svc.catalog.by_id[e.requirement].short_title
            print(f"  {what}: {e.reason}（{wareki(e.on)} 記録）")
    return EXIT_OK


def cmd_staff_add(svc: Service, a: argparse.Namespace) -> int:
    p = svc.add_staff(a.staff_id, a.name, a.kana, a.division, a.title, a.employment, a.duty, a.hired)
    print(f"登録しました: {p.staff_id} {p.name}")
    return EXIT_OK


def cmd_staff_update(svc: Service, a: argparse.Namespace) -> int:
    p = svc.update_staff(a.staff_id, a.name, a.kana, a.employment, a.title, a.duty, a.effective)
    print(f"更新しました: {p.staff_id} {p.name}")
    return EXIT_OK


def cmd_staff_transfer(svc: Service, a: argparse.Namespace) -> int:
    p = svc.transfer(a.staff_id, a.division, a.on, a.title, a.duty)
    print(f"異動を登録しました: {p.staff_id} {p.name} → {a.division}（{wareki(parse_date(a.on))}から）")
    return EXIT_OK


def cmd_staff_leave(svc: Service, a: argparse.Namespace) -> int:
    p = svc.leave(a.staff_id, a.kind, a.start, a.end)
    leave = next(x for x in p.leaves if x.kind.value == a.kind and x.start == parse_date(a.start))
    period = f"{wareki(leave.start)}〜{wareki(leave.end) if leave.end else ''}"
    print(f"休業を登録しました: {p.staff_id} {p.name} {leave.kind.value} {period}")
    return EXIT_OK


def cmd_staff_retire(svc: Service, a: argparse.Namespace) -> int:
    p = svc.retire(a.staff_id, a.on)
    print(f"退職を登録しました: {p.staff_id} {p.name}（退職日 {wareki(p.retired)}）")  # type: ignore[arg-type]
    return EXIT_OK


def cmd_division_list(svc: Service, a: argparse.Namespace) -> int:
    divisions = svc.divisions()
    if a.format == "json":
        _print_json(
            [{"code": d.code, "name": d.name, "head_title": d.head_title, "head_name": d.head_name} for d in divisions]
        )
        return EXIT_OK
    print(
        table(
            ["所属コード", "所属名", "所属長 職名", "所属長 氏名"],
            [[d.code, d.name, d.head_title, d.head_name] for d in divisions],
        )
    )
    return EXIT_OK


def cmd_division_add(svc: Service, a: argparse.Namespace) -> int:
    d = svc.add_division(a.code, a.name, a.head_title, a.head_name)
    print(f"所属を登録しました: {d.code} {d.name}")
    return EXIT_OK


def cmd_division_update(svc: Service, a: argparse.Namespace) -> int:
    d = svc.update_division(a.code, a.name, a.head_title, a.head_name)
    print(f"所属を更新しました: {d.code} {d.name}")
    return EXIT_OK


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


def _import_printer(label: str) -> Task:
    """Progress on stderr for long imports: percent, rows per second, rows left."""
    if not sys.stderr.isatty():
        return Task()
    started = time.monotonic()

    def show(done: int, total: int, message: str) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = done / elapsed
        left = total - done
        end = "" if done < total else "\n"
        print(f"\r{label}: {done}/{total}行 {rate:,.0f}行/秒 残り{left}行 {message}   ", end=end, file=sys.stderr)

    return Task(on_progress=show)


def _report_plan(lines: list[str], dry_run: bool) -> None:
    print("\n".join(lines))
    print(
        "\n（--dry-run: 何も変更していません）"
        if dry_run
        else "\n取り込みました（取り込む前の状態はバックアップしました）"
    )


def cmd_import_staff(svc: Service, a: argparse.Namespace) -> int:
    plan = svc.import_staff(
        Path(a.file), a.as_of, a.dry_run, a.mapping, a.encoding, a.retire_missing, _import_printer("名簿")
    )
    _report_plan(describe_roster(plan), a.dry_run)
    return EXIT_OK


def cmd_import_progress(svc: Service, a: argparse.Namespace) -> int:
    plan = svc.import_progress(Path(a.file), a.fy, a.dry_run, a.mapping, a.encoding, _import_printer("受講状況"))
    _report_plan(describe_records(plan), a.dry_run)
    return EXIT_OK


def cmd_import_checkpoint(svc: Service, a: argparse.Namespace) -> int:
    plan = svc.import_checkpoint(
        Path(a.file), a.fy, a.dry_run, a.mapping, a.encoding, _import_printer("チェックシート")
    )
    _report_plan(describe_records(plan), a.dry_run)
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
        _progress_printer("名簿"),
        a.templates,
        signed=a.signed,
    )
    for path in paths:
        print(path)
    print(f"{len(paths)}個のファイルを書き出しました", file=sys.stderr)
    return EXIT_OK


def cmd_report_overdue(svc: Service, a: argparse.Namespace) -> int:
    fy = svc.fiscal_year(a.fy)
    out = a.output or Path(f"{fy_label(fy)}_未修了者一覧{'_' + a.division if a.division else ''}.{a.format}")
    print(svc.report_overdue(out, fy, a.as_of, a.division, a.format, a.templates))
    return EXIT_OK


def cmd_report_audit(svc: Service, a: argparse.Namespace) -> int:
    fy = svc.fiscal_year(a.fy)
    out = a.output or Path(f"{fy_label(fy)}_研修実施状況報告.{a.format}")
    print(svc.report_audit(out, fy, a.format, _progress_printer("監査用報告"), a.templates))
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
    frozen = doc["frozen"]
    division = frozen["division"]
    state = signoff_state(doc)
    print(f"名簿コード {doc['code']}: {state}")
    print(
        f"  {frozen['fy_label']} {division['code']} {division['name']} の修了者名簿"
        f"（{frozen['as_of']} 現在、{len(frozen['rows'])}人）"
    )
    print(f"  署名: {doc['title']} {doc['by']}、確認日 {doc['date_label']}（記録 {doc['signed_label']}）")
    if doc.get("approval_no"):
        print(f"  電子決裁番号: {doc['approval_no']}")
    if doc.get("note"):
        print(f"  備考: {doc['note']}")
    t = frozen["totals"]
    print(
        f"  対象 {t['in_scope']}人: 修了 {t['completed']}、免除 {t['exempt']}、期限超過 {t['overdue']}、"
        f"受講中 {t['in_progress']}、未受講 {t['not_started']}"
    )
    if doc.get("superseded_by"):
        print(f"  この署名は名簿コード {doc['superseded_by']} の署名に置き換わっています")
    for change in doc.get("changes_since", ()):
        print(f"  署名後の変更（記録 {change['seq']}）: {change['summary']}")


def cmd_verify(svc: Service, a: argparse.Namespace) -> int:
    if a.roster:
        _print_signed(svc, svc.signed(a.roster))
        return EXIT_OK
    result = svc.verify(_progress_printer("検証"))
    if result.ok:
        print(
            f"OK: 変更履歴 {result.entries}件のつながりが正しく、データベースは履歴と一致し、"
            f"署名済みの名簿 {result.signoffs}件はすべて名簿コードと一致します"
        )
        return EXIT_OK
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
    "signoff": "署名", "restore": "復元", "demo": "デモ作成", "settings": "設定",
    "baseline": "記録開始", "change": "変更",
}  # fmt: skip


def cmd_log(svc: Service, a: argparse.Namespace) -> int:
    entries = svc.log(a.fy, a.staff, a.division, a.since)
    if a.format == "json":
        _print_json(entries)
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


def run_tui(db: Path, catalog: Path | None) -> int:
    """Open the terminal app (the only place the CLI touches Textual, and only when asked)."""
    from trainer.tui.app import create_app

    gc.enable()  # the app runs all day: cycles must be collected (it freezes the loaded register)
    create_app(db, catalog, today=_today).run()
    return EXIT_OK


def cmd_employment_types(svc: Service, a: argparse.Namespace) -> int:
    if a.set is not None:
        types = svc.set_employment_types(a.set.split(","))
        print("任用区分を更新しました: " + "、".join(types))
    else:
        print("\n".join(svc.employment_types()))
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


def cmd_restore(svc: Service, a: argparse.Namespace) -> int:
    before = svc.restore(Path(a.file))
    print(f"{a.file} から戻しました。戻す前の状態は {before} に保存しました")
    return EXIT_OK


# --------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="trainer",
        description="マイナンバー利用事務に従事する職員の研修（接続運用研修・サイバーセキュリティ研修）の受講管理",
        epilog="例: trainer demo && trainer status",
    )
    parser.add_argument("--version", action="version", version=f"trainer {__version__}", help="版を表示して終わる")
    db_help = "データベースのフォルダ（既定: 環境変数 TRAINER_DB、なければユーザーのデータフォルダ）"
    catalog_help = "研修カタログのフォルダ（courses/ と checklists/ を含む）。既定: TRAINER_CATALOG、なければ同梱のもの"
    parser.add_argument("--db", type=Path, help=db_help)
    parser.add_argument("--catalog", type=Path, help=catalog_help)
    # The same options after the command; SUPPRESS keeps a value given before the command.
    common = _Parser(add_help=False)
    common._optionals.title = "共通オプション"
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=db_help)
    common.add_argument("--catalog", type=Path, default=argparse.SUPPRESS, help=catalog_help)
    sub = parser.add_subparsers(
        dest="command",
        metavar="COMMAND",
        title="コマンド",
        help="trainer COMMAND --help で詳しく",
        parser_class=_Parser,
    )

    def command(
        name: str,
        func: Callable[[Service, argparse.Namespace], int],
        help_text: str,
        parent: Any = sub,
        creates: bool = False,
    ) -> argparse.ArgumentParser:
        """A command; only those that ``creates`` make a new database where none is."""
        p = parent.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(func=func, creates=creates)
        return p

    def fy_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--fy", help="年度（2026、令和8年度、R8 など。既定: 今日の年度）")

    def format_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=["table", "json"], default="table", help="出力形式（既定 table）")

    def group(name: str, help_text: str, description: str, metavar: str, title: str, listing: str) -> Any:
        """A command with subcommands (staff, division, import, report)."""
        parser = sub.add_parser(name, help=help_text, description=description)
        return parser.add_subparsers(
            dest=f"{name}_command", metavar=metavar, title=title, help=listing, required=True, parser_class=_Parser
        )

    p = command("demo", cmd_demo, "架空の市のデモデータを作成する", creates=True)
    p.add_argument("--staff", type=int, default=300, help="職員数（既定 300。政令市規模なら 50000）")
    p.add_argument("--seed", type=int, default=1, help="乱数の種（同じ種なら同じ市）")
    fy_option(p)
    p.add_argument("--years", type=int, default=2, help="受講記録を作る年度の数（既定 2: 前年度と今年度）")
    p.add_argument(
        "--force", action="store_true", help="データのあるデータベースを置き換える（先にバックアップします）"
    )

    p = command("status", cmd_status, "年度の受講状況（所属別・研修別の人数）を表示する")
    fy_option(p)
    p.add_argument("--as-of", help="基準日（既定: 今日。過去の年度はその年度末）")
    p.add_argument("--division", help="所属コードで絞り込む")
    format_option(p)

    staff_sub = group(
        "staff", "職員名簿を見る・1人ずつ登録・変更する", "職員名簿の操作", "SUBCOMMAND", "サブコマンド",
        "list / show / add / update / transfer / leave / retire",
    )  # fmt: skip
    p = command("list", cmd_staff_list, "職員の一覧", staff_sub)
    p.add_argument("--division", help="所属コードで絞り込む")
    p.add_argument("--all", action="store_true", help="退職者も含める")
    format_option(p)
    p = command("show", cmd_staff_show, "1人の詳細・履歴・今年度の受講状況", staff_sub)
    p.add_argument("staff_id", help="職員番号")
    fy_option(p)
    format_option(p)
    p = command("add", cmd_staff_add, "職員を登録する", staff_sub, creates=True)
    p.add_argument("staff_id", help="職員番号（先頭の0も含めて文字列のまま保存します）")
    p.add_argument("--name", required=True, help="氏名")
    p.add_argument("--kana", required=True, help="カナ（半角カナも可）")
    p.add_argument("--division", required=True, help="所属コード")
    p.add_argument("--title", default="", help="職名")
    p.add_argument("--employment", required=True, help="任用区分（正規職員、会計年度任用職員 など）")
    p.add_argument("--duty", default="利用事務", help="事務区分: 利用事務 / 関係事務 / なし（既定 利用事務）")
    p.add_argument("--hired", required=True, help="採用日")
    p = command("update", cmd_staff_update, "氏名・カナ・任用区分の訂正、職名・事務区分の変更", staff_sub)
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("--name", help="氏名")
    p.add_argument("--kana", help="カナ")
    p.add_argument("--employment", help="任用区分")
    p.add_argument("--title", help="職名（--effective の日から）")
    p.add_argument("--duty", help="事務区分（--effective の日から）")
    p.add_argument("--effective", help="職名・事務区分の変更日（既定: 今日）")
    p = command("transfer", cmd_staff_transfer, "異動を登録する（異動日から新しい所属の職員になる）", staff_sub)
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("division", help="異動先の所属コード")
    p.add_argument("--on", required=True, help="異動日")
    p.add_argument("--title", help="異動後の職名")
    p.add_argument("--duty", help="異動後の事務区分")
    p = command(
        "leave",
        cmd_staff_leave,
        "休職・育児休業・病気休暇を登録する（同じ開始日で再実行すると終了日を更新）",
        staff_sub,
    )
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("kind", choices=[k.value for k in LeaveKind], help="種類")
    p.add_argument("--start", required=True, help="開始日")
    p.add_argument("--end", help="終了日（復帰日の前日。未定なら省略）")
    p = command("retire", cmd_staff_retire, "退職を登録する", staff_sub)
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("--on", required=True, help="退職日（在職の最後の日）")

    division_sub = group(
        "division", "所属（課）の一覧・登録・変更", "所属の操作", "SUBCOMMAND", "サブコマンド", "list / add / update"
    )
    p = command("list", cmd_division_list, "所属の一覧", division_sub)
    format_option(p)
    p = command("add", cmd_division_add, "所属を登録する", division_sub, creates=True)
    p.add_argument("code", help="所属コード")
    p.add_argument("--name", required=True, help="所属名")
    p.add_argument("--head-title", default="課長", help="所属長の職名（既定 課長）")
    p.add_argument("--head-name", default="", help="所属長の氏名")
    p = command("update", cmd_division_update, "所属名・所属長を変更する", division_sub)
    p.add_argument("code", help="所属コード")
    p.add_argument("--name", help="所属名")
    p.add_argument("--head-title", help="所属長の職名")
    p.add_argument("--head-name", help="所属長の氏名")

    p = command("record", cmd_record, "受講の進捗・修了を記録する")
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("requirement", help="研修（intro / rules / flow / security / checkpoint、または名称）")
    p.add_argument("--date", required=True, help="修了日（進捗なら報告日）")
    p.add_argument("--progress", type=int, help="進捗率 0〜100（省略すると修了）")
    fy_option(p)
    p.add_argument("--replace", action="store_true", help="記録済みの修了日を訂正する")

    p = command("exempt", cmd_exempt, "受講の免除を理由とともに記録する")
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("requirement", help="研修の id、または all（すべて）")
    p.add_argument("--reason", required=True, help="免除の理由（監査で説明できるもの）")
    fy_option(p)

    import_sub = group(
        "import", "職員名簿・受講状況・チェックシートを取り込む", "ファイルの取り込み（全件正しいときだけ反映）",
        "KIND", "取り込むもの", "staff / progress / checkpoint",
    )  # fmt: skip

    def import_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", help="CSV（UTF-8・BOM 付き UTF-8・CP932）、TSV、XLSX")
        p.add_argument("--dry-run", action="store_true", help="変更内容と問題だけを表示し、何も書き込まない")
        p.add_argument("--mapping", type=Path, help="見出しが違うときの対応表（YAML）")
        p.add_argument("--encoding", help="CSV の文字コードを指定する（既定: 自動判定）")

    p = command("staff", cmd_import_staff, "人事の職員名簿（基準日現在）を取り込む", import_sub, creates=True)
    import_options(p)
    p.add_argument("--as-of", help="名簿の基準日（既定: 今日）。異動・変更はこの日付で記録します")
    p.add_argument("--retire-missing", action="store_true", help="名簿にない在職者を基準日の前日付で退職にする")
    p = command("progress", cmd_import_progress, "e-ラーニングの受講状況を取り込む", import_sub)
    import_options(p)
    fy_option(p)
    p = command("checkpoint", cmd_import_checkpoint, "所属から戻ったチェックシートを取り込む", import_sub)
    import_options(p)
    fy_option(p)

    p = command("export", cmd_export, "年度の受講状況を CSV または XLSX に書き出す")
    p.add_argument("file", help="書き出すファイル（拡張子 .csv / .tsv / .xlsx で形式が決まります）")
    fy_option(p)
    p.add_argument("--division", help="所属コードで絞り込む")
    p.add_argument(
        "--encoding", default="utf-8-sig", help="CSV の文字コード（既定 utf-8-sig: Excel で開けます。cp932 も可）"
    )

    report_sub = group(
        "report", "修了者名簿・未修了者一覧・監査用報告を作る", "レポート（PDF または HTML）", "REPORT", "レポート",
        "roster / overdue / audit",
    )  # fmt: skip

    def report_options(p: argparse.ArgumentParser, output_help: str) -> None:
        fy_option(p)
        p.add_argument("-o", "--output", type=Path, help=output_help)
        p.add_argument("--format", choices=["pdf", "html"], default="pdf", help="形式（既定 pdf）")
        p.add_argument(
            "--templates", type=Path, help="自団体のひな形フォルダ（既定: TRAINER_REPORTS、なければ同梱の reports/）"
        )

    p = command("roster", cmd_report_roster, "所属ごとの修了者名簿（所属長の確認・署名用）", report_sub)
    report_options(p, "書き出すフォルダ（既定: 今のフォルダ）")
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
    p = command("overdue", cmd_report_overdue, "未修了者一覧（督促用）", report_sub)
    report_options(p, "書き出すファイル（既定: 年度_未修了者一覧.pdf）")
    p.add_argument("--as-of", help="基準日（既定: 今日）")
    p.add_argument("--division", help="所属コードで絞り込む")
    p = command("audit", cmd_report_audit, "年度の監査用報告（表紙・基準・所属別・免除・未修了・署名状況）", report_sub)
    report_options(p, "書き出すファイル（既定: 年度_研修実施状況報告.pdf）")

    sub.add_parser(
        "tui",
        help="端末の画面（アプリ）を開く（引数なしの trainer と同じ）",
        description="端末の画面を開く",
        parents=[common],
    )

    p = command("settings", cmd_settings, "団体名などの設定を表示・変更する")
    p.add_argument("key", nargs="?", help="設定の名前（organization: 団体名、operator: 作業者名）")
    p.add_argument("value", nargs="?", help="新しい値")

    p = command("signoff", cmd_signoff, "所属長の確認（署名）を記録し、その名簿を凍結する")
    p.add_argument("division", help="所属コード")
    fy_option(p)
    p.add_argument("--by", required=True, help="所属長の氏名")
    p.add_argument("--title", help="所属長の職名（例: 課長）")
    p.add_argument("--date", help="確認日（既定: 今日）")
    p.add_argument("--approval-no", help="電子決裁の番号（押印のかわりに）")
    p.add_argument("--note", help="備考")
    p.add_argument("--as-of", help="署名した名簿の基準日（既定: 今日）")
    p.add_argument("--code", help="署名された紙の名簿に印刷された名簿コード（内容が同じか確かめます）")

    p = command("verify", cmd_verify, "変更履歴・データベース・署名済みの名簿が改ざんされていないか確かめる")
    p.add_argument("--roster", metavar="CODE", help="名簿コードの署名の内容（いつ・誰が・何を）を表示する")

    p = command("log", cmd_log, "変更履歴を新しい順に表示する")
    fy_option(p)
    p.add_argument("--staff", help="職員番号で絞り込む")
    p.add_argument("--division", help="所属コードで絞り込む")
    p.add_argument("--since", help="この日以降の変更")
    p.add_argument("--limit", type=int, default=50, help="表示する件数（既定 50）")
    format_option(p)

    p = command("employment-types", cmd_employment_types, "任用区分の一覧を表示・変更する（団体ごとに設定できます）")
    p.add_argument(
        "--set", metavar="A,B,…", help="カンマ区切りで一覧を置き換える（登録済みの職員が使う区分は消せません）"
    )

    p = command("backup", cmd_backup, "データベースのバックアップを作成する（新しい30個を残します）")
    p.add_argument("--list", action="store_true", help="作らずに、あるバックアップを新しい順に表示する")
    p = command(
        "restore", cmd_restore, creates=True, help_text="バックアップから戻す（戻す前の状態もバックアップします）"
    )
    p.add_argument("file", help="バックアップの zip ファイル")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "tui"):
        try:
            return run_tui(args.db or default_db_path(), args.catalog)
        except TrainerError as e:
            print(f"エラー: {e}", file=sys.stderr)
            return EXIT_ERROR
    try:
        svc = Service.open(args.db or default_db_path(), args.catalog, today=_today, create=args.creates)
        try:
            return args.func(svc, args)
        finally:
            svc.close()
    except TrainerError as e:
        print(f"エラー: {e}", file=sys.stderr)  # the message, then "  → what to do"
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("中断しました", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head or less, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def run() -> None:
    """The ``trainer`` console script: one command, then the process exits.

    The cyclic garbage collector is off for that short life, and the process ends without the
    interpreter's final collection: reference counting still frees whatever is dropped, and the
    collector would only rescan the register's hundreds of thousands of live objects. The TUI,
    which runs all day, turns it back on; tests that call :func:`main` never turn it off.
    """
    gc.disable()
    code = main()
    # Python's shutdown would still run a full collection over every object the command loaded
    # (most of a second at city scale). Everything we wrote is already synced and closed; only
    # the standard streams need flushing.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
