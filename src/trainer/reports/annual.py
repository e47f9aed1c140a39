"""The year's two documents for the record: the audit (what was done) and the training plan
(what will be done), from the same register and the year's frozen catalog."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from trainer.calendar import fy_end, fy_label, fy_start, wareki
from trainer.model import Exemption, LegalBasis
from trainer.progress import Task
from trainer.reports import audit, plan, render
from trainer.reports.build import Context, document_file, stamp
from trainer.rules import Departure, PersonStatus, Summary, summarize


def _common(ctx: Context, legal: tuple[LegalBasis, ...]) -> dict[str, Any]:
    """What both documents print on their cover."""
    return {
        "fy_label": fy_label(ctx.fiscal_year),
        "year_start": wareki(fy_start(ctx.fiscal_year)),
        "year_end_label": wareki(fy_end(ctx.fiscal_year)),
        "as_of": wareki(ctx.as_of),
        "organization": ctx.organization,
        "coordinator": ctx.coordinator,
        "operator": ctx.operator,
        "legal": legal,
        "generated": stamp(ctx.now),
        "anchor": ctx.anchor,
    }


def audit_html(
    ctx: Context,
    people: list[PersonStatus],
    departures: list[Departure],
    summary: Summary | None,
    exemptions: dict[str, list[Exemption]],
    signoffs: list[dict[str, Any]],
    reconciliation: audit.Reconciliation,
    legal: tuple[LegalBasis, ...],
) -> str:
    """The annual audit's page: the cover with the legal basis and the approval block, how the
    people counted were found, the rules, the figures as charts and tables, the leavers, the
    exemptions, who has not completed, and each division's sign-off. (The year's figures are in
    it once made: the caller may drop them before :func:`document_file` prints it.)"""
    summary = summary or summarize(people, ctx.catalog, departures)
    by_division, by_requirement = audit.rate_rows(summary, ctx.catalog, ctx.divisions)
    owners = {p.staff.staff_id: (p.division, p.staff.name) for p in people}
    owners |= {d.staff.staff_id: (d.division, d.staff.name) for d in departures}
    year_over = ctx.as_of >= fy_end(ctx.fiscal_year)
    # At year end everyone who has not completed; during the year those past a deadline.
    not_completed = audit.open_lines(people, ctx.catalog, ctx.divisions, only_overdue=not year_over)
    exemption_lines = audit.exemption_lines(exemptions, owners, ctx.catalog, ctx.divisions)
    return render.render_html(
        ctx.templates,
        "audit.html.j2",
        **_common(ctx, legal),
        summary=summary,
        total=summary.totals,
        divisions_count=len(summary.divisions),
        reconciliation=reconciliation,
        rules=audit.rule_lines(ctx.catalog, ctx.fiscal_year),
        by_division=by_division,
        by_requirement=by_requirement,
        requirement_bars=audit.stacked_bars(by_requirement),
        division_bars=audit.stacked_bars(by_division),
        segments=audit.SEGMENTS,
        leavers=audit.leaver_lines(departures, ctx.catalog, ctx.divisions),
        exemptions=exemption_lines,
        exemption_people=len({line.staff_id for line in exemption_lines}),
        not_completed=not_completed,
        not_completed_people=len({line.staff_id for line in not_completed}),
        year_over=year_over,
        signoffs=signoffs,
        signed=sum(1 for s in signoffs if s["signed"]),
    )


def plan_file(
    ctx: Context,
    people: list[PersonStatus],
    legal: tuple[LegalBasis, ...],
    out: Path,
    fmt: str,
    made_on: date,
    task: Task | None = None,
) -> Path:
    """The year's 研修実施計画 (the shape of the PPC reference forms' 様式第2号)."""
    view = plan.plan_view(people, ctx.catalog, ctx.divisions, ctx.fiscal_year)
    html = render.render_html(ctx.templates, "plan.html.j2", **_common(ctx, legal), p=view, made_on=wareki(made_on))
    return document_file(ctx, html, out, fmt, task or Task())
