"""A long table's rows printed as lines of text on a grid of half-width cells (the PDF's rosters).

Why: WeasyPrint lays out every table cell and every inline box on its own, and a roster's time
is spent there: 300 rows of 11 cells took 2.2 s to lay out here, the same rows as one line of
text each 0.35 s. So in the PDF a row of a long table is one cell holding preformatted text in a
monospaced Japanese face (Noto Sans Mono CJK JP, which ``scripts/setup`` installs with
fonts-noto-cjk): Python places each column's text on a grid of half-width units (an ASCII letter or
a half-width カナ is one unit, a kanji or a full-width character two), wraps what is too long
inside its column, and the vertical rules between the columns are one small image repeated down
the table's background. Only a word that needs a look of its own (an overdue cell in bold, the
カナ in grey) costs an inline box.

A character the face does not draw at a grid width (a Latin letter with an accent, Hangul) is
printed in a box of the width the grid gives it (``gx1``/``gx2`` in report.css), in whatever face
draws it: the columns stay straight.

Wrapping keeps together what must stay whole: a date in words (令和9年3月31日), a figure
(R9.3.31, 50%), a piece the caller marks whole (a course's name); a line never starts with a
closing mark (、。）). Names, titles and notes otherwise break between any two characters, as
the table's ``overflow-wrap: anywhere`` did.

The HTML format keeps the ordinary table: a browser has no such cost, and may lack the face.
"""

from __future__ import annotations

import base64
import functools
import re
import shutil
import struct
import subprocess
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from markupsafe import Markup, escape

from trainer.text import printable

MONO_FAMILY = "Noto Sans Mono CJK JP"
PT_MM = 25.4 / 72

# Drawn by the face one unit wide (500/1000 em): ASCII, half-width カナ and its marks.
_HALF = ((0x20, 0x7E), (0xFF61, 0xFF9F))
# Drawn two units wide (1000/1000 em; tests/unit/test_grid.py checks these against the face).
_FULL = (
    (0x2010, 0x2010), (0x2015, 0x2016), (0x2020, 0x2021), (0x2025, 0x2026), (0x2030, 0x2030),
    (0x203B, 0x203B), (0x2103, 0x2103), (0x2121, 0x2121), (0x2160, 0x216B), (0x2170, 0x217B),
    (0x2190, 0x2193), (0x21D2, 0x21D2), (0x21D4, 0x21D4),
    (0x2460, 0x2473), (0x2500, 0x254B), (0x25A0, 0x25A1), (0x25B2, 0x25B3), (0x25BC, 0x25BD),
    (0x25C6, 0x25C7), (0x25CB, 0x25CB), (0x25CE, 0x25CF), (0x25EF, 0x25EF), (0x2605, 0x2606),
    (0x3000, 0x3029), (0x3030, 0x303F), (0x3041, 0x3096), (0x309B, 0x30FF), (0x31F0, 0x31FF),
    (0x3220, 0x3243), (0x3280, 0x32B0), (0x32D0, 0x32FE), (0x3300, 0x33FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
    (0xFF01, 0xFF60), (0xFFE0, 0xFFE6),
    (0x20000, 0x2FFFF), (0x30000, 0x3FFFF),
)  # fmt: skip


def _within(code: int, ranges: Sequence[tuple[int, int]]) -> bool:
    lo, hi = 0, len(ranges)
    while lo < hi:
        mid = (lo + hi) // 2
        first, last = ranges[mid]
        if code < first:
            hi = mid
        elif code > last:
            lo = mid + 1
        else:
            return True
    return False


@functools.lru_cache(maxsize=4096)
def grid_width(ch: str) -> tuple[int, bool]:
    """(units, drawn on the grid): how many half-width units ``ch`` takes, and whether the face
    draws it at that width (else it is printed in a box of its own: see the module's doc)."""
    code = ord(ch)
    if _within(code, _HALF):
        return 1, True
    if _within(code, _FULL):
        return 2, True
    wide = unicodedata.east_asian_width(ch) in ("W", "F")
    return (2 if wide else 1), False


def text_width(text: str) -> int:
    """``text``'s width in units."""
    return sum(grid_width(ch)[0] for ch in text)


class Piece(NamedTuple):
    """Some text of a cell: ``whole``, kept on one line when it fits the column; ``cls``, a class
    for its inline box (empty: none, plain text)."""

    text: str
    whole: bool = False
    cls: str = ""


class Column(NamedTuple):
    width: int  # units of text, without the gap of one unit on each side
    align: str = "left"  # left / center / right


# What may not be cut inside: a date in words, a fiscal year's name, a figure with its marks.
_KEPT = re.compile(
    r"(?:令和|平成|昭和)(?:元|\d{1,2})年(?:度|\d{1,2}月\d{1,2}日)?|\d{1,2}月\d{1,2}日|[A-Za-z0-9][A-Za-z0-9.,:%/-]*"
)
_NO_LINE_START = set("、。，．）」』】〕〉》・：；！？ー々ゝゞァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ％!?,.:;)]}")


class _Token(NamedTuple):
    text: str
    cls: str
    width: int
    space: bool  # white space: dropped where a line breaks


def _tokens(pieces: Iterable[Piece], width: int) -> list[_Token]:
    tokens: list[_Token] = []

    def add(text: str, cls: str) -> None:
        if text.isspace():
            tokens.append(_Token(text, cls, text_width(text), True))
        elif tokens and text[0] in _NO_LINE_START and not tokens[-1].space and tokens[-1].cls == cls:
            last = tokens.pop()  # a closing mark stays with what it closes
            tokens.append(_Token(last.text + text, cls, last.width + text_width(text), False))
        else:
            tokens.append(_Token(text, cls, text_width(text), False))

    for piece in pieces:
        text = printable(piece.text)
        if piece.whole and text_width(text) <= width:
            add(text, piece.cls)
            continue
        at = 0
        for match in _KEPT.finditer(text):
            for ch in text[at : match.start()]:
                add(ch, piece.cls)
            add(match.group(), piece.cls)
            at = match.end()
        for ch in text[at:]:
            add(ch, piece.cls)
    return tokens


def _split(token: _Token, width: int) -> list[_Token]:
    """A token wider than a whole line, cut into lines' worth."""
    parts: list[_Token] = []
    text, used = "", 0
    for ch in token.text:
        w = grid_width(ch)[0]
        if used + w > width and text:
            parts.append(_Token(text, token.cls, used, False))
            text, used = "", 0
        text, used = text + ch, used + w
    parts.append(_Token(text, token.cls, used, False))
    return parts


def wrap(pieces: Iterable[Piece], width: int) -> list[list[_Token]]:
    """The cell's text in lines of at most ``width`` units (at least one line)."""
    pieces = list(pieces)
    shown = [printable(piece.text) for piece in pieces]
    widths = [text_width(text) for text in shown]
    if sum(widths) <= width:  # the usual cell: one line, nothing to cut
        line = [_Token(t, p.cls, w, t.isspace()) for p, t, w in zip(pieces, shown, widths, strict=True) if t]
        while line and line[-1].space:
            line.pop()
        while line and line[0].space:
            line.pop(0)
        return [line]
    lines: list[list[_Token]] = [[]]
    used = 0
    for token in _tokens(pieces, width):
        if used + token.width > width and lines[-1]:
            if token.space:
                continue  # a space where the line breaks is dropped
            lines.append([])
            used = 0
        for part in _split(token, width) if token.width > width else [token]:
            if used + part.width > width and lines[-1]:
                lines.append([])
                used = 0
            if part.space and not lines[-1]:
                continue
            lines[-1].append(part)
            used += part.width
    for line in lines:
        while line and line[-1].space:
            line.pop()
    return lines


def _markup(tokens: list[_Token]) -> tuple[str, int]:
    """A line of a cell as markup, and its width in units."""
    out: list[str] = []
    width = 0
    for token in tokens:
        text = []
        for ch in token.text:
            units, drawn = grid_width(ch)
            if drawn:
                text.append(str(escape(ch)))
            else:
                text.append(f'<span class="gx{units}">{escape(ch)}</span>')
        body = "".join(text)
        out.append(f'<span class="{token.cls}">{body}</span>' if token.cls else body)
        width += token.width
    return "".join(out), width


def _placed(tokens: list[_Token], column: Column) -> str:
    body, used = _markup(tokens)
    room = column.width - used
    if column.align == "right":
        left = room
    elif column.align == "center":
        left = room // 2
    else:
        left = 0
    return " " * (left + 1) + body + " " * (room - left + 1)  # one unit of gap on each side


class Grid:
    """Columns of a long table on a grid of half-width units at ``size`` points."""

    def __init__(self, columns: Sequence[Column], size: float) -> None:
        self.columns = tuple(columns)
        self.size = size

    @property
    def units(self) -> int:
        return sum(c.width + 2 for c in self.columns)

    @property
    def unit_pt(self) -> float:
        return self.size / 2

    @property
    def width_pt(self) -> float:
        return round(self.units * self.unit_pt, 3)

    def row(self, cells: Sequence[Sequence[Piece]]) -> Markup:
        """A row's text: each cell wrapped in its column, the lines of the row joined by newlines."""
        wrapped = [wrap(cell, column.width) for cell, column in zip(cells, self.columns, strict=True)]
        height = max(len(lines) for lines in wrapped)
        lines = []
        for i in range(height):
            lines.append(
                "".join(
                    _placed(cell[i] if i < len(cell) else [], column)
                    for cell, column in zip(wrapped, self.columns, strict=True)
                ).rstrip()
            )
        return Markup("\n".join(lines))

    def style(self, shade: str = "") -> Markup:
        """The inline style of the table (``shade``: a fill behind the text, for a header):
        its width, the grid's size and the vertical rules as a background image."""
        image = rules_png(tuple(self._edges()), shade or "ffffff", round(self.width_pt * PT_MM / RULE_PX))
        return Markup(
            f"width:{self.width_pt}pt;font-size:{self.size}pt;"
            f"background-image:url(data:image/png;base64,{image});"
            f"background-size:{self.width_pt}pt 1pt;background-repeat:repeat-y"
        )

    def _edges(self) -> Iterable[float]:
        """Where the rules between the columns fall, as fractions of the width (the outer edges are
        the cells' borders: a cell's background does not cover the table's own edge)."""
        x = 0
        for column in self.columns[:-1]:
            x += column.width + 2
            yield x / self.units


RULE_PX = 0.05  # millimetres per pixel of the rules' image
RULE_WIDTH_PX = 3  # 0.15 mm, as a 0.5 pt border
RULE_COLOR = (0x44, 0x44, 0x44)


@functools.cache
def rules_png(edges: tuple[float, ...], fill: str, width_px: int) -> str:
    """A one-pixel-high PNG (base64) of ``width_px``: ``fill`` with dark rules at ``edges``."""
    background = bytes.fromhex(fill)
    row = bytearray(background * width_px)
    for edge in edges:
        start = min(width_px - RULE_WIDTH_PX, max(0, round(edge * width_px) - RULE_WIDTH_PX // 2))
        for x in range(start, start + RULE_WIDTH_PX):
            row[3 * x : 3 * x + 3] = bytes(RULE_COLOR)
    raw = b"\x00" + bytes(row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width_px, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode("ascii")


def mono_face() -> bool:
    """Whether fontconfig has the grid's face (Noto Sans Mono CJK JP); without it the PDF prints
    the ordinary table (Windows and macOS have no such face unless installed). Asked once per
    process when found (it stays installed for the run), again each time while it is not."""
    global _mono_found
    if not _mono_found and shutil.which("fc-match") is not None:
        found = subprocess.run(
            ["fc-match", MONO_FAMILY, "--format", "%{family}"], capture_output=True, text=True, check=False
        ).stdout
        _mono_found = MONO_FAMILY in found.split(",")
    return _mono_found


_mono_found = False
