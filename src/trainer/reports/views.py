"""What the 修了者名簿 and the 未修了者一覧 show, as plain data for their templates (no I/O, no
formatting decisions left). The audit's are in :mod:`trainer.reports.audit`, the plan's in
:mod:`trainer.reports.plan`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from trainer.calendar import days_between, fy_label, wareki, wareki_short
from trainer.model import Catalog, Division, LeftReason, Requirement, State
from trainer.rules import Counts, Departure, PersonStatus, RequirementStatus, deadline, window_dates
from trainer.signoff.roster import Entry, RequirementRef, Roster, Row


def cell_text(rs: RequirementStatus | None) -> str:
    """A roster cell: the completion date (R8.7.10), or the state in words."""
    if rs is None:
        return "対象外"
    if rs.state is State.COMPLETED and rs.completed_on:
        return wareki_short(rs.completed_on)
    if rs.state is State.IN_PROGRESS:
        return f"受講中 {rs.percent}%"
    return rs.state.label


def entry_text(entry: Entry | None) -> str:
    """A frozen roster's cell: the completion date (R8.7.10), or the state in words."""
    if entry is None:
        return "対象外"
    if entry.state == "completed" and entry.completed_on:
        return wareki_short(date.fromisoformat(entry.completed_on))
    if entry.state == "in_progress":
        return f"受講中 {entry.percent}%"
    return State(entry.state).label


@dataclass(frozen=True)
class RosterLine:
    """One printed row of a roster."""

    no: int
    title: str
    name: str
    kana: str
    staff_id: str
    employment: str
    cells: tuple[str, ...]
    states: tuple[str, ...]  # State values ("none": not owed), for styling
    note: Note


@dataclass(frozen=True)
class RosterSection:
    key: str  # completed / open / exempt / left
    title: str
    lines: tuple[RosterLine, ...]
    explanation: str = ""


# A4 landscape inside the page margins (report.css: 12 mm each side), in millimetres.
LANDSCAPE_WIDTH_MM = 273.0
PT_MM = 25.4 / 72  # millimetres in a point


def text_mm(text: str, pt: float) -> float:
    """How wide ``text`` prints at ``pt`` points: a full-width character is 1 em, an ASCII or
    half-width one about half (Noto Sans CJK)."""
    ems = sum(0.55 if ord(c) < 0x2E80 or 0xFF61 <= ord(c) <= 0xFFDC else 1.0 for c in text)
    return ems * pt * PT_MM


@dataclass(frozen=True)
class RosterWidths:
    """The roster's column widths (mm): wide enough that no header, date or 任用区分 wraps."""

    title: float
    name: float
    staff_id: float
    employment: float
    courses: tuple[float, ...]
    note: float

    @classmethod
    def of(cls, columns: tuple[str, ...], employments: set[str]) -> RosterWidths:
        courses = tuple(round(max(17.0, text_mm(c, 7) + 3.2), 1) for c in columns)
        employment = round(min(max(18.0, *(text_mm(e, 8) + 3.2 for e in employments or {""})), 34.0), 1)
        fixed = 8 + 26 + 16 + employment + sum(courses)
        name = max(30.0, min(40.0, LANDSCAPE_WIDTH_MM - fixed - 60))
        return cls(26.0, name, 16.0, employment, courses, round(LANDSCAPE_WIDTH_MM - fixed - name, 1))


@dataclass(frozen=True)
class RosterView:
    fiscal_year: int
    fy_label: str
    as_of: str
    division: Division
    trainings: tuple[str, ...]
    columns: tuple[str, ...]  # short titles, in the catalog's order
    key: tuple[tuple[str, str], ...]  # (short title, official title)
    sections: tuple[RosterSection, ...]
    totals: Counts
    per_requirement: tuple[tuple[str, int], ...]  # (short title, completed)
    generated: str
    organization: str
    roster_code: str = ""
    signoff: dict[str, str] = field(default_factory=dict)
    notice: str = ""
    anchor: str = ""  # the change log's head when it was printed (see trainer verify --anchor)
    copy_note: str = ""  # a signed roster printed again: 写し and the day
    concurrent: int = 0  # people listed for a 兼務 here (counted in their main division)
    addressee: str = ""  # 宛先: the coordinating section (trainer settings coordinator)
    widths: RosterWidths | None = None

    @property
    def head(self) -> str:
        """The 所属長 the roster names: the one who signed it, else the division's."""
        title = self.signoff.get("title", self.division.head_title)
        name = self.signoff.get("name", self.division.head_name)
        return f"{title} {name}".strip()

    @property
    def people(self) -> int:
        return sum(len(s.lines) for s in self.sections if s.key != "left")


SECTION_TITLES = {
    "completed": "修了者",
    "open": "未修了者",
    "exempt": "免除",
    "left": "年度途中の離脱者",
}
SECTION_NOTES = {
    "open": "備考に、未修了の理由（期限超過・期限前・休業中）と期限を記載しています。",
    "exempt": "免除は承認された例外であり、修了には数えません。",
    "left": "年度の途中で退職・異動などにより対象でなくなった職員です。離脱した日の状態を記載しています。",
}


# A note as printed: pieces of text, each with whether it must stay on one line (a course's
# name, a date and its word); the rest (free text) may break anywhere.
Note = tuple[tuple[str, bool], ...]


def note_text(note: Note) -> str:
    """The note as one plain text."""
    return "".join(text for text, _ in note)


def _names(names: list[str], separator: str) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    for i, name in enumerate(names):
        pieces += [(separator, False)] if i else []
        pieces.append((name, True))
    return pieces


def _open_note(row: Row, columns: tuple[RequirementRef, ...]) -> Note:
    """Why someone has not completed: what is overdue and what is not yet due, with the deadlines
    (期限超過 R8.11.30: 入門編・規程理解編／期限前 R9.2.1まで: チェックポイント)."""
    groups: dict[str, list[str]] = {}
    for ref in columns:
        entry = row.entry(ref.id)
        if entry is None or entry.state in ("completed", "exempt"):
            continue
        if entry.deadline is None:
            key = "休業中:"
        else:
            when = wareki_short(date.fromisoformat(entry.deadline))
            key = f"期限超過 {when}:" if entry.state == "overdue" else f"期限前 {when}まで:"
        groups.setdefault(key, []).append(ref.short_title)
    pieces: list[tuple[str, bool]] = []
    for head, names in groups.items():
        pieces += [("／", False)] if pieces else []
        pieces += [(head, True), (" ", False), *_names(names, "・")]
    if row.note:
        pieces += [("／", False)] if pieces else []
        pieces.append((row.note, False))
    return tuple(pieces)


def _with_post(post: str, note: Note) -> Note:
    """A 兼務's note begins with the main post (兼務（本務 市民課）／…)."""
    if not post:
        return note
    return ((post, False), *((("／", False),) if note else ()), *note)


def _left_note(row: Row, columns: tuple[RequirementRef, ...], division_names: dict[str, str]) -> Note:
    day = wareki(date.fromisoformat(row.left_on)) if row.left_on else ""
    reason = LeftReason(row.left_reason).label if row.left_reason else ""
    if row.moved_to:
        reason += f"（{division_names.get(row.moved_to, row.moved_to)}・{row.moved_duty}）"
    elif row.moved_duty:
        reason += f"（{row.moved_duty}へ）"
    open_ = [ref.short_title for ref in columns if (e := row.entry(ref.id)) and e.state not in ("completed", "exempt")]
    pieces = [(day, True), (" ", False), (reason, False)]
    if open_:
        return (*pieces, ("。未修了: ", False), *_names(open_, "、"))
    return (*pieces, ("。離脱までにすべて修了", False))


def roster_view(
    roster: Roster,
    generated: str,
    division_names: dict[str, str] | None = None,
    roster_code: str = "",
    signoff: dict[str, str] | None = None,
    notice: str = "",
    anchor: str = "",
    copy_note: str = "",
    addressee: str = "",
) -> RosterView:
    """What the 修了者名簿 prints, from the roster's data: 修了者, 未修了者 (with the reason), 免除,
    and the people who left scope during the year, each in its own section."""
    names = division_names or {}
    refs = roster.requirements
    groups: dict[str, list[tuple[Row, Note]]] = {key: [] for key in SECTION_TITLES}
    for row in roster.rows:
        post = f"兼務（本務 {names.get(row.main_division, row.main_division)}）" if row.main_division else ""
        if row.state == "completed":
            groups["completed"].append((row, _with_post(post, ((row.note, False),) if row.note else ())))
        elif row.state == "exempt":
            groups["exempt"].append((row, _with_post(post, ((row.note, False),) if row.note else ())))
        else:
            groups["open"].append((row, _with_post(post, _open_note(row, refs))))
    for row in roster.left:
        groups["left"].append((row, _left_note(row, refs, names)))
    sections = []
    for key, title in SECTION_TITLES.items():
        lines = tuple(
            RosterLine(
                no=i,
                title=row.title,
                name=row.name,
                kana=row.kana,
                staff_id=row.staff_id,
                employment=row.employment,
                cells=tuple(entry_text(row.entry(r.id)) for r in refs),
                states=tuple(e.state if (e := row.entry(r.id)) else "none" for r in refs),
                note=note,
            )
            for i, (row, note) in enumerate(groups[key], start=1)
        )
        if lines or key in ("completed", "open"):
            sections.append(RosterSection(key, title, lines, SECTION_NOTES.get(key, "")))
    return RosterView(
        fiscal_year=roster.fiscal_year,
        fy_label=fy_label(roster.fiscal_year),
        as_of=wareki(date.fromisoformat(roster.as_of)),
        division=roster.division,
        trainings=tuple(dict.fromkeys(r.training for r in refs if r.training)),
        columns=tuple(r.short_title for r in refs),
        key=tuple((r.short_title, r.title) for r in refs if r.title != r.short_title),
        sections=tuple(sections),
        totals=roster.totals(),
        per_requirement=tuple((r.short_title, n) for r, n in roster.completed_per_requirement()),
        generated=generated,
        organization=roster.organization,
        roster_code=roster_code,
        signoff=signoff or {},
        notice=notice,
        anchor=anchor,
        copy_note=copy_note,
        concurrent=sum(1 for row in roster.rows if row.concurrent),
        addressee=addressee,
        widths=RosterWidths.of(
            tuple(r.short_title for r in refs), {row.employment for row in (*roster.rows, *roster.left)}
        ),
    )


@dataclass(frozen=True)
class OwedRow:
    """One person of the 未修了者一覧: each requirement's standing in a word, and a note."""

    staff_id: str
    name: str
    kana: str
    title: str
    cells: tuple[str, ...]
    states: tuple[str, ...]  # State values ("none": not owed), for styling
    note: str


@dataclass(frozen=True)
class OwedSection:
    """One division's page(s): those past a deadline first, then those whose deadline is ahead."""

    code: str
    name: str
    head: str
    overdue: tuple[OwedRow, ...]
    pending: tuple[OwedRow, ...]
    left: tuple[OwedRow, ...] = ()  # left scope during the year with something still owed


def owed_cell(rs: RequirementStatus | None, as_of: date) -> str:
    """済 / 免除 / 12日超過 / あと62日 / 休業中 / 対象外."""
    if rs is None:
        return "対象外"
    if rs.state is State.COMPLETED:
        return "済"
    if rs.state is State.EXEMPT:
        return "免除"
    if rs.deadline is None:
        return "休業中"
    days = days_between(as_of, rs.deadline)
    return f"{-days}日超過" if days < 0 else f"あと{days}日"


def left_cell(rs: RequirementStatus | None, left_on: date) -> str:
    """A leaver's requirement as it stood the day they left: 済 / 免除 / 12日超過 (overdue
    then) / 未修了 (its deadline was still ahead: it will not be completed here) / 休業中 / 対象外."""
    owed = rs is not None and rs.state not in (State.COMPLETED, State.EXEMPT)
    if owed and rs is not None and rs.deadline is not None and days_between(left_on, rs.deadline) >= 0:
        return "未修了"
    return owed_cell(rs, left_on)


def owed_sections(
    people: list[PersonStatus],
    catalog: Catalog,
    divisions: dict[str, Division],
    as_of: date,
    departures: list[Departure] | None = None,
) -> list[OwedSection]:
    """The 未修了者一覧 by division: each person with something still owed, once, the overdue first,
    then whose deadline is ahead, then those who left scope during the year still owing (as they
    stood the day they left)."""
    by_division: dict[str, tuple[list[tuple[str, OwedRow]], list[tuple[str, OwedRow]]]] = {}
    gone: dict[str, list[tuple[str, OwedRow]]] = {}
    names = {code: d.name for code, d in divisions.items()}
    for d in departures or ():
        if not d.outstanding:
            continue
        by_id = {rs.requirement: rs for rs in d.requirements}
        row = OwedRow(
            staff_id=d.staff.staff_id,
            name=d.staff.name,
            kana=d.staff.kana,
            title=d.assignment.title,
            cells=tuple(left_cell(by_id.get(r.id), d.left_on) if r.id in by_id else "対象外" for r in catalog),
            states=tuple(by_id[r.id].state.value if r.id in by_id else "none" for r in catalog),
            note=f"{wareki(d.left_on)} {d.reason_text(names)}",
        )
        gone.setdefault(d.division, []).append((d.staff.kana, row))
        by_division.setdefault(d.division, ([], []))
    for p in people:
        owed = [rs for rs in p.requirements if rs.outstanding]
        if not owed:
            continue
        by_id = {rs.requirement: rs for rs in p.requirements}
        row = OwedRow(
            staff_id=p.staff.staff_id,
            name=p.staff.name,
            kana=p.staff.kana,
            title=p.assignment.title,
            cells=tuple(owed_cell(by_id.get(r.id), as_of) for r in catalog),
            states=tuple(by_id[r.id].state.value if r.id in by_id else "none" for r in catalog),
            note=p.notes,
        )
        overdue, pending = by_division.setdefault(p.division, ([], []))
        (overdue if any(rs.state is State.OVERDUE for rs in owed) else pending).append((p.staff.kana, row))
    sections = []
    for code in sorted(by_division):
        division = divisions.get(code)
        overdue, pending = by_division[code]
        sections.append(
            OwedSection(
                code=code,
                name=division.name if division else code,
                head=f"{division.head_title} {division.head_name}".strip() if division else "",
                overdue=tuple(row for _, row in sorted(overdue, key=lambda x: (x[0], x[1].staff_id))),
                pending=tuple(row for _, row in sorted(pending, key=lambda x: (x[0], x[1].staff_id))),
                left=tuple(row for _, row in sorted(gone.get(code, []), key=lambda x: (x[0], x[1].staff_id))),
            )
        )
    return sections


def window_words(r: Requirement, fiscal_year: int, anytime: str = "") -> tuple[str, str]:
    """(the window, the deadline) of a requirement in the year, as the audit and the plan print
    them: 令和8年7月1日〜令和8年11月30日 and its last day, or for one due N days after entering
    scope 着任（…）からN日以内 and 各人の着任日による (``anytime``: words after the window)."""
    if r.after_entry_days:
        return f"着任（利用事務の対象になった日）から{r.after_entry_days}日以内{anytime}", "各人の着任日による"
    first, last = window_dates(r, fiscal_year)
    return f"{wareki(first)}〜{wareki(last)}", wareki(deadline(r, fiscal_year))
