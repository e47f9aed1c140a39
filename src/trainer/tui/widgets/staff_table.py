"""The staff list: one line per person, only the visible lines drawn (50,000 stay responsive).

Textual's DataTable keeps and measures every row; this widget keeps plain rows, filters them with
precomputed search keys, and draws lines on demand with the Line API.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from trainer.model import LEFT_LABEL, State


@dataclass(frozen=True, slots=True)
class StaffRow:
    staff_id: str
    name: str
    kana: str
    division: str
    division_name: str
    employment: str
    state: State
    cells: tuple[str, ...]
    key: str  # search key: id, name and カナ
    cell_keys: tuple[tuple[int, int], ...] = ()  # per requirement: (state rank, date or percent), to sort
    left: bool = False  # left scope earlier in the year (離脱): ``state`` and ``cells`` as they stood then
    outside: str = ""  # not in scope at all: why (事務区分「関係事務」, 退職（…）, 採用前（…）)
    retired: bool = False  # (outside scope) retired before the date

    @property
    def state_label(self) -> str:
        if self.outside:
            return "退職" if self.retired else "対象外"
        return LEFT_LABEL if self.left else self.state.label

    @property
    def state_style(self) -> Style:
        if self.outside:
            return OUTSIDE_STYLE
        return LEFT_STYLE if self.left else STATE_STYLES[self.state]


STATE_STYLES = {
    State.COMPLETED: Style(color="green"),
    State.EXEMPT: Style(color="cyan"),
    State.OVERDUE: Style(color="red", bold=True),
    State.IN_PROGRESS: Style(color="yellow"),
    State.NOT_STARTED: Style(),
}
LEFT_STYLE = Style(color="magenta")
OUTSIDE_STYLE = Style(dim=True)
WIDTHS = {"mark": 2, "id": 9, "name": 14, "kana": 16, "division": 14, "employment": 10, "state": 9, "cell": 11}
FIXED = ("id", "name", "kana", "division", "employment", "state")  # then one column per requirement
HEADINGS = {
    "id": "職員番号", "name": "氏名", "kana": "カナ", "division": "所属", "employment": "任用区分", "state": "状態",
}  # fmt: skip


GROWS = {"employment": 6, "kana": 6, "division": 8, "name": 6}  # how far each grows on a wide terminal, in turn


def _cell(text: str, width: int) -> str:
    """``text`` in ``width`` cells; a longer one ends in … (a wide character is never cut in two)."""
    if cell_len(text) > width:
        return set_cell_size(set_cell_size(text, width - 1).rstrip() + "…", width) + " "
    return set_cell_size(text, width) + " "


class StaffTable(ScrollView, can_focus=True):
    """Rows of people; Enter opens one, Space (or Shift+↑↓) selects, 1-9 or the header sort."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "上", show=False),
        Binding("down,j", "cursor(1)", "下", show=False),
        Binding("pageup", "cursor(-20)", "前のページ", show=False),
        Binding("pagedown", "cursor(20)", "次のページ", show=False),
        Binding("home", "cursor_to(0)", "先頭", show=False),
        Binding("end", "cursor_to(-1)", "末尾", show=False),
        Binding("enter", "open", "開く", id="staff.open", tooltip="選んだ人の詳細と記録"),
        Binding("space", "toggle_selected", "選択", id="staff.select", tooltip="一括記録する人を選ぶ／外す"),
        Binding("shift+down", "extend(1)", "範囲選択", show=False, id="staff.extend_down", tooltip="Shift+クリックも"),
        Binding("shift+up", "extend(-1)", "範囲選択", show=False, id="staff.extend_up", tooltip="Shift+クリックも"),
        *(
            Binding(
                str(n),
                f"sort_column({n - 1})",
                "左から n 列目で並べ替え",
                show=False,
                id=f"staff.sort_{n}",
                tooltip="もう一度で逆順。見出しのクリックでも",
            )
            for n in range(1, 10)
        ),
        Binding("ctrl+a", "select_all", "全て選択", id="staff.select_all", tooltip="絞り込んだ全員を選ぶ"),
        Binding("escape", "clear_selection", "選択解除", show=False),
    ]
    DEFAULT_CSS = """
    StaffTable { height: 1fr; }
    """
    cursor: reactive[int] = reactive(0)

    class Opened(Message):
        def __init__(self, staff_id: str) -> None:
            super().__init__()
            self.staff_id = staff_id

    class SortRequested(Message):
        """A column was chosen to sort by (a number key or a click on the header)."""

        def __init__(self, column: int) -> None:
            super().__init__()
            self.column = column

    class Scrolled(Message):
        """The list moved sideways (the header follows)."""

    class SelectionChanged(Message):
        """People were selected or let go."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[StaffRow] = []
        self.order: list[int] = []  # every row, in the chosen sort order
        self.shown: list[int] = []  # the rows that pass the filter, in that order
        self.keep = lambda row: True
        self.selected: set[str] = set()
        self.columns: tuple[str, ...] = ()
        self.widths = dict(WIDTHS)  # grown to fill a wide terminal (see on_resize)

    # ----------------------------------------------------------------- data
    def set_rows(self, rows: list[StaffRow], columns: tuple[str, ...]) -> None:
        """New rows, unsorted and not yet shown: the caller sorts, then filters (once)."""
        self.rows, self.columns = rows, columns
        self.order = list(range(len(rows)))
        self.shown = []
        self.selected &= {r.staff_id for r in rows}
        self.on_resize()  # (the room left depends on the number of course columns)

    def apply_filter(self, keep) -> None:  # type: ignore[no-untyped-def]
        """Show the rows ``keep`` accepts, in the current order (no sorting per keystroke)."""
        self.keep = keep
        rows = self.rows
        self.shown = [i for i in self.order if keep(rows[i])]
        self.virtual_size = Size(self._line_width(), len(self.shown))
        self.cursor = min(self.cursor, max(0, len(self.shown) - 1))
        self.refresh()

    def sort_by(self, key, reverse: bool = False) -> None:  # type: ignore[no-untyped-def]
        """Put every row in order; :meth:`apply_filter` then shows the chosen ones in it."""
        rows = self.rows
        self.order.sort(key=lambda i: key(rows[i]), reverse=reverse)

    @property
    def current(self) -> StaffRow | None:
        return self.rows[self.shown[self.cursor]] if self.shown else None

    def shown_rows(self) -> list[StaffRow]:
        return [self.rows[i] for i in self.shown]

    # ------------------------------------------------------------- drawing
    def on_resize(self) -> None:
        """Columns grow with the terminal: 氏名, カナ and 所属 take the room a wide one leaves."""
        widths = dict(WIDTHS)
        spare = self.size.width - self._edges(widths)[-1]
        for name, most in GROWS.items():
            grow = max(0, min(most, spare))
            widths[name] += grow
            spare -= grow
        if widths != self.widths:
            self.widths = widths
            self.virtual_size = Size(self._line_width(), len(self.shown))
            self.post_message(self.Scrolled())  # (the header redraws with the new widths)
            self.refresh()

    def _edges(self, widths: dict[str, int] | None = None) -> list[int]:
        """Where each column starts (after the selection mark), and where the line ends."""
        w = widths or self.widths
        edges = [w["mark"]]
        for width in [*(w[name] for name in FIXED), *(w["cell"] for _ in self.columns)]:
            edges.append(edges[-1] + width + 1)
        return edges

    def _line_width(self) -> int:
        return self._edges()[-1]

    def column_at(self, x: int) -> int | None:
        """The column (0 = 職員番号, 5 = 状態, 6… = requirements) under screen column ``x``
        (the header scrolls sideways with the list, so both use the same offset)."""
        x += self.scroll_offset.x
        for column, (left, right) in enumerate(pairwise(self._edges())):
            if left <= x < right:
                return column
        return None

    def header_strip(self, width: int) -> Strip:
        """The column names as far as the list is scrolled sideways."""
        x = self.scroll_offset.x
        return Strip([Segment(self.header_text())]).crop(x, x + width).extend_cell_length(width)

    def watch_scroll_x(self, old: float, new: float) -> None:
        super().watch_scroll_x(old, new)
        self.post_message(self.Scrolled())

    def header_text(self) -> str:
        w = self.widths
        fixed = "".join(_cell(HEADINGS[name], w[name]) for name in FIXED)
        return " " * w["mark"] + fixed + "".join(_cell(c, w["cell"]) for c in self.columns)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        if index >= len(self.shown):
            return Strip.blank(self.size.width)
        row = self.rows[self.shown[index]]
        w = self.widths
        base = Style(reverse=True) if index == self.cursor and self.has_focus else Style()
        if index == self.cursor and not self.has_focus:
            base = Style(underline=True)
        mark = "✓ " if row.staff_id in self.selected else "  "
        segments = [
            Segment(mark, base + Style(color="magenta", bold=True)),
            Segment(_cell(row.staff_id, w["id"]), base),
            Segment(_cell(row.name, w["name"]), base),
            Segment(_cell(row.kana, w["kana"]), base + Style(dim=True)),
            Segment(_cell(row.division_name, w["division"]), base),
            Segment(_cell(row.employment, w["employment"]), base),
            Segment(_cell(row.state_label, w["state"]), base + row.state_style),
        ]
        segments += [Segment(_cell(cell, w["cell"]), base) for cell in row.cells]
        strip = Strip(segments).crop(self.scroll_offset.x, self.scroll_offset.x + self.size.width)
        return strip.extend_cell_length(self.size.width, base)

    # -------------------------------------------------------------- actions
    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_region(Region(0, new, 1, 1), animate=False)
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        if self.shown:
            self.cursor = max(0, min(len(self.shown) - 1, self.cursor + delta))

    def action_cursor_to(self, where: int) -> None:
        if self.shown:
            self.cursor = len(self.shown) - 1 if where < 0 else 0

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current.staff_id))

    def action_toggle_selected(self) -> None:  # not action_toggle: DOMNode's toggles an attribute
        row = self.current
        if row is None:
            return
        self.selected ^= {row.staff_id}
        self.action_cursor(1)
        self.post_message(self.SelectionChanged())
        self.refresh()

    def action_extend(self, delta: int) -> None:
        """Shift+↑/↓: select the row under the cursor and the next one (a range, row by row)."""
        row = self.current
        if row is None:
            return
        self.selected.add(row.staff_id)
        self.action_cursor(delta)
        if self.current is not None:
            self.selected.add(self.current.staff_id)
        self.post_message(self.SelectionChanged())
        self.refresh()

    def action_sort_column(self, column: int) -> None:
        if column < len(FIXED) + len(self.columns):
            self.post_message(self.SortRequested(column))

    def action_select_all(self) -> None:
        self.selected |= {row.staff_id for row in self.shown_rows()}
        self.post_message(self.SelectionChanged())
        self.refresh()

    def action_clear_selection(self) -> None:
        self.selected.clear()
        self.post_message(self.SelectionChanged())
        self.refresh()

    def on_click(self, event) -> None:  # type: ignore[no-untyped-def]
        index = self.scroll_offset.y + event.y
        if not 0 <= index < len(self.shown):
            return
        if event.shift:  # a range from the cursor to here
            low, high = sorted((self.cursor, index))
            self.selected |= {self.rows[i].staff_id for i in self.shown[low : high + 1]}
            self.post_message(self.SelectionChanged())
        self.cursor = index
        if event.chain == 2:
            self.action_open()
