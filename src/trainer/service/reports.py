"""Documents out: the CSV/XLSX export, the 修了者名簿, the 未修了者一覧 and the audit PDF."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.calendar import fy_label, wareki
from trainer.catalog import legal_basis
from trainer.errors import InputError, NotFoundError
from trainer.files import report_output
from trainer.model import Division
from trainer.progress import Task
from trainer.rules import Departure, PersonStatus
from trainer.service.core import DateLike
from trainer.service.overview import OverviewUseCases
from trainer.service.signoffs import SignoffUseCases
from trainer.service.status import StatusReport

if TYPE_CHECKING:  # imported by the methods that make documents: most commands never need them
    from trainer.exporters import ExportResult
    from trainer.reports import build as reports_build
    from trainer.signoff import Roster


class ReportUseCases(SignoffUseCases, OverviewUseCases):
    """The documents: the export, rosters, the overdue list and the audit PDF."""

    def export(
        self,
        path: Path,
        fiscal_year: int | str | None = None,
        division: str | None = None,
        encoding: str = "utf-8-sig",
    ) -> ExportResult:
        """The year's status per person and requirement to CSV or XLSX (by the extension)."""
        report = self.status(fiscal_year, None, division)
        from trainer.exporters import export as export_status

        return export_status(
            Path(path), report.fiscal_year, report.people, report.catalog, report.divisions, encoding, report.departures
        )

    # ----------------------------------------------------------------- reports
    def _report_context(
        self, fiscal_year: int, as_of: date, templates: Path | None, divisions: dict[str, Division] | None = None
    ) -> reports_build.Context:
        """What every report prints beside its rows (``divisions``: a status report's, if at hand)."""
        from trainer.reports import build as reports_build
        from trainer.reports import render

        return reports_build.Context(
            fiscal_year=fiscal_year,
            as_of=as_of,
            catalog=self.catalog_for(fiscal_year),
            divisions=divisions if divisions is not None else {d.code: d for d in self.register.divisions()},
            organization=str(self.register.setting("organization", "")),
            now=self.now().replace(tzinfo=None),
            templates=render.templates_dir(templates or self.config.templates),
            anchor=self.log_anchor(),
            coordinator=str(self.register.setting("coordinator", "")),
            operator=str(self.register.setting("operator", "")),
            font=self.config.font,
            workers=self.config.report_workers,
        )

    def roster_file_name(self, fiscal_year: int | str | None, division: str, fmt: str = "pdf") -> str:
        """The usual name of a division's roster file (what :meth:`report_roster` writes into a
        folder), so the app can ask before replacing one."""
        from trainer.reports import build as reports_build

        return reports_build.roster_name(self.fiscal_year(fiscal_year), self.division(division), fmt)

    def report_roster(
        self,
        out: Path | str,
        fiscal_year: int | str | None = None,
        as_of: DateLike | None = None,
        division: str | None = None,
        fmt: str = "pdf",
        task: Task | None = None,
        templates: Path | None = None,
        signed: str | None = None,
    ) -> list[Path]:
        """修了者名簿: one division's (``division``) or every division's, plus a combined PDF.

        ``out``: for one roster, its file (``r120.pdf``) or a folder (made when missing) to put
        it in under its usual name; for every division's, a folder (made when missing).
        ``signed``: a roster code, or "" for the division's sign-off in force: that signed
        roster again, exactly as it was signed.
        """
        if signed is not None:
            return [self._signed_roster(out, fiscal_year, division, signed, fmt, templates)]
        from trainer.reports import build as reports_build

        report = self.status(fiscal_year, as_of, division)
        codes = [division] if division is not None else sorted(report.summary.divisions)
        if division is not None:
            usual = reports_build.roster_name(report.fiscal_year, report.divisions[division], fmt)
            target, _ = report_output(out, usual, folder_made=True)
            out_dir = target.parent
        else:
            out_dir, _ = report_output(out, "", several=True)
            target = None
        ctx = self._report_context(report.fiscal_year, report.as_of, templates, report.divisions)
        in_force = {
            code: self.register.signoff(item["code"]) or {}
            for code, item in self.signoff_states(report.fiscal_year).items()
        }
        rows = len(report.people) + len(report.departures)
        rosters = self._rosters(report, codes)
        return reports_build.roster_files(
            ctx, rosters, out_dir, fmt, task or Task(), division is None, in_force, (len(codes), rows), target
        )

    def report_files(self, kind: str, folder: Path, fiscal_year: int | str | None = None,
                     division: str | None = None, fmt: str = "pdf") -> list[Path]:  # fmt: skip
        """The files a report made into ``folder`` would write, by their usual names (so that those
        already there can be named before they are replaced): ``kind`` is roster (one division's,
        or every division's and the combined PDF without ``division``), overdue, overdue_split
        (one file per division in ``folder``; a division where nobody owes anything gets none, so
        this may name a file the report then leaves alone), audit or plan. From the year's
        overview: no one is evaluated."""
        from trainer.reports import build as reports_build

        fy = self.fiscal_year(fiscal_year)
        label = fy_label(fy)
        if kind in ("audit", "plan"):
            return [folder / f"{label}_{'研修実施状況報告' if kind == 'audit' else '研修実施計画'}.{fmt}"]
        if kind == "overdue":
            return [folder / reports_build.overdue_name(fy, fmt)]
        divisions = {d.code: d for d in self.register.divisions()}
        if kind == "roster" and division is not None:
            return [folder / reports_build.roster_name(fy, self.division(division), fmt)]
        if kind == "roster":
            codes = sorted(c for c in self.overview(fy).summary.divisions if c in divisions)
            files = [folder / reports_build.roster_name(fy, divisions[c], fmt) for c in codes]
            combined = [folder / reports_build.combined_roster_name(fy)] if fmt == "pdf" and len(files) > 1 else []
            return files + combined
        if kind == "overdue_split":
            return [folder / reports_build.overdue_name(fy, fmt, d) for _code, d in sorted(divisions.items())]
        raise InputError(f"レポートの種類「{kind}」はありません")

    def _rosters(self, report: StatusReport, codes: list[str]) -> Iterator[Roster]:
        """Each division's roster as data, in ``codes``' order (people grouped once, not per division)."""
        from trainer import signoff

        people: dict[str, list[PersonStatus]] = {}
        for p in [*report.people, *report.concurrent]:
            for code in {p.division, *(c.division for c in p.staff.concurrent_on(report.as_of))}:
                people.setdefault(code, []).append(p)  # a 兼務 is on the rosters of both posts
        departures: dict[str, list[Departure]] = {}
        for d in report.departures:
            departures.setdefault(d.division, []).append(d)
        organization = str(self.register.setting("organization", ""))
        for code in codes:
            yield signoff.build_roster(
                report.fiscal_year,
                report.as_of,
                report.divisions[code],
                people.get(code, ()),
                departures.get(code, ()),
                report.catalog,
                organization,
            )

    def _signed_roster(
        self,
        out: Path | str,
        fiscal_year: int | str | None,
        division: str | None,
        code: str,
        fmt: str,
        templates: Path | None,
    ) -> Path:
        if code:
            doc = self.signed(code)
        else:
            fy = self.fiscal_year(fiscal_year)
            if division is None:
                raise InputError("署名済みの名簿を出すには --division か名簿コードを指定してください")
            item = self.signoff_states(fy).get(division)
            if item is None:
                raise NotFoundError(
                    f"{fy_label(fy)}の所属 {division} の署名はありません", "trainer signoff で署名を記録できます"
                )
            doc = self.signed(item["code"])
        from trainer.reports import build as reports_build

        target, _ = report_output(out, reports_build.signed_name(doc, fmt), folder_made=True)
        ctx = self._report_context(doc["fiscal_year"], self.today(), templates)
        return reports_build.signed_file(ctx, doc, target, fmt)

    def report_overdue(
        self,
        out: Path | str,
        fiscal_year: int | str | None = None,
        as_of: DateLike | None = None,
        division: str | None = None,
        fmt: str = "pdf",
        templates: Path | None = None,
        task: Task | None = None,
    ) -> Path:
        """未修了者一覧: who still owes what, with days left or overdue, by division (``division``:
        that one only). ``out``: the file, or a folder that exists to write it into under its
        usual name."""
        from trainer.reports import build as reports_build

        report = self.status(fiscal_year, as_of, division)
        place = report.divisions[division] if division else None
        target, _ = report_output(out, reports_build.overdue_name(report.fiscal_year, fmt, place))
        ctx = self._report_context(report.fiscal_year, report.as_of, templates, report.divisions)
        scope = f"所属: {division} {ctx.divisions[division].name}" if division else "全所属"
        return reports_build.overdue_file(
            ctx, report.people, scope, target, fmt, division is not None, report.departures, task
        )

    def report_overdue_split(
        self,
        out: Path | str,
        fiscal_year: int | str | None = None,
        as_of: DateLike | None = None,
        division: str | None = None,
        fmt: str = "pdf",
        templates: Path | None = None,
        task: Task | None = None,
    ) -> list[Path]:
        """The 未修了者一覧 as one file per division (each for its 所属長) in the folder ``out``
        (made when missing); divisions where nobody owes anything get none."""
        from trainer.reports import build as reports_build

        report = self.status(fiscal_year, as_of, division)
        folder, _ = report_output(out, "", several=True)
        ctx = self._report_context(report.fiscal_year, report.as_of, templates, report.divisions)
        return reports_build.overdue_files(ctx, report.people, folder, fmt, task or Task(), report.departures)

    def report_audit(
        self,
        out: Path | str,
        fiscal_year: int | str | None = None,
        fmt: str = "pdf",
        task: Task | None = None,
        templates: Path | None = None,
        as_of: DateLike | None = None,
    ) -> Path:
        """The annual audit, as of ``as_of`` (default: the year's end, or today for the current year).

        ``out``: the file, or a folder that exists to write it into under its usual name.
        """
        from trainer.reports import annual
        from trainer.reports import build as reports_build
        from trainer.reports.audit import reconciliation

        task = task or Task()
        report = self.status(fiscal_year, as_of)
        target, _ = report_output(out, f"{fy_label(report.fiscal_year)}_研修実施状況報告.{fmt}")
        ctx = self._report_context(report.fiscal_year, report.as_of, templates, report.divisions)
        task.report(0, 3, "集計中")
        found = reconciliation(self.register.all_staff(), report.people, report.departures, ctx.fiscal_year, ctx.as_of)
        html = annual.audit_html(
            ctx,
            report.people,
            report.departures,
            report.summary,
            self.register.exemptions(report.fiscal_year),
            self._signoff_lines(report, ctx),
            found,
            legal_basis(self.catalog_dir),
        )
        del report  # the year's figures are in the page now: the render reuses their memory
        return reports_build.document_file(ctx, html, target, fmt, task)

    def _signoff_lines(self, report: StatusReport, ctx: reports_build.Context) -> list[dict[str, Any]]:
        """Each division's sign-off of the year, as the audit's 第8節 lists it."""
        from trainer import signoff

        states = self.signoff_states(report.fiscal_year)
        lines = []
        for code in sorted(report.summary.divisions):
            item = states.get(code)
            doc = self.register.signoff(item["code"]) if item else None
            state = item["state"] if item else signoff.SignoffState.UNSIGNED
            frozen = signoff.roster_of(doc) if doc else None
            lines.append(
                {
                    "division": f"{code} {ctx.divisions[code].name if code in ctx.divisions else ''}",
                    "state": state.label,
                    "signed": state is signoff.SignoffState.SIGNED,  # in force, unchanged since
                    "code": doc["code"] if doc else "",
                    "date": doc["date_label"] if doc else "",
                    "head": f"{doc.get('title', '')} {doc['by']}".strip() if doc else "",
                    "approval_no": doc.get("approval_no", "") if doc else "",
                    "roster_as_of": wareki(date.fromisoformat(frozen.as_of)) if frozen else "",
                    "people": len(frozen.rows) if frozen else None,
                    "changes": [c["summary"] for c in doc.get("changes_since", ())] if doc else [],
                }
            )
        return lines

    def report_plan(
        self,
        out: Path | str,
        fiscal_year: int | str | None = None,
        as_of: DateLike | None = None,
        fmt: str = "pdf",
        templates: Path | None = None,
        task: Task | None = None,
    ) -> Path:
        """The year's 研修実施計画: who is in scope (as of ``as_of``, default today, within the
        year: its April 1st for a year not begun), the year's courses, sheet, method and schedule.

        ``out``: the file, or a folder that exists to write it into under its usual name.
        """
        from trainer.reports import annual

        report = self.status(fiscal_year, as_of)
        target, _ = report_output(out, f"{fy_label(report.fiscal_year)}_研修実施計画.{fmt}")
        ctx = self._report_context(report.fiscal_year, report.as_of, templates, report.divisions)
        legal = legal_basis(self.catalog_dir)
        return annual.plan_file(ctx, report.people, legal, target, fmt, self.today(), task)
