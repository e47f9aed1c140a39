"""Font discovery on Windows and macOS, simulated with fake font folders holding tiny fonts made
here (each draws only the characters it is given), and the rare-kanji check on real cmaps."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection

from trainer.reports import fonts, render
from trainer.reports.fonts import RARE_KANJI


def make_font(path: Path, chars: str, family: str = "Fake") -> Path:
    """A TrueType font (a collection when ``path`` ends in .ttc) that draws ``chars``, "A" and a space."""
    names = [".notdef", *(f"g{ord(c):x}" for c in "A " + chars)]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(c): f"g{ord(c):x}" for c in "A " + chars})
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((0, 500))
    pen.lineTo((500, 0))
    pen.closePath()
    glyph = pen.glyph()
    fb.setupGlyf({name: glyph for name in names})
    fb.setupHorizontalMetrics({name: (600, 0) for name in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    if path.suffix == ".ttc":
        collection = TTCollection()
        collection.fonts.append(fb.font)
        collection.save(str(path))
    else:
        fb.save(str(path))
    return path


def test_the_rare_kanji_check_reads_the_character_map(tmp_path: Path) -> None:
    assert fonts.missing_rare_kanji(make_font(tmp_path / "all.ttf", RARE_KANJI)) == ""
    assert fonts.missing_rare_kanji(make_font(tmp_path / "most.ttc", RARE_KANJI[1:])) == "𠮷"
    assert fonts.missing_rare_kanji(make_font(tmp_path / "latin.ttf", "")) == RARE_KANJI


@pytest.fixture
def windows_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    windir = tmp_path / "Windows"
    (windir / "Fonts").mkdir(parents=True)
    monkeypatch.setenv("WINDIR", str(windir))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    return windir / "Fonts"


def test_windows_prefers_biz_ud_when_it_draws_every_rare_kanji(windows_fonts: Path) -> None:
    make_font(windows_fonts / "msgothic.ttc", RARE_KANJI)
    make_font(windows_fonts / "YuGothR.ttc", RARE_KANJI)
    make_font(windows_fonts / "BIZ-UDGothicR.ttc", RARE_KANJI)
    best = fonts.best_system_font("win32")
    assert best is not None and best.name == "BIZ UDゴシック" and best.complete


def test_windows_takes_the_first_font_that_draws_them_all(windows_fonts: Path) -> None:
    make_font(windows_fonts / "BIZ-UDGothicR.ttc", RARE_KANJI[1:])  # no 𠮷
    make_font(windows_fonts / "YuGothR.ttc", RARE_KANJI)
    make_font(windows_fonts / "msgothic.ttc", RARE_KANJI)
    assert [name for name, _ in fonts.system_fonts("win32")] == ["BIZ UDゴシック", "游ゴシック", "MS ゴシック"]
    best = fonts.best_system_font("win32")
    assert best is not None and best.name == "游ゴシック" and best.path.name == "YuGothR.ttc"


def test_windows_falls_back_to_the_one_lacking_fewest_and_says_what_it_lacks(windows_fonts: Path) -> None:
    make_font(windows_fonts / "BIZ-UDGothicR.ttc", RARE_KANJI[3:])
    make_font(windows_fonts / "MSGOTHIC.TTC", RARE_KANJI[1:])  # file names are not case-sensitive there
    best = fonts.best_system_font("win32")
    assert best is not None and best.name == "MS ゴシック" and best.missing == "𠮷"


def test_windows_user_fonts_folder_is_searched(
    windows_fonts: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    user = tmp_path / "Local" / "Microsoft" / "Windows" / "Fonts"
    user.mkdir(parents=True)
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    make_font(user / "BIZ-UDGothicR.ttc", RARE_KANJI)
    best = fonts.best_system_font("win32")
    assert best is not None and best.path.parent == user


def test_macos_finds_hiragino_under_a_decomposed_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    system = tmp_path / "System" / "Library" / "Fonts"
    system.mkdir(parents=True)
    monkeypatch.setattr(fonts, "mac_font_folders", lambda: [system, tmp_path / "missing"])
    make_font(system / unicodedata.normalize("NFD", "ヒラギノ角ゴシック W3.ttc"), RARE_KANJI)
    best = fonts.best_system_font("darwin")
    assert best is not None and best.name == "ヒラギノ角ゴシック" and best.complete


def test_linux_leaves_the_choice_to_fontconfig(windows_fonts: Path) -> None:
    make_font(windows_fonts / "BIZ-UDGothicR.ttc", RARE_KANJI)
    assert fonts.system_fonts("linux") == []
    assert fonts.best_system_font("linux") is None


def test_a_report_names_the_system_font_on_windows(
    windows_fonts: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TRAINER_FONT", raising=False)
    make_font(windows_fonts / "YuGothR.ttc", RARE_KANJI)
    templates = tmp_path / "reports"
    templates.mkdir()
    monkeypatch.setattr(render.sys, "platform", "win32")
    assert render.report_font(templates) == windows_fonts / "YuGothR.ttc"
    city = make_font(tmp_path / "city.ttf", RARE_KANJI)
    assert render.report_font(templates, city) == city  # the city's own font (TRAINER_FONT) comes first
    monkeypatch.setattr(render.sys, "platform", "linux")
    assert render.report_font(templates) is None  # fontconfig chooses
