"""The 修了者名簿's rows on a text grid, for the PDF (see :mod:`trainer.reports.grid`): its
columns (No, 職名, 氏名 with the カナ in grey, 職員番号, 任用区分, each course, 備考), their widths
from what the roster holds, and each section's header line."""

from __future__ import annotations

from markupsafe import Markup

from trainer.reports.grid import Align, Column, Grid, Piece
from trainer.reports.grid_face import text_width
from trainer.reports.views import LANDSCAPE_WIDTH_MM, PT_MM, RosterLine, RosterView

HEADER_SHADE = "e9eef3"  # as the table's th (report.css)
SIZES = (8.0, 7.5, 7.0, 6.5)  # points: the largest at which the columns fit A4 landscape
MIN_NOTE = 20  # units: the 備考 never narrower (10 full-width characters a line)


def _course_cell(text: str, state: str) -> list[Piece]:
    return [Piece(text, True, "" if state == "completed" else f"s-{state}")]


def roster_columns(view: RosterView) -> Grid | None:
    """The columns of ``view``'s rows, the same in every section so they line up, at the largest of
    :data:`SIZES` that leaves the 備考 :data:`MIN_NOTE` units; None when none does (many courses,
    or wide ones): the table then."""
    lines = [line for s in view.sections for line in s.lines]
    courses = [
        max(8, text_width(title), *(text_width(line.cells[i]) for line in lines))
        for i, title in enumerate(view.columns)
    ]
    number = max(2, len(str(max((line.no for line in lines), default=1))))
    staff_id = max(8, *(text_width(line.staff_id) for line in lines), 0)
    employment = min(16, max(8, *(text_width(line.employment) for line in lines), 0))
    name = min(32, max(20, *(text_width(line.name) + 1 + text_width(line.kana) for line in lines), 0))
    fixed = [number, 18, name, staff_id, employment, *courses]  # 18: the 職名
    centered: list[Align] = ["center"] * len(courses)
    aligns: list[Align] = ["right", "left", "left", "left", "left", *centered, "left"]
    for size in SIZES:
        note = int(LANDSCAPE_WIDTH_MM / (size / 2 * PT_MM)) - sum(w + 2 for w in fixed) - 2
        if note >= MIN_NOTE:
            return Grid([Column(w, a) for w, a in zip([*fixed, note], aligns, strict=True)], size)
    return None


class RosterGrid:
    """How one roster's rows print on its grid (see :func:`roster_columns`)."""

    def __init__(self, view: RosterView, grid: Grid) -> None:
        self.view = view
        self.grid = grid

    @classmethod
    def of(cls, view: RosterView) -> RosterGrid | None:
        """``view`` on a grid, or None when its columns do not fit A4 landscape."""
        grid = roster_columns(view)
        return cls(view, grid) if grid is not None else None

    def header(self, key: str) -> Markup:
        """The header line of a section (the 離脱者' last column says what it holds)."""
        last = "離脱日・理由" if key == "left" else "備考"
        titles = ["No", "職名", "氏名", "職員番号", "任用区分", *self.view.columns, last]
        return self.grid.row([[Piece(t, True)] for t in titles])

    def line(self, line: RosterLine) -> Markup:
        """One person's row."""
        name = [Piece(line.name, True), Piece(" "), Piece(line.kana, True, "kana")] if line.kana else [Piece(line.name)]
        cells = [
            [Piece(str(line.no))],
            [Piece(line.title)],
            name,
            [Piece(line.staff_id)],
            [Piece(line.employment, True)],
            *(_course_cell(text, state) for text, state in zip(line.cells, line.states, strict=True)),
            [Piece(text, whole) for text, whole in line.note],
        ]
        return self.grid.row(cells)

    def style(self) -> Markup:
        return self.grid.style()

    def header_style(self) -> Markup:
        return self.grid.style(HEADER_SHADE)
