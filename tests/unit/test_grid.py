"""The text grid the PDF's long tables are printed on (reports/grid.py): widths that match the
face, wrapping that keeps dates and marked pieces whole, rows whose columns line up."""

from __future__ import annotations

import base64
import io
import subprocess

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from trainer.reports.grid import _FULL, _HALF, Column, Grid, Piece, grid_width, rules_png, text_width, wrap


def lines_of(pieces: list[Piece], width: int) -> list[str]:
    return ["".join(token.text for token in line) for line in wrap(pieces, width)]


def test_ascii_and_half_width_kana_take_one_unit_and_japanese_two() -> None:
    assert [grid_width(ch) for ch in "A1ｱﾞ"] == [(1, True)] * 4
    assert [grid_width(ch) for ch in "あア漢𠮷髙﨑　―※①"] == [(2, True)] * 10
    assert text_width("R8.7.10 受講中") == 14


def test_a_character_the_face_does_not_draw_on_the_grid_gets_a_box_of_its_own() -> None:
    assert grid_width("é") == (1, False)
    assert grid_width("한") == (2, False)  # Hangul: 920/1000 em in the face
    html = Grid([Column(4)], 8).row([[Piece("José")]])
    assert '<span class="gx1">é</span>' in html


def test_the_widths_the_grid_assumes_are_the_faces_own_advances() -> None:
    from fontTools.ttLib import TTFont

    found = subprocess.run(
        ["fc-match", "Noto Sans Mono CJK JP", "--format", "%{file}\t%{index}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    path, index = found.split("\t")
    face = TTFont(path, fontNumber=int(index), lazy=True)
    cmap, metrics, em = face.getBestCmap(), face["hmtx"], face["head"].unitsPerEm
    checked = 0
    for ranges, units in ((_HALF, 1), (_FULL, 2)):
        for first, last in ranges:
            for code in range(first, last + 1):
                if code in cmap:
                    assert metrics[cmap[code]][0] * 2 == units * em, (hex(code), metrics[cmap[code]][0])
                    checked += 1
    assert checked > 30000


def test_a_date_a_figure_and_a_whole_piece_are_never_cut() -> None:
    note = [Piece("期限超過 "), Piece("令和9年3月31日"), Piece("／"), Piece("チェックポイント", True)]
    lines = lines_of(note, 18)
    assert lines == ["期限超過", "令和9年3月31日／", "チェックポイント"]
    assert lines_of([Piece("受講中 50%")], 8) == ["受講中", "50%"]


def test_a_closing_mark_never_starts_a_line() -> None:
    assert lines_of([Piece("研修、修了")], 4) == ["研", "修、", "修了"]


def test_a_piece_longer_than_its_column_is_cut_where_it_must() -> None:
    assert lines_of([Piece("サイバーセキュリティ", True)], 8) == ["サイバー", "セキュリ", "ティ"]


@given(st.text(alphabet="あ漢ｱA1 、。令和年月日0123456789", max_size=40), st.integers(min_value=2, max_value=30))
def test_wrapping_keeps_every_character_within_the_width(text: str, width: int) -> None:
    lines = lines_of([Piece(text)], width)
    assert all(text_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_a_row_places_each_cell_in_its_column_and_escapes_its_text() -> None:
    grid = Grid([Column(2, "right"), Column(12), Column(8, "center")], 8)
    row = grid.row([[Piece("7")], [Piece("山田 <太郎> & 花子")], [Piece("済", cls="s-overdue")]])
    first, second = row.split("\n")
    assert first == '  7  山田 &lt;太郎&gt;      <span class="s-overdue">済</span>'
    assert second.strip() == "&amp; 花子"
    assert second.index("&amp;") == first.index("山田")  # the wrapped line starts in the same column
    assert grid.units == 28 and grid.width_pt == 112.0


def test_control_characters_are_shown_not_printed() -> None:
    assert "\\u001b" in Grid([Column(20)], 8).row([[Piece("a\x1bb")]])


def test_the_rules_fall_between_the_columns() -> None:
    grid = Grid([Column(8), Column(8)], 8)
    style = grid.style()
    data = style.split("base64,")[1].split(")")[0]
    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    width = image.width
    assert image.height == 1
    dark = [x for x in range(width) if image.getpixel((x, 0))[0] < 0x80]
    assert dark and all(abs(x - width // 2) <= 2 for x in dark)  # one rule, halfway; the edges are borders
    assert rules_png((0.5,), "e9eef3", 100) != rules_png((0.5,), "ffffff", 100)
