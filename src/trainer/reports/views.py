"""What each report shows, as plain data for its template (no I/O, no formatting decisions left)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from trainer.calendar import days_between, fy_label, wareki, wareki_short
from trainer.model import ALL_REQUIREMENTS, Catalog, Division, Exemption, LeftReason, Requirement, State
from trainer.rules import Counts, Departure, PersonStatus, RequirementStatus, Summary, deadline, window_dates
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
    note: str


@dataclass(frozen=True)
class RosterSection:
    key: str  # completed / open / exempt / left
    title: str
    lines: tuple[RosterLine, ...]
    explanation: str = ""


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


def _open_note(row: Row, columns: tuple[RequirementRef, ...]) -> str:
    """Why someone has not completed: what is overdue and what is not yet due, with the deadlines
    (期限超過 R8.11.30: 入門編・規程理解編／期限前 R9.2.1まで: チェックポイント)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for ref in columns:
        entry = row.entry(ref.id)
        if entry is None or entry.state in ("completed", "exempt"):
            continue
        if entry.deadline is None:
            key = ("休業中", "")
        else:
            when = wareki_short(date.fromisoformat(entry.deadline))
            key = ("期限超過", f" {when}") if entry.state == "overdue" else ("期限前", f" {when}まで")
        groups.setdefault(key, []).append(ref.short_title)
    reasons = "／".join(f"{word}{when}: {'・'.join(names)}" for (word, when), names in groups.items())
    return f"{reasons}／{row.note}" if row.note and reasons else reasons or row.note


def _joined(*parts: str) -> str:
    return "／".join(p for p in parts if p)


def _left_note(row: Row, columns: tuple[RequirementRef, ...], division_names: dict[str, str]) -> str:
    day = wareki(date.fromisoformat(row.left_on)) if row.left_on else ""
    reason = LeftReason(row.left_reason).label if row.left_reason else ""
    if row.moved_to:
        reason += f"（{division_names.get(row.moved_to, row.moved_to)}・{row.moved_duty}）"
    elif row.moved_duty:
        reason += f"（{row.moved_duty}へ）"
    open_ = [ref.short_title for ref in columns if (e := row.entry(ref.id)) and e.state not in ("completed", "exempt")]
    outstanding = f"。未修了: {'、'.join(open_)}" if open_ else "。離脱までにすべて修了"
    return f"{day} {reason}{outstanding}"


def roster_view(
    roster: Roster,
    generated: str,
    division_names: dict[str, str] | None = None,
    roster_code: str = "",
    signoff: dict[str, str] | None = None,
    notice: str = "",
    anchor: str = "",
    copy_note: str = "",
) -> RosterView:
    """What the 修了者名簿 prints, from the roster's data: 修了者, 未修了者 (with the reason), 免除,
    and the people who left scope during the year, each in its own section."""
    names = division_names or {}
    refs = roster.requirements
    groups: dict[str, list[tuple[Row, str]]] = {key: [] for key in SECTION_TITLES}
    for row in roster.rows:
        post = f"兼務（本務 {names.get(row.main_division, row.main_division)}）" if row.main_division else ""
        if row.state == "completed":
            groups["completed"].append((row, _joined(post, row.note)))
        elif row.state == "exempt":
            groups["exempt"].append((row, _joined(post, row.note)))
        else:
            groups["open"].append((row, _joined(post, _open_note(row, refs))))
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
            cells=tuple(owed_cell(by_id.get(r.id), d.left_on) if r.id in by_id else "対象外" for r in catalog),
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


@dataclass(frozen=True)
class RateRow:
    label: str
    counts: Counts

    @property
    def done(self) -> int:
        return self.counts.done

    @property
    def rate(self) -> float:
        return self.counts.rate


@dataclass(frozen=True)
class RuleLine:
    title: str
    training: str
    window: str
    deadline: str
    hours: str
    late_days: int


@dataclass(frozen=True)
class ExemptionLine:
    no: int
    division: str
    staff_id: str
    name: str
    requirement: str
    kind: str  # the kind and note as recorded
    approved: str  # 承認者（承認日）, or 承認者未記録
    evidence: str
    effective: str
    revoked: str  # 取り消し: the day and the reason, or ""


@dataclass(frozen=True)
class LeaverLine:
    division: str
    staff_id: str
    name: str
    title: str
    left_on: str
    reason: str
    outstanding: str  # the requirements still owed that day (short titles), or ""


@dataclass(frozen=True)
class OpenLine:
    """One person not completed (per person: every requirement still owed, with its deadline)."""

    division: str
    staff_id: str
    name: str
    kana: str
    title: str
    state: str
    overdue: bool
    owed: str  # 入門編（期限超過 R8.11.30）、…
    note: str


def rule_lines(catalog: Catalog, fiscal_year: int) -> list[RuleLine]:
    lines = []
    for r in catalog:
        first, last = window_dates(r, fiscal_year)
        entry = f"着任（利用事務の対象になった日）から{r.after_entry_days}日以内" if r.after_entry_days else ""
        lines.append(
            RuleLine(
                title=r.title,
                training=r.training,
                window=entry or f"{wareki(first)}〜{wareki(last)}",
                deadline="各人の着任日による" if entry else wareki(deadline(r, fiscal_year)),
                hours=f"{r.expected_hours:g}時間" if r.expected_hours else "",
                late_days=r.late_joiner_days,
            )
        )
    return lines


def rate_rows(
    summary: Summary, catalog: Catalog, divisions: dict[str, Division]
) -> tuple[list[RateRow], list[RateRow]]:
    by_division = [
        RateRow(f"{code} {divisions[code].name if code in divisions else ''}", counts)
        for code, counts in sorted(summary.divisions.items())
    ]
    by_requirement = [RateRow(r.short_title, summary.requirements[r.id]) for r in catalog]
    return by_division, by_requirement


def exemption_lines(
    exemptions: dict[str, list[Exemption]],
    owners: dict[str, tuple[str, str]],
    catalog: Catalog,
    divisions: dict[str, Division],
) -> list[ExemptionLine]:
    """Every exemption of the year, revoked ones too; ``owners``: staff id → (division code, name)."""
    lines = []
    for staff_id, items in exemptions.items():
        code, name = owners.get(staff_id, ("", ""))
        division = divisions.get(code)
        for e in items:
            what = "すべて" if e.requirement == ALL_REQUIREMENTS else _short(catalog.get(e.requirement), e.requirement)
            approved = f"{e.approved_by}（{wareki(e.approved_on or e.on)}）" if e.approved else "承認者未記録"
            revoked = f"{wareki(e.revoked_on)} 取り消し: {e.revoked_reason}" if e.revoked_on else ""
            lines.append(
                ExemptionLine(
                    no=e.no,
                    division=division.name if division else "（対象外）",
                    staff_id=staff_id,
                    name=name,
                    requirement=what,
                    kind=e.reason,
                    approved=approved,
                    evidence=e.evidence,
                    effective=wareki(e.starts),
                    revoked=revoked,
                )
            )
    lines.sort(key=lambda x: (x.no, x.staff_id))
    return lines


def leaver_lines(departures: list[Departure], catalog: Catalog, divisions: dict[str, Division]) -> list[LeaverLine]:
    names = {code: d.name for code, d in divisions.items()}
    lines = [
        LeaverLine(
            division=names.get(d.division, d.division),
            staff_id=d.staff.staff_id,
            name=d.staff.name,
            title=d.assignment.title,
            left_on=wareki(d.left_on),
            reason=d.reason_text(names),
            outstanding="、".join(_short(catalog.get(r), r) for r in d.outstanding),
        )
        for d in departures
    ]
    lines.sort(key=lambda x: (x.division, x.left_on, x.staff_id))
    return lines


def open_lines(
    people: list[PersonStatus], catalog: Catalog, divisions: dict[str, Division], only_overdue: bool
) -> list[OpenLine]:
    """Everyone not completed, one line per person (overdue first); ``only_overdue``: only those
    with something past its deadline."""
    lines = []
    for p in people:
        owed = [rs for rs in p.requirements if rs.outstanding]
        overdue = any(rs.state is State.OVERDUE for rs in owed)
        if not owed or (only_overdue and not overdue):
            continue
        parts = []
        for rs in owed:
            when = wareki_short(rs.deadline) if rs.deadline else "休業中"
            word = "期限超過" if rs.state is State.OVERDUE else "期限前"
            parts.append(f"{_short(catalog.get(rs.requirement), rs.requirement)}（{word} {when}）")
        division = divisions.get(p.division)
        lines.append(
            OpenLine(
                division=division.name if division else p.division,
                staff_id=p.staff.staff_id,
                name=p.staff.name,
                kana=p.staff.kana,
                title=p.assignment.title,
                state=p.state.label,
                overdue=overdue,
                owed="、".join(parts),
                note=p.notes,
            )
        )
    lines.sort(key=lambda x: (not x.overdue, x.division, x.kana, x.staff_id))
    return lines


def _short(requirement: Requirement | None, fallback: str) -> str:
    return requirement.short_title if requirement else fallback
