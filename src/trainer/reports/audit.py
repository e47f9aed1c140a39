"""What the audit shows, as plain data for its template (no I/O, no formatting decisions left)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from trainer.calendar import fy_start, wareki, wareki_short
from trainer.model import ALL_REQUIREMENTS, Catalog, Division, Exemption, LeftReason, Requirement, Staff, State
from trainer.reports.views import window_words
from trainer.rules import Counts, Departure, PersonStatus, Summary


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
    outstanding: tuple[str, ...]  # the requirements still owed that day (short titles)


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
    owed: tuple[tuple[str, tuple[str, ...]], ...]  # ("期限超過 R8.11.30", ("入門編", …)), …
    note: str


def rule_lines(catalog: Catalog, fiscal_year: int) -> list[RuleLine]:
    lines = []
    for r in catalog:
        window, last_day = window_words(r, fiscal_year)
        lines.append(
            RuleLine(
                title=r.title,
                training=r.training,
                window=window,
                deadline=last_day,
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
            outstanding=tuple(_short(catalog.get(r), r) for r in d.outstanding),
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
        groups: dict[str, list[str]] = {}
        for rs in owed:
            if rs.deadline is None:
                when = "休業中"
            else:
                word = "期限超過" if rs.state is State.OVERDUE else "期限前"
                when = f"{word} {wareki_short(rs.deadline)}"
            groups.setdefault(when, []).append(_short(catalog.get(rs.requirement), rs.requirement))
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
                owed=tuple((when, tuple(names)) for when, names in groups.items()),
                note=p.notes,
            )
        )
    lines.sort(key=lambda x: (not x.overdue, x.division, x.kana, x.staff_id))
    return lines


def _short(requirement: Requirement | None, fallback: str) -> str:
    return requirement.short_title if requirement else fallback


# ------------------------------------------------------------------ the reconciliation
@dataclass(frozen=True)
class Reconciliation:
    """From everyone in the register to the people the year's figures count (the audit's 第1節)."""

    registered: int  # every staff member the register holds
    in_service: int  # in service on some day of the year up to the date
    in_year: int  # of them, in 利用事務 on some day: the people the year accounts for
    in_scope: int  # in scope on the date
    on_leave: int  # of those, on leave on the date (never overdue while on leave)
    left: dict[LeftReason, int]  # left scope during the year, by reason

    @property
    def not_in_service(self) -> int:
        """In the register, but not in service this year up to the date (left before it, hired after)."""
        return self.registered - self.in_service

    @property
    def never_in_scope(self) -> int:
        """In service, but never in 利用事務 this year (関係事務 only, or neither)."""
        return self.in_service - self.in_year

    @property
    def left_total(self) -> int:
        return sum(self.left.values())


def reconciliation(
    staff: Iterable[Staff], people: list[PersonStatus], departures: list[Departure], fiscal_year: int, as_of: date
) -> Reconciliation:
    start = fy_start(fiscal_year)
    registered = in_service = 0
    for s in staff:
        registered += 1
        in_service += s.hired <= as_of and (s.retired is None or s.retired >= start)
    left = {reason: 0 for reason in LeftReason}
    for d in departures:
        left[d.reason] += 1
    on_leave = sum(1 for p in people if p.staff.leaves and p.staff.leave_on(as_of) is not None)
    return Reconciliation(registered, in_service, len(people) + len(departures), len(people), on_leave, left)


# ------------------------------------------------------------------ stacked bars
# The five figures a bar is made of, in order: what they are called and their colour.
SEGMENTS: tuple[tuple[str, str, str], ...] = (
    ("completed", "修了", "#3a6ea5"),
    ("exempt", "免除", "#9aa5b1"),
    ("pending", "期限前", "#e8b949"),
    ("overdue", "期限超過", "#c0392b"),
    ("left", "離脱", "#7d6b91"),
)


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    color: str
    count: int
    x: float  # where it starts, in the bar's units
    width: float


@dataclass(frozen=True)
class StackedBar:
    """One row of a chart: 修了 / 免除 / 期限前 / 期限超過 / 離脱 side by side, over everyone the
    year accounts for (in scope on the date, and those who left)."""

    label: str
    counts: Counts
    segments: tuple[Segment, ...]

    @property
    def total(self) -> int:
        return self.counts.in_year


def stacked_bar(label: str, counts: Counts, length: float = 100.0) -> StackedBar:
    values = {
        "completed": counts.completed,
        "exempt": counts.exempt,
        "pending": counts.pending,
        "overdue": counts.overdue,
        "left": counts.left,
    }
    total = sum(values.values())
    segments = []
    x = 0.0
    for key, name, color in SEGMENTS:
        width = length * values[key] / total if total else 0.0
        segments.append(Segment(key, name, color, values[key], round(x, 2), round(width, 2)))
        x += width
    return StackedBar(label, counts, tuple(segments))


def stacked_bars(rows: list[RateRow]) -> list[StackedBar]:
    return [stacked_bar(r.label, r.counts) for r in rows]
