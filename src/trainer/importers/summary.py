"""What an import would change, in words a coordinator checks before committing."""

from __future__ import annotations

from trainer.calendar import fy_label, wareki
from trainer.importers.progress import RecordPlan
from trainer.importers.roster import RosterPlan
from trainer.model import Staff

SHOW_NAMES = 10


def _names(people: list[Staff], limit: int = SHOW_NAMES) -> str:
    shown = "、".join(f"{p.staff_id} {p.name}" for p in people[:limit])
    return shown + (f" ほか{len(people) - limit}人" if len(people) > limit else "")


def describe_roster(plan: RosterPlan) -> list[str]:
    lines = [
        f"職員名簿 {plan.path.name}（{plan.encoding}、{plan.rows}行）基準日 {wareki(plan.as_of)}",
        f"  追加: {len(plan.added)}人" + (f"（{_names(plan.added)}）" if plan.added else ""),
        _changed(plan, "再採用", "再採用（同じ職員番号で再び採用）"),
        f"  異動: {plan.count('異動')}人",
        f"  職名・事務区分の変更: {plan.count('職名・事務区分')}人",
        f"  氏名・カナ・任用区分の訂正: {sum(1 for c in plan.changed if {'氏名', 'カナ', '任用区分'} & set(c.what))}人",
        f"  休業: {plan.count('休業')}人",
        f"  兼務の変更: {plan.count('兼務')}人",
        f"  学習者IDの設定: {plan.count('学習者ID')}人",
        f"  退職: {plan.count('退職')}人",
        f"  変更なし: {plan.unchanged}人",
    ]
    if plan.missing:
        action = "前日付で退職にします" if plan.retire_missing else "そのままです（--retire-missing で退職扱い）"
        lines.append(f"  名簿にない在職者: {len(plan.missing)}人 → {action}: {_names(plan.missing)}")
    for d in plan.divisions_added:
        lines.append(f"  所属の追加: {d.code} {d.name}")
    for before, after in plan.divisions_renamed:
        lines.append(f"  所属の名称変更: {before.code} {before.name} → {after.name}")
    lines += [f"  注意: {note}" for note in plan.notes[:SHOW_NAMES]]
    if len(plan.notes) > SHOW_NAMES:
        lines.append(f"  注意はほか {len(plan.notes) - SHOW_NAMES}件")
    return lines


def _changed(plan: RosterPlan, word: str, label: str) -> str:
    people = [c.after for c in plan.changed if word in c.what]
    return f"  {label}: {len(people)}人" + (f"（{_names(people)}）" if people else "")


def describe_records(plan: RecordPlan) -> list[str]:
    kind = "受講状況" if plan.kind == "progress" else "チェックシート"
    completed = sum(1 for r in plan.records_to_write() if r.completed_on)
    lines = [
        f"{kind} {plan.path.name}（{plan.encoding}、{plan.rows}行）{fy_label(plan.fiscal_year)}",
        f"  新しい記録: {len(plan.added)}件",
        f"  進んだ記録（受講中→修了・進捗増）: {len(plan.upgraded)}件",
        f"  うち修了: {completed}件",
        f"  変更なし: {plan.unchanged}件",
    ]
    if plan.not_started:
        lines.append(f"  未受講の行（記録しません）: {plan.not_started}件")
    if plan.kept:
        lines.append(f"  登録済みの修了を残した行: {len(plan.kept)}件")
        lines += [f"    {k}" for k in plan.kept[:SHOW_NAMES]]
    if plan.skipped:  # every one: these rows are not in the register at all
        lines.append(f"  登録のない職員番号・学習者IDのため除いた行: {len(plan.skipped)}行")
        lines += [f"    {s.row}行目: {s.learner}" for s in plan.skipped]
    lines += [f"  注意: {note}" for note in plan.notes[:SHOW_NAMES]]
    if len(plan.notes) > SHOW_NAMES:
        lines.append(f"  注意はほか {len(plan.notes) - SHOW_NAMES}件")
    return lines
