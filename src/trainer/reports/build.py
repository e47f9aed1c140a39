"""Each report from the service's status: files written atomically, progress reported."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trainer import signoff
from trainer.calendar import fy_end, fy_label, fy_start, wareki
from trainer.model import Catalog, Division, Exemption
from trainer.progress import Task
from trainer.reports import render, views
from trainer.rules import PersonStatus, Summary, summarize

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+')


def safe_name(text: str) -> str:
    """A file name part from a division name: no path separators, no characters Windows refuses,
    no control characters (U+202E would show "…_修了者名簿\u202efdp.exe" as "…exe.pdf")."""
    cleaned = UNSAFE.sub("_", text).strip(" .")
    return cleaned[:60] or "_"


def stamp(now: datetime) -> str:
    return f"{wareki(now.date())} {now:%H:%M}"


@dataclass(frozen=True)
class Context:
    """What every report needs to know besides its own data."""

    fiscal_year: int
    as_of: date
    catalog: Catalog
    divisions: dict[str, Division]
    organization: str
    database: str
    now: datetime
    templates: Path


def _output(html: str, ctx: Context, fmt: str) -> bytes | str:
    return html if fmt == "html" else render.pdf_bytes(ctx.templates, html)


def roster_files(
    ctx: Context,
    people: list[PersonStatus],
    codes: list[str],
    out_dir: Path,
    fmt: str,
    task: Task,
    combined: bool,
    signoffs: dict[str, dict[str, Any]] | None = None,
) -> list[Path]:
    """One roster per division (and, for several in PDF, one combined file after them).

    Each roster prints its roster code (the digest of its content). When that is the code a
    division head signed, the signed roster is printed, with the sign-off; when the head signed
    other content, the roster says so.
    """
    signoffs = signoffs or {}
    by_division: dict[str, list[PersonStatus]] = {code: [] for code in codes}
    for p in people:
        if p.division in by_division:
            by_division[p.division].append(p)
    written: list[Path] = []
    parts: list[bytes] = []
    label = fy_label(ctx.fiscal_year)
    for i, code in enumerate(codes):
        task.check()
        division = ctx.divisions.get(code, Division(code, code))
        task.report(i, len(codes), f"{division.name} の名簿を作成中")
        view = views.roster_view(
            ctx.fiscal_year,
            ctx.as_of,
            division,
            by_division[code],
            ctx.catalog,
            ctx.divisions,
            f"出力 {stamp(ctx.now)}",
            ctx.organization,
        )
        view = with_signoff(view, signoffs.get(code))
        data = _output(render.render_html(ctx.templates, "roster.html.j2", v=view), ctx, fmt)
        name = f"{label}_{safe_name(code)}_{safe_name(division.name)}_修了者名簿.{fmt}"
        written.append(render.write(out_dir / name, data))
        if isinstance(data, bytes):
            parts.append(data)
    if combined and len(parts) > 1:
        task.report(len(codes), len(codes), "1つのPDFにまとめています")
        written.append(render.write(out_dir / f"{label}_修了者名簿_全所属.pdf", _merge(parts)))
    task.report(len(codes), len(codes), "完了")
    return written


def with_signoff(view: views.RosterView, doc: dict[str, Any] | None) -> views.RosterView:
    code = signoff.roster_code(signoff.freeze(view))
    if doc is not None and doc["code"] == code and not doc.get("changes_since"):
        return signoff.view_from_frozen(doc["frozen"], doc)  # exactly what was signed
    notice = ""
    if doc is not None:
        changes = len(doc.get("changes_since", ()))
        notice = (
            f"この所属の名簿は {doc['date_label']} に名簿コード {doc['code']} で署名されていますが、"
            + (f"署名の後に{changes}件の変更があり、" if changes else "")
            + "この名簿とは内容が違います。確認のうえ、改めて署名を受けてください。"
        )
    return replace(view, roster_code=code, notice=notice)


def signed_file(ctx: Context, doc: dict[str, Any], out_dir: Path, fmt: str) -> Path:
    """A signed roster, re-rendered from its frozen rows: the same every time."""
    view = signoff.view_from_frozen(doc["frozen"], doc)
    data = _output(render.render_html(ctx.templates, "roster.html.j2", v=view), ctx, fmt)
    division = f"{safe_name(view.division.code)}_{safe_name(view.division.name)}"
    name = f"{view.fy_label}_{division}_修了者名簿_署名済_{doc['code']}.{fmt}"
    return render.write(out_dir / name, data)


def _merge(parts: list[bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def overdue_file(ctx: Context, people: list[PersonStatus], scope: str, out: Path, fmt: str) -> Path:
    rows = views.overdue_rows(people, ctx.catalog, ctx.divisions, ctx.as_of)
    html = render.render_html(
        ctx.templates,
        "overdue.html.j2",
        fy_label=fy_label(ctx.fiscal_year),
        as_of=wareki(ctx.as_of),
        scope=scope,
        rows=rows,
        generated=stamp(ctx.now),
    )
    return render.write(out, _output(html, ctx, fmt))


def audit_file(
    ctx: Context,
    people: list[PersonStatus],
    summary: Summary | None,
    exemptions: dict[str, list[Exemption]],
    signoffs: list[dict[str, Any]],
    out: Path,
    fmt: str,
    task: Task,
) -> Path:
    task.report(0, 3, "集計中")
    summary = summary or summarize(people, ctx.catalog)
    by_division, by_requirement = views.rate_rows(summary, ctx.catalog, ctx.divisions)
    by_staff = {p.staff.staff_id: p for p in people}
    year_over = ctx.as_of >= fy_end(ctx.fiscal_year)
    owing = views.overdue_rows(people, ctx.catalog, ctx.divisions, ctx.as_of)
    # At year end everyone who has not completed; during the year those past their deadline.
    not_completed = owing if year_over else [r for r in owing if r.days is not None and r.days < 0]
    total = summary.totals
    html = render.render_html(
        ctx.templates,
        "audit.html.j2",
        fy_label=fy_label(ctx.fiscal_year),
        year_start=wareki(fy_start(ctx.fiscal_year)),
        year_end_label=wareki(fy_end(ctx.fiscal_year)),
        as_of=wareki(ctx.as_of),
        organization=ctx.organization,
        summary=summary,
        total_rate=total.rate,
        divisions_count=len(summary.divisions),
        rules=views.rule_lines(ctx.catalog, ctx.fiscal_year),
        by_division=by_division,
        by_requirement=by_requirement,
        exemptions=views.exemption_lines(exemptions, by_staff, ctx.catalog, ctx.divisions),
        not_completed=not_completed,
        year_over=year_over,
        signoffs=signoffs,
        generated=stamp(ctx.now),
        database=ctx.database,
    )
    task.check()
    task.report(1, 3, "PDF を作成中")
    path = render.write(out, _output(html, ctx, fmt))
    task.report(3, 3, "完了")
    return path
