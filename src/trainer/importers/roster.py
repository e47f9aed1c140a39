"""The HR roster "as of" a date: who is added, transferred, changed, on leave or retired.

A roster describes the staff on one day. New people are added; a new 所属 is a transfer on that
day (the old division keeps the days before); a new 職名 or 事務区分 starts on that day; names,
カナ and 任用区分 are corrected in place. People in the register but missing from the file are
listed, and retired the day before only when asked (``retire_missing``). Divisions named in the
file are created, or renamed with their old name kept.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from trainer.calendar import wareki
from trainer.importers.columns import Column, Mapping, cell, locate, value_of
from trainer.importers.mynumber import reject_in_headers, reject_in_row
from trainer.importers.problems import Problem, Problems
from trainer.importers.table import Table
from trainer.importers.values import BadValue, day, duty, registered_id, staff_id, text
from trainer.model import Assignment, Division, Duty, Leave, LeaveKind, Staff
from trainer.progress import Task

COLUMNS = [
    Column("職員番号", ("職員コード", "職員ID", "社員番号", "個人コード", "staff_id", "id"), True),
    Column("氏名", ("名前", "職員名", "漢字氏名", "name"), True),
    Column("カナ", ("フリガナ", "ふりがな", "氏名カナ", "カナ氏名", "よみ", "kana"), True),
    Column("所属コード", ("課コード", "部署コード", "所属CD", "division_code", "division"), True),
    Column("所属名", ("所属", "課名", "部署名", "division_name")),
    Column("職名", ("役職", "職", "職位", "title")),
    Column("任用区分", ("雇用形態", "職員区分", "任用形態", "employment"), True),
    Column("事務区分", ("マイナンバー事務", "番号事務", "事務種別", "duty"), True),
    Column("採用日", ("任用開始日", "入庁日", "採用年月日", "hired")),
    Column("退職日", ("任用終了日", "離職日", "退職年月日", "retired")),
    Column("状態", ("在職状況", "在籍状況", "status")),
    Column("休業開始日", ("休職開始日", "休業期間開始", "leave_start")),
    Column("休業終了日", ("休職終了日", "休業期間終了", "leave_end")),
]
STATUS_WORDS = {"在職": None, "": None, "退職": "retired", **{k.value: k for k in LeaveKind}}


@dataclass
class Change:
    before: Staff
    after: Staff
    what: list[str]


@dataclass
class RosterPlan:
    path: Path
    encoding: str
    as_of: date
    rows: int
    added: list[Staff] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    missing: list[Staff] = field(default_factory=list)
    retire_missing: bool = False
    divisions_added: list[Division] = field(default_factory=list)
    divisions_renamed: list[tuple[Division, Division]] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    def staff_to_write(self) -> list[Staff]:
        people = [*self.added, *(c.after for c in self.changed)]
        if self.retire_missing:
            people += [replace(s, retired=self.as_of - timedelta(days=1)) for s in self.missing]
        return people

    def divisions_to_write(self) -> list[Division]:
        return [*self.divisions_added, *(after for _before, after in self.divisions_renamed)]

    def count(self, word: str) -> int:
        return sum(1 for c in self.changed if word in c.what)


def plan_roster(
    table: Table,
    as_of: date,
    existing: dict[str, Staff],
    divisions: dict[str, Division],
    employment_types: list[str],
    mapping: Mapping | None = None,
    retire_missing: bool = False,
    task: Task | None = None,
) -> RosterPlan:
    """Validate every row and work out the changes; raises ImportRejected listing all problems."""
    task = task or Task()
    problems = Problems(table.path)
    reject_in_headers(table, problems)
    at = locate(table, COLUMNS, mapping, problems)
    problems.raise_if_any()
    plan = RosterPlan(table.path, table.encoding, as_of, len(table.rows), retire_missing=retire_missing)
    seen: dict[str, int] = {}  # ids as written in the file
    imported: dict[str, int] = {}  # ids as matched to the register
    division_names: dict[str, tuple[str, int]] = {}
    widths = {len(s) for s in existing}
    for i, row in enumerate(table.rows):
        if i % 2000 == 0:
            task.check()
            task.report(i, len(table.rows), "名簿を確認中")
        reject_in_row(table, row, problems, at)
        raw_id = text(cell(row.cells, at["職員番号"])).replace(" ", "")
        duplicate = raw_id and raw_id in seen
        if duplicate:
            problems.add(
                row.number, "職員番号", f"職員番号 {raw_id} が重複しています（{seen[raw_id]}行目と同じ）", "1人1行"
            )
        elif raw_id:
            seen[raw_id] = row.number
        person = _read_row(row.number, row.cells, at, mapping, employment_types, as_of, problems)
        if person is None or duplicate:
            continue
        sid, number_cell, fields = person
        padded = registered_id(sid, number_cell, existing, widths)
        if padded != sid:
            plan.notes.append(Problem(row.number, "職員番号", f"Excel の数値「{sid}」を {padded} として照合しました"))
            sid = padded
        if sid in imported:
            problems.add(
                row.number, "職員番号", f"職員番号 {sid} が重複しています（{imported[sid]}行目と同じ）", "1人1行"
            )
            continue
        imported[sid] = row.number
        code, name = fields["division"], fields["division_name"]
        if name:
            earlier = division_names.setdefault(code, (name, row.number))
            if earlier[0] != name:
                problems.add(
                    row.number, "所属名", f"所属コード {code} の名前が {earlier[1]}行目（{earlier[0]}）と違います"
                )
        elif code not in divisions and code not in division_names:
            problems.add(
                row.number, "所属コード", f"所属コード {code} は登録されていません", "所属名の列があれば新しく作ります"
            )
            continue
        _diff(plan, sid, fields, existing.get(sid), as_of, row.number, problems)
    for code, (name, _row) in division_names.items():
        current = divisions.get(code)
        if current is None:
            plan.divisions_added.append(Division(code, name, "課長", ""))
        elif current.name != name:
            plan.divisions_renamed.append((current, current.renamed(name, as_of)))
    problems.raise_if_any()
    plan.missing = sorted(
        (s for sid, s in existing.items() if sid not in imported and s.active_on(as_of)), key=lambda s: s.staff_id
    )
    task.report(len(table.rows), len(table.rows), "確認済み")
    return plan


def _read_row(
    number: int,
    cells: tuple[object, ...],
    at: dict[str, int],
    mapping: Mapping | None,
    employment_types: list[str],
    as_of: date,
    problems: Problems,
) -> tuple[str, bool, dict[str, object]] | None:
    ok = True

    def get(column: str) -> object:
        return value_of(cells, at, column, mapping)

    def need(column: str, value: str) -> str:
        nonlocal ok
        if not value:
            problems.add(number, column, "空です", f"{column}を入れてください")
            ok = False
        return value

    def read(column: str, reader, *, required: bool = False):  # type: ignore[no-untyped-def]
        nonlocal ok
        raw = get(column)
        if raw in ("", None):
            if required:
                problems.add(number, column, "空です", f"{column}を入れてください")
                ok = False
            return None
        try:
            return reader(raw)
        except BadValue as e:
            problems.add(number, column, e.message, e.expected)
            ok = False
            return None

    sid_read = read("職員番号", staff_id, required=True)
    name = need("氏名", text(get("氏名")))
    kana = need("カナ", text(get("カナ")))
    division = need("所属コード", text(get("所属コード")))
    employment = text(get("任用区分"))
    if not employment:
        problems.add(number, "任用区分", "空です", "、".join(employment_types))
        ok = False
    elif employment not in employment_types:
        close = difflib.get_close_matches(employment, employment_types, n=1, cutoff=0.3)
        hint = (f"「{close[0]}」のことですか？ " if close else "") + "使える任用区分: " + "、".join(employment_types)
        problems.add(number, "任用区分", f"任用区分「{employment}」は使えません", hint)
        ok = False
    job = read("事務区分", duty, required=True)
    hired = read("採用日", day)
    retired = read("退職日", day)
    leave_start = read("休業開始日", day)
    leave_end = read("休業終了日", day)
    status_word = text(get("状態"))
    if status_word not in STATUS_WORDS:
        problems.add(number, "状態", f"状態「{status_word}」は分かりません", "在職 / 休職 / 育児休業 / 病気休暇 / 退職")
        ok = False
    if hired and retired and retired < hired:
        problems.add(number, "退職日", f"退職日 {wareki(retired)} が採用日 {wareki(hired)} より前です")
        ok = False
    if leave_start and leave_end and leave_end < leave_start:
        problems.add(number, "休業終了日", f"休業終了日 {wareki(leave_end)} が開始日 {wareki(leave_start)} より前です")
        ok = False
    if not ok or sid_read is None:
        return None
    sid, number_cell = sid_read
    return (
        sid,
        number_cell,
        {
            "name": name,
            "kana": kana,
            "division": division,
            "division_name": text(get("所属名")),
            "title": text(get("職名")),
            "employment": employment,
            "duty": job,
            "hired": hired,
            "retired": retired,
            "status": STATUS_WORDS.get(status_word),
            "leave_start": leave_start,
            "leave_end": leave_end,
        },
    )


def _diff(
    plan: RosterPlan,
    sid: str,
    f: dict[str, object],
    before: Staff | None,
    as_of: date,
    row: int,
    problems: Problems,
) -> None:
    division, title, job = str(f["division"]), str(f["title"]), f["duty"]
    assert isinstance(job, Duty)
    status = f["status"]
    retired = f["retired"] if isinstance(f["retired"], date) else None
    if status == "retired" and retired is None:
        retired = as_of - timedelta(days=1)
    leaves: list[Leave] = list(before.leaves) if before else []
    if isinstance(status, LeaveKind):
        start = f["leave_start"] if isinstance(f["leave_start"], date) else as_of
        end = f["leave_end"] if isinstance(f["leave_end"], date) else None
        others = [x for x in leaves if not (x.kind is status and x.start == start)]
        if not any(x.covers(start) for x in others):  # else already on a leave that covers the day
            leaves = [*others, Leave(status, start, end)]
    if before is None:
        hired = f["hired"]
        if not isinstance(hired, date):
            problems.add(row, "採用日", "新しい職員の採用日がありません", "採用日を入れてください")
            return
        first = Assignment(hired, division, title, job)
        plan.added.append(
            Staff(sid, str(f["name"]), str(f["kana"]), str(f["employment"]), hired, (first,), tuple(leaves), retired)
        )
        return
    if before.retired is not None and before.retired < as_of and retired is None:
        problems.add(
            row,
            "職員番号",
            f"{sid} は {wareki(before.retired)} に退職済みです",
            "再採用は trainer staff で個別に登録するか、退職日を入れてください",
        )
        return
    what: list[str] = []
    after = before
    for key, label in (("name", "氏名"), ("kana", "カナ"), ("employment", "任用区分")):
        if getattr(before, key) != f[key]:
            after = replace(after, **{key: f[key]})
            what.append(label)
    current = before.assignment_on(as_of) or before.current
    if (current.division, current.title, current.duty) != (division, title, job):
        what.append("異動" if current.division != division else "職名・事務区分")
        start = max(as_of, before.hired)
        kept = [a for a in before.assignments if a.start < start]
        later = [a for a in before.assignments if a.start > start]
        after = replace(after, assignments=(*kept, Assignment(start, division, title, job), *later))
    if tuple(leaves) != before.leaves:
        after = replace(after, leaves=tuple(sorted(leaves, key=lambda x: x.start)))
        what.append("休業")
    if retired is not None and before.retired != retired:
        if retired < before.hired:
            problems.add(row, "退職日", f"退職日 {wareki(retired)} が採用日 {wareki(before.hired)} より前です")
            return
        after = replace(after, retired=retired)
        what.append("退職")
    if what:
        plan.changed.append(Change(before, after, what))
    else:
        plan.unchanged += 1
