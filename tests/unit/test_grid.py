"""The text grid the PDF's long tables are printed on (reports/grid.py): widths that match the
face, wrapping that keeps dates and marked pieces whole, rows whose columns line up."""

from __future__ import annotations

import base64
import io
import itertools
import subprocess

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from trainer.reports.grid import Column, Grid, Piece, rules_png, wrap
from trainer.reports.grid_face import cluster_width, clusters, grid_width, text_width
from trainer.reports.roster_grid import RosterGrid
from trainer.reports.views import RosterLine, RosterSection, RosterView


def lines_of(pieces: list[Piece], width: int) -> list[str]:
    return ["".join(token.text for token in line) for line in wrap(pieces, width)]


def test_ascii_and_half_width_kana_take_one_unit_and_japanese_two() -> None:
    assert [grid_width(ch) for ch in "A1ｱﾞ"] == [(1, True)] * 4
    assert [grid_width(ch) for ch in "あア漢𠮷髙﨑　―※①"] == [(2, True)] * 10
    assert text_width("R8.7.10 受講中") == 14


def test_a_character_the_face_does_not_draw_on_the_grid_gets_a_box_of_its_own() -> None:
    assert grid_width("é") == (2, False)  # 0.6 em in the face: a box of two units
    assert grid_width("한") == (2, False)  # Hangul: 920/1000 em in the face
    assert grid_width("×") == (2, True) and grid_width("♪") == (2, True)  # ambiguous width, drawn wide
    assert grid_width("Ж") == (2, False)
    assert grid_width("\U0001f600") == (2, False)  # not in the face at all: by its East Asian width
    html = Grid([Column(8)], 8).row([[Piece("José×2")]])
    assert '<span class="gx2">é</span>' in html and "×2" in html


def test_a_character_keeps_its_marks_and_selectors() -> None:
    registered = "葛\U000e0100飾"  # 葛 in its registered form (an ideographic variation sequence)
    assert list(clusters(registered)) == ["葛\U000e0100", "飾"]
    assert cluster_width("葛\U000e0100") == (2, True) and text_width(registered) == 4
    assert cluster_width("か\u3099") == (2, False)  # a combining dakuten: boxed with its base
    assert text_width("家\u200d族") == 4
    assert ["".join(t.text for t in line) for line in wrap([Piece("あいう" + registered)], 8)] == [
        "あいう葛\U000e0100",
        "飾",
    ]


def test_the_widths_the_grid_assumes_are_the_faces_own_advances() -> None:
    """Every character of the face, regular and bold, against the generated table (scripts/grid-widths)."""
    from fontTools.ttLib import TTFont

    checked = 0
    for style in ("", ":bold"):
        found = subprocess.run(
            ["fc-match", f"Noto Sans Mono CJK JP{style}", "--format", "%{file}\t%{index}\t%{family}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        path, index, family = found.split("\t")
        assert "Noto Sans Mono CJK JP" in family, found  # scripts/setup installs fonts-noto-cjk
        face = TTFont(path, fontNumber=int(index), lazy=True)
        cmap, metrics, em = face.getBestCmap(), face["hmtx"], face["head"].unitsPerEm
        for code, glyph in cmap.items():
            advance = metrics[glyph][0]
            if advance == 0:
                continue  # a mark: it joins the character before it (clusters)
            units, drawn = grid_width(chr(code))
            if drawn:
                assert advance * 2 == units * em, (hex(code), advance)
            elif not style:  # boxed: one unit when narrower than one, else two (report.css lets it overflow)
                assert advance * 2 not in (em, 2 * em) and units == (1 if advance * 2 < em else 2), hex(code)
            checked += 1
    assert checked > 80000


def test_a_date_a_figure_and_a_whole_piece_are_never_cut() -> None:
    note = [Piece("期限超過 "), Piece("令和9年3月31日"), Piece("／"), Piece("チェックポイント", True)]
    lines = lines_of(note, 18)
    assert lines == ["期限超過", "令和9年3月31日／", "チェックポイント"]
    assert lines_of([Piece("受講中 50%")], 8) == ["受講中", "50%"]


def test_a_closing_mark_never_starts_a_line() -> None:
    assert lines_of([Piece("研修、修了")], 4) == ["研", "修、", "修了"]


def test_a_piece_longer_than_its_column_is_cut_where_it_must() -> None:
    assert lines_of([Piece("サイバーセキュリティ", True)], 8) == ["サイバー", "セキュリ", "ティ"]


def test_a_closing_mark_after_a_whole_piece_as_wide_as_the_column_takes_its_last_character() -> None:
    note = [Piece("チェックポイント", True), Piece("、"), Piece("入門編", True)]
    assert lines_of(note, 16) == ["チェックポイン", "ト、入門編"]


def test_an_empty_piece_tabs_and_line_breaks_are_harmless() -> None:
    assert lines_of([Piece("あいうえおかきく"), Piece("", True)], 6) == ["あいう", "えおか", "きく"]
    assert lines_of([Piece("a\tb\nc")], 10) == ["a b c"]


PIECES = st.lists(
    st.builds(
        Piece,
        st.text(alphabet="あ漢ｱA1 、。）令和年月日0123456789葛\U000e0100\u3099×", max_size=20),
        st.booleans(),
        st.sampled_from(["", "s-overdue"]),
    ),
    max_size=5,
)


@given(PIECES, st.integers(min_value=2, max_value=30))
def test_wrapping_keeps_every_character_within_the_width(pieces: list[Piece], width: int) -> None:
    lines = wrap(pieces, width)
    assert all(sum(token.width for token in line) <= width for line in lines)
    assert all(token.text and text_width(token.text) == token.width for line in lines for token in line)
    text = "".join(token.text for line in lines for token in line)
    assert text.replace(" ", "") == "".join(p.text for p in pieces).replace(" ", "")
    # (a space before a mark, or marks in a row, may leave one at a line's start: not what we print)
    joined = "".join(p.text for p in pieces)
    spaced = any(f"{c}{mark}" in joined for mark in "、。）" for c in " 、。）")
    if spaced or width < 4:
        return
    for before, line in itertools.pairwise(lines):  # no line starts with a closing mark that follows text
        if line and before and line[0].text[0] in "、。）" and before[-1].cls == line[0].cls:
            assert len(line[0].text) > 1, lines


def test_a_row_places_each_cell_in_its_column_and_escapes_its_text() -> None:
    grid = Grid([Column(2, "right"), Column(12), Column(8, "center")], 8)
    row = grid.row([[Piece("7")], [Piece("山田 <太郎> & 花子")], [Piece("済", cls="s-overdue")]])
    assert '"><' not in grid.row([[Piece("")], [Piece("")], [Piece("x", cls='"><')]])  # a class escaped
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


def roster_view(courses: list[str], cell: str) -> RosterView:
    from trainer.model import Division
    from trainer.rules import Counts

    line = RosterLine(1, "主事", "山田 太郎", "ヤマダ タロウ", "000001", "正規職員", (cell,) * len(courses),
                      ("in_progress",) * len(courses), (("期限前", True),))  # fmt: skip
    return RosterView(
        2026, "令和8年度", "令和8年12月1日", Division("110", "市民課"), (), tuple(courses), (),
        (RosterSection("open", "未修了者", (line,)),), Counts(), (), "", "",
    )  # fmt: skip


def test_a_roster_whose_columns_do_not_fit_the_page_is_printed_as_a_table() -> None:
    assert RosterGrid.of(roster_view(["入門編", "規程理解編", "チェックポイント"], "R8.7.10")) is not None
    many = [f"セキュリティ研修{n}" for n in range(1, 10)]
    assert RosterGrid.of(roster_view(many, "受講中 100%")) is None
