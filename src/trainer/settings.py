"""One settings object, built once where a program starts (the CLI's ``main``, the app, a test).

What a run may be told comes from three places, and only this module reads them:

- the command line: ``--db``, ``--catalog``, ``--templates``;
- the environment: ``TRAINER_DB`` (the register's folder), ``TRAINER_CATALOG`` (a city's
  courses/ and checklists/), ``TRAINER_REPORTS`` (a city's report templates), ``TRAINER_FONT``
  (a font file for reports), ``TRAINER_REPORT_WORKERS`` (processes printing rosters),
  ``TRAINER_TODAY`` (a fixed date, for demonstrations and tests);
- the keymap file (``keymap.yaml`` in the user's config folder): binding id → keys, for the app.

An argument wins over its variable; an empty variable counts as unset. Every value is checked
here, when the program starts, and refused with the variable's name, what was given and what to
write instead — never ignored, never found wrong half-way through a report. The settings are then
passed down (to :class:`trainer.service.Service`, the report context, the app) instead of being
read again where they are used.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from trainer.calendar import parse_date
from trainer.errors import TrainerError

APP_NAME = "trainer"
VARIABLES = (
    "TRAINER_DB",
    "TRAINER_CATALOG",
    "TRAINER_REPORTS",
    "TRAINER_FONT",
    "TRAINER_REPORT_WORKERS",
    "TRAINER_TODAY",
)
MAX_REPORT_WORKERS = 16


class SettingsError(TrainerError):
    """A setting (an environment variable, the keymap file) that cannot be used."""


def default_db_path() -> Path:
    """Where the register lives when nothing names it: ``<user data dir>/trainer/register``."""
    import platformdirs  # (with its tempfile: only when no register was named)

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "register"


def default_keymap_file() -> Path:
    """``<user config dir>/trainer/keymap.yaml``."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "keymap.yaml"


@dataclass(frozen=True)
class Settings:
    """What this run was told. ``None``: not given (the shipped default is used)."""

    db: Path
    catalog: Path | None = None
    templates: Path | None = None
    font: Path | None = None
    report_workers: int | None = None
    fixed_today: date | None = None
    keymap_file: Path | None = None

    @classmethod
    def load(
        cls,
        db: Path | None = None,
        catalog: Path | None = None,
        templates: Path | None = None,
        keymap_file: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """The settings from the arguments given, else the environment (default: this process's)."""
        env = os.environ if environ is None else environ

        def given(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            db=Path(db) if db is not None else _path(given("TRAINER_DB")) or default_db_path(),
            catalog=Path(catalog) if catalog is not None else _folder("TRAINER_CATALOG", given("TRAINER_CATALOG")),
            templates=(
                Path(templates) if templates is not None else _folder("TRAINER_REPORTS", given("TRAINER_REPORTS"))
            ),
            font=_font(given("TRAINER_FONT")),
            report_workers=_workers(given("TRAINER_REPORT_WORKERS")),
            fixed_today=_today(given("TRAINER_TODAY")),
            keymap_file=keymap_file,
        )

    def today(self) -> date:
        """Today, or the fixed date of ``TRAINER_TODAY``."""
        return self.fixed_today or date.today()

    def keymap(self, known: Iterable[str]) -> dict[str, str]:
        """The keymap file's bindings (binding id → keys), each id one of ``known``; {} when the
        file does not exist. Read when the app starts, so a CLI command never depends on it."""
        path = self.keymap_file or default_keymap_file()
        return read_keymap(path, known)


def read_keymap(path: Path, known: Iterable[str]) -> dict[str, str]:
    """A keymap file read strictly: a YAML mapping of a known binding id to keys (``ctrl+f``,
    ``f2,ctrl+g``); an unknown id is refused with the closest one, like a catalog's key."""
    if not path.is_file():
        return {}
    import difflib

    import yaml  # (read only when there is a keymap file: a CLI command never needs it)

    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise SettingsError(
            f"キーの割り当て {where} を読めません: {e}", "UTF-8 の YAML で「id: キー」と書いてください"
        ) from e
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(
            f"{where}: キーの割り当ては「id: キー」の形で書いてください（例: app.search: ctrl+f）",
            "trainer の画面で F1 を押すと、割り当てられる id の一覧が出ます",
        )
    ids = sorted(set(known))
    keymap: dict[str, str] = {}
    for key, value in data.items():
        binding = str(key)
        if binding not in ids:
            close = difflib.get_close_matches(binding, ids, n=1, cutoff=0.5)
            raise SettingsError(
                f"{where}: 「{binding}」という id の操作はありません"
                + (f"（もしかして「{close[0]}」？）" if close else ""),
                "使える id: " + "、".join(ids),
            )
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(
                f"{where}: 「{binding}」のキーが文字で書かれていません: {value!r}",
                "ctrl+f、f2 のように書き、複数はコンマで区切ってください",
            )
        keymap[binding] = value.strip()
    return keymap


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value else None


def _folder(name: str, value: str | None) -> Path | None:
    path = _path(value)
    if path is not None and not path.is_dir():
        raise SettingsError(
            f"環境変数 {name} のフォルダ {path} がありません", f"{name} を直すか、外してください（unset {name}）"
        )
    return path


def _font(value: str | None) -> Path | None:
    path = _path(value)
    if path is not None and not path.is_file():
        raise SettingsError(
            f"環境変数 TRAINER_FONT のフォント {path} がありません",
            "TRAINER_FONT を直すか、外してください（unset TRAINER_FONT）",
        )
    return path


def _workers(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_REPORT_WORKERS:
        raise SettingsError(
            f"環境変数 TRAINER_REPORT_WORKERS「{value}」は使えません",
            f"1〜{MAX_REPORT_WORKERS} の数を書くか、外してください（外すと処理装置の数から決めます）",
        )
    return int(value)


def _today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except TrainerError as e:
        raise SettingsError(
            f"環境変数 TRAINER_TODAY「{value}」を日付として読めません: {e.message}",
            "2026-12-01 のように書くか、外してください（unset TRAINER_TODAY）",
        ) from e
