"""A fiscal year's catalog: frozen when the year opens, shown with its difference from the files,
changed only deliberately (logged, backed up first)."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.calendar import fy_label
from trainer.errors import InputError
from trainer.model import Catalog
from trainer.service.core import ServiceCore, guarded_free
from trainer.yearcatalog import differences


@dataclass(frozen=True)
class YearCatalog:
    """The catalog a year is evaluated with, and how it compares with the files."""

    fiscal_year: int
    frozen: bool
    frozen_at: str  # ISO time, "" when not frozen
    how: str  # first_write / open / upgrade / apply
    reason: str  # why it was applied again, if it was
    catalog: Catalog
    differences: list[str]  # the current files against it


class YearUseCases(ServiceCore):
    """Opening a year, showing its catalog, applying a changed catalog deliberately."""

    def year_catalog_info(self, fiscal_year: int | str | None = None) -> YearCatalog:
        fy = self.fiscal_year(fiscal_year)
        self.register.refresh()
        doc = self.register.year_catalog(fy)
        catalog = self.catalog_for(fy)
        return YearCatalog(
            fy,
            doc is not None,
            doc.get("frozen_at", "") if doc else "",
            doc.get("how", "") if doc else "",
            doc.get("reason", "") if doc else "",
            catalog,
            differences(catalog, self.catalog) if doc else [],
        )

    def open_year(self, fiscal_year: int | str) -> YearCatalog:
        """Freeze the year's catalog now, before its first write (e.g. on April 1st)."""
        fy = self.fiscal_year(fiscal_year)
        with self.register.transaction():
            if self.is_frozen(fy):
                raise InputError(
                    f"{fy_label(fy)}の研修カタログはすでに凍結されています",
                    "変更を反映するには trainer year apply-catalog を使ってください",
                )
            self._freeze(fy, "open")
            self._about("year_open", f"{fy_label(fy)}を開始: 研修カタログを凍結", always=True, fy=fy)
        return self.year_catalog_info(fy)

    def apply_catalog(self, fiscal_year: int | str, reason: str) -> YearCatalog:
        """Replace the year's frozen catalog with the files as they are now: a deliberate change
        of the rules for that year (the register is backed up first, the change is logged with
        the reason and each difference)."""
        fy = self.fiscal_year(fiscal_year)
        why = guarded_free(reason, "反映する理由")
        if not why:
            raise InputError("反映する理由（--reason）が必要です", "監査で説明できる理由を書いてください")
        before = self.year_catalog_info(fy)
        if before.frozen and not before.differences:
            raise InputError(f"{fy_label(fy)}の研修カタログはファイルと同じです（反映するものはありません）")
        self.register.db.backup(f"before-apply-catalog-fy{fy}")
        with self.register.transaction():
            self._freeze(fy, "apply", why)
            changes = "、".join(before.differences) if before.frozen else "凍結されていなかった年度を凍結"
            self._about(
                "year_apply_catalog",
                f"{fy_label(fy)}の研修カタログを変更（理由: {why}）: {changes}",
                always=True,
                fy=fy,
            )
        return self.year_catalog_info(fy)
