"""One person: details, each requirement, exemptions, history; record, exempt, transfer, leave, retire."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from trainer.calendar import fy_label, wareki
from trainer.errors import TrainerError
from trainer.model import ALL_REQUIREMENTS, Catalog, LeaveKind
from trainer.service import Service
from trainer.tui.screens.confirm import ConfirmScreen
from trainer.tui.undoing import ask_undo
from trainer.tui.widgets.footer import Footer
from trainer.tui.widgets.staff_table import STATE_STYLES
from trainer.tui.words import explain, local_time

TABS = ("tab-status", "tab-record", "tab-exempt", "tab-moves", "tab-log")


def _short(catalog: Catalog, requirement_id: str) -> str:
    found = catalog.get(requirement_id)
    return found.short_title if found else requirement_id


class TabBody(Vertical):
    """A tab's form, built when it is mounted: the window mounts one in each tab behind 状況 just
    after it is first drawn, so opening it constructs none of the forms' widgets (a Button applies
    the stylesheet already when it is made). Mounted as Textual's Lazy mounts a widget, without
    the Lazy placeholders, which cost the opening four more widgets to mount, style and lay out."""

    DEFAULT_CSS = "TabBody { height: auto; }"

    def __init__(self, build: Callable[[], ComposeResult]) -> None:
        super().__init__(classes="tab-body")
        self._build = build

    def compose(self) -> ComposeResult:
        return self._build()


class PersonScreen(ModalScreen[bool]):
    """Returns True when something was changed (so the lists refresh). The tabs behind 状況 are
    built once the window is first drawn (:class:`TabBody`): the person shows at once."""

    BINDINGS = [
        Binding("f1,question_mark", "app.help", "ヘルプ", id="person.help", tooltip="この画面のキー操作"),
        Binding(
            "escape", "close", "閉じる", id="person.close", tooltip="一覧に戻る（保存していない入力があれば確かめます）"
        ),
        *(
            Binding(
                f"alt+{i}",
                f"tab({i - 1})",
                f"{label}タブ",
                id=f"person.tab{i}",
                tooltip=f"「{label}」を開く",
                show=False,
            )
            for i, label in enumerate(("状況", "記録", "免除", "異動・休業・退職", "履歴"), start=1)
        ),
        Binding("ctrl+pagedown", "next_tab(1)", "次のタブ", id="person.next_tab", tooltip="右のタブへ"),
        Binding("ctrl+pageup", "next_tab(-1)", "前のタブ", id="person.prev_tab", tooltip="左のタブへ", show=False),
        Binding("u", "undo", "元に戻す", id="person.undo", tooltip="履歴で選んだ変更を元に戻す", show=False),
    ]

    def __init__(self, service: Service, staff_id: str, fiscal_year: int) -> None:
        super().__init__()
        self.service = service
        self.staff_id = staff_id
        self.fiscal_year = fiscal_year
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="person-box"):
            yield Static(id="person-head")
            with TabbedContent(id="person-tabs"):
                with TabPane("状況", id="tab-status"):
                    yield VerticalScroll(Static(id="person-status"))
                # The tabs behind 状況: filled once the window is drawn (see _build_tabs)
                yield TabPane("記録", id="tab-record")
                yield TabPane("免除", id="tab-exempt")
                yield TabPane("異動・休業・退職", id="tab-moves")
                yield TabPane("履歴", id="tab-log")
            yield Button("閉じる (Esc)", id="person-close")
        yield Footer()  # this window's keys, not the list's below

    def _requirements(self) -> list[tuple[str, str]]:
        return [(r.short_title, r.id) for r in self.service.catalog_for(self.fiscal_year)]

    def _record_form(self) -> ComposeResult:
        yield Select(self._requirements(), prompt="研修", id="record-requirement")
        with Horizontal(classes="row"):
            yield Input(placeholder="修了日（R8.7.10、2026/7/10 …）", id="record-date")
            yield Input(placeholder="進捗%（空なら修了）", id="record-percent")
        with Horizontal(classes="row"):
            yield Button("記録する", id="record-save", variant="primary")
            yield Checkbox("修了日を訂正する（記録済みの日付を置き換える）", id="record-replace")
        yield Label("", id="record-error", classes="error")

    def _exempt_form(self) -> ComposeResult:
        kinds = [(k.label, k.id) for k in self.service.catalog_for(self.fiscal_year).exemption_kinds]
        with Horizontal(classes="row"):
            yield Select(
                [("すべての研修", ALL_REQUIREMENTS), *self._requirements()],
                prompt="研修",
                id="exempt-requirement",
            )
            yield Select(kinds, prompt="免除の種類", id="exempt-kind")
        with Horizontal(classes="row"):
            yield Input(placeholder="承認者の職名・氏名", id="exempt-approver")
            yield Input(placeholder="承認日（空なら今日）", id="exempt-approved-on")
        with Horizontal(classes="row"):
            yield Input(placeholder="根拠（文書番号・保管書類）", id="exempt-evidence")
            yield Input(placeholder="適用開始日（空なら今日）", id="exempt-from")
        yield Input(placeholder="補足（任意）", id="exempt-note")
        with Horizontal(classes="row"):
            yield Button("免除を記録する", id="exempt-save")
            yield Input(placeholder="取り消しの理由", id="revoke-reason")
            yield Button("選んだ研修の免除を取り消す", id="exempt-revoke", variant="warning")
        yield Label("", id="exempt-error", classes="error")

    def _moves_form(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Input(placeholder="異動先の所属コード", id="move-division")
            yield Input(placeholder="異動日", id="move-date")
            yield Button("異動", id="move-save")
        with Horizontal(classes="row"):
            yield Select([(k.value, k.value) for k in LeaveKind], prompt="休業の種類", id="leave-kind")
            yield Input(placeholder="開始日", id="leave-start")
            yield Input(placeholder="終了日（未定なら空）", id="leave-end")
            yield Button("休業", id="leave-save")
        with Horizontal(classes="row"):
            yield Input(placeholder="退職日（在職の最後の日）", id="retire-date")
            yield Button("退職", id="retire-save", variant="error")
            yield Button("退職を取り消す", id="retire-cancel")
        with Horizontal(classes="row"):
            yield Input(placeholder="再採用の日", id="rehire-date")
            yield Button("再採用", id="rehire-save")
        with Horizontal(classes="row"):
            yield Input(placeholder="兼務先の所属コード", id="concurrent-division")
            yield Input(placeholder="兼務の開始日", id="concurrent-start")
            yield Input(placeholder="終了日（未定なら空）", id="concurrent-end")
            yield Button("兼務", id="concurrent-save")
        yield Label("", id="moves-error", classes="error")

    def _log_form(self) -> ComposeResult:
        yield DataTable(id="person-log", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="row"):
            yield Button("選んだ変更を元に戻す (u)", id="person-undo", variant="warning")

    def on_mount(self) -> None:
        self.refresh_person()
        self.call_after_refresh(self._build_tabs)

    def _build_tabs(self) -> None:
        """The forms of the tabs behind 状況 (see TabBody)."""
        if not self.is_attached:  # (closed before it was drawn)
            return
        forms = {"tab-record": self._record_form, "tab-exempt": self._exempt_form, "tab-moves": self._moves_form}
        for tab, build in {**forms, "tab-log": self._log_form}.items():
            self.query_one(f"#{tab}", TabPane).mount(TabBody(build))

    def action_tab(self, index: int) -> None:
        tabs = self.query_one("#person-tabs", TabbedContent)
        tabs.active = TABS[index]
        self.call_after_refresh(self._focus_in_tab)

    def action_next_tab(self, step: int) -> None:
        tabs = self.query_one("#person-tabs", TabbedContent)
        self.action_tab((TABS.index(tabs.active) + step) % len(TABS))

    def _focus_in_tab(self) -> None:
        pane = self.query_one(f"#{self.query_one('#person-tabs', TabbedContent).active}", TabPane)
        target = next((w for w in pane.query("*") if w.focusable), None)
        if target is not None:
            target.focus()

    def refresh_person(self) -> None:
        view = self.service.person(self.staff_id, self.fiscal_year)
        person, status = view.staff, view.status
        names = {d.code: d.name for d in self.service.divisions()}
        head = Text(f"{person.staff_id}  {person.name}（{person.kana}）  {person.employment}", style="bold")
        for period in person.earlier:
            head.append(f"\n前の在職 {wareki(period.start)}〜{wareki(period.end) if period.end else ''}")
        head.append(
            ("\n再採用 " if person.earlier else "\n採用 ")
            + wareki(person.hired)
            + (f"  退職 {wareki(person.retired)}" if person.retired else "")
            + (f"  学習者ID {person.learner_id}" if person.learner_id else "")
        )
        for a in person.assignments:
            head.append(
                f"\n  {wareki(a.start)}〜 {names.get(a.division, a.division)}（{a.division}） {a.title} {a.duty.value}"
            )
        for post in person.concurrent:
            end = wareki(post.end) if post.end else ""
            head.append(
                f"\n  兼務 {wareki(post.start)}〜{end} {names.get(post.division, post.division)}（{post.division}）"
            )
        for leave in person.leaves:
            head.append(f"\n  {leave.kind.value} {wareki(leave.start)}〜{wareki(leave.end) if leave.end else ''}")
        self.query_one("#person-head", Static).update(head)
        catalog = view.catalog or self.service.catalog
        gone = view.departure
        if status:
            title = f"{fy_label(self.fiscal_year)}（{wareki(view.as_of)} 現在）: {status.state.label}"
        elif gone:
            where = names.get(gone.division, gone.division)
            title = (
                f"{fy_label(self.fiscal_year)}: 年度途中の離脱（{gone.reason_text(names)}、"
                f"{wareki(gone.left_on)}まで{where}で対象）— 離脱した日の状態"
            )
        else:
            title = f"{fy_label(self.fiscal_year)}: 対象外（この年度に利用事務に従事した日はありません）"
        table = Table(title=title, box=None)
        for column in ("研修", "状態", "修了日", "期限", "備考"):
            table.add_column(column)
        for r in status.requirements if status else gone.requirements if gone else ():
            table.add_row(
                _short(catalog, r.requirement),
                Text(r.label, style=STATE_STYLES[r.state]),
                wareki(r.completed_on) if r.completed_on else "",
                wareki(r.deadline) if r.deadline else "（休業中）",
                r.note,
            )
        for e in view.exemptions:
            what = "すべて" if e.requirement == ALL_REQUIREMENTS else _short(catalog, e.requirement)
            approved = f"承認 {e.approved_by}" if e.approved else "承認者未記録"
            state = (
                f"{wareki(e.revoked_on)} 取り消し: {e.revoked_reason}" if e.revoked_on else f"{wareki(e.starts)}から"
            )
            evidence = f"、根拠 {e.evidence}" if e.evidence else ""
            table.add_row(f"免除 No.{e.no}: {what}", e.reason, "", state, f"{approved}{evidence}")
        self.query_one("#person-status", Static).update(table)
        if self.query_one("#person-tabs", TabbedContent).active == "tab-log":
            self.show_log()

    @on(TabbedContent.TabActivated, "#person-tabs", pane="#tab-log")
    def show_log(self) -> None:
        """This person's changes, read when the tab is opened from the whole change log: in a
        worker, seconds at 50,000 staff (a 176 MB log), the table covered by a loading indicator
        meanwhile and the app answering keys."""
        self.query_one("#person-log", DataTable).loading = True
        self._read_log(self.staff_id)

    @work(thread=True, exclusive=True, group="person-log")
    def _read_log(self, staff_id: str) -> None:
        """(In a worker thread.) The person's newest 200 changes."""
        try:
            entries = self.service.log(staff_id=staff_id)[:200]
        except TrainerError as e:
            self.app.call_from_thread(self._log_failed, e)
            return
        self.app.call_from_thread(self._fill_log, entries)

    def _fill_log(self, entries: list[dict[str, object]]) -> None:
        if not self.is_attached:  # closed meanwhile
            return
        table = self.query_one("#person-log", DataTable)
        table.clear()
        if not table.columns:
            table.add_column("No.", key="seq")
            table.add_column("日時", key="at")
            table.add_column("内容", key="summary")
        for entry in entries:
            seq = int(str(entry.get("seq", 0)))
            table.add_row(str(seq), local_time(str(entry.get("at", ""))), str(entry.get("summary", "")), key=str(seq))
        if not table.row_count:
            table.add_row("", "", "（この人の変更の記録はまだありません）")
        table.loading = False

    def _log_failed(self, error: TrainerError) -> None:
        if self.is_attached:
            self.query_one("#person-log", DataTable).loading = False
            self.notify(explain(error), severity="error", timeout=10)

    @on(Button.Pressed, "#person-undo")
    def action_undo(self) -> None:
        """Undo the change chosen in the history (asked first; a refusal is shown in full)."""
        tabs = self.query_one("#person-tabs", TabbedContent)
        if tabs.active != "tab-log":
            self.action_tab(TABS.index("tab-log"))
            self.notify("履歴で元に戻す変更を選んで、もう一度 u を押してください")
            return
        table = self.query_one("#person-log", DataTable)
        if table.loading:
            self.notify("履歴を読み込んでいます。表示されてから、もう一度 u を押してください")
            return
        if not table.row_count:
            return
        seq = str(table.get_row_at(table.cursor_row)[0])
        if not seq:
            return

        def undone() -> None:
            self.changed = True
            self.refresh_person()
            self.show_log()

        ask_undo(self.app, self.service, int(seq), undone)

    def _attempt(self, error_label: str, action) -> None:  # type: ignore[no-untyped-def]
        label = self.query_one(error_label, Label)
        try:
            message = action()
        except TrainerError as e:
            label.update(explain(e))
            return
        label.update("")
        self.changed = True
        self._clear_form(label)
        self.refresh_person()
        self.notify("\n".join([message, *(f"注意: {note}" for note in self.service.take_notices())]))

    def _clear_form(self, inside: Label) -> None:
        """After a save the form's boxes start empty (what was typed is saved, not left for the next
        entry); the chosen 研修 stays, for the next person's or a correction."""
        pane = next(a for a in inside.ancestors if isinstance(a, TabPane))
        for box in pane.query(Input):
            box.value = ""
        for tick in pane.query(Checkbox):
            tick.value = False

    def unsaved(self) -> list[str]:
        """The tabs holding typed input not saved yet."""
        tabs = []
        for pane in self.query(TabPane):
            if any(box.value.strip() for box in pane.query(Input)):
                tabs.append(str(pane._title))
        return tabs

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    @on(Button.Pressed, "#record-save")
    def record(self) -> None:
        requirement = self.query_one("#record-requirement", Select).value

        def save() -> str:
            if requirement is Select.NULL:
                raise TrainerError("研修を選んでください")
            percent = self._value("#record-percent")
            if percent and not percent.rstrip("%").isdigit():
                raise TrainerError(f"進捗「{percent}」は数ではありません", "0〜100 の数を入れてください")
            record = self.service.record(
                self.staff_id, str(requirement), self._value("#record-date"),
                int(percent.rstrip("%")) if percent else None, self.fiscal_year,
                replace_existing=self.query_one("#record-replace", Checkbox).value, source="tui",
            )  # fmt: skip
            return "修了を記録しました" if record.completed_on else f"進捗 {record.percent}% を記録しました"

        self._attempt("#record-error", save)

    @on(Button.Pressed, "#exempt-save")
    def exempt(self) -> None:
        requirement = self.query_one("#exempt-requirement", Select).value
        kind = self.query_one("#exempt-kind", Select).value

        def save() -> str:
            if requirement is Select.NULL:
                raise TrainerError("研修を選んでください")
            exemption = self.service.exempt(
                self.staff_id, str(requirement), "" if kind is Select.NULL else str(kind),
                self._value("#exempt-approver"), self._value("#exempt-approved-on") or None,
                self._value("#exempt-evidence"), self._value("#exempt-from") or None,
                self._value("#exempt-note"), self.fiscal_year,
            )  # fmt: skip
            return f"免除 No.{exemption.no} を記録しました"

        self._attempt("#exempt-error", save)

    @on(Button.Pressed, "#exempt-revoke")
    def revoke(self) -> None:
        requirement = self.query_one("#exempt-requirement", Select).value

        def save() -> str:
            if requirement is Select.NULL:
                raise TrainerError("取り消す免除の研修を選んでください")
            revoked = self.service.revoke_exemption(
                self.staff_id, str(requirement), self._value("#revoke-reason"), self.fiscal_year
            )
            return f"免除 No.{revoked.no} を取り消しました"

        self._attempt("#exempt-error", save)

    @on(Button.Pressed, "#move-save")
    def transfer(self) -> None:
        def save() -> str:
            self.service.transfer(self.staff_id, self._value("#move-division"), self._value("#move-date"))
            return "異動を記録しました"

        self._attempt("#moves-error", save)

    @on(Button.Pressed, "#leave-save")
    def leave(self) -> None:
        kind = self.query_one("#leave-kind", Select).value

        def save() -> str:
            if kind is Select.NULL:
                raise TrainerError("休業の種類を選んでください")
            self.service.leave(self.staff_id, str(kind), self._value("#leave-start"), self._value("#leave-end") or None)
            return "休業を記録しました"

        self._attempt("#moves-error", save)

    @on(Button.Pressed, "#retire-save")
    def retire(self) -> None:
        def save() -> str:
            self.service.retire(self.staff_id, self._value("#retire-date"))
            return "退職を記録しました"

        self._attempt("#moves-error", save)

    @on(Button.Pressed, "#retire-cancel")
    def cancel_retirement(self) -> None:
        def save() -> str:
            self.service.cancel_retirement(self.staff_id)
            return "退職の記録を取り消しました"

        self._attempt("#moves-error", save)

    @on(Button.Pressed, "#rehire-save")
    def rehire(self) -> None:
        def save() -> str:
            self.service.rehire(self.staff_id, self._value("#rehire-date"))
            return "再採用を記録しました"

        self._attempt("#moves-error", save)

    @on(Button.Pressed, "#concurrent-save")
    def concurrent(self) -> None:
        def save() -> str:
            self.service.concurrent_post(
                self.staff_id,
                self._value("#concurrent-division"),
                self._value("#concurrent-start"),
                self._value("#concurrent-end") or None,
            )
            return "兼務を記録しました"

        self._attempt("#moves-error", save)

    @on(Button.Pressed, "#person-close")
    def action_close(self) -> None:
        unsaved = self.unsaved()
        if not unsaved:
            self.dismiss(self.changed)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(self.changed)

        question = f"保存していない入力があります（{'、'.join(unsaved)}）。保存せずに閉じますか？"
        self.app.push_screen(ConfirmScreen(question, yes="保存せずに閉じる", no="戻る"), answered)
