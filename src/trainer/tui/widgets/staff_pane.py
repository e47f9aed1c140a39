"""Find a person in two keystrokes: incremental search, filters, sort; the list draws lazily."""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.strip import Strip
from textual.widget import AwaitMount, Widget
from textual.widgets import Input, Label, Select

from trainer.model import DEFAULT_EMPLOYMENT_TYPES, LEFT_LABEL, PENDING_LABEL, State
from trainer.reports.views import cell_text
from trainer.rules import Departure, PersonStatus, RequirementStatus, overall_state
from trainer.service import StatusReport
from trainer.service.status import OutsideScope
from trainer.signoff import IN_FORCE, SignoffState
from trainer.text import search_key
from trainer.tui.widgets.staff_table import FIXED, StaffRow, StaffTable

SORTS = (
    ("順: 職員番号", "id"), ("順: 氏名", "name"), ("順: カナ", "kana"), ("順: 所属", "division"),
    ("順: 任用区分", "employment"), ("順: 状態", "state"),
)  # fmt: skip
STATE_ORDER = {State.OVERDUE: 0, State.NOT_STARTED: 1, State.IN_PROGRESS: 2, State.EXEMPT: 3, State.COMPLETED: 4}
LEFT_ORDER = 5
OUTSIDE_ORDER = 6
# The 対象 filter: who is listed at all. 対象者 by default; the others are findable all the same.
SCOPES = [
    ("対象者", "in"),
    ("対象外", "outside"),
    ("退職者", "retired"),
    ("年度途中の離脱者", "left"),
    ("すべて", "all"),
]
SCOPE_LABELS = dict((value, label) for label, value in SCOPES)


def scope_matches(row: StaffRow, wanted: str) -> bool:
    if wanted == "all":
        return True
    if wanted == "left":
        return row.left
    if wanted == "retired":
        return bool(row.outside) and row.retired
    if wanted == "outside":
        return bool(row.outside) and not row.retired
    return not row.outside  # in scope on the date, or during the year (離脱: they owe the year too)


def scope_of(row: StaffRow) -> str:
    if row.left:
        return "left"
    return next(value for _label, value in SCOPES if value != "all" and scope_matches(row, value))


# The 状態 filter: each state, 期限前 (受講中 and 未受講), and the people who left scope (離脱).
STATE_FILTERS = [
    (State.OVERDUE.label, State.OVERDUE.value),
    (PENDING_LABEL, "pending"),
    (State.IN_PROGRESS.label, State.IN_PROGRESS.value),
    (State.NOT_STARTED.label, State.NOT_STARTED.value),
    (State.COMPLETED.label, State.COMPLETED.value),
    (State.EXEMPT.label, State.EXEMPT.value),
    (LEFT_LABEL, "left"),
]


def state_matches(row: StaffRow, wanted: str) -> bool:
    if wanted == "left":
        return row.left
    if row.left or row.outside:
        return False
    return row.state.pending if wanted == "pending" else row.state.value == wanted


def _cell_key(rs: RequirementStatus | None) -> tuple[int, int]:
    """Behind first; then by percent, or by completion date."""
    if rs is None:
        return (9, 0)
    if rs.completed_on is not None:
        return (STATE_ORDER[rs.state], rs.completed_on.toordinal())
    return (STATE_ORDER[rs.state], rs.percent)


def rows_of(report: StatusReport, outside: list[OutsideScope] | tuple[OutsideScope, ...] = ()) -> list[StaffRow]:
    """One row per person in scope on the date, one per person who left scope earlier in the year,
    and one per person outside scope (``outside``: with the reason)."""
    rows = []
    everyone: list[tuple[PersonStatus | Departure, tuple[RequirementStatus, ...], bool]] = [
        *((p, p.requirements, False) for p in report.people),
        *((d, d.requirements, True) for d in report.departures),
    ]
    for p, statuses, left in everyone:
        by_id = {rs.requirement: rs for rs in statuses}
        division = report.divisions.get(p.division)
        rows.append(
            StaffRow(
                staff_id=p.staff.staff_id,
                name=p.staff.name,
                kana=p.staff.kana,
                division=p.division,
                division_name=division.name if division else p.division,
                employment=p.staff.employment,
                state=overall_state(rs.state for rs in statuses) if left else p.state,  # type: ignore[union-attr]
                cells=tuple(cell_text(by_id.get(r.id)) for r in report.catalog),
                key=search_key(f"{p.staff.staff_id} {p.staff.name} {p.staff.kana}"),
                cell_keys=tuple(_cell_key(by_id.get(r.id)) for r in report.catalog),
                left=left,
            )
        )
    blank = tuple("" for _ in report.catalog)
    for o in outside:
        division = report.divisions.get(o.division)
        rows.append(
            StaffRow(
                staff_id=o.staff.staff_id,
                name=o.staff.name,
                kana=o.staff.kana,
                division=o.division,
                division_name=division.name if division else o.division,
                employment=o.staff.employment,
                state=State.NOT_STARTED,
                cells=blank,
                key=search_key(f"{o.staff.staff_id} {o.staff.name} {o.staff.kana}"),
                cell_keys=tuple((9, 0) for _ in report.catalog),
                outside=o.reason,
                retired=o.retired,
            )
        )
    return rows


def keep_choice(select: Select[str], options: list[tuple[str, str]]) -> None:
    """New options for a filter, keeping what was chosen when it is still there (quietly)."""
    chosen = select.value
    with select.prevent(Select.Changed):
        select.set_options(options)
        if chosen is not Select.NULL and chosen in {value for _, value in options}:
            select.value = chosen


class StaffHeader(Widget):
    """The list's column names, scrolled sideways with it; a click sorts by that column."""

    DEFAULT_CSS = "StaffHeader { height: 1; }"

    def _table(self) -> StaffTable:
        assert self.parent is not None
        return self.parent.query_one(StaffTable)

    def render_line(self, y: int) -> Strip:
        return self._table().header_strip(self.size.width).apply_style(self.rich_style)

    def on_click(self, event: events.Click) -> None:
        column = self._table().column_at(event.x)
        if column is not None:
            self.post_message(StaffTable.SortRequested(column))


class StaffPane(Vertical):
    BINDINGS = [
        Binding("down", "to_table", "一覧へ", show=False, id="staff.to_list", tooltip="検索欄から一覧の先頭へ（↓）"),
    ]

    def action_to_table(self) -> None:
        """↓ in the search box: into the list, on its first row (Enter then opens that one)."""
        table = self.query_one(StaffTable)
        table.cursor = 0
        table.focus()

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.reverse = False
        self.sort_options: list[tuple[str, str]] = []
        self.signoffs: dict[str, str] = {}  # division code → its sign-off state (signed / stale)
        self._filters: AwaitMount | None = None

    def compose(self) -> ComposeResult:
        yield Horizontal(classes="row", id="staff-filters")  # filled by build_filters
        yield StaffHeader(id="staff-header")
        yield StaffTable(id="staff-table")
        yield Label("", id="staff-count")

    def build_filters(self) -> AwaitMount:
        """The search box and the filters, built when the list is first loaded or the tab first
        shown, whichever comes first (the app does both): the launch draws the dashboard first,
        and its six dropdowns were ~45 ms of it. Awaited before anything reads them (:meth:`load`)."""
        row = self.query_one("#staff-filters")
        if self._filters is None:
            if not row.is_attached or self.app.return_code is not None:  # (the app is closing)
                return AwaitMount(row, [])
            self._filters = row.mount(
                Input(placeholder="検索: 職員番号・氏名・カナ（ｶﾀｶﾅ・ひらがな可）", id="staff-search", compact=True),
                Select(SCOPES, value="in", allow_blank=False, id="staff-scope", compact=True),
                Select([], prompt="所属", id="staff-division", compact=True),
                Select(
                    [(e, e) for e in DEFAULT_EMPLOYMENT_TYPES], prompt="任用区分", id="staff-employment", compact=True
                ),
                Select(STATE_FILTERS, prompt="状態", id="staff-state", compact=True),
                Select([(s.label, s.value) for s in IN_FORCE], prompt="署名", id="staff-signoff", compact=True),
                Select(SORTS, value="division", allow_blank=False, id="staff-sort", compact=True),
            )
        return self._filters

    async def load(
        self,
        report: StatusReport,
        rows: list[StaffRow],
        employment_types: list[str],
        signoffs: dict[str, dict[str, Any]],
    ) -> None:
        await self.build_filters()
        table = self.query_one(StaffTable)
        columns = tuple(r.short_title for r in report.catalog)
        table.set_rows(rows, columns)
        self.signoffs = {code: SignoffState(item["state"]).value for code, item in signoffs.items()}
        options = [*SORTS, *((f"順: {title}", f"req:{i}") for i, title in enumerate(columns))]
        if options != self.sort_options:  # a requirement column each
            self.sort_options = options
            keep_choice(self.query_one("#staff-sort", Select), options)
        divisions = sorted(
            {(f"{code} {d.name}", code) for code, d in report.divisions.items() if code in report.summary.divisions}
        )
        keep_choice(self.query_one("#staff-division", Select), divisions)
        keep_choice(self.query_one("#staff-employment", Select), [(e, e) for e in employment_types])
        self.sort()  # in the order and with the filters chosen before the reload
        self.query_one(StaffHeader).refresh()

    @on(Select.Changed, "#staff-sort")
    def sort_chosen(self) -> None:
        self.reverse = False
        self.sort()

    def sort(self) -> None:
        chosen = str(self.query_one("#staff-sort", Select).value)
        keys = {
            "id": lambda r: r.staff_id,
            "name": lambda r: (r.kana, r.name, r.staff_id),  # 氏名 in the order of its reading (五十音)
            "kana": lambda r: (r.kana, r.staff_id),
            "division": lambda r: (r.division, r.kana),
            "employment": lambda r: (r.employment, r.division, r.kana),
            "state": lambda r: (
                OUTSIDE_ORDER if r.outside else LEFT_ORDER if r.left else STATE_ORDER[r.state],
                r.division,
                r.kana,
            ),
        }
        if chosen.startswith("req:"):
            column = int(chosen[4:])
            keys[chosen] = lambda r: (r.cell_keys[column], r.division, r.kana)
        self.query_one(StaffTable).sort_by(keys[chosen], self.reverse)
        self.refilter()

    @on(StaffTable.SortRequested)
    def sort_column(self, event: StaffTable.SortRequested) -> None:
        """A number key or a header click: sort by that column; the same column again reverses."""
        sort = self.query_one("#staff-sort", Select)
        wanted = FIXED[event.column] if event.column < len(FIXED) else f"req:{event.column - len(FIXED)}"
        if sort.value == wanted:
            self.reverse = not self.reverse
            self.sort()
        else:
            self.reverse = False
            sort.value = wanted  # (Select.Changed sorts)

    @on(Input.Changed, "#staff-search")
    @on(Select.Changed, "#staff-scope")
    @on(Select.Changed, "#staff-division")
    @on(Select.Changed, "#staff-employment")
    @on(Select.Changed, "#staff-state")
    @on(Select.Changed, "#staff-signoff")
    def refilter(self) -> None:
        query = search_key(self.query_one("#staff-search", Input).value)
        division = self.query_one("#staff-division", Select).value
        employment = self.query_one("#staff-employment", Select).value
        state = self.query_one("#staff-state", Select).value
        signoff = self.query_one("#staff-signoff", Select).value
        scope = str(self.query_one("#staff-scope", Select).value)
        signoffs = self.signoffs

        def keep(row: StaffRow) -> bool:
            return (
                (not query or query in row.key)
                and scope_matches(row, scope)
                and (division is Select.NULL or row.division == division)
                and (employment is Select.NULL or row.employment == employment)
                and (state is Select.NULL or state_matches(row, str(state)))
                and (signoff is Select.NULL or signoffs.get(row.division, SignoffState.UNSIGNED.value) == signoff)
            )

        self.query_one(StaffTable).apply_filter(keep)
        self.update_count()

    def found_elsewhere(self) -> list[StaffRow]:
        """Whom the search finds when the list's other filters are left aside."""
        query = search_key(self.query_one("#staff-search", Input).value)
        if not query:
            return []
        return [row for row in self.query_one(StaffTable).rows if query in row.key]

    def update_count(self) -> None:
        table = self.query_one(StaffTable)
        label = self.query_one("#staff-count", Label)
        if not table.shown and table.rows:
            elsewhere = self.found_elsewhere()
            if elsewhere:
                names = "、".join(
                    f"{r.staff_id} {r.name}（{SCOPE_LABELS[scope_of(r)]}{'：' + r.outside if r.outside else ''}）"
                    for r in elsewhere[:3]
                )
                more = f" ほか{len(elsewhere) - 3:,}人" if len(elsewhere) > 3 else ""
                label.update(f"この条件では0人。条件を外すと{len(elsewhere):,}人: {names}{more}。Enter で切り替えます")
                return
            if self.query_one("#staff-search", Input).value.strip():
                label.update("0人: この検索に当てはまる人は、登録されているどの職員にもいません")
                return
            label.update(f"0人 / {len(table.rows):,}人: 選んだ条件に当てはまる人がいません")
            return
        if not table.rows:
            label.update("職員がまだいません。「取込」（F4）で職員名簿を取り込んでください")
            return
        selected = f"、選択 {len(table.selected):,}人（b で一括記録）" if table.selected else ""
        order = "、逆順" if self.reverse else ""
        label.update(f"{len(table.shown):,}人 / {len(table.rows):,}人{order}{selected}")

    @on(StaffTable.Scrolled)
    def follow(self) -> None:
        self.query_one(StaffHeader).refresh()

    @on(StaffTable.SelectionChanged)
    def selection(self) -> None:
        self.update_count()

    @on(Input.Submitted, "#staff-search")
    def to_list(self) -> None:
        """Enter in the search box opens the first person found; when the filters hide everyone the
        search finds, they are set aside first (対象: すべて)."""
        table = self.query_one(StaffTable)
        if not table.shown and self.found_elsewhere():
            self.show_everyone()
        table.focus()
        first = table.shown_rows()[:1]
        if first:  # (posted here: a message this pane sends stops bubbling at it when sent through a child)
            self.post_message(StaffTable.Opened(first[0].staff_id))

    def show_everyone(self) -> None:
        """Every filter but the search set aside (quietly, then one refilter)."""
        for selector in ("#staff-division", "#staff-employment", "#staff-state", "#staff-signoff"):
            choice = self.query_one(selector, Select)
            with choice.prevent(Select.Changed):
                choice.clear()
        scope = self.query_one("#staff-scope", Select)
        with scope.prevent(Select.Changed):
            scope.value = "all"
        self.refilter()
        self.notify("条件を外して、検索に当てはまる全員を表示します（対象: すべて）")
