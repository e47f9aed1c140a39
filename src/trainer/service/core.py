"""The service's shared core: opening the register, the clock, lookups that every use case needs, settings."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Self

from trainer.calendar import era_note, fiscal_year_of, fy_era_note, fy_label, parse_date, parse_fiscal_year
from trainer.catalog import find_requirement, load_catalog, suggest_requirement
from trainer.errors import InputError, NotFoundError, TrainerError
from trainer.guard import checked
from trainer.model import Catalog, Division, Requirement, Staff
from trainer.settings import Settings
from trainer.store.lock import DEFAULT_TIMEOUT, describe_holder
from trainer.store.register import Register
from trainer.text import free_text, standard
from trainer.yearcatalog import catalog_from_doc, catalog_to_doc, with_current_aliases

DateLike = date | str

# What the register's data is written for: 3 = years frozen, exemptions numbered (see _upgrade_if_needed).
DATA_VERSION = 3

# The settings a city sets once: key -> what it is for.
SETTINGS: dict[str, str] = {
    "organization": "団体名（レポートの表紙・名簿に出ます）",
    "operator": "作業者の名前（変更履歴に残り、監査用報告の表紙に作成者として出ます）",
    "coordinator": "研修を取りまとめる課・係（名簿の宛先、監査用報告・研修実施計画の作成課。例: 総務課 情報政策係）",
}


def normalize_text(text: str) -> str:
    """Half-width カナ and 全角 digits made standard, names' own kanji kept (see trainer.text)."""
    return standard(text)


def typed_date(value: DateLike, what: str) -> date:
    """A date as typed (checked by the guard first); ``what`` names it in the message."""
    if isinstance(value, date):
        return value
    checked(value, what)
    try:
        return parse_date(value)
    except TrainerError as e:
        raise InputError(f"{what}: {e.message}", e.hint) from e


def guarded(text: str, what: str) -> str:
    """Typed text made standard (see :func:`normalize_text`), once :func:`trainer.guard.checked`
    has refused an individual number or a control character in it."""
    return standard(checked(text, what))


def guarded_free(text: str, what: str) -> str:
    """A reason, a note, a name as typed (see :func:`trainer.text.free_text`), once checked."""
    return free_text(checked(text, what))


class ServiceCore:
    """What every use case shares: the register, the catalog, the clock and the lookups.

    Open with :meth:`open`; ``today`` can be fixed for tests and demos.
    """

    def __init__(self, register: Register, catalog: Catalog | None, today: Callable[[], date] = date.today) -> None:
        self.register = register
        self._catalog = catalog  # None: read from catalog_dir when first needed
        self.catalog_dir: Path | None = None  # where they were read (None: the default)
        self._today = today
        self.config = Settings(db=register.folder)  # what the program was told (see open)
        self._frozen: dict[int, tuple[dict[str, Any], Catalog]] = {}
        self._notices: list[str] = []
        register.db.commit_hooks.append(self._freeze_years_written)

    @classmethod
    def open(
        cls,
        db_path: Path,
        catalog_dir: Path | None = None,
        today: Callable[[], date] = date.today,
        create: bool = True,
        lock_timeout: float = DEFAULT_TIMEOUT,
        now: Callable[[], datetime] | None = None,
        inspect: bool = False,
        settings: Settings | None = None,
    ) -> Self:
        """``today`` dates the rules; ``now`` stamps the change log, sign-offs and reports;
        ``inspect`` (verify) opens a register whose files differ from its manifest, to report it;
        ``settings``: what the program was told (the reports' templates, font and workers; the
        catalog when ``catalog_dir`` is not given)."""
        if settings is not None and catalog_dir is None:
            catalog_dir = settings.catalog
        register = Register.open(db_path, create=create, lock_timeout=lock_timeout, clock=now, inspect=inspect)
        service = cls(register, None, today)
        service.catalog_dir = catalog_dir
        if settings is not None:
            service.config = settings
        if not inspect:
            service._upgrade_if_needed()
        return service

    @property
    def catalog(self) -> Catalog:
        """The catalog files as they are now (see :meth:`catalog_for`), read when first needed: a
        command on a frozen year never reads them (an error in them is named when they are)."""
        if self._catalog is None:
            self._catalog = load_catalog(self.catalog_dir)
        return self._catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def close(self) -> None:
        self.register.close()

    # ------------------------------------------------------------------ basics
    def _about(self, action: str, summary: str, always: bool = False, **refs: Any) -> None:
        """Describe the open transaction for the change log (who: the OS user and the operator)."""
        operator = self.register.setting("operator", "")
        self.register.db.describe(action, summary, always, operator=operator or None, **refs)

    def today(self) -> date:
        return self._today()

    def lock_holder(self) -> str | None:
        """Who else is writing to the register right now (an import from the CLI, say), in words."""
        info = self.register.db.lock.other_holder()
        return describe_holder(info) if info is not None else None

    def written_elsewhere(self) -> tuple[int, int] | None:
        """Whether another process (a CLI import, another coordinator) changed the register since
        this one last read it: a mark that changes with each such change, or None."""
        return self.register.db.written_elsewhere()

    def set_lock_timeout(self, seconds: float) -> None:
        """How long a write waits for another process's lock before it gives up with who holds it."""
        self.register.db.lock.timeout = seconds

    def now(self) -> datetime:
        return self.register.db.clock()

    def fiscal_year(self, value: int | str | None = None) -> int:
        """The fiscal year given (2026, "令和8年度" …), or the current one."""
        if value is None or value == "":
            return fiscal_year_of(self.today())
        if isinstance(value, str):
            checked(value, "年度")
        try:
            fy = parse_fiscal_year(value)
        except TrainerError as e:
            raise InputError(f"年度: {e.message}", e.hint) from e
        note = fy_era_note(value, fy)
        if note:
            self._notices.append(f"年度: {note}")
        return fy

    def _date(self, value: DateLike, what: str) -> date:
        """A typed date (何: what it is, for the message); a 平成 date after the 改元 is read as
        令和 and noted (see :meth:`take_notices`)."""
        found = typed_date(value, what)
        note = era_note(value, found)
        if note:
            self._notices.append(f"{what}: {note}")
        return found

    def take_notices(self) -> list[str]:
        """Notes since the last call, each once: on what was typed (a 平成 date read as 令和), and
        the register's (a cache it could not write)."""
        notes = list(dict.fromkeys([*self._notices, *self.register.db.notices]))
        self._notices.clear()
        self.register.db.notices.clear()
        return notes

    # --------------------------------------------------------- the year's catalog
    def catalog_for(self, fiscal_year: int) -> Catalog:
        """The catalog in force for ``fiscal_year``: the copy frozen into the register with the
        year's first write, or the files as they are for a year not yet frozen."""
        stored = self.register.setting_as_stored(f"catalog/{fiscal_year}")
        if stored is None:
            return self.catalog
        cached = self._frozen.get(fiscal_year)
        if cached is None or cached[0] is not stored:  # (held here, so its identity is never reused)
            cached = self._frozen[fiscal_year] = (stored, catalog_from_doc(stored["catalog"]))
        return cached[1]

    def is_frozen(self, fiscal_year: int) -> bool:
        return self.register.setting_as_stored(f"catalog/{fiscal_year}") is not None

    def _freeze(self, fiscal_year: int, how: str, reason: str = "") -> None:
        """Put the current files' catalog into the register as ``fiscal_year``'s (in a transaction)."""
        doc = {
            "catalog": catalog_to_doc(self.catalog),
            "frozen_at": self.now().isoformat(timespec="seconds"),
            "how": how,
        }
        self.register.put_year_catalog(fiscal_year, doc | ({"reason": reason} if reason else {}))

    def _freeze_years_written(self, changes: list[list[Any]], seq: int, about: dict[str, Any]) -> bool:
        """A commit hook: a year's first write freezes the catalog in force for it."""
        years = {int(c[0][2:]) for c in changes if c[0].startswith("fy")}
        new = sorted(fy for fy in years if not self.is_frozen(fy))
        for fy in new:
            self._freeze(fy, "first_write")
        if new and not self.register.setting("data_version"):
            self.register.put_setting("data_version", DATA_VERSION)  # written by this version from the start
        if new:
            labels = "・".join(fy_label(fy) for fy in new)
            about["summary"] = f"{about.get('summary', '')}（{labels}の研修カタログを凍結）"
        return bool(new)

    def _upgrade_if_needed(self) -> None:
        """A register written before years were frozen and exemptions numbered is brought up to
        date once, in one logged transaction: every year it holds is frozen with the current
        catalog, and every exemption recorded before gets its number (still 承認者未記録)."""
        if int(self.register.setting("data_version", 0) or 0) >= DATA_VERSION or not self.register.fiscal_years():
            return
        if self.register.db.read_only:
            return  # a read-only copy (an auditor's): read as it is, with the catalog files
        with self.register.transaction():
            years = self.register.fiscal_years()
            frozen = [fy for fy in years if not self.is_frozen(fy)]
            for fy in frozen:
                self._freeze(fy, "upgrade")
            numbered = 0
            for fy in years:
                next_no = self.register.next_exemption_no(fy)
                for old in self.register.unnumbered_exemptions(fy):
                    self.register.replace_exemption(old, replace(old, no=next_no))
                    next_no += 1
                    numbered += 1
            self.register.put_setting("data_version", DATA_VERSION)
            parts = []
            if frozen:
                parts.append("・".join(fy_label(fy) for fy in frozen) + "の研修カタログを現在のファイルで凍結")
            if numbered:
                parts.append(f"以前に記録された免除 {numbered}件に番号を付与（承認者未記録）")
            self._about("upgrade", "この版の trainer への更新: " + ("、".join(parts) or "変更なし"), always=bool(parts))

    def requirement(self, name: str, fiscal_year: int | None = None) -> Requirement:
        """The requirement called ``name`` (id, title, short title or alias) in the year's catalog."""
        checked(name, "研修")
        catalog = self.catalog if fiscal_year is None else self.catalog_for(fiscal_year)
        found = find_requirement(catalog, name)
        if found is None and catalog is not self.catalog and find_requirement(self.catalog, name) is not None:
            found = find_requirement(with_current_aliases(catalog, self.catalog), name)
        if found is None:
            close = suggest_requirement(catalog, name)
            ids = "、".join(r.id for r in catalog)
            raise NotFoundError(
                f"研修「{name}」はカタログにありません",
                (f"「{close}」のことですか？ " if close else "") + f"使える研修: {ids}",
            )
        return found

    def division(self, code: str) -> Division:
        checked(code, "所属コード")
        self.register.refresh()
        found = self.register.division(code)
        if found is None:
            codes = [d.code for d in self.register.divisions()]
            import difflib  # (a suggestion for a mistyped name: loaded only then)

            close = difflib.get_close_matches(code, codes, n=3)
            raise NotFoundError(
                f"所属コード「{code}」はありません",
                f"近いコード: {'、'.join(close)}" if close else "trainer division list で一覧を確認してください",
            )
        return found

    def staff(self, staff_id: str) -> Staff:
        self.register.refresh()
        sid = guarded(staff_id, "職員番号")
        found = self.register.staff(sid)
        if found is None:
            import difflib  # (a suggestion for a mistyped name: loaded only then)

            close = difflib.get_close_matches(sid, self.register.staff_ids(), n=3)
            raise NotFoundError(
                f"職員番号「{sid}」の職員はいません",
                f"近い職員番号: {'、'.join(close)}" if close else "trainer staff list で一覧を確認してください",
            )
        return found

    # ---------------------------------------------------------------- settings
    def settings(self) -> dict[str, str]:
        self.register.refresh()
        return {key: str(self.register.setting(key, "")) for key in SETTINGS}

    def set_setting(self, key: str, value: str) -> None:
        checked(key, "設定の名前")
        if key not in SETTINGS:
            import difflib  # (a suggestion for a mistyped name: loaded only then)

            close = difflib.get_close_matches(key, list(SETTINGS), n=1)
            raise InputError(
                f"設定「{key}」はありません（使える設定: {'、'.join(SETTINGS)}）",
                f"「{close[0]}」のことですか？" if close else "",
            )
        text = guarded_free(value, f"設定 {key} の値")
        with self.register.transaction():
            self.register.put_setting(key, text)
            self._about("settings", f"設定を変更: {key} = {text}")


def _every_item(requirement: Requirement) -> tuple[str, ...]:
    """A completed checkpoint sheet confirms every item on it (courses have none)."""
    return tuple(item.id for section in requirement.sections for item in section.items)


def _file_digest(path: Path) -> str:
    """SHA-256 of an imported file, so the log says exactly which file came in."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
