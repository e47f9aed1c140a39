"""What the audit shows, as plain data for its template (no I/O, no formatting decisions left)."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.calendar import wareki, wareki_short
from trainer.model import ALL_REQUIREMENTS, Catalog, Division, Exemption, Requirement, State
from trainer.rules import Counts, Departure, PersonStatus, Summary, deadline, window_dates


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
