"""Import a file as a wizard: the file, what it is and as of when, a dry run to read, then a yes.

1. ファイル: a path box that completes as you type (→ takes the suggestion) and a folder tree that
   goes anywhere (「上へ」, or a folder typed in the box); hidden files and folders are not listed.
2. 種類・基準日・オプション: the kind; for a roster its 基準日 (asked: the file's own date is put in
   when its name or a 基準日 column gives one), retiring the people it leaves out, a mapping file
   and the encoding.
3. 確認: the dry run, every change in a table filtered by kind (追加 / 異動 / 改名 / 退職 / 再採用 /
   変更なし …) and by text, new divisions with the warning when an existing one has the same
   name, and every problem of a rejected file.
4. A confirmation with the counts, then the result.

「やめる」 at any step (or Esc) stops a running check and goes back to the start: nothing is written
before the confirmation's yes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    DataTable,
    DirectoryTree,
    Input,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
    Select,
    Static,
)

from trainer.calendar import fy_label, wareki
from trainer.errors import TrainerError
from trainer.importers.problems import ImportRejected
from trainer.importers.progress import RecordPlan
from trainer.importers.roster import RosterPlan
from trainer.paths import shown_path
from trainer.progress import Task
from trainer.service import Service
from trainer.tui.plan_rows import (
    CHANGED,
    EVERYTHING,
    KINDS,
    RECORD_KINDS,
    PlanRow,
    problem_rows,
    record_counts,
    record_rows,
    roster_counts,
    roster_rows,
)
from trainer.tui.screens.confirm import ConfirmScreen
from trainer.tui.words import explain

KINDS_OF_FILE = (("staff", "職員名簿"), ("progress", "e-ラーニングの受講状況"), ("checkpoint", "チェックシート"))
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
SHOWN_ROWS = 5000  # a table measures every row it is given: the rest are a filter away
ENCODINGS = (("自動判定", ""), ("UTF-8", "utf-8"), ("UTF-8（BOM付き）", "utf-8-sig"), ("Shift_JIS（CP932）", "cp932"))


def hidden(path: Path) -> bool:
    return path.name.startswith(".")


class TableFiles(DirectoryTree):
    """Folders and the files an import can read; nothing hidden (.git, .venv …)."""

    BINDINGS = [Binding("backspace", "up", "上のフォルダ", id="import.up", tooltip="ひとつ上のフォルダを表示")]

    def filter_paths(self, paths):  # type: ignore[no-untyped-def]
        return [
            p
            for p in paths
            if not hidden(p)
            and (p.is_dir() or (p.suffix.lower() in TABLE_SUFFIXES and not p.name.endswith(".errors.csv")))
        ]

    def action_up(self) -> None:
        self.path = Path(self.path).absolute().parent


class PathSuggester(Suggester):
    """Completes a path from what is on disk (hidden names only when a dot was typed)."""

    def __init__(self, base: Path) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.base = base

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None
        typed = Path(value).expanduser()
        if not typed.is_absolute():
            typed = self.base / typed
        folder, prefix = (typed, "") if value.endswith(("/", "\\")) else (typed.parent, typed.name)
        try:
            names = sorted((p.name, p.is_dir()) for p in folder.iterdir())
        except OSError:
            return None
        for name, is_dir in names:
            if name.startswith(prefix) and name != prefix and (prefix.startswith(".") or not name.startswith(".")):
                return value + name[len(prefix) :] + ("/" if is_dir else "")
        return None


@dataclass
class Checked:
    """A dry run's outcome, kept for the table's filter and the confirmation."""

    rows: list[PlanRow]
    lines: list[str]
    counts: Counter[str]
    writes: int  # people (roster) or records that would be written; 0 for a rejected file
    rejected: bool


def _head(plan: RosterPlan | RecordPlan) -> str:
    if isinstance(plan, RosterPlan):
        return f"職員名簿 {plan.path.name}（{plan.encoding}、{plan.rows:,}行）基準日 {wareki(plan.as_of)}"
    kind = "受講状況" if plan.kind == "progress" else "チェックシート"
    return f"{kind} {plan.path.name}（{plan.encoding}、{plan.rows:,}行）{fy_label(plan.fiscal_year)}"


class ImportPane(Vertical):
    BINDINGS = [Binding("escape", "cancel", "やめる", id="import.cancel", tooltip="取り込みをやめて最初に戻る")]

    class Imported(Message):
        """Posted when an import was committed."""

    def __init__(self, service: Service, start: Path, fiscal_year: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.service = service
        self.start = start
        self.fiscal_year = fiscal_year
        self.path: Path | None = None
        self.checked: Checked | None = None
        self.listed: list[PlanRow] = []  # the lines of the review's table, in its order
        self.running: Task | None = None
        self.committing = False  # once the yes is given, the write runs to its end

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="import-step-file", id="import-steps"):
            with Vertical(id="import-step-file"):
                yield Label("1/4 取り込むファイル（一覧で Enter、またはパスを入れて Enter）", classes="step-title")
                with Horizontal(classes="row"):
                    yield Input(
                        placeholder="ファイルかフォルダのパス（→ で補完）",
                        suggester=PathSuggester(self.start),
                        id="import-path",
                        compact=True,
                    )
                    yield Button("上へ", id="import-up", compact=True)
                yield Static("", id="import-notice", markup=False)
                yield TableFiles(self.start, id="import-files")
            with Vertical(id="import-step-options"):
                yield Label("2/4 種類・基準日・オプション", classes="step-title")
                yield Label("", id="import-file", markup=False)
                with RadioSet(id="import-kind", compact=True):
                    for i, (_kind, label) in enumerate(KINDS_OF_FILE):
                        yield RadioButton(label, value=i == 0)
                with Horizontal(classes="row", id="import-asof-row"):
                    yield Label("基準日", classes="field")
                    yield Input(placeholder="例: R8.4.1", id="import-asof", compact=True)
                yield Static("", id="import-asof-hint", markup=False)
                yield Checkbox("名簿にない在職者を基準日の前日付で退職にする", id="import-retire", compact=True)
                yield Label("", id="import-year")
                with Horizontal(classes="row"):
                    yield Label("対応表", classes="field")
                    yield Input(
                        placeholder="見出しが違うときの対応表（YAML、空欄: なし）",
                        suggester=PathSuggester(self.start),
                        id="import-mapping",
                        compact=True,
                    )
                with Horizontal(classes="row"):
                    yield Label("文字コード", classes="field")
                    yield Select(ENCODINGS, value="", allow_blank=False, id="import-encoding", compact=True)
                with Horizontal(classes="row buttons"):
                    yield Button("戻る", id="import-back-file", compact=True)
                    yield Button("確認する（書き込まない）", id="import-check", variant="primary", compact=True)
                    yield Button("やめる", classes="import-cancel", compact=True)
            with Vertical(id="import-step-review"):
                yield Static("", id="import-summary", markup=False)  # names and paths, never markup
                with Horizontal(classes="row", id="import-filters"):
                    yield Select([(EVERYTHING, EVERYTHING)], allow_blank=False, id="import-filter", compact=True)
                    yield Input(placeholder="職員番号・氏名・内容で絞り込み", id="import-find", compact=True)
                yield DataTable(id="import-problems", zebra_stripes=True, cursor_type="row")
                # The chosen line in full: a narrow terminal cuts the table's 内容 at its edge.
                yield Static("", id="import-detail", markup=False)
                yield Static("", id="import-shown", markup=False)
                with Horizontal(classes="row buttons"):
                    yield Button("戻る", id="import-back-options", compact=True)
                    yield Button("取り込む…", id="import-commit", variant="success", compact=True)
                    yield Button("やめる", classes="import-cancel", compact=True)
            with Vertical(id="import-step-result"):
                yield Label("取り込みの結果", classes="step-title")
                yield Static("", id="import-result", markup=False)
                with Horizontal(classes="row buttons"):
                    yield Button("ほかのファイルを取り込む", id="import-again", variant="primary", compact=True)
        with Horizontal(id="import-running"):
            yield Label("", id="import-progress-text")
            yield ProgressBar(total=100, id="import-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one(TableFiles).root.set_label(shown_path(self.start))
        self.query_one("#import-path", Input).value = shown_path(self.start) + "/"
        table = self.query_one("#import-problems", DataTable)
        table.add_column("区分", key="kind")
        table.add_column("対象", key="target")
        table.add_column("内容", key="detail")
        self.query_one("#import-running").display = False

    @property
    def kind(self) -> str:
        return KINDS_OF_FILE[max(self.query_one("#import-kind", RadioSet).pressed_index, 0)][0]

    @property
    def step(self) -> str:
        return self.query_one(ContentSwitcher).current or ""

    def show_step(self, step: str) -> None:
        self.query_one(ContentSwitcher).current = step
        focus = {
            "import-step-file": "#import-files",
            "import-step-options": "#import-kind",
            "import-step-review": "#import-problems",
            "import-step-result": "#import-again",
        }[step]
        self.call_after_refresh(self.query_one(focus).focus)

    # -------------------------------------------------------------- 1. the file
    @on(DirectoryTree.FileSelected)
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.choose(event.path)

    @on(DirectoryTree.DirectorySelected)
    def folder_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        self.query_one("#import-path", Input).value = shown_path(event.path) + "/"

    @on(Button.Pressed, "#import-up")
    def up(self) -> None:
        tree = self.query_one(TableFiles)
        tree.action_up()
        self._tree_moved(Path(tree.path))

    def _tree_moved(self, folder: Path) -> None:
        self.query_one(TableFiles).root.set_label(shown_path(folder))
        self.query_one("#import-path", Input).value = shown_path(folder) + "/"

    @on(Input.Submitted, "#import-path")
    def path_typed(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if not typed:
            return
        path = Path(typed).expanduser()
        if not path.is_absolute():
            path = Path(self.query_one(TableFiles).path) / path
        notice = self.query_one("#import-notice", Static)
        if path.is_dir():
            notice.update("")
            self.query_one(TableFiles).path = path
            self._tree_moved(path)
        elif path.is_file():
            notice.update("")
            self.choose(path)
        else:
            notice.update(f"見つかりません: {shown_path(path)}（フォルダ名・ファイル名を確かめてください）")

    def choose(self, path: Path) -> None:
        """A file was picked (in the tree or the box): ask what it is and as of when."""
        self.path = path
        self.checked = None
        self.query_one("#import-notice", Static).update("")
        self.query_one("#import-file", Label).update(f"ファイル: {shown_path(path)}")
        self.query_one("#import-asof", Input).value = ""
        self.query_one("#import-asof-hint", Static).update("")
        self._kind_shown()
        self.show_step("import-step-options")
        self._offer_file_date(path, self._encoding())

    @work(thread=True, exclusive=True, group="import-date")
    def _offer_file_date(self, path: Path, encoding: str | None) -> None:
        try:
            found = self.service.import_file_date(path, encoding)
        except TrainerError:
            found = None  # the dry run will say what is wrong with the file
        self.app.call_from_thread(self._file_date, path, found)

    def _file_date(self, path: Path, found: tuple[object, str] | None) -> None:
        if path != self.path:
            return
        box = self.query_one("#import-asof", Input)
        hint = self.query_one("#import-asof-hint", Static)
        if found is None:
            today = wareki(self.app.today())  # type: ignore[attr-defined]
            hint.update(f"ファイルに日付がありません。名簿がいつ時点のものかを入れてください（今日は {today}）")
            return
        day, where = found
        if not box.value.strip():
            box.value = wareki(day)  # type: ignore[arg-type]
        hint.update(f"{where}の日付を入れました。違うときは書き換えてください")

    # ----------------------------------------------------------- 2. the options
    @on(RadioSet.Changed, "#import-kind")
    def _kind_shown(self) -> None:
        staff = self.kind == "staff"
        for selector in ("#import-asof-row", "#import-asof-hint", "#import-retire"):
            self.query_one(selector).display = staff
        year = self.query_one("#import-year", Label)
        year.display = not staff
        year.update(f"年度: {fy_label(self.fiscal_year)}（[ ] で切り替え）")

    def _encoding(self) -> str | None:
        value = self.query_one("#import-encoding", Select).value
        return str(value) if value not in (Select.NULL, "") else None

    @on(Button.Pressed, "#import-back-file")
    def back_to_file(self) -> None:
        self.show_step("import-step-file")

    @on(Button.Pressed, "#import-back-options")
    def back_to_options(self) -> None:
        self._kind_shown()
        self.show_step("import-step-options")

    @on(Button.Pressed, "#import-check")
    def check(self) -> None:
        if self.path is None:
            self.show_step("import-step-file")
            self.notify("取り込むファイルを選んでください", severity="warning")
            return
        as_of = self.query_one("#import-asof", Input).value.strip()
        if self.kind == "staff" and not as_of:
            self.query_one("#import-asof-hint", Static).update(
                "基準日を入れてください（名簿がいつ時点のものか。例: R8.4.1）"
            )
            self.query_one("#import-asof", Input).focus()
            return
        self._run(dry_run=True)

    # ------------------------------------------------------------ running it
    def _run(self, dry_run: bool) -> None:
        assert self.path is not None
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=100, progress=0)
        text = self.query_one("#import-progress-text", Label)
        text.update("確認中…" if dry_run else "書き込み中…")
        self.query_one("#import-running").display = True
        self.committing = not dry_run
        for button in self.query(Button):
            button.disabled = not dry_run or "import-cancel" not in button.classes

        def progress(done: int, total: int, message: str) -> None:
            self.app.call_from_thread(bar.update, total=max(total, 1), progress=done)
            words = f"{message} {done:,} / {total:,}" if message else f"{done:,} / {total:,}"
            self.app.call_from_thread(text.update, words)

        self.running = Task(on_progress=progress)
        mapping = self.query_one("#import-mapping", Input).value.strip()
        options: dict[str, object] = {
            "mapping": Path(mapping).expanduser() if mapping else None,
            "encoding": self._encoding(),
        }
        if self.kind == "staff":
            options["as_of"] = self.query_one("#import-asof", Input).value.strip()
            options["retire_missing"] = self.query_one("#import-retire", Checkbox).value
        self._work(self.path, self.kind, dry_run, options, self.running)

    @work(thread=True, exclusive=True, group="import")
    def _work(self, path: Path, kind: str, dry_run: bool, options: dict[str, object], task: Task) -> None:
        try:
            if kind == "staff":
                plan: RosterPlan | RecordPlan = self.service.import_staff(path, dry_run=dry_run, task=task, **options)  # type: ignore[arg-type]
            elif kind == "progress":
                plan = self.service.import_progress(path, self.fiscal_year, dry_run, task=task, **options)  # type: ignore[arg-type]
            else:
                plan = self.service.import_checkpoint(path, self.fiscal_year, dry_run, task=task, **options)  # type: ignore[arg-type]
            checked = self._checked(plan)
        except ImportRejected as e:
            self.app.call_from_thread(self._finished, task, self._rejected(e), True)
            return
        except TrainerError as e:
            self.app.call_from_thread(self._failed, task, e)
            return
        if dry_run:
            self.app.call_from_thread(self._finished, task, checked, True)
        else:
            self.app.call_from_thread(self._committed, task, checked)

    def _checked(self, plan: RosterPlan | RecordPlan) -> Checked:
        """(In the worker.) Every row of the table, and the counts."""
        if isinstance(plan, RosterPlan):
            rows = roster_rows(plan, {d.code: d.name for d in self.service.divisions()})
            lines = [_head(plan), roster_counts(rows)]
            writes = len(plan.staff_to_write()) + len(plan.divisions_to_write())
        else:
            titles = {r.id: r.short_title for r in self.service.catalog}
            people = (
                {s.staff_id: s.name for s in self.service.list_staff(include_retired=True)}
                if plan.added or plan.upgraded
                else {}
            )
            rows = record_rows(plan, lambda sid: people.get(sid, ""), lambda r: titles.get(r, r))
            lines = [_head(plan), record_counts(rows, plan.unchanged)]
            writes = len(plan.records_to_write())
        counts = Counter(kind for row in rows for kind in row.kinds)
        if isinstance(plan, RecordPlan) and plan.unchanged:
            counts["変更なし"] = plan.unchanged
        return Checked(rows, lines, counts, writes, rejected=False)

    def _rejected(self, error: ImportRejected) -> Checked:
        lines = [
            f"取り込めません（問題{len(error.problems):,}件、データは変更していません）。"
            "ファイルを直して確認し直してください"
        ]
        if error.errors_file is not None:
            lines.append(f"全件の一覧（CSV）: {shown_path(error.errors_file)}")
        elif error.errors_failure:
            lines.append(f"問題の一覧を書き出せませんでした: {error.errors_failure}")
        rows = problem_rows(error.problems)
        return Checked(rows, lines, Counter({"問題": len(rows)}), 0, rejected=True)

    def _idle(self, task: Task) -> bool:
        """The run is over: the buttons come back (False when it was cancelled meanwhile)."""
        if task is not self.running:
            return False
        self.running = None
        self.committing = False
        self.query_one("#import-running").display = False
        for button in self.query(Button):
            button.disabled = False
        return True

    def _finished(self, task: Task, checked: Checked, dry_run: bool) -> None:
        if not self._idle(task):
            return
        self.checked = checked
        kinds = RECORD_KINDS if self.kind != "staff" else KINDS
        choices = (
            []
            if checked.rejected
            else [(f"{CHANGED}（{sum(1 for r in checked.rows if '変更なし' not in r.kinds):,}）", CHANGED)]
        )
        choices += [(f"{k}（{checked.counts[k]:,}）", k) for k in kinds if checked.counts[k]]
        choices.append((f"{EVERYTHING}（{len(checked.rows):,}）", EVERYTHING))
        box = self.query_one("#import-filter", Select)
        box.set_options(choices)
        box.value = choices[0][1]
        self.query_one("#import-find", Input).value = ""
        if checked.rejected:
            tail = ""
        elif checked.writes:
            tail = "3/4 確認のみ: まだ何も書き込んでいません。よければ「取り込む…」"
        else:
            tail = "3/4 確認のみ: このファイルで変わることはありません"
        self.query_one("#import-summary", Static).update("\n".join([*checked.lines, *([tail] if tail else [])]))
        self.query_one("#import-commit", Button).disabled = checked.rejected or not checked.writes
        self._fill_table()
        self.show_step("import-step-review")

    def _failed(self, task: Task, error: TrainerError) -> None:
        committing = self.committing
        if not self._idle(task):
            return
        if committing:  # refused at the write (the lock, a full disk): nothing was written
            self.query_one("#import-result", Static).update(explain(error))
            self.show_step("import-step-result")
            return
        self.show_step("import-step-options")
        self.query_one("#import-asof-hint", Static).update(explain(error))
        self.query_one("#import-asof-hint").display = True

    # ------------------------------------------------------------ 3. the review
    @on(Select.Changed, "#import-filter")
    @on(Input.Changed, "#import-find")
    def _fill_table(self) -> None:
        table = self.query_one("#import-problems", DataTable)
        table.clear()
        if self.checked is None:
            self.listed = []
            self._show_detail(0)
            return
        kind = self.query_one("#import-filter", Select).value
        text = self.query_one("#import-find", Input).value.strip()
        wanted = str(kind) if kind is not Select.NULL else EVERYTHING
        rows = [r for r in self.checked.rows if r.matches(wanted, text)]
        self.listed = rows[:SHOWN_ROWS]
        table.add_rows([(r.kind, r.target, r.detail) for r in self.listed])
        self._show_detail(0)
        shown = self.query_one("#import-shown", Static)
        if len(rows) > SHOWN_ROWS:
            shown.update(
                f"{len(rows):,}件のうち最初の{SHOWN_ROWS:,}件を表示しています。"
                "種類を選ぶか、職員番号・氏名で絞り込むと残りも表示されます"
            )
        elif not rows:
            shown.update("この条件に当てはまる行はありません")
        else:
            shown.update(f"{len(rows):,}件")

    @on(DataTable.RowHighlighted, "#import-problems")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, index: int) -> None:
        """The line at ``index`` of the review's table, whole (kind, whom, what)."""
        row = self.listed[index] if 0 <= index < len(self.listed) else None
        self.query_one("#import-detail", Static).update(f"{row.kind}  {row.target}: {row.detail}" if row else "")

    @on(Button.Pressed, "#import-commit")
    def commit(self) -> None:
        checked = self.checked
        if checked is None or checked.rejected or not checked.writes or self.path is None:
            return
        counts = checked.lines[-1]
        if self.kind == "staff":
            question = f"{self.path.name} を基準日 {self.query_one('#import-asof', Input).value.strip()} で取り込みます"
        else:
            question = f"{self.path.name} を{fy_label(self.fiscal_year)}の記録として取り込みます"
        details = (
            f"{counts}\n（取り込む前にバックアップを作ります。後の変更と重ならない限り、変更履歴から元に戻せます）"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(dry_run=False)

        self.app.push_screen(ConfirmScreen(question + "。よろしいですか？", details, yes="取り込む"), answered)

    # ------------------------------------------------------------ 4. the result
    def _committed(self, task: Task, checked: Checked) -> None:
        if not self._idle(task):
            return
        lines = [
            "取り込みました（取り込む前の状態はバックアップに残しました）。",
            *checked.lines,
            "間違えたときは、後の変更と重ならない限り、変更履歴からこの取込を元に戻せます。",
        ]
        self.query_one("#import-result", Static).update("\n".join(lines))
        self.show_step("import-step-result")
        self.notify("取り込みました")
        self.post_message(self.Imported())

    @on(Button.Pressed, "#import-again")
    def again(self) -> None:
        self.path = None
        self.checked = None
        self.show_step("import-step-file")

    # ---------------------------------------------------------------- cancel
    @on(Button.Pressed, ".import-cancel")
    def action_cancel(self) -> None:
        if self.committing or (self.step == "import-step-file" and self.running is None):
            return
        if self.running is not None:
            self.running.cancel()
            self._idle(self.running)
        self.path = None
        self.checked = None
        self.query_one("#import-problems", DataTable).clear()
        self.query_one("#import-notice", Static).update("やめました。データは変更していません。")
        self.show_step("import-step-file")
