"""What each report shows, as plain data for its template (no I/O, no formatting decisions left)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from trainer.calendar import days_between, fy_label, wareki, wareki_short
from trainer.model import ALL_REQUIREMENTS, Catalog, Division, Exemption, Requirement, State
from trainer.rules import Counts, PersonStatus, RequirementStatus, Summary, deadline, window_dates


def cell_text(rs: RequirementStatus | None) -> str:
    """A roster cell: the completion date (R8.7.10), or the state in words."""
    if rs is None:
        return "対象外"
    if rs.state is State.COMPLETED and rs.completed_on:
        return wareki_short(rs.completed_on)
    if rs.state is State.IN_PROGRESS:
        return f"受講中 {rs.percent}%"
    return rs.state.label


@dataclass(frozen=True)
class RosterRow:
    division: str
    title: str
    name: str
    kana: str
    staff_id: str
    employment: str
    cells: tuple[str, ...]
    states: tuple[str, ...]  # State values, for styling
    note: str


@dataclass(frozen=True)
class RosterView:
    fiscal_year: int
    fy_label: str
    as_of: str
    division: Division
    trainings: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[RosterRow, ...]
    totals: Counts
    per_requirement: tuple[tuple[str, int], ...]  # (short title, completed)
    generated: str
    organization: str
    roster_code: str = ""
    signoff: dict[str, str] = field(default_factory=dict)
    notice: str = ""


def roster_rows(people: list[PersonStatus], catalog: Catalog, divisions: dict[str, Division]) -> list[RosterRow]:
    rows = []
    for p in sorted(people, key=lambda p: (p.staff.kana, p.staff.staff_id)):
        by_id = {rs.requirement: rs for rs in p.requirements}
        division = divisions.get(p.division)
        rows.append(
            RosterRow(
                division=division.name if division else p.division,
                title=p.assignment.title,
                name=p.staff.name,
                kana=p.staff.kana,
                staff_id=p.staff.staff_id,
                employment=p.staff.employment,
                cells=tuple(cell_text(by_id.get(r.id)) for r in catalog),
                states=tuple(by_id[r.id].state.value if r.id in by_id else "none" for r in catalog),
                note=p.notes,
            )
        )
    return rows


def roster_view(
    fiscal_year: int,
    as_of: date,
    division: Division,
    people: list[PersonStatus],
    catalog: Catalog,
    divisions: dict[str, Division],
    generated: str,
    organization: str,
) -> RosterView:
    totals = Counts()
    for p in people:
        totals.add(p.state)
    rows = roster_rows(people, catalog, divisions)
    per_requirement = tuple(
        (
            r.short_title,
            sum(1 for p in people for rs in p.requirements if rs.requirement == r.id and rs.state is State.COMPLETED),
        )
        for r in catalog
    )
    trainings = tuple(dict.fromkeys(r.training for r in catalog))
    return RosterView(
        fiscal_year=fiscal_year,
        fy_label=fy_label(fiscal_year),
        as_of=wareki(as_of),
        division=division,
        trainings=trainings,
        columns=tuple(r.short_title for r in catalog),
        rows=tuple(rows),
        totals=totals,
        per_requirement=per_requirement,
        generated=generated,
        organization=organization,
    )


@dataclass(frozen=True)
class OverdueRow:
    division_code: str
    division: str
    staff_id: str
    name: str
    kana: str
    title: str
    requirement: str
    state: str
    deadline: str
    days: int | None  # positive: days left; negative: days overdue; None: on leave
    note: str


def overdue_rows(
    people: list[PersonStatus], catalog: Catalog, divisions: dict[str, Division], as_of: date
) -> list[OverdueRow]:
    rows = []
    for p in people:
        for rs in p.requirements:
            if rs.state in (State.COMPLETED, State.EXEMPT):
                continue
            division = divisions.get(p.division)
            requirement = catalog.by_id[rs.requirement]
            rows.append(
                OverdueRow(
                    division_code=p.division,
                    division=division.name if division else p.division,
                    staff_id=p.staff.staff_id,
                    name=p.staff.name,
                    kana=p.staff.kana,
                    title=p.assignment.title,
                    requirement=requirement.short_title,
                    state=rs.label,
                    deadline=wareki(rs.deadline) if rs.deadline else "（休業中）",
                    days=days_between(as_of, rs.deadline) if rs.deadline else None,
                    note=rs.note,
                )
            )
    rows.sort(key=lambda r: (r.division_code, r.days if r.days is not None else 10**6, r.kana, r.requirement))
    return rows


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
    division: str
    staff_id: str
    name: str
    requirement: str
    reason: str
    on: str


def rule_lines(catalog: Catalog, fiscal_year: int) -> list[RuleLine]:
    lines = []
    for r in catalog:
        first, last = window_dates(r, fiscal_year)
        lines.append(
            RuleLine(
                title=r.title,
                training=r.training,
                window=f"{wareki(first)}〜{wareki(last)}",
                deadline=wareki(deadline(r, fiscal_year)),
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
    people: dict[str, PersonStatus],
    catalog: Catalog,
    divisions: dict[str, Division],
) -> list[ExemptionLine]:
    lines = []
    for staff_id, items in exemptions.items():
        person = people.get(staff_id)
        for e in items:
            division = divisions.get(person.division) if person else None
            what = "すべて" if e.requirement == ALL_REQUIREMENTS else _short(catalog.get(e.requirement), e.requirement)
            lines.append(
                ExemptionLine(
                    division=division.name if division else "（対象外）",
                    staff_id=staff_id,
                    name=person.staff.name if person else "",
                    requirement=what,
                    reason=e.reason,
                    on=wareki(e.on),
                )
            )
    lines.sort(key=lambda x: (x.division, x.staff_id))
    return lines


def _short(requirement: Requirement | None, fallback: str) -> str:
    return requirement.short_title if requirement else fallback
