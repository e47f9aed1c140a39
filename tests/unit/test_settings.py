"""The one settings object: arguments over variables, every value checked when the program starts."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from trainer.settings import Settings, SettingsError, default_db_path, read_keymap

SRC = Path(__file__).resolve().parents[2] / "src" / "trainer"


def test_nothing_given_is_the_shipped_defaults() -> None:
    settings = Settings.load(environ={})
    assert settings == Settings(db=default_db_path())
    assert settings.db.name == "register" and settings.db.parent.name == "trainer"
    assert settings.today() == date.today()


def test_variables_are_read_and_arguments_win_over_them(tmp_path: Path) -> None:
    city, reports, font = tmp_path / "city", tmp_path / "reports", tmp_path / "city.ttf"
    city.mkdir()
    reports.mkdir()
    font.write_bytes(b"font")
    env = {
        "TRAINER_DB": str(tmp_path / "db"),
        "TRAINER_CATALOG": str(city),
        "TRAINER_REPORTS": str(reports),
        "TRAINER_FONT": str(font),
        "TRAINER_REPORT_WORKERS": "1",
        "TRAINER_TODAY": "R8.12.1",
    }
    settings = Settings.load(environ=env)
    assert settings == Settings(tmp_path / "db", city, reports, font, 1, date(2026, 12, 1))
    assert settings.today() == date(2026, 12, 1)
    given = Settings.load(tmp_path / "other", tmp_path / "catalog", tmp_path / "templates", environ=env)
    assert (given.db, given.catalog, given.templates) == (
        tmp_path / "other",
        tmp_path / "catalog",
        tmp_path / "templates",
    )


def test_an_empty_variable_counts_as_unset() -> None:
    env = dict.fromkeys(["TRAINER_DB", "TRAINER_CATALOG", "TRAINER_FONT", "TRAINER_REPORT_WORKERS"], "")
    assert Settings.load(environ={**env, "TRAINER_TODAY": "  "}) == Settings(db=default_db_path())


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TRAINER_TODAY", "12/1", "環境変数 TRAINER_TODAY「12/1」を日付として読めません"),
        ("TRAINER_TODAY", "2026-02-30", "環境変数 TRAINER_TODAY「2026-02-30」を日付として読めません"),
        ("TRAINER_REPORT_WORKERS", "two", "環境変数 TRAINER_REPORT_WORKERS「two」は使えません"),
        ("TRAINER_REPORT_WORKERS", "0", "環境変数 TRAINER_REPORT_WORKERS「0」は使えません"),
        ("TRAINER_REPORT_WORKERS", "17", "環境変数 TRAINER_REPORT_WORKERS「17」は使えません"),
        ("TRAINER_FONT", "/nowhere/font.ttf", "環境変数 TRAINER_FONT のフォント /nowhere/font.ttf がありません"),
        ("TRAINER_CATALOG", "/nowhere/city", "環境変数 TRAINER_CATALOG のフォルダ /nowhere/city がありません"),
        ("TRAINER_REPORTS", "/nowhere/reports", "環境変数 TRAINER_REPORTS のフォルダ /nowhere/reports がありません"),
    ],
)
def test_a_value_that_cannot_be_used_is_refused_by_name_when_the_program_starts(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.load(environ={name: value})
    assert refused.value.message.startswith(message)
    assert refused.value.hint  # what to write instead, or how to unset it


KNOWN = {"app.search", "app.help", "staff.open"}


def test_a_keymap_maps_known_binding_ids_to_keys(tmp_path: Path) -> None:
    path = tmp_path / "keymap.yaml"
    assert read_keymap(path, KNOWN) == {}  # no file: nothing remapped
    path.write_text("app.search: ctrl+f\nstaff.open: ' enter,o '\n", encoding="utf-8")
    assert read_keymap(path, KNOWN) == {"app.search": "ctrl+f", "staff.open": "enter,o"}
    assert Settings(db=tmp_path, keymap_file=path).keymap(KNOWN) == {"app.search": "ctrl+f", "staff.open": "enter,o"}
    path.write_text("", encoding="utf-8")
    assert read_keymap(path, KNOWN) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("app.serch: ctrl+f\n", "「app.serch」という id の操作はありません（もしかして「app.search」？）"),
        ("nothing.like.it: ctrl+f\n", "「nothing.like.it」という id の操作はありません"),
        ("- app.search\n", "キーの割り当ては「id: キー」の形で書いてください"),
        ("app.search: 3\n", "「app.search」のキーが文字で書かれていません: 3"),
        ("app.search: ''\n", "「app.search」のキーが文字で書かれていません: ''"),
        ("app.search: [ctrl+f\n", "を読めません"),
    ],
)
def test_a_keymap_is_read_as_strictly_as_a_catalog(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "keymap.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        read_keymap(path, KNOWN)
    assert str(path) in refused.value.message and message in refused.value.message


def test_no_module_reads_a_trainer_variable_itself() -> None:
    """They are read once, in settings.py (through its own lookup), and passed down."""
    reading = re.compile(r"""(?:environ(?:\.get)?[\[(]|getenv\()\s*["']TRAINER_""")
    readers = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if reading.search(p.read_text("utf-8")))
    assert readers == []
    assert reading.search('os.environ.get("TRAINER_FONT")') and reading.search("os.environ['TRAINER_DB']")
