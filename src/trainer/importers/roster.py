"""The HR roster "as of" a date: who is added, transferred, changed, on leave or retired.

A roster describes the staff on one day. New people are added; someone retired who appears
again is re-appointed (再採用: on their 採用日 when it is later than the retirement, else on the
roster's date), the earlier period kept; a new 所属 is a transfer on that day (the old division
keeps the days before); a new 職名 or 事務区分 starts on that day; names, カナ, 任用区分 and the
e-learning id are corrected in place; the 兼務 column gives the concurrent posts held that day.
People in the register but missing from the file are listed, and retired the day before only
when asked (``retire_missing``). Divisions named in the file are created, or renamed with their
old name kept. A 職員番号 or 所属コード that lost its leading zeros is matched to the register's
when exactly one is the same number (see :class:`~trainer.importers.values.Codes`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TypedDict, TypeVar

from trainer.calendar import wareki
from trainer.importers.columns import Column, Mapping, cell, locate, value_of
from trainer.importers.mynumber import reject_in_headers, reject_in_row
from trainer.importers.problems import Problem, Problems
from trainer.importers.table import Table
from trainer.importers.values import BadValue, Codes, day, duty, staff_id, text
from trainer.model import Assignment, Concurrent, Division, Duty, Leave, LeaveKind, Period, Staff
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
    Column("兼務所属コード", ("兼務先所属コード", "兼務所属", "兼務先", "兼務", "concurrent_division")),
    Column("学習者ID", ("eラーニングID", "e-ラーニングID", "LMSID", "learner_id")),
]
_SEPARATORS = re.compile(r"[、,;\s]+")
# 状態 -> None (in service), "retired", or the kind of leave
STATUS_WORDS: dict[str, str | None] = {"在職": None, "": None, "退職": "retired", **{k.value: k for k in LeaveKind}}
_T = TypeVar("_T")


class _Fields(TypedDict):
    """One row's values, read and checked (codes not yet matched to the register's)."""

    name: str
    kana: str
    division: str
    division_name: str
    title: str
    employment: str
    duty: Duty | None
    hired: date | None
    retired: date | None
    status: str | None  # a value of STATUS_WORDS
    leave_start: date | None
    leave_end: date | None
    concurrent: list[str]
    has_concurrent: bool
    learner_id: str


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
    same: list[Staff] = field(default_factory=list)  # the people the file leaves as they are
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
    ids, codes = Codes(existing), Codes(divisions)
    number_cells = 0
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
        dates: list[str] = []
        person = _read_row(row.number, row.cells, at, mapping, employment_types, as_of, problems, dates)
        plan.notes += [Problem(row.number, None, note) for note in dates]
        if person is None or duplicate:
            continue
        sid, number_cell, fields = person
        matched = _matched(ids, sid, row.number, "職員番号", plan, problems)
        division_code = _matched(codes, fields["division"], row.number, "所属コード", plan, problems)
        posts = [_matched(codes, c, row.number, "兼務所属コード", plan, problems) for c in fields["concurrent"]]
        found = [post for post in posts if post is not None]
        if matched is None or division_code is None or len(found) < len(posts):
            continue
        sid, fields["division"], fields["concurrent"] = matched, division_code, found
        number_cells += number_cell and sid not in existing
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
    for code, (name, number) in division_names.items():
        current = divisions.get(code)
        if current is None:
            plan.divisions_added.append(Division(code, name, "課長", ""))
            same = sorted(d.code for d in divisions.values() if d.name == name)
            if same:
                plan.notes.append(
                    Problem(
                        number,
                        "所属コード",
                        f"新しい所属 {code} {name} と同じ名前の所属がすでにあります（{'、'.join(same)}）",
                        "同じ所属なら、登録済みの所属コードで書いてください",
                    )
                )
        elif current.name != name:
            plan.divisions_renamed.append((current, current.renamed(name, as_of)))
    for code in {c for change in plan.changed for c in _new_posts(change)} - set(divisions) - set(division_names):
        problems.add(
            None, "兼務所属コード", f"兼務先の所属コード {code} は登録されていません", "所属を先に登録してください"
        )
    if number_cells:
        plan.notes.append(
            Problem(
                None,
                "職員番号",
                f"{number_cells}人の職員番号が数値のセルで書かれています"
                "（Excel で先頭の 0 が落ちているかもしれません）",
                "職員番号の列を文字列にして保存し直すか、登録済みの番号と同じか確かめてください",
            )
        )
    problems.raise_if_any()
    plan.missing = sorted(
        (s for sid, s in existing.items() if sid not in imported and s.active_on(as_of)), key=lambda s: s.staff_id
    )
    task.report(len(table.rows), len(table.rows), "確認済み")
    return plan


def _matched(codes: Codes, code: str, row: int, column: str, plan: RosterPlan, problems: Problems) -> str | None:
    """The code as registered (a note when matched by number); None, with the problem, when ambiguous."""
    try:
        found, note = codes.match(code)
    except BadValue as e:
        problems.add(row, column, e.message, e.expected)
        return None
    if note:
        plan.notes.append(Problem(row, column, note))
    return found


def _new_posts(change: Change) -> set[str]:
    return {c.division for c in change.after.concurrent} - {c.division for c in change.before.concurrent}


def _read_row(
    number: int,
    cells: tuple[object, ...],
    at: dict[str, int],
    mapping: Mapping | None,
    employment_types: list[str],
    as_of: date,
    problems: Problems,
    dates: list[str],
) -> tuple[str, bool, _Fields] | None:
    ok = True

    def get(column: str) -> object:
        return value_of(cells, at, column, mapping)

    def need(column: str, value: str) -> str:
        nonlocal ok
        if not value:
            problems.add(number, column, "空です", f"{column}を入れてください")
            ok = False
        return value

    def read(column: str, reader: Callable[[object], _T], *, required: bool = False) -> _T | None:
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

    def a_day(raw: object) -> date:
        return day(raw, dates)

    hired = read("採用日", a_day)
    retired = read("退職日", a_day)
    leave_start = read("休業開始日", a_day)
    leave_end = read("休業終了日", a_day)
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
    concurrent = [code for code in _SEPARATORS.split(text(get("兼務所属コード"))) if code]
    if division in concurrent:
        problems.add(number, "兼務所属コード", f"兼務先 {division} が本務の所属と同じです")
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
            "concurrent": concurrent,
            "has_concurrent": "兼務所属コード" in at,
            "learner_id": text(get("学習者ID")).replace(" ", ""),
        },
    )


def _diff(
    plan: RosterPlan,
    sid: str,
    f: _Fields,
    before: Staff | None,
    as_of: date,
    row: int,
    problems: Problems,
) -> None:
    division, title, job = f["division"], f["title"], f["duty"]
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
        posts = tuple(Concurrent(code, max(as_of, hired)) for code in f["concurrent"])
        person = Staff(sid, f["name"], f["kana"], f["employment"], hired, (first,), tuple(leaves), retired)
        plan.added.append(replace(person, concurrent=posts, learner_id=f["learner_id"]))
        return
    what: list[str] = []
    base = before
    if before.retired is not None and before.retired < as_of and retired is None:  # 再採用
        hired = f["hired"] if isinstance(f["hired"], date) and f["hired"] > before.retired else as_of
        if hired > as_of:
            problems.add(row, "採用日", f"再採用の日 {wareki(hired)} が名簿の基準日 {wareki(as_of)} より後です")
            return
        base = replace(
            before,
            earlier=(*before.earlier, Period(before.hired, before.retired)),
            hired=hired,
            retired=None,
            assignments=(*[a for a in before.assignments if a.start < hired], Assignment(hired, division, title, job)),
        )
        what.append("再採用")
    after = _apply(base, f, as_of, row, problems, what, leaves, retired, division, title, job)
    if after is None:
        return
    if what:
        plan.changed.append(Change(before, after, what))
    else:
        plan.unchanged += 1
        plan.same.append(before)


def _apply(
    before: Staff,
    f: _Fields,
    as_of: date,
    row: int,
    problems: Problems,
    what: list[str],
    leaves: list[Leave],
    retired: date | None,
    division: str,
    title: str,
    job: Duty,
) -> Staff | None:
    """Someone registered after the row (``what`` gets each kind of change; None: a problem)."""
    after = before
    if before.name != f["name"]:
        after = replace(after, name=f["name"])
        what.append("氏名")
    if before.kana != f["kana"]:
        after = replace(after, kana=f["kana"])
        what.append("カナ")
    if before.employment != f["employment"]:
        after = replace(after, employment=f["employment"])
        what.append("任用区分")
    if f["learner_id"] and f["learner_id"] != before.learner_id:
        after = replace(after, learner_id=f["learner_id"])
        what.append("学習者ID")
    current = before.assignment_on(as_of) or before.current
    if (current.division, current.title, current.duty) != (division, title, job):
        what.append("異動" if current.division != division else "職名・事務区分")
        start = max(as_of, before.hired)
        kept = [a for a in before.assignments if a.start < start]
        later = [a for a in before.assignments if a.start > start]
        after = replace(after, assignments=(*kept, Assignment(start, division, title, job), *later))
    if f["has_concurrent"]:
        posts = _posts_on(before, set(f["concurrent"]), as_of)
        if posts != before.concurrent:
            after = replace(after, concurrent=posts)
            what.append("兼務")
    if tuple(leaves) != before.leaves:
        after = replace(after, leaves=tuple(sorted(leaves, key=lambda x: x.start)))
        what.append("休業")
    if retired is not None and before.retired != retired:
        if retired < before.hired:
            problems.add(row, "退職日", f"退職日 {wareki(retired)} が採用日 {wareki(before.hired)} より前です")
            return None
        after = replace(after, retired=retired)
        what.append("退職")
    return after


def _posts_on(person: Staff, wanted: set[str], as_of: date) -> tuple[Concurrent, ...]:
    """The concurrent posts after a roster that lists ``wanted`` on ``as_of``: those it lists go on
    (or begin that day); those it does not end the day before."""
    posts = []
    held = set()
    for post in person.concurrent:
        if not post.covers(as_of):
            posts.append(post)
        elif post.division in wanted:
            posts.append(post)
            held.add(post.division)
        elif post.start < as_of:
            posts.append(post._replace(end=as_of - timedelta(days=1)))
    posts += [Concurrent(code, as_of) for code in sorted(wanted - held)]
    return tuple(sorted(posts, key=lambda c: (c.start, c.division)))
