"""Imports: a file is read, every row checked, and written in one transaction after a backup.

A rejected file's problems are all written to a CSV file (``errors``, else ``<input>.errors.csv``
beside the input), in a dry run too; the rejection names it, or says why it could not be written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.calendar import fy_label, wareki
from trainer.errors import FileError, InputError
from trainer.files import write_file
from trainer.guard import checked, checked_path
from trainer.model import DEFAULT_EMPLOYMENT_TYPES, Catalog, Requirement
from trainer.progress import Task
from trainer.service.core import DateLike, typed_date
from trainer.service.staff import StaffUseCases
from trainer.service.status import StatusUseCases
from trainer.yearcatalog import with_current_aliases

if TYPE_CHECKING:  # the importers (openpyxl, the column rules) are loaded by the commands that import
    from trainer.importers.columns import Column, Mapping
    from trainer.importers.progress import RecordPlan
    from trainer.importers.roster import RosterPlan
    from trainer.importers.table import Table


class ImportUseCases(StatusUseCases, StaffUseCases):
    """HR rosters, e-learning exports and returned checkpoint sheets: read, planned, then written whole."""

    # ----------------------------------------------------------------- imports
    def import_staff(
        self,
        path: Path,
        as_of: DateLike | None = None,
        dry_run: bool = False,
        mapping: Path | None = None,
        encoding: str | None = None,
        retire_missing: bool = False,
        task: Task | None = None,
        errors: Path | None = None,
    ) -> RosterPlan:
        """An HR roster as of a date; all or nothing, after a backup (``dry_run``: plan only).

        ``errors``: where a rejection writes every problem (default ``<input>.errors.csv``)."""
        day = self._date(as_of, "基準日") if as_of is not None else self.today()
        with problems_reported(Path(path), errors):
            return self._import_staff(path, day, dry_run, mapping, encoding, retire_missing, task)

    def import_file_date(self, path: Path, encoding: str | None = None) -> tuple[date, str] | None:
        """The date an import file gives itself, to offer as its 基準日: (the date, where it was found)."""
        checked_path(Path(path))
        from trainer.importers.asof import date_in_name

        found = date_in_name(Path(path).name)
        if found is not None:
            return found, "ファイル名"
        if encoding is not None:
            checked(encoding, "文字コード")
        from trainer.importers.asof import date_in_table
        from trainer.importers.table import read_table

        found = date_in_table(read_table(Path(path), encoding))
        return (found, "基準日の列") if found is not None else None

    @staticmethod
    def plan_staff_for_new_register(
        path: Path,
        as_of: DateLike,
        mapping: Path | None = None,
        encoding: str | None = None,
        retire_missing: bool = False,
        task: Task | None = None,
        errors: Path | None = None,
    ) -> RosterPlan:
        """What importing an HR roster would do to a register that does not exist yet: every row
        checked against an empty one (the default 任用区分). Nothing is created, nothing is opened."""
        from trainer.importers import roster

        day = typed_date(as_of, "基準日")
        with problems_reported(Path(path), errors):
            table, columns = _read(path, mapping, encoding, roster.COLUMNS)
            types = list(DEFAULT_EMPLOYMENT_TYPES)
            return roster.plan_roster(table, day, {}, {}, types, columns, retire_missing, task)

    def _import_staff(
        self,
        path: Path,
        day: date,
        dry_run: bool,
        mapping: Path | None,
        encoding: str | None,
        retire_missing: bool,
        task: Task | None,
    ) -> RosterPlan:
        from trainer.importers import roster

        table, columns = _read(path, mapping, encoding, roster.COLUMNS)
        with self.register.transaction():
            plan = roster.plan_roster(
                table,
                day,
                {s.staff_id: s for s in self.register.all_staff()},
                {d.code: d for d in self.register.divisions()},
                self.employment_types(),
                columns,
                retire_missing,
                task,
            )
            if not dry_run:
                self.register.db.backup("before-import-staff")
                self.register.put_divisions(plan.divisions_to_write())
                people = plan.staff_to_write()
                self.register.put_staff(people)
                self._about(
                    "import_staff",
                    f"職員名簿を取込: {table.path.name}（基準日 {wareki(day)}、"
                    f"追加 {len(plan.added)}人、変更 {len(plan.changed)}人）",
                    file=str(table.path),
                    digest=table.digest,
                    staff=[p.staff_id for p in people],
                )
        return plan

    def import_progress(
        self,
        path: Path,
        fiscal_year: int | str | None = None,
        dry_run: bool = False,
        mapping: Path | None = None,
        encoding: str | None = None,
        task: Task | None = None,
        errors: Path | None = None,
        skip_unknown: bool = False,
    ) -> RecordPlan:
        """An e-learning export; never downgrades a completion; all or nothing, after a backup.

        ``skip_unknown``: rows of ids nobody in the register has are set aside (each named in the
        result and the change log) instead of stopping the import."""
        from trainer.importers import progress

        with problems_reported(Path(path), errors):
            return self._import_records(
                progress.plan_progress, self._import_catalog, progress.PROGRESS_COLUMNS, "import_progress",
                "受講状況を取込", path, fiscal_year, dry_run, mapping, encoding, task, skip_unknown,
            )  # fmt: skip

    def import_checkpoint(
        self,
        path: Path,
        fiscal_year: int | str | None = None,
        dry_run: bool = False,
        mapping: Path | None = None,
        encoding: str | None = None,
        task: Task | None = None,
        errors: Path | None = None,
        skip_unknown: bool = False,
    ) -> RecordPlan:
        """A division's returned checkpoint sheet (who, when, optionally which items)."""
        from trainer.importers import progress

        with problems_reported(Path(path), errors):
            return self._import_records(
                progress.plan_checkpoint, self.checklist, progress.CHECKPOINT_COLUMNS, "import_checkpoint",
                "チェックシートを取込", path, fiscal_year, dry_run, mapping, encoding, task, skip_unknown,
            )  # fmt: skip

    def _import_catalog(self, fiscal_year: int) -> Catalog:
        """The year's catalog, answering also to the names the current files add (see yearcatalog)."""
        return with_current_aliases(self.catalog_for(fiscal_year), self.catalog)

    def _import_records(
        self,
        planner: Callable[..., RecordPlan],
        subject: Callable[[int], Catalog | Requirement],
        spec: list[Column],
        action: str,
        label: str,
        path: Path,
        fiscal_year: int | str | None,
        dry_run: bool,
        mapping: Path | None,
        encoding: str | None,
        task: Task | None,
        skip_unknown: bool = False,
    ) -> RecordPlan:
        """Read, plan (checking every row) and, unless a dry run, write after a backup: all or nothing."""
        from trainer.importers.people import Roll

        fy = self.fiscal_year(fiscal_year)
        table, columns = _read(path, mapping, encoding, spec)
        with self.register.transaction():
            roll = Roll.of(self.register.all_staff())
            records_now = self.register.records(fy)
            plan = planner(table, subject(fy), fy, self.today(), roll, records_now, columns, task, skip_unknown)
            records = plan.records_to_write()
            if dry_run or not records:
                return plan
            self.register.db.backup("before-" + action.replace("_", "-"))
            self.register.put_records(records)
            skipped = f"、登録のない人の行を除外 {len(plan.skipped)}行" if plan.skipped else ""
            self._about(
                action,
                f"{label}: {plan.path.name}（{fy_label(plan.fiscal_year)}、"
                f"新規 {len(plan.added)}件、更新 {len(plan.upgraded)}件{skipped}）",
                fy=plan.fiscal_year,
                file=str(plan.path),
                digest=table.digest,
                staff=sorted({r.staff_id for r in records}),
                skipped=[{"row": s.row, "id": s.learner} for s in plan.skipped] or None,
            )
        return plan


def _read(path: Path, mapping: Path | None, encoding: str | None, spec: list[Column]) -> tuple[Table, Mapping | None]:
    """The file (its name checked first: the change log keeps it) and the mapping, if any."""
    checked_path(Path(path))
    if mapping is not None:
        checked_path(Path(mapping), "対応表の名前")
    if encoding is not None:
        checked(encoding, "文字コード")
    from trainer.importers.columns import load_mapping
    from trainer.importers.table import read_table

    table = read_table(Path(path), encoding)
    return table, load_mapping(Path(mapping), spec) if mapping else None


def errors_file_of(source: Path) -> str:
    """The usual name of the file listing a rejected import's problems: ``<input>.errors.csv``."""
    return f"{source.stem}.errors.csv"


@contextmanager
def problems_reported(source: Path, errors: Path | None) -> Iterator[None]:
    """A rejection (:class:`ImportRejected`) leaves with every problem written to a CSV file:
    ``errors`` (a file, or a folder for the usual name), else beside ``source``."""
    if errors is not None and Path(errors).resolve() == source.resolve():
        raise InputError(
            f"--errors に取り込むファイル {source} と同じファイルが指定されています",
            "問題の一覧は別のファイルに書き出します（既定: 取り込むファイルの隣の .errors.csv）",
        )
    from trainer.importers.problems import ImportRejected, problems_csv

    try:
        yield
    except ImportRejected as rejected:
        target = Path(errors) if errors is not None else source.parent
        try:
            written = write_file(target, problems_csv(rejected.problems), errors_file_of(source))
        except FileError as e:
            rejected.reported(None, e.message)
        else:
            rejected.reported(written)
        raise
