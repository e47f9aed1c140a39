"""Each report from the service's status: files written atomically, progress reported."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trainer import signoff
from trainer.calendar import fy_label, wareki
from trainer.model import Catalog, Division
from trainer.progress import Task
from trainer.reports import batch, grid_face, merge, render, views
from trainer.reports.roster_grid import RosterGrid
from trainer.rules import Departure, PersonStatus
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
    font: Path | None = None  # the settings' TRAINER_FONT (None: the templates' fonts/ or the system's)
    workers: int | None = None  # the settings' TRAINER_REPORT_WORKERS (None: as the machine allows)


def output(html: str, ctx: Context, fmt: str) -> bytes | str:
    if fmt == "html":
        return render.html_document(ctx.templates, html)
    return render.pdf_bytes(ctx.templates, html, ctx.font)


def document_file(ctx: Context, html: str, out: Path, fmt: str, task: Task) -> Path:
    """``html`` printed (or inlined, for HTML) to ``out``, with progress: 1 of 3 when the page is
    made and the layout begins, 3 of 3 when the file is written (cancelled before the layout)."""
    task.check()
    task.report(1, 3, "PDF を作成中" if fmt == "pdf" else "HTML を作成中")
    path = render.write(out, output(html, ctx, fmt))
    task.report(3, 3, "完了")
    return path


def roster_name(fiscal_year: int, division: Division, fmt: str, suffix: str = "") -> str:
    """令和8年度_160_市民税課_修了者名簿.pdf (``suffix``: _署名済_CODE …)."""
    place = f"{safe_name(division.code)}_{safe_name(division.name)}"
    return f"{fy_label(fiscal_year)}_{place}_修了者名簿{suffix}.{fmt}"


def combined_roster_name(fiscal_year: int) -> str:
    """令和8年度_修了者名簿_全所属.pdf: every division's roster in one file."""
    return f"{fy_label(fiscal_year)}_修了者名簿_全所属.pdf"


def roster_files(
    ctx: Context,
    rosters: Iterable[Roster],
    out_dir: Path,
    fmt: str,
    task: Task,
    combined: bool,
    signoffs: dict[str, dict[str, Any]] | None = None,
    total: tuple[int, int] = (0, 0),
    target: Path | None = None,
) -> list[Path]:
    """One roster per division and, for several in PDF, one combined file after them.

    Each roster prints its roster code (the digest of its data). When the division head signed
    exactly this content, the signed roster is printed, with the sign-off; when the head signed
    other content, the roster says so. PDFs are printed in batches of divisions (each one render,
    cut into a file per division: see :mod:`trainer.reports.batch`); ``total``: how many rosters
    and rows, for the progress and the number of worker processes; ``target``: the file of a
    single roster (else each goes into ``out_dir`` under its usual name).
    """
    signoffs = signoffs or {}
    label = fy_label(ctx.fiscal_year)
    count, rows = total

    def name(roster: Roster) -> Path:
        return target or out_dir / roster_name(ctx.fiscal_year, roster.division, fmt)

    grid = gridded(ctx, fmt)

    def pages() -> Iterator[tuple[Roster, str, int]]:
        for roster in rosters:
            task.check()
            html = roster_html(ctx, live_view(ctx, roster, signoffs.get(roster.division.code)), grid)
            yield roster, html, len(roster.rows) + len(roster.left) + 10

    written: list[Path] = []
    if fmt == "html":
        for roster, html, _ in pages():
            written.append(render.write(name(roster), render.html_document(ctx.templates, html)))
            task.report(len(written), count, f"{roster.division.name} の名簿を書き出しました")
        return written
    parts: list[bytes] = []
    workers = batch.workers_for(-(-(rows + 10 * count) // batch.BATCH_ROWS), ctx.workers)
    for group, data, counts in batch.print_batches(ctx.templates, batch.batched(pages()), workers, ctx.font):
        task.check()
        titles = [f"{label} 研修修了者名簿 {roster.division.name}" for roster in group]
        pieces = merge.split(data, counts, titles) if len(group) > 1 else [data]
        for roster, piece in zip(group, pieces, strict=True):
            written.append(render.write(name(roster), piece))
        task.report(len(written), count, f"{group[-1].division.name} までの名簿を書き出しました")
        parts.append(data)
    if combined and len(written) > 1:
        task.report(len(written), count, "1つのPDFにまとめています")
        font = render.city_font(ctx.templates, ctx.font)
        title = f"{label} 研修修了者名簿 全所属"
        whole = parts[0] if len(parts) == 1 else merge.merge(parts, [font] if font else [], title)
        written.append(render.write(out_dir / combined_roster_name(ctx.fiscal_year), whole))
    task.report(count, count, "完了")
    return written


def gridded(ctx: Context, fmt: str) -> bool:
    """Whether rosters print their rows on a text grid (see :mod:`trainer.reports.grid`): in the
    PDF when the grid's face is there, except with the city's own font (TRAINER_FONT, or in the
    templates' fonts/), which the grid's face would not fall back to for a character only the
    city's font draws. Else, and in HTML, as a table."""
    return fmt == "pdf" and render.city_font(ctx.templates, ctx.font) is None and grid_face.mono_face()


def roster_html(ctx: Context, view: views.RosterView, grid: bool) -> str:
    """The roster's page (``grid``: see :func:`gridded`; a roster too wide for it is a table)."""
    return render.render_html(ctx.templates, "roster.html.j2", v=view, g=RosterGrid.of(view) if grid else None)


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


def signed_name(doc: dict[str, Any], fmt: str) -> str:
    """令和8年度_160_市民税課_修了者名簿_署名済_CODE.pdf."""
    roster = signoff.roster_of(doc)
    return roster_name(roster.fiscal_year, roster.division, fmt, f"_署名済_{doc['code']}")


def signed_file(ctx: Context, doc: dict[str, Any], path: Path, fmt: str) -> Path:
    """A signed roster, printed again from its frozen data (marked 写し), to ``path``."""
    view = signed_view(ctx, doc)
    return render.write(path, output(roster_html(ctx, view, gridded(ctx, fmt)), ctx, fmt))


def overdue_name(fiscal_year: int, fmt: str, division: Division | None = None) -> str:
    """令和8年度_未修了者一覧.pdf, or one division's: 令和8年度_未修了者一覧_160_市民税課.pdf."""
    place = f"_{safe_name(division.code)}_{safe_name(division.name)}" if division else ""
    return f"{fy_label(fiscal_year)}_未修了者一覧{place}.{fmt}"


def _overdue_html(ctx: Context, sections: list[views.OwedSection], scope: str, one_division: bool) -> str:
    return render.render_html(
        ctx.templates,
        "overdue.html.j2",
        one_division=one_division,
        fy_label=fy_label(ctx.fiscal_year),
        as_of=wareki(ctx.as_of),
        scope=scope,
        sections=sections,
        columns=[r.short_title for r in ctx.catalog],
        widths=views.RosterWidths.of(tuple(r.short_title for r in ctx.catalog), set()).courses,
        key=[(r.short_title, r.title) for r in ctx.catalog if r.title != r.short_title],
        overdue=sum(len(s.overdue) for s in sections),
        pending=sum(len(s.pending) for s in sections),
        left=sum(len(s.left) for s in sections),
        generated=stamp(ctx.now),
        anchor=ctx.anchor,
    )


def overdue_file(
    ctx: Context,
    people: list[PersonStatus],
    scope: str,
    out: Path,
    fmt: str,
    one_division: bool = False,
    departures: list[Departure] | None = None,
    task: Task | None = None,
) -> Path:
    """The 未修了者一覧 of ``people`` (and of the ``departures`` who left owing) in one file: a
    section per division, each on a new page (``one_division``: the list of one division,
    addressed to its head at the top)."""
    sections = views.owed_sections(people, ctx.catalog, ctx.divisions, ctx.as_of, departures)
    return document_file(ctx, _overdue_html(ctx, sections, scope, one_division), out, fmt, task or Task())


def overdue_files(
    ctx: Context,
    people: list[PersonStatus],
    folder: Path,
    fmt: str,
    task: Task,
    departures: list[Departure] | None = None,
) -> list[Path]:
    """The 未修了者一覧 cut by division: a file each, to hand to its 所属長 (divisions where
    nobody owes anything get none). PDFs are printed in batches, like the rosters."""
    sections = views.owed_sections(people, ctx.catalog, ctx.divisions, ctx.as_of, departures)

    def documents() -> Iterator[tuple[views.OwedSection, str, int]]:
        for section in sections:
            task.check()
            scope = f"所属: {section.code} {section.name}"
            html = _overdue_html(ctx, [section], scope, True)
            yield section, html, len(section.overdue) + len(section.pending) + len(section.left) + 10

    def path(section: views.OwedSection) -> Path:
        division = ctx.divisions.get(section.code) or Division(section.code, section.name)
        return folder / overdue_name(ctx.fiscal_year, fmt, division)

    written: list[Path] = []
    if fmt == "html":
        for section, html, _ in documents():
            written.append(render.write(path(section), render.html_document(ctx.templates, html)))
        return written
    for group, data, counts in batch.print_batches(ctx.templates, batch.batched(documents()), 1, ctx.font):
        titles = [f"{fy_label(ctx.fiscal_year)} 未修了者一覧 {section.name}" for section in group]
        pieces = merge.split(data, counts, titles) if len(group) > 1 else [data]
        for section, piece in zip(group, pieces, strict=True):
            written.append(render.write(path(section), piece))
        task.report(len(written), len(sections), f"{group[-1].name} までの一覧を書き出しました")
    return written
