"""E-learning progress exports and returned checkpoint sheets: records in, never downgraded.

Re-importing the same file changes nothing, and an older export never takes back a completion:
a completion stays as first recorded (a different date in the file is reported, not applied),
and progress only moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from trainer.calendar import fy_end, fy_label, fy_start, wareki
from trainer.catalog import find_requirement, suggest_requirement
from trainer.importers.columns import Column, Mapping, cell, locate, value_of
from trainer.importers.mynumber import reject_in_headers, reject_in_row
from trainer.importers.people import Identify, Roll, Skipped
from trainer.importers.problems import Problem, Problems
from trainer.importers.table import Table
from trainer.importers.values import BadValue, day, percent, text
from trainer.model import Catalog, Progress, Record, Requirement
from trainer.progress import Task

PROGRESS_COLUMNS = [
    Column(
        "職員番号",
        ("学習者ID", "ユーザID", "ユーザーID", "ログインID", "受講者ID", "learner_id", "user_id", "id"),
        True,
    ),
    Column("研修", ("コース名", "講座名", "研修名", "教材名", "コース", "course"), True),
    Column("状態", ("受講状況", "進捗状況", "ステータス", "status")),
    Column("進捗率", ("進捗", "達成率", "進捗(%)", "progress", "percent")),
    Column("修了日", ("完了日", "受講完了日", "修了年月日", "completed_on", "completion_date")),
    Column("最終受講日", ("最終学習日", "最終アクセス日", "更新日", "last_access")),
    Column("氏名", ("受講者名", "学習者名", "名前", "氏名（漢字）", "name")),
]
CHECKPOINT_COLUMNS = [
    Column("職員番号", ("職員コード", "職員ID", "staff_id", "id"), True),
    Column("確認日", ("修了日", "実施日", "チェック日", "completed_on", "date"), True),
    Column("氏名", ("名前", "職員名", "name")),
]

DONE_WORDS = {
    "修了",
    "完了",
    "合格",
    "受講済",
    "受講済み",
    "済",
    "済み",
    "終了",
    "completed",
    "complete",
    "passed",
    "done",
}
ONGOING_WORDS = {"受講中", "学習中", "未完了", "途中", "inprogress", "in_progress", "started"}
NOT_STARTED_WORDS = {"未受講", "未着手", "未学習", "未", "notstarted", "not_started", "notattempted"}
YES_WORDS = {"✓", "✔", "○", "〇", "◯", "1", "済", "はい", "yes", "y", "true", "x"}
NO_WORDS = {"", "×", "✗", "0", "未", "いいえ", "no", "n", "false", "-"}


@dataclass
class RecordPlan:
    path: Path
    encoding: str
    kind: str  # "progress" | "checkpoint"
    fiscal_year: int
    rows: int
    added: list[Record] = field(default_factory=list)
    upgraded: list[tuple[Record, Record]] = field(default_factory=list)
    unchanged: int = 0
    not_started: int = 0
    kept: list[Problem] = field(default_factory=list)  # completions kept over a differing file
    skipped: list[Skipped] = field(default_factory=list)  # rows of ids nobody has (skip_unknown)
    notes: list[Problem] = field(default_factory=list)  # ids matched by number, cautions

    def records_to_write(self) -> list[Record]:
        return [*self.added, *(new for _old, new in self.upgraded)]


def _better(a: Record, b: Record) -> Record:
    """Of two reports on one requirement, the more advanced (an earlier completion first)."""
    if (a.progress is Progress.COMPLETED) != (b.progress is Progress.COMPLETED):
        return a if a.progress is Progress.COMPLETED else b
    if a.progress is Progress.COMPLETED:
        return a if a.on <= b.on else b
    return a if (a.percent, a.on) >= (b.percent, b.on) else b


def _merge(plan: RecordPlan, new: Record, existing: Record | None, row: int) -> None:
    if existing is None:
        plan.added.append(new)
    elif existing.progress is Progress.COMPLETED:
        if new.progress is Progress.COMPLETED and new.on != existing.on:
            plan.kept.append(
                Problem(
                    row,
                    None,
                    f"{new.staff_id} の修了日がファイルでは {wareki(new.on)}、登録済みは {wareki(existing.on)}"
                    "：登録済みを残しました",
                )
            )
        else:
            plan.unchanged += 1
    elif new.progress is Progress.COMPLETED or (new.percent, new.on) > (existing.percent, existing.on):
        plan.upgraded.append((existing, new))
    else:
        plan.unchanged += 1


class _Checks:
    """What every row of a progress or checkpoint file is checked against."""

    def __init__(
        self, fiscal_year: int, today: date, roll: Roll, problems: Problems, skip_unknown: bool = False
    ) -> None:
        self.fiscal_year = fiscal_year
        self.today = today
        self.problems = problems
        self.identify = Identify(roll, problems, skip_unknown)
        self.first, self.end = fy_start(fiscal_year), fy_end(fiscal_year)
        self.last = min(self.end, today)  # the latest date a row may carry

    def staff(self, number: int, raw: object, column: str, name: object = None) -> str | None:
        return self.identify.person(number, raw, column, name)

    def finish(self, plan: RecordPlan) -> None:
        """The rows set aside, the ids matched by number, and completions dated during a leave
        (accepted, with a 注意: the rules show it wherever the record is)."""
        plan.skipped = self.identify.skipped
        plan.notes += [Problem(row, "職員番号", note) for row, note in self.identify.notes]
        people = self.identify.roll.people
        for record in plan.records_to_write():
            person = people.get(record.staff_id)
            leave = person.leave_on(record.on) if person is not None and record.completed_on else None
            if leave is not None and person is not None:
                plan.notes.append(
                    Problem(
                        None,
                        None,
                        f"{record.staff_id} {person.name}: 修了日 {wareki(record.on)} は{leave.kind.value}中です"
                        "（修了として記録し、注意を残します）",
                    )
                )

    def date_in_year(self, number: int, raw: object, column: str) -> date | None:
        notes: list[str] = []
        try:
            value = day(raw, notes)
        except BadValue as e:
            self.problems.add(number, column, e.message, e.expected)
            return None
        self.identify.notes += [(number, note) for note in notes]
        if value > self.today:
            self.problems.add(number, column, f"{wareki(value)} は未来の日付です", f"今日（{wareki(self.today)}）まで")
            return None
        if not self.first <= value <= self.end:
            self.problems.add(
                number,
                column,
                f"{wareki(value)} は{fy_label(self.fiscal_year)}の外です",
                f"{wareki(self.first)}〜{wareki(self.end)}（別の年度なら --fy で指定）",
            )
            return None
        return value


def plan_progress(
    table: Table,
    catalog: Catalog,
    fiscal_year: int,
    today: date,
    roll: Roll,
    existing: dict[str, dict[str, Record]],
    mapping: Mapping | None = None,
    task: Task | None = None,
    skip_unknown: bool = False,
) -> RecordPlan:
    """An e-learning export: learner, course, status or percentage, completion date."""
    task = task or Task()
    problems = Problems(table.path)
    reject_in_headers(table, problems)
    at = locate(table, PROGRESS_COLUMNS, mapping, problems)
    if "状態" not in at and "進捗率" not in at and not problems:
        problems.add(1, "状態", "状態か進捗率の列が必要です", "状態（修了・受講中・未受講）または進捗率（0〜100）")
    problems.raise_if_any()
    checks = _Checks(fiscal_year, today, roll, problems, skip_unknown)
    courses: dict[str, tuple[Requirement | None, str | None]] = {}
    best: dict[tuple[str, str], tuple[Record, int]] = {}
    plan = RecordPlan(table.path, table.encoding, "progress", fiscal_year, len(table.rows))
    for i, row in enumerate(table.rows):
        if i % 5000 == 0:
            task.check()
            task.report(i, len(table.rows), "受講状況を確認中")
        cells, number = row.cells, row.number

        def get(column: str, cells: tuple[object, ...] = cells) -> object:
            return value_of(cells, at, column, mapping)

        reject_in_row(table, row, problems, at)
        sid = checks.staff(number, get("職員番号"), "職員番号", get("氏名"))
        course_name = text(get("研修"))
        if course_name not in courses:  # each name looked up (and a close one suggested) once per file
            found = find_requirement(catalog, course_name) if course_name else None
            close = suggest_requirement(catalog, course_name) if course_name and found is None else None
            courses[course_name] = (found, close)
        requirement, close = courses[course_name]
        if requirement is None:
            problems.add(
                number,
                "研修",
                f"研修「{course_name}」はカタログにありません" if course_name else "空です",
                (f"「{close}」のことですか？ " if close else "")
                + "カタログ（courses/）の名前か別名（aliases）に追加できます",
            )
        status = _status(number, get("状態"), get("進捗率"), problems)
        if sid is None or requirement is None or status is None:
            continue
        progress, pct = status
        if progress is Progress.NOT_STARTED:
            plan.not_started += 1
            continue
        if progress is Progress.COMPLETED:
            raw_day = get("修了日")
            if raw_day in ("", None):
                problems.add(number, "修了日", "修了なのに修了日がありません", "修了日を入れてください")
                continue
            on = checks.date_in_year(number, raw_day, "修了日")
        else:
            raw_day = get("最終受講日")
            on = checks.date_in_year(number, raw_day, "最終受講日") if raw_day not in ("", None) else checks.last
        if on is None:
            continue
        record = Record(sid, fiscal_year, requirement.id, progress, pct, on, f"import:{table.path.name}")
        key = (sid, requirement.id)
        earlier = best.get(key)
        best[key] = (record if earlier is None else _better(earlier[0], record), number)
    problems.raise_if_any()
    for (sid, requirement_id), (record, number) in best.items():
        _merge(plan, record, existing.get(sid, {}).get(requirement_id), number)
    checks.finish(plan)
    task.report(len(table.rows), len(table.rows), "確認済み")
    return plan


def _status(number: int, raw_status: object, raw_percent: object, problems: Problems) -> tuple[Progress, int] | None:
    pct: int | None = None
    if raw_percent not in ("", None):
        try:
            pct = percent(raw_percent)
        except BadValue as e:
            problems.add(number, "進捗率", e.message, e.expected)
            return None
    word = text(raw_status).replace(" ", "").lower()
    if word in DONE_WORDS or (not word and pct == 100):
        return Progress.COMPLETED, 100
    if word in ONGOING_WORDS or (not word and pct):
        return Progress.IN_PROGRESS, min(pct or 0, 99)
    if word in NOT_STARTED_WORDS or (not word and pct == 0):
        return Progress.NOT_STARTED, 0
    if word:
        problems.add(number, "状態", f"状態「{text(raw_status)}」は分かりません", "修了 / 受講中 / 未受講")
    else:
        problems.add(number, "状態", "状態も進捗率も空です", "状態（修了・受講中・未受講）か進捗率")
    return None


def plan_checkpoint(
    table: Table,
    requirement: Requirement,
    fiscal_year: int,
    today: date,
    roll: Roll,
    existing: dict[str, dict[str, Record]],
    mapping: Mapping | None = None,
    task: Task | None = None,
    skip_unknown: bool = False,
) -> RecordPlan:
    """A division's returned sheet: who confirmed it on which date, optionally item by item."""
    task = task or Task()
    problems = Problems(table.path)
    reject_in_headers(table, problems)
    at = locate(table, CHECKPOINT_COLUMNS, mapping, problems)
    problems.raise_if_any()
    items = [item for section in requirement.sections for item in section.items]
    item_columns: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        head = text(header).replace(" ", "")
        for item in items:
            if head == item.id or head.startswith(f"{item.id}:") or head.startswith(f"{item.id}."):
                item_columns[item.id] = index
    checks = _Checks(fiscal_year, today, roll, problems, skip_unknown)
    plan = RecordPlan(table.path, table.encoding, "checkpoint", fiscal_year, len(table.rows))
    seen: dict[str, int] = {}
    for i, row in enumerate(table.rows):
        if i % 5000 == 0:
            task.check()
            task.report(i, len(table.rows), "チェックシートを確認中")
        reject_in_row(table, row, problems, at)
        sid = checks.staff(
            row.number,
            value_of(row.cells, at, "職員番号", mapping),
            "職員番号",
            value_of(row.cells, at, "氏名", mapping),
        )
        on = checks.date_in_year(row.number, value_of(row.cells, at, "確認日", mapping), "確認日")
        confirmed: list[str] = []
        for item_id, index in item_columns.items():
            mark = text(cell(row.cells, index)).lower()
            if mark in YES_WORDS:
                confirmed.append(item_id)
            elif mark not in NO_WORDS:
                problems.add(
                    row.number, table.headers[index], f"「{mark}」は確認の印として分かりません", "○・✓・1・済 か、空欄"
                )
        if sid is None or on is None:
            continue
        if sid in seen:
            problems.add(row.number, "職員番号", f"職員番号 {sid} が重複しています（{seen[sid]}行目と同じ）", "1人1行")
            continue
        seen[sid] = row.number
        complete = len(confirmed) == len(item_columns)  # every item on the sheet (or no item columns)
        record = Record(
            sid,
            fiscal_year,
            requirement.id,
            Progress.COMPLETED if complete else Progress.IN_PROGRESS,
            100 if complete else (100 * len(confirmed)) // len(item_columns),
            on,
            f"import:{table.path.name}",
            tuple(confirmed),
        )
        _merge(plan, record, existing.get(sid, {}).get(requirement.id), row.number)
    problems.raise_if_any()
    checks.finish(plan)
    task.report(len(table.rows), len(table.rows), "確認済み")
    return plan
