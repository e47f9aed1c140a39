"""Each report from the service's status: files written atomically, progress reported."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trainer import signoff
from trainer.calendar import fy_end, fy_label, fy_start, wareki
from trainer.model import Catalog, Division, Exemption
from trainer.progress import Task
from trainer.reports import audit, merge, render, views
from trainer.rules import Departure, PersonStatus, Summary, summarize
from trainer.signoff import Roster

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
    now: datetime
    templates: Path
    anchor: str = ""  # the change log's head now (printed beside the roster code)
    coordinator: str = ""  # the section that coordinates the training (宛先, 作成課)
    operator: str = ""  # who made the report (作成者)


def _output(html: str, ctx: Context, fmt: str) -> bytes | str:
    return render.html_document(ctx.templates, html) if fmt == "html" else render.pdf_bytes(ctx.templates, html)


# Rows of rosters printed in one render: about 60 pages, 300-400 MB while it is laid out. One
# render's pages share one font subset; the renders of a city's --all are joined into one file
# whose font is made one again (merge.py). Memory stays at one batch's, whatever the city's size.
BATCH_ROWS = 1_000


def roster_files(
    ctx: Context,
    rosters: Iterable[Roster],
    out_dir: Path,
    fmt: str,
    task: Task,
    combined: bool,
    signoffs: dict[str, dict[str, Any]] | None = None,
    total: int | None = None,
) -> list[Path]:
    """One roster per division and, for several in PDF, one combined file after them.

    Each roster prints its roster code (the digest of its data). When the division head signed
    exactly this content, the signed roster is printed, with the sign-off; when the head signed
    other content, the roster says so. PDFs are printed in batches of divisions (each batch one
    render, then cut into a file per division); ``total``: how many rosters, for the progress.
    """
    signoffs = signoffs or {}
    label = fy_label(ctx.fiscal_year)

    def name(roster: Roster) -> str:
        division = roster.division
        return f"{label}_{safe_name(division.code)}_{safe_name(division.name)}_修了者名簿.{fmt}"

    def pages() -> Iterator[tuple[Roster, str, int]]:
        for roster in rosters:
            task.check()
            html = render.render_html(
                ctx.templates, "roster.html.j2", v=live_view(ctx, roster, signoffs.get(roster.division.code))
            )
            yield roster, html, len(roster.rows) + len(roster.left) + 10

    written: list[Path] = []
    batches: list[bytes] = []
    count = total or 0
    for group in batched(pages(), BATCH_ROWS):
        task.report(len(written), count, f"{group[0][0].division.name} ほかの名簿を作成中")
        if fmt == "html":
            for roster, html, _ in group:
                written.append(render.write(out_dir / name(roster), render.html_document(ctx.templates, html)))
            continue
        data, counts = render.pdf_of_documents(ctx.templates, [html for _, html, _ in group])
        task.check()
        pieces = merge.split(data, counts) if len(group) > 1 else [data]
        for (roster, _, _), piece in zip(group, pieces, strict=True):
            written.append(render.write(out_dir / name(roster), piece))
        batches.append(data)
    if combined and len(written) > 1 and batches:
        task.report(len(written), count, "1つのPDFにまとめています")
        font = render.city_font(ctx.templates)
        whole = batches[0] if len(batches) == 1 else merge.merge(batches, [font] if font else [])
        written.append(render.write(out_dir / f"{label}_修了者名簿_全所属.pdf", whole))
    task.report(count, count, "完了")
    return written


def batched(items: Iterable[tuple[Roster, str, int]], budget: int) -> Iterator[list[tuple[Roster, str, int]]]:
    """Consecutive groups of ``items`` whose weights (the last of each) add up to about ``budget``."""
    group: list[tuple[Roster, str, int]] = []
    weight = 0
    for item in items:
        if group and weight + item[2] > budget:
            yield group
            group, weight = [], 0
        group.append(item)
        weight += item[2]
    if group:
        yield group


def _names(ctx: Context) -> dict[str, str]:
    return {code: d.name for code, d in ctx.divisions.items()}


def live_view(ctx: Context, roster: Roster, doc: dict[str, Any] | None) -> views.RosterView:
    """The roster as it stands; the signed one itself when the head signed exactly this content."""
    if doc is not None and not doc.get("changes_since") and signoff.same_content(doc, roster):
        return signed_view(ctx, doc)  # a reprint of what was signed: 写し
    notice = ""
    if doc is not None:
        changes = len(doc.get("changes_since", ()))
        notice = (
            f"この所属の名簿は {doc['date_label']} に名簿コード {doc['code']} で署名されていますが、"
            + (f"署名の後に{changes}件の変更があり、" if changes else "")
            + "この名簿とは内容が違います。確認のうえ、改めて署名を受けてください。"
        )
    return views.roster_view(
        roster,
        f"出力 {stamp(ctx.now)}",
        _names(ctx),
        roster.code(),
        notice=notice,
        anchor=ctx.anchor,
        addressee=ctx.coordinator,
    )


def signed_view(ctx: Context, doc: dict[str, Any], copy: bool = True) -> views.RosterView:
    """A signed roster from its frozen data, with the head's sign-off; ``copy``: marked 写し."""
    roster = signoff.roster_of(doc)
    return views.roster_view(
        roster,
        f"署名 {doc['signed_label']}",
        _names(ctx),
        doc["code"],
        signoff.signoff_block(doc),
        anchor=doc.get("anchor", ""),
        copy_note=f"写し（{stamp(ctx.now)} 再印刷）" if copy else "",
        addressee=ctx.coordinator,
    )


def signed_file(ctx: Context, doc: dict[str, Any], out_dir: Path, fmt: str) -> Path:
    """A signed roster, printed again from its frozen data (marked 写し)."""
    view = signed_view(ctx, doc)
    data = _output(render.render_html(ctx.templates, "roster.html.j2", v=view), ctx, fmt)
    division = f"{safe_name(view.division.code)}_{safe_name(view.division.name)}"
    name = f"{view.fy_label}_{division}_修了者名簿_署名済_{doc['code']}.{fmt}"
    return render.write(out_dir / name, data)


def overdue_file(ctx: Context, people: list[PersonStatus], scope: str, out: Path, fmt: str) -> Path:
    sections = views.owed_sections(people, ctx.catalog, ctx.divisions, ctx.as_of)
    html = render.render_html(
        ctx.templates,
        "overdue.html.j2",
        fy_label=fy_label(ctx.fiscal_year),
        as_of=wareki(ctx.as_of),
        scope=scope,
        sections=sections,
        columns=[r.short_title for r in ctx.catalog],
        key=[(r.short_title, r.title) for r in ctx.catalog if r.title != r.short_title],
        overdue=sum(len(s.overdue) for s in sections),
        pending=sum(len(s.pending) for s in sections),
        generated=stamp(ctx.now),
        anchor=ctx.anchor,
    )
    return render.write(out, _output(html, ctx, fmt))


def audit_file(
    ctx: Context,
    people: list[PersonStatus],
    departures: list[Departure],
    summary: Summary | None,
    exemptions: dict[str, list[Exemption]],
    signoffs: list[dict[str, Any]],
    out: Path,
    fmt: str,
    task: Task,
) -> Path:
    task.report(0, 3, "集計中")
    summary = summary or summarize(people, ctx.catalog, departures)
    by_division, by_requirement = audit.rate_rows(summary, ctx.catalog, ctx.divisions)
    owners = {p.staff.staff_id: (p.division, p.staff.name) for p in people}
    owners |= {d.staff.staff_id: (d.division, d.staff.name) for d in departures}
    year_over = ctx.as_of >= fy_end(ctx.fiscal_year)
    # At year end everyone who has not completed; during the year those past a deadline.
    not_completed = audit.open_lines(people, ctx.catalog, ctx.divisions, only_overdue=not year_over)
    total = summary.totals
    signed = sum(1 for s in signoffs if s["signed"])
    html = render.render_html(
        ctx.templates,
        "audit.html.j2",
        fy_label=fy_label(ctx.fiscal_year),
        year_start=wareki(fy_start(ctx.fiscal_year)),
        year_end_label=wareki(fy_end(ctx.fiscal_year)),
        as_of=wareki(ctx.as_of),
        organization=ctx.organization,
        summary=summary,
        total=total,
        divisions_count=len(summary.divisions),
        rules=audit.rule_lines(ctx.catalog, ctx.fiscal_year),
        by_division=by_division,
        by_requirement=by_requirement,
        leavers=audit.leaver_lines(departures, ctx.catalog, ctx.divisions),
        exemptions=audit.exemption_lines(exemptions, owners, ctx.catalog, ctx.divisions),
        not_completed=not_completed,
        year_over=year_over,
        signoffs=signoffs,
        signed=signed,
        generated=stamp(ctx.now),
        anchor=ctx.anchor,
    )
    task.check()
    task.report(1, 3, "PDF を作成中")
    path = render.write(out, _output(html, ctx, fmt))
    task.report(3, 3, "完了")
    return path
