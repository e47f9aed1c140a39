"""Import a file: pick it, choose what it is, read the dry run and its row errors, then confirm.

The table shows the first :data:`SHOWN_PROBLEMS` problems (a DataTable measures every row it is
given); the summary names the CSV file that holds all of them.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, DirectoryTree, Label, ProgressBar, RadioButton, RadioSet, Static

from trainer.errors import TrainerError
from trainer.importers.problems import ImportRejected
from trainer.importers.summary import describe_records, describe_roster
from trainer.paths import shown_path
from trainer.progress import Task
from trainer.service import Service

KINDS = (("staff", "職員名簿"), ("progress", "e-ラーニングの受講状況"), ("checkpoint", "チェックシート"))
SHOWN_PROBLEMS = 1000


class TableFiles(DirectoryTree):
    """Folders and the files an import can read."""

    def filter_paths(self, paths):  # type: ignore[no-untyped-def]
        return [
            p
            for p in paths
            if p.is_dir()
            or (p.suffix.lower() in (".csv", ".tsv", ".txt", ".xlsx") and not p.name.endswith(".errors.csv"))
        ]


class ImportPane(Vertical):
    class Imported(Message):
        """Posted when an import was committed."""

    def __init__(self, service: Service, start: Path, fiscal_year: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.service = service
        self.start = start
        self.fiscal_year = fiscal_year
        self.path: Path | None = None
        self.checked = False
        self.running: Task | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield TableFiles(self.start, id="import-files")
            with Vertical(id="import-side"):
                yield Label("ファイル: （左から選んでください）", id="import-file")
                with RadioSet(id="import-kind", compact=True):
                    for i, (_kind, label) in enumerate(KINDS):
                        yield RadioButton(label, value=i == 0)
                with Horizontal(classes="row"):
                    yield Button("確認（書き込まない）", id="import-check", variant="primary", compact=True)
                    yield Button("取り込む", id="import-commit", disabled=True, variant="success", compact=True)
                    yield Button("やめる", id="import-cancel", compact=True)
                yield ProgressBar(total=100, id="import-progress", show_eta=False)  # at rest: 0%, not a pulse
                yield Static("", id="import-summary", markup=False)  # names and paths, never markup
        yield DataTable(id="import-problems", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(TableFiles).root.set_label(shown_path(self.start))
        table = self.query_one("#import-problems", DataTable)
        table.add_columns("行", "列", "問題", "直し方")

    @property
    def kind(self) -> str:
        return KINDS[self.query_one("#import-kind", RadioSet).pressed_index][0]

    def choose(self, path: Path) -> None:
        self.path = path
        self.checked = False
        self.query_one("#import-file", Label).update(f"ファイル: {shown_path(path)}")
        self.query_one("#import-commit", Button).disabled = True

    @on(DirectoryTree.FileSelected)
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.choose(event.path)

    @on(RadioSet.Changed)
    def kind_changed(self) -> None:
        self.checked = False
        self.query_one("#import-commit", Button).disabled = True

    @on(Button.Pressed, "#import-check")
    def check(self) -> None:
        self.run_import(dry_run=True)

    @on(Button.Pressed, "#import-commit")
    def commit(self) -> None:
        if self.checked:
            self.run_import(dry_run=False)

    @on(Button.Pressed, "#import-cancel")
    def cancel(self) -> None:
        if self.running is not None:
            self.running.cancel()
        self.checked = False
        self.query_one("#import-commit", Button).disabled = True
        self.query_one("#import-summary", Static).update("やめました。データは変更していません。")
        self.query_one("#import-problems", DataTable).clear()

    def run_import(self, dry_run: bool) -> None:
        if self.path is None:
            self.notify("取り込むファイルを選んでください", severity="warning")
            return
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=100, progress=0)

        def progress(done: int, total: int, message: str) -> None:
            self.app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        self.running = Task(on_progress=progress)
        self._work(self.path, self.kind, dry_run, self.running)

    @work(thread=True, exclusive=True, group="import")
    def _work(self, path: Path, kind: str, dry_run: bool, task: Task) -> None:
        try:
            if kind == "staff":
                lines = describe_roster(self.service.import_staff(path, dry_run=dry_run, task=task))
            elif kind == "progress":
                lines = describe_records(self.service.import_progress(path, self.fiscal_year, dry_run, task=task))
            else:
                lines = describe_records(self.service.import_checkpoint(path, self.fiscal_year, dry_run, task=task))
        except ImportRejected as e:
            self.app.call_from_thread(self._rejected, e)
            return
        except TrainerError as e:
            self.app.call_from_thread(self._failed, e)
            return
        self.app.call_from_thread(self._done, lines, dry_run)

    def _done(self, lines: list[str], dry_run: bool) -> None:
        self.query_one("#import-problems", DataTable).clear()
        tail = "（確認のみ。まだ何も書き込んでいません。よければ「取り込む」）" if dry_run else "取り込みました。"
        self.query_one("#import-summary", Static).update("\n".join([*lines, tail]))
        self.checked = dry_run
        self.query_one("#import-commit", Button).disabled = not dry_run
        if not dry_run:
            self.post_message(self.Imported())

    def _rejected(self, error: ImportRejected) -> None:
        self.checked = False
        self.query_one("#import-commit", Button).disabled = True
        lines = [f"取り込めません（問題 {len(error.problems)} 件、データは変更なし）"]
        if error.errors_file is not None:
            lines.append(f"全件の一覧（CSV）: {shown_path(error.errors_file)}")
        elif error.errors_failure:
            lines.append(f"問題の一覧を書き出せませんでした: {error.errors_failure}")
        if len(error.problems) > SHOWN_PROBLEMS:
            lines.append(f"下の表は最初の {SHOWN_PROBLEMS} 件です")
        self.query_one("#import-summary", Static).update("\n".join(lines))
        table = self.query_one("#import-problems", DataTable)
        table.clear()
        for p in error.problems[:SHOWN_PROBLEMS]:
            table.add_row(str(p.row or ""), p.column or "", p.message, p.expected)

    def _failed(self, error: TrainerError) -> None:
        self.checked = False
        self.query_one("#import-commit", Button).disabled = True
        self.query_one("#import-summary", Static).update(error.explain())
