"""The coordinator's first look: the year, deadlines, completion, divisions behind, sign-offs."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from trainer.calendar import days_between, fy_label, wareki
from trainer.rules import Counts, deadline
from trainer.service import StatusReport, YearOverview
from trainer.signoff import SignoffState
from trainer.tui.words import local_time

BAR = 30
COLORS = (
    ("completed", "green"),
    ("exempt", "cyan"),
    ("in_progress", "yellow"),
    ("not_started", "grey50"),
    ("overdue", "red"),
)


def bar(counts: Counts, width: int = BAR) -> Text:
    """A bar of the states: 修了 (green) 免除 (cyan) 受講中 (yellow) 未受講 (grey) 期限超過 (red).

    Cells are shared by largest remainder: a state nobody is in never gets a cell, and a state
    somebody is in gets one when it can (a single overdue person must show).
    """
    values = [getattr(counts, name) for name, _color in COLORS]
    total = sum(values)
    text = Text()
    if not total:
        return text.append("░" * width, style="grey50")
    exact = [width * v / total for v in values]
    cells = [int(x) for x in exact]
    for i in sorted(range(len(values)), key=lambda i: (cells[i] > 0 or values[i] == 0, cells[i] - exact[i])):
        if sum(cells) >= width:
            break
        if values[i]:
            cells[i] += 1
    for (_name, color), n in zip(COLORS, cells, strict=True):
        text.append("█" * n, style=color)
    return text


def rate(counts: Counts) -> str:
    """修了率 (completed ÷ in scope; exemptions never count)."""
    return f"{counts.rate:.1f}%" if counts.in_scope else "-"


def due_rate(counts: Counts) -> str:
    """Of those with something past its deadline, the share with nothing overdue; — while nothing is due."""
    value = counts.due_rate
    return "—" if value is None else f"{value:.0f}%"


class DivisionTable(Widget):
    """The table of divisions, laid out by hand for the width it has: as a Rich table with no box
    would be, at a small part of the cost (a city's hundreds of divisions, drawn again on each
    layout). The 所属名 column gives way (with …) when the table is wider than the screen. Only the
    lines drawn are built (the Line API asks for those on the screen): the 32 of a 50,000-staff
    city's 206 that a 160x48 screen shows take 2.3 ms with the columns' widths, all of them 4.6."""

    DEFAULT_CSS = "DivisionTable { height: auto; }"
    TITLE = "所属別（到来分: 期限到来分の修了率）"
    HEADERS = ("所属", "所属名", "状況", "修了率", "到来分", "超過", "離脱", "署名")
    NAME = 1  # the column that gives way

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[tuple[Text, ...]] = []
        self._widths: tuple[int, Style, list[int]] | None = None  # (width, colours, each column's width)
        self._strips: dict[int, Strip] = {}  # the lines drawn so far, by number

    def show(self, rows: list[tuple[Text, ...]]) -> None:
        self.rows = rows
        self._widths = None
        self._strips.clear()
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows) + 2 if self.rows else 0

    def render_line(self, y: int) -> Strip:
        """Line ``y`` (the Line API: only the lines on screen are drawn)."""
        width, style = self.size.width, self.rich_style  # (the theme's colours, as a Static's text has)
        if self._widths is None or self._widths[:2] != (width, style):
            self._widths = (width, style, self.column_widths(width))
            self._strips.clear()
        if not self.rows or y >= len(self.rows) + 2:
            return Strip.blank(width)
        strip = self._strips.get(y)
        if strip is None:
            line = self.line(y, self._widths[2])
            strip = Strip(line.render(self.app.console), line.cell_len).crop_extend(0, width, None).apply_style(style)
            self._strips[y] = strip
        return strip

    def column_widths(self, width: int) -> list[int]:
        """Each column's width (a cell padded by one space a side), 所属名 narrowed to fit ``width``."""
        widths = [cell_len(h) for h in self.HEADERS]
        for row in self.rows:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], cell.cell_len)
        excess = sum(widths) + 2 * len(widths) - width
        if width and excess > 0:
            widths[self.NAME] = max(widths[self.NAME] - excess, 4)
        return widths

    def line(self, y: int, widths: list[int]) -> Text:
        """Line ``y``: the title, the header, then a line per division."""
        if y == 0:
            return Text().append(self.TITLE, style="italic")
        if y == 1:
            cells = zip(self.HEADERS, widths, strict=True)
            return Text().append("".join(f" {h}{' ' * (size - cell_len(h))} " for h, size in cells), style="bold")
        line = Text()
        for cell, size in zip(self.rows[y - 2], widths, strict=True):
            if cell.cell_len > size:
                cell = cell.copy()
                cell.truncate(size, overflow="ellipsis")
            line.append(" ").append_text(cell).append(" " * (size - cell.cell_len + 1))
        return line


class Dashboard(VerticalScroll):
    """Filled by :meth:`show` with the year's overview (or a status report) and sign-off states,
    and by :meth:`show_changes` with the change log's newest entries (read after the figures)."""

    DEFAULT_CSS = """
    Dashboard { padding: 0 1; }
    Dashboard > Static, Dashboard > DivisionTable { margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("読み込み中…", id="dash-year")
        yield Static(id="dash-totals")
        yield Static(id="dash-behind")
        yield DivisionTable(id="dash-divisions")
        yield Static(Text("最近の変更\n", style="bold").append("  読み込み中…\n"), id="dash-changes")

    def show(self, report: YearOverview | StatusReport, signoffs: dict[str, dict[str, Any]], today: date) -> None:
        lines = Text(f"{fy_label(report.fiscal_year)}  {wareki(report.as_of)} 現在", style="bold")
        for requirement in report.catalog:
            if requirement.after_entry_days is not None:
                lines.append(
                    f"\n  {requirement.short_title}: 着任から{requirement.after_entry_days}日以内", style="default"
                )
                continue
            due = deadline(requirement, report.fiscal_year)
            left = days_between(today, due)
            when = f"あと{left}日" if left >= 0 else f"{-left}日経過"
            lines.append(f"\n  {requirement.short_title}: 期限 {wareki(due)}（{when}）", style="default")
        self.query_one("#dash-year", Static).update(lines)

        t = report.summary.totals
        totals = Text.assemble(
            ("全体 ", "bold"), bar(t, 40), f"  修了率 {rate(t)}（期限到来分 {due_rate(t)}）\n",
            f"対象 {t.in_scope:,}人  修了 {t.completed:,}  免除 {t.exempt:,}  期限前 {t.pending:,}  ",
            (f"期限超過 {t.overdue:,}", "red" if t.overdue else "default"),
        )  # fmt: skip
        if t.in_scope and not t.completed and not t.exempt:
            totals.append(
                "\nこの年度の修了・免除の記録はまだ1件もありません。受講状況を取り込む（F4）か記録すると反映されます",
                style="yellow",
            )
        if t.left:
            totals.append(f"\n年度途中の離脱 {t.left:,}人（未修了のまま {t.left_open:,}人）", style="magenta")
        self.query_one("#dash-totals", Static).update(totals)

        names = {code: d.name for code, d in report.divisions.items()}
        behind = sorted(
            ((code, c) for code, c in report.summary.divisions.items() if c.overdue),
            key=lambda item: (-item[1].overdue, item[1].due_rate or 0.0),
        )
        text = Text("期限超過のある所属（多い順）\n", style="bold")
        for code, counts in behind[:5]:
            overdue = Text(f"期限超過 {counts.overdue:,}人", style="red")
            text.append(f"  {code} {names.get(code, '')}: ").append(overdue).append(
                f"、期限到来分 {due_rate(counts)}\n"
            )
        if not behind:
            pending = sum(1 for c in report.summary.divisions.values() if c.pending)
            text.append(
                "  期限超過の人はいません" + (f"（期限前の人のいる所属 {pending:,}）" if pending else "") + "\n"
            )
        elif len(behind) > 5:
            text.append(f"  ほか {len(behind) - 5:,}所属（所属別の表を参照）\n", style="dim")
        self.query_one("#dash-behind", Static).update(text)

        rows: list[tuple[Text, ...]] = []
        for code, counts in sorted(report.summary.divisions.items()):
            item = signoffs.get(code)
            state = (SignoffState.UNSIGNED if item is None else SignoffState(item["state"])).label
            rows.append((
                Text(code), Text(names.get(code, "")), bar(counts, 14), Text(rate(counts)), Text(due_rate(counts)),
                Text(f"{counts.overdue:,}", style="red" if counts.overdue else "default"),
                Text(f"{counts.left:,}" if counts.left else ""), Text(state),
            ))  # fmt: skip
        self.query_one(DivisionTable).show(rows)

    def show_changes(self, changes: list[dict[str, object]]) -> None:
        recent = Text("最近の変更\n", style="bold")
        for entry in changes:
            when = local_time(str(entry.get("at", "")))
            recent.append(f"  {when}  {entry.get('summary', '')}\n")
        if not changes:
            recent.append("  （まだありません）\n")
        self.query_one("#dash-changes", Static).update(recent)
