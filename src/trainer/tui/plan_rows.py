"""An import's dry run as rows of a table: every change, every new division, every note and problem.

Pure (no Textual): each row is (its kinds, the kind shown, whom or where, what), so the wizard can
filter by 追加 / 異動 / 改名 / 退職 / 再採用 / 変更 / 変更なし … and by text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from trainer.calendar import wareki
from trainer.importers.problems import Problem
from trainer.importers.progress import RecordPlan
from trainer.importers.roster import Change, RosterPlan
from trainer.model import Progress, Record
from trainer.tui.words import in_app_words

# The filter's choices, in this order; "変更のあるすべて" leaves out only 変更なし.
KINDS = ("追加", "再採用", "異動", "改名", "退職", "変更", "名簿にない在職者", "所属", "注意", "問題", "変更なし")
RECORD_KINDS = ("新規", "更新", "修了を残す", "除外", "注意", "問題", "変更なし")
CHANGED = "変更のあるすべて"
EVERYTHING = "すべて"


@dataclass(frozen=True)
class PlanRow:
    kinds: frozenset[str]
    kind: str  # the one shown
    target: str  # 職員番号 and 氏名, a division, or the row and column of a problem
    detail: str

    def matches(self, kind: str, text: str) -> bool:
        if kind == CHANGED:
            wanted = "変更なし" not in self.kinds
        else:
            wanted = kind == EVERYTHING or kind in self.kinds
        return wanted and (not text or text in self.target or text in self.detail)


def roster_rows(plan: RosterPlan, divisions: dict[str, str]) -> list[PlanRow]:
    """``divisions``: the registered divisions' names by code."""
    names = {**divisions, **{d.code: d.name for d in plan.divisions_added}}

    def where(code: str) -> str:
        name = names.get(code, "")
        return f"{code} {name}" if name else code

    rows = [
        PlanRow(
            frozenset({"追加"}),
            "追加",
            f"{s.staff_id} {s.name}",
            f"{where(s.current.division)}、{s.employment}、採用 {wareki(s.hired)}",
        )
        for s in plan.added
    ]
    rows += [_change_row(c, plan, where) for c in plan.changed]
    for s in plan.missing:
        day_before = plan.as_of - timedelta(days=1)
        outcome = f"退職（{wareki(day_before)}付）" if plan.retire_missing else "そのまま（退職にしない）"
        kinds = {"名簿にない在職者", "退職"} if plan.retire_missing else {"名簿にない在職者"}
        rows.append(PlanRow(frozenset(kinds), "名簿にない在職者", f"{s.staff_id} {s.name}", outcome))
    for d in plan.divisions_added:
        same = sorted(code for code, name in divisions.items() if name == d.name)
        detail = "新しい所属を作ります"
        if same:
            detail = (
                f"注意: 同じ名前の所属がすでにあります（{'、'.join(same)}）。"
                "同じ所属なら登録済みの所属コードで書いてください"
            )
        rows.append(
            PlanRow(frozenset({"所属", "注意"} if same else {"所属"}), "所属の追加", f"{d.code} {d.name}", detail)
        )
    for before, after in plan.divisions_renamed:
        rows.append(
            PlanRow(
                frozenset({"所属"}),
                "所属の名称変更",
                f"{before.code} {before.name}",
                f"→ {after.name}（{wareki(plan.as_of)}から。旧名は履歴に残ります）",
            )
        )
    rows += [_note_row(n) for n in plan.notes if not _about_new_division(n, plan)]
    rows += [
        PlanRow(frozenset({"変更なし"}), "変更なし", f"{s.staff_id} {s.name}", where(s.current.division))
        for s in plan.same
    ]
    return rows


def _about_new_division(note: Problem, plan: RosterPlan) -> bool:
    """The planner's note that a new division is named like an existing one (its row says it)."""
    return note.column == "所属コード" and any(
        note.message.startswith(f"新しい所属 {d.code} ") for d in plan.divisions_added
    )


def roster_counts(rows: list[PlanRow]) -> str:
    """One line of what a roster does, for the review and the confirmation."""
    people = Counter(k for r in rows if not r.kind.startswith("所属") for k in r.kinds)
    divisions = Counter(r.kind for r in rows if r.kind.startswith("所属"))
    parts = [f"{k} {people[k]:,}人" for k in KINDS[:7] if people[k]]
    parts += [f"{k} {n:,}" for k, n in divisions.items()]
    parts += [f"{k} {people[k]:,}件" for k in ("注意", "問題") if people[k]]
    if people["変更なし"]:
        parts.append(f"変更なし {people['変更なし']:,}人")
    return "・".join(parts) or "変更はありません"


def record_counts(rows: list[PlanRow], unchanged: int) -> str:
    counts = Counter(k for r in rows for k in r.kinds)
    parts = [f"{k} {counts[k]:,}件" for k in RECORD_KINDS if counts[k]]
    if unchanged:
        parts.append(f"変更なし {unchanged:,}件")
    return "・".join(parts) or "変更はありません"


def _change_row(change: Change, plan: RosterPlan, where: Callable[[str], str]) -> PlanRow:
    before, after, what = change.before, change.after, change.what
    kinds: set[str] = set()
    details: list[str] = []
    if "再採用" in what:
        kinds.add("再採用")
        details.append(f"再採用（{wareki(after.hired)}から。前の在職期間は残ります）")
    if "異動" in what or "職名・事務区分" in what:
        old = before.assignment_on(plan.as_of) or before.current
        new = after.assignment_on(plan.as_of) or after.current
        if old.division != new.division:
            kinds.add("異動")
            details.append(f"異動 {where(old.division)} → {where(new.division)}（{wareki(plan.as_of)}付）")
        if old.title != new.title:
            kinds.add("変更")
            details.append(f"職名 {old.title or '（なし）'} → {new.title or '（なし）'}")
        if old.duty != new.duty:
            kinds.add("変更")
            details.append(f"事務区分 {old.duty.value} → {new.duty.value}")
    for key, label in (("name", "氏名"), ("kana", "カナ")):
        if label in what:
            kinds.add("改名")
            details.append(f"{label} {getattr(before, key)} → {getattr(after, key)}")
    if "任用区分" in what:
        kinds.add("変更")
        details.append(f"任用区分 {before.employment} → {after.employment}")
    if "退職" in what:
        kinds.add("退職")
        details.append(f"退職 {wareki(after.retired)}" if after.retired else "退職")
    for label in ("休業", "兼務", "学習者ID"):
        if label in what:
            kinds.add("変更")
            details.append(f"{label}の変更")
    shown = next(k for k in ("再採用", "退職", "異動", "改名", "変更") if k in kinds) if kinds else "変更"
    return PlanRow(frozenset(kinds or {"変更"}), shown, f"{after.staff_id} {after.name}", "、".join(details))


def _note_row(note: Problem, kind: str = "注意") -> PlanRow:
    where = note.where() if (note.row is not None or note.column) else "ファイル全体"
    detail = in_app_words(note.message + (f"（{note.expected}）" if note.expected else ""))
    return PlanRow(frozenset({kind}), kind, where, detail)


def problem_rows(problems: Iterable[Problem]) -> list[PlanRow]:
    return [_note_row(p, "問題") for p in problems]


def record_rows(plan: RecordPlan, name_of: Callable[[str], str], title_of: Callable[[str], str]) -> list[PlanRow]:
    def who(sid: str) -> str:
        name = name_of(sid)
        return f"{sid} {name}" if name else sid

    def what(r: Record) -> str:
        state = f"修了 {wareki(r.on)}" if r.progress is Progress.COMPLETED else f"受講中 {r.percent}%（{wareki(r.on)}）"
        return f"{title_of(r.requirement)}: {state}"

    rows = [PlanRow(frozenset({"新規"}), "新規", who(r.staff_id), what(r)) for r in plan.added]
    rows += [
        PlanRow(frozenset({"更新"}), "更新", who(new.staff_id), f"{what(old)} → {what(new).split(': ', 1)[1]}")
        for old, new in plan.upgraded
    ]
    rows += [_note_row(k, "修了を残す") for k in plan.kept]
    rows += [
        PlanRow(frozenset({"除外"}), "除外", f"{s.row}行目", f"登録のない職員番号・学習者ID {s.learner}")
        for s in plan.skipped
    ]
    rows += [_note_row(n) for n in plan.notes]
    return rows
