"""The service's shared core: opening the register, the clock, lookups that every use case needs, settings."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Self

from trainer.calendar import fiscal_year_of, parse_date, parse_fiscal_year
from trainer.catalog import find_requirement, load_catalog, suggest_requirement
from trainer.errors import InputError, NotFoundError, TrainerError
from trainer.guard import checked
from trainer.model import Catalog, Division, Requirement, Staff
from trainer.store.lock import DEFAULT_TIMEOUT, describe_holder
from trainer.store.register import Register
from trainer.text import free_text, standard

DateLike = date | str

# The settings a city sets once: key -> what it is for.
SETTINGS: dict[str, str] = {
    "organization": "団体名（レポートの表紙・名簿に出ます）",
    "operator": "作業者の名前（変更履歴に残ります）",
}


def normalize_text(text: str) -> str:
    """Half-width カナ and 全角 digits made standard, names' own kanji kept (see trainer.text)."""
    return standard(text)


def guarded(text: str, what: str) -> str:
    """Typed text made standard (see :func:`normalize_text`), once :func:`trainer.guard.checked`
    has refused an individual number or a control character in it."""
    return standard(checked(text, what))


def guarded_free(text: str, what: str) -> str:
    """A reason, a note, a name as typed (see :func:`trainer.text.free_text`), once checked."""
    return free_text(checked(text, what))


def _date(value: DateLike, what: str) -> date:
    if isinstance(value, date):
        return value
    checked(value, what)
    try:
        return parse_date(value)
    except TrainerError as e:
        raise InputError(f"{what}: {e.message}", e.hint) from e


class ServiceCore:
    """What every use case shares: the register, the catalog, the clock and the lookups.

    Open with :meth:`open`; ``today`` can be fixed for tests and demos.
    """

    def __init__(self, register: Register, catalog: Catalog, today: Callable[[], date] = date.today) -> None:
        self.register = register
        self.catalog = catalog
        self._today = today

    @classmethod
    def open(
        cls,
        db_path: Path,
        catalog_dir: Path | None = None,
        today: Callable[[], date] = date.today,
        create: bool = True,
        lock_timeout: float = DEFAULT_TIMEOUT,
        now: Callable[[], datetime] | None = None,
    ) -> Self:
        """``today`` dates the rules; ``now`` stamps the change log, sign-offs and reports."""
        catalog = load_catalog(catalog_dir)
        return cls(Register.open(db_path, create=create, lock_timeout=lock_timeout, clock=now), catalog, today)

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
            return parse_fiscal_year(value)
        except TrainerError as e:
            raise InputError(f"年度: {e.message}", e.hint) from e

    def requirement(self, name: str) -> Requirement:
        checked(name, "研修")
        found = find_requirement(self.catalog, name)
        if found is None:
            close = suggest_requirement(self.catalog, name)
            ids = "、".join(r.id for r in self.catalog)
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
