"""Wide characters are never cut in two where widgets meet (see trainer.tui.wide), and no 80x24
snapshot shows a wide character that was cut (the saved SVGs are scanned)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from trainer.tui import wide

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_snapshots"
WIDE = r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60\U00020000-\U0003ffff]"


class Overlap(App[None]):
    """A line of kanji drawn over a narrower widget whose edge falls in the middle of a character."""

    CSS = """
    Screen { layers: below above; }
    #below { layer: below; width: 5; height: 1; }
    #above { layer: above; width: 30; height: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("xxxxx", id="below")
        yield Static("あいうえおかきくけこ", id="above")


async def test_a_widget_edge_behind_a_wide_character_does_not_cut_it() -> None:
    wide.install()
    app = Overlap()
    async with app.run_test(size=(40, 3)) as pilot:
        await pilot.pause()
        first = app.screen._compositor.render_strips()[0].text
        assert first.startswith("あいうえおかきくけこ"), first
        app.query_one("#above", Static).update("かきくけこあいうえお")  # a partial update, too
        await pilot.pause()
        assert app.screen._compositor.render_strips()[0].text.startswith("かきくけこあいうえお")
        assert "かきくけこあいうえお" in app.export_screenshot().replace("&#160;", " ")


def _vocabulary() -> str:
    """Everything trainer can write on a screen: its source and the catalog files it shows."""
    parts = [p.read_text(encoding="utf-8") for p in (ROOT / "src" / "trainer").rglob("*.py")]
    for folder in ("courses", "checklists"):
        parts += [p.read_text(encoding="utf-8") for p in (ROOT / folder).glob("*.yaml")]
    return "\n".join(parts)


def _lines(svg: str) -> list[str]:
    """The text of each <text> element of a Rich SVG screenshot."""
    return [html.unescape(m.group(1)).replace("\xa0", " ") for m in re.finditer(r"<text[^>]*>([^<]*)</text>", svg)]


CUT = re.compile(f"({WIDE}+)  ({WIDE}+)")
SCRIPTS = (r"[\u30a1-\u30fa\u30fcー]", r"[\u3041-\u3096]", r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff々]")


def cut_characters(svg: str, vocabulary: str) -> list[str]:
    """Places where a wide character became two spaces: 「パレ  ト」 where the app writes 「パレット」.

    Two spaces between wide characters are often meant (table columns); they are a cut when
    trainer writes the two sides (two characters before at least) joined by one character of the
    same script as both sides (katakana, hiragana or kanji): one word."""
    found = []
    for text in _lines(svg):
        for m in CUT.finditer(text):
            left, right = m.group(1)[-3:], m.group(2)[:2]
            if len(left) < 2:
                continue
            for script in SCRIPTS:
                same = re.fullmatch(script, left[-1]) and re.fullmatch(script, right[0])
                if same and re.search(re.escape(left) + script + re.escape(right), vocabulary):
                    found.append(text.strip())
    return found


def test_the_scan_finds_a_cut_character() -> None:
    vocabulary = "コマンドパレット チェックポイント"
    svg = '<text x="0">&#160;^p&#160;コマンドパレ&#160;&#160;ト</text><text x="1">修了率&#160;&#160;到来分</text>'
    assert cut_characters(svg, vocabulary) == ["^p コマンドパレ  ト"]


@pytest.mark.parametrize("snapshot", sorted(SNAPSHOTS.glob("*[[]80x24[]].svg")), ids=lambda p: p.stem)
def test_no_80x24_snapshot_shows_a_cut_wide_character(snapshot: Path) -> None:
    assert cut_characters(snapshot.read_text(encoding="utf-8"), _vocabulary()) == []


def test_the_textual_version_is_read_as_textual_says_it() -> None:
    """(Read from its metadata folder's name: the guard of install() without importlib.metadata.)"""
    import textual

    assert wide.textual_version() == textual.__version__
