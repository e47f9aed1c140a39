"""trainer staff / division / employment-types: the people and the divisions."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from trainer.calendar import fy_label, parse_date, wareki
from trainer.cli.base import EXIT_OK, EXIT_USAGE, Commands, print_json
from trainer.model import ALL_REQUIREMENTS, STATE_LABELS, Catalog, Exemption, LeaveKind
from trainer.rules import RequirementStatus
from trainer.textfmt import table

if TYPE_CHECKING:
    from trainer.service import Service


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
        "earlier_periods": [
            {"start": x.start.isoformat(), "end": x.end.isoformat() if x.end else None} for x in person.earlier
        ],
        "concurrent": [
            {
                "division": x.division,
                "start": x.start.isoformat(),
                "end": x.end.isoformat() if x.end else None,
                "title": x.title,
            }
            for x in person.concurrent
        ],
        "learner_id": person.learner_id or None,
    }


def cmd_staff_list(svc: Service, a: argparse.Namespace) -> int:
    people = svc.list_staff(a.division, a.all)
    names = _division_names(svc)
    if a.format == "json":
        print_json([_staff_json(p, names) for p in people])
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


def _requirement_json(r: RequirementStatus) -> dict[str, Any]:
    return {
        "id": r.requirement,
        "state": r.state.value,
        "deadline": r.deadline.isoformat() if r.deadline else None,
        "completed_on": r.completed_on.isoformat() if r.completed_on else None,
        "percent": r.percent,
        "note": r.note,
    }


def exemption_json(e: Exemption) -> dict[str, Any]:
    return {
        "no": e.no,
        "requirement": e.requirement,
        "kind": e.kind or None,
        "reason": e.reason,
        "approved_by": e.approved_by or None,
        "approved_on": e.approved_on.isoformat() if e.approved_on else None,
        "evidence": e.evidence or None,
        "effective": e.starts.isoformat(),
        "recorded_on": e.on.isoformat(),
        "revoked_on": e.revoked_on.isoformat() if e.revoked_on else None,
        "revoked_reason": e.revoked_reason or None,
    }


def cmd_staff_show(svc: Service, a: argparse.Namespace) -> int:
    view = svc.person(a.staff_id, a.fy)
    person, status, gone, fy = view.staff, view.status, view.departure, view.fiscal_year
    catalog = view.catalog or svc.catalog
    named = [x.division for x in person.assignments] + [x.division for x in person.concurrent]
    if gone:
        named += [gone.division, *([gone.moved_to.division] if gone.moved_to else [])]
    names = svc.division_names(named)
    if a.format == "json":
        data = _staff_json(person, names)
        data["fiscal_year"] = fy
        data["as_of"] = view.as_of.isoformat()
        data["state"] = status.state.value if status else ("left" if gone else None)
        data["requirements"] = [_requirement_json(r) for r in (status.requirements if status else ())]
        data["departure"] = (
            {
                "left_on": gone.left_on.isoformat(),
                "division": gone.division,
                "reason": gone.reason.value,
                "reason_label": gone.reason.label,
                "moved_to": {"division": gone.moved_to.division, "duty": gone.moved_to.duty.value}
                if gone.moved_to
                else None,
                "outstanding": list(gone.outstanding),
                "requirements": [_requirement_json(r) for r in gone.requirements],
            }
            if gone
            else None
        )
        data["exemptions"] = [exemption_json(e) for e in view.exemptions]
        print_json(data)
        return EXIT_OK
    print(f"{person.staff_id}  {person.name}（{person.kana}）  {person.employment}")
    for period in person.earlier:
        print(f"在職 {wareki(period.start)}〜{wareki(period.end) if period.end else ''}（前の任用）")
    print(
        ("再採用 " if person.earlier else "採用 ")
        + wareki(person.hired)
        + (f"  退職 {wareki(person.retired)}" if person.retired else "")
        + (f"  学習者ID {person.learner_id}" if person.learner_id else "")
    )
    print("\n配属の履歴:")
    for x in person.assignments:
        print(f"  {wareki(x.start)}〜  {names.get(x.division, x.division)}（{x.division}） {x.title}  {x.duty.value}")
    if person.concurrent:
        print("兼務:")
        for post in person.concurrent:
            end = wareki(post.end) if post.end else ""
            where = f"{names.get(post.division, post.division)}（{post.division}）"
            print(f"  {wareki(post.start)}〜{end}  {where} {post.title}")
    if person.leaves:
        print("休業:")
        for leave in person.leaves:
            end = wareki(leave.end) if leave.end else ""
            print(f"  {leave.kind.value}  {wareki(leave.start)}〜{end}")
    heading = f"\n{fy_label(fy)}（{wareki(view.as_of)} 現在）:"
    if status:
        print(heading, STATE_LABELS[status.state])
        _print_requirements(catalog, status.requirements)
    elif gone:
        division = names.get(gone.division, gone.division)
        reason = gone.reason_text(names)
        print(heading, f"年度途中の離脱 — {reason}、{wareki(gone.left_on)}まで{division}で対象")
        print("離脱した日の状態:")
        _print_requirements(catalog, gone.requirements)
        owed = "、".join(catalog.by_id[r].short_title for r in gone.outstanding)
        print(f"未修了のまま離脱: {owed}" if owed else "離脱までにすべて修了しています")
    else:
        print(heading, "対象外（この年度に利用事務に従事した日はありません）")
    if view.exemptions:
        print("\n免除:")
        for e in view.exemptions:
            what = "すべての研修" if e.requirement == ALL_REQUIREMENTS else _short(catalog, e.requirement)
            approved = f"承認 {e.approved_by}（{wareki(e.approved_on or e.on)}）" if e.approved else "承認者未記録"
            evidence = f"、根拠 {e.evidence}" if e.evidence else ""
            print(f"  No.{e.no} {what}: {e.reason} — {approved}{evidence}、{wareki(e.starts)}から")
            if e.revoked_on:
                print(f"      {wareki(e.revoked_on)} 取り消し（理由: {e.revoked_reason}）")
    return EXIT_OK


def _short(catalog: Catalog, requirement_id: str) -> str:
    found = catalog.get(requirement_id)
    return found.short_title if found else requirement_id


def _print_requirements(catalog: Catalog, statuses: tuple[RequirementStatus, ...]) -> None:
    rows = []
    for r in statuses:
        rows.append(
            [
                _short(catalog, r.requirement),
                r.label,
                wareki(r.completed_on) if r.completed_on else "",
                wareki(r.deadline) if r.deadline else "（休業中）",
                r.note,
            ]
        )
    print(table(["研修", "状態", "修了日", "期限", "備考"], rows))


def cmd_staff_add(svc: Service, a: argparse.Namespace) -> int:
    p = svc.add_staff(a.staff_id, a.name, a.kana, a.division, a.title, a.employment, a.duty, a.hired)
    print(f"登録しました: {p.staff_id} {p.name}")
    return EXIT_OK


def cmd_staff_update(svc: Service, a: argparse.Namespace) -> int:
    p = svc.update_staff(a.staff_id, a.name, a.kana, a.employment, a.title, a.duty, a.effective, a.learner_id)
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
    if a.cancel:
        p = svc.cancel_retirement(a.staff_id)
        print(f"退職の記録を取り消しました: {p.staff_id} {p.name}（在職中に戻しました）")
        return EXIT_OK
    if not a.on:
        print("trainer staff retire: --on 退職日 を指定してください（取り消すなら --cancel）", file=sys.stderr)
        return EXIT_USAGE
    p = svc.retire(a.staff_id, a.on)
    print(f"退職を登録しました: {p.staff_id} {p.name}（退職日 {wareki(p.retired)}）")  # type: ignore[arg-type]
    return EXIT_OK


def cmd_staff_rehire(svc: Service, a: argparse.Namespace) -> int:
    p = svc.rehire(a.staff_id, a.on, a.division, a.employment, a.title, a.duty)
    earlier = p.earlier[-1]
    print(
        f"再採用を登録しました: {p.staff_id} {p.name}（{wareki(p.hired)}から {p.current.division}、{p.employment}。"
        f"前の在職 {wareki(earlier.start)}〜{wareki(earlier.end) if earlier.end else ''}）"
    )
    return EXIT_OK


def cmd_staff_concurrent(svc: Service, a: argparse.Namespace) -> int:
    p = svc.concurrent_post(a.staff_id, a.division, a.start, a.end, a.title or "")
    post = next(c for c in p.concurrent if c.division == a.division and c.start == parse_date(a.start))
    period = f"{wareki(post.start)}〜{wareki(post.end) if post.end else ''}"
    print(f"兼務を登録しました: {p.staff_id} {p.name} → {post.division}（{period}）")
    return EXIT_OK


def cmd_division_list(svc: Service, a: argparse.Namespace) -> int:
    divisions = svc.divisions()
    if a.format == "json":
        print_json(
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


def cmd_employment_types(svc: Service, a: argparse.Namespace) -> int:
    if a.set is not None:
        types = svc.set_employment_types(a.set.split(","))
        print("任用区分を更新しました: " + "、".join(types))
    else:
        print("\n".join(svc.employment_types()))
    return EXIT_OK


def add_commands(c: Commands) -> None:
    """Declare this module's commands."""
    staff_sub = c.group(
        "staff", "職員名簿を見る・1人ずつ登録・変更する", "職員名簿の操作", "SUBCOMMAND", "サブコマンド",
        "list / show / add / update / transfer / leave / retire",
    )  # fmt: skip
    p = c.command("list", cmd_staff_list, "職員の一覧", staff_sub)
    p.add_argument("--division", help="所属コードで絞り込む")
    p.add_argument("--all", action="store_true", help="退職者も含める")
    c.format_option(p)
    p = c.command("show", cmd_staff_show, "1人の詳細・履歴・今年度の受講状況", staff_sub)
    p.add_argument("staff_id", help="職員番号")
    c.fy_option(p)
    c.format_option(p)
    p = c.command("add", cmd_staff_add, "職員を登録する", staff_sub, creates=True)
    p.add_argument("staff_id", help="職員番号（先頭の0も含めて文字列のまま保存します）")
    p.add_argument("--name", required=True, help="氏名")
    p.add_argument("--kana", required=True, help="カナ（半角カナも可）")
    p.add_argument("--division", required=True, help="所属コード")
    p.add_argument("--title", default="", help="職名")
    p.add_argument("--employment", required=True, help="任用区分（正規職員、会計年度任用職員 など）")
    p.add_argument("--duty", default="利用事務", help="事務区分: 利用事務 / 関係事務 / なし（既定 利用事務）")
    p.add_argument("--hired", required=True, help="採用日")
    p = c.command("update", cmd_staff_update, "氏名・カナ・任用区分の訂正、職名・事務区分の変更", staff_sub)
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("--name", help="氏名")
    p.add_argument("--kana", help="カナ")
    p.add_argument("--employment", help="任用区分")
    p.add_argument("--title", help="職名（--effective の日から）")
    p.add_argument("--duty", help="事務区分（--effective の日から）")
    p.add_argument("--effective", help="職名・事務区分の変更日（既定: 今日）")
    p.add_argument("--learner-id", help="e-ラーニングの学習者ID（職員番号と違うとき。受講状況の取込で照合します）")
    p = c.command("transfer", cmd_staff_transfer, "異動を登録する（異動日から新しい所属の職員になる）", staff_sub)
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("division", help="異動先の所属コード")
    p.add_argument("--on", required=True, help="異動日")
    p.add_argument("--title", help="異動後の職名")
    p.add_argument("--duty", help="異動後の事務区分")
    p = c.command(
        "leave",
        cmd_staff_leave,
        "休職・育児休業・病気休暇を登録する（同じ開始日で再実行すると終了日を更新）",
        staff_sub,
    )
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("kind", choices=[k.value for k in LeaveKind], help="種類")
    p.add_argument("--start", required=True, help="開始日")
    p.add_argument("--end", help="終了日（復帰日の前日。未定なら省略）")
    p = c.command("retire", cmd_staff_retire, "退職を登録する（誤って登録した退職は --cancel で取り消す）", staff_sub)
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("--on", help="退職日（在職の最後の日）")
    p.add_argument("--cancel", action="store_true", help="登録した退職を取り消して在職中に戻す（記録は残ります）")
    p = c.command(
        "rehire",
        cmd_staff_rehire,
        "退職した職員を同じ職員番号で再び採用する（再任用・会計年度任用職員の再度の任用など）",
        staff_sub,
    )
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("--on", required=True, help="再採用の日")
    p.add_argument("--division", help="所属コード（既定: 退職したときの所属）")
    p.add_argument("--employment", help="任用区分（例: 再任用職員）")
    p.add_argument("--title", help="職名")
    p.add_argument("--duty", help="事務区分")
    p = c.command("concurrent", cmd_staff_concurrent, "兼務（別の所属との兼務）を登録する", staff_sub)
    p.add_argument("staff_id", help="職員番号")
    p.add_argument("division", help="兼務先の所属コード")
    p.add_argument("--from", dest="start", required=True, help="兼務の開始日")
    p.add_argument("--to", dest="end", help="兼務の終了日（未定なら省略。同じ開始日で再実行すると更新）")
    p.add_argument("--title", help="兼務先での職名")

    division_sub = c.group(
        "division", "所属（課）の一覧・登録・変更", "所属の操作", "SUBCOMMAND", "サブコマンド", "list / add / update"
    )
    p = c.command("list", cmd_division_list, "所属の一覧", division_sub)
    c.format_option(p)
    p = c.command("add", cmd_division_add, "所属を登録する", division_sub, creates=True)
    p.add_argument("code", help="所属コード")
    p.add_argument("--name", required=True, help="所属名")
    p.add_argument("--head-title", default="課長", help="所属長の職名（既定 課長）")
    p.add_argument("--head-name", default="", help="所属長の氏名")
    p = c.command("update", cmd_division_update, "所属名・所属長を変更する", division_sub)
    p.add_argument("code", help="所属コード")
    p.add_argument("--name", help="所属名")
    p.add_argument("--head-title", help="所属長の職名")
    p.add_argument("--head-name", help="所属長の氏名")

    p = c.command("employment-types", cmd_employment_types, "任用区分の一覧を表示・変更する（団体ごとに設定できます）")
    p.add_argument(
        "--set", metavar="A,B,…", help="カンマ区切りで一覧を置き換える（登録済みの職員が使う区分は消せません）"
    )
