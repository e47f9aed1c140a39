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

Widths come from the face itself (:mod:`trainer.reports.grid_widths`, generated from it and checked
against it by the tests), per grapheme cluster (a character with its combining marks and variation
selectors: 葛 with U+E0100 stays one, of 葛's width). A character the face does not draw at a grid
width (× ♪ Ж, Hangul, one it lacks) is printed in a box of the width the grid gives it
(``gx1``/``gx2`` in report.css), in whatever face draws it: the columns stay straight.

Wrapping keeps together what must stay whole: a date in words (令和9年3月31日), a figure
(R9.3.31, 50%), a piece the caller marks whole (a course's name); a line never starts with a
closing mark (、。）). Names, titles and notes otherwise break between any two characters, as
the table's ``overflow-wrap: anywhere`` did.

The HTML format keeps the ordinary table: a browser has no such cost, and may lack the face.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

from markupsafe import Markup, escape

from trainer.reports.grid_face import cluster_width, clusters, text_width
from trainer.reports.render import DATE
from trainer.text import printable


class Piece(NamedTuple):
    """Some text of a cell: ``whole``, kept on one line when it fits the column; ``cls``, a class
    for its inline box (empty: none, plain text)."""

    text: str
    whole: bool = False
    cls: str = ""


Align = Literal["left", "center", "right"]


class Column(NamedTuple):
    width: int  # units of text, without the gap of one unit on each side
    align: Align = "left"


# What may not be cut inside: a date in words and a fiscal year's name (as render.py keeps them
# whole in the table), a figure with its marks (R9.3.31, 50%).
_KEPT = re.compile(f"{DATE.pattern}|[A-Za-z0-9][A-Za-z0-9.,:%/-]*")
_NO_LINE_START = set("、。，．）」』】〕〉》・：；！？ー々ゝゞァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ％!?,.:;)]}")


class Token(NamedTuple):
    """Text that stays on one line of a cell."""

    text: str
    cls: str
    width: int
    space: bool  # white space: dropped where a line breaks


# TAB, LF and the Unicode line and paragraph separators are printed as a space.
_BLANKS = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\u2028": " ", "\u2029": " "})


def _shown(text: str) -> str:
    return printable(text).translate(_BLANKS)


def _tokens(pieces: Sequence[Piece], shown: Sequence[str], width: int) -> list[Token]:
    """The pieces' texts (``shown``: as printed) cut where a line may break."""
    tokens: list[Token] = []

    def add(text: str, cls: str) -> None:
        if not text:
            return
        if text.isspace():
            tokens.append(Token(text, cls, text_width(text), True))
        elif tokens and text[0] in _NO_LINE_START and not tokens[-1].space and tokens[-1].cls == cls:
            last = tokens.pop()  # a closing mark stays with what it closes
            glued = last.text + text
            if text_width(glued) > width:  # … with its last character, when the whole would not fit
                *rest, final = clusters(last.text)
                if rest:
                    tokens.append(Token("".join(rest), cls, text_width("".join(rest)), False))
                glued = final + text
            tokens.append(Token(glued, cls, text_width(glued), False))
        else:
            tokens.append(Token(text, cls, text_width(text), False))

    for piece, text in zip(pieces, shown, strict=True):
        if piece.whole and text_width(text) <= width:
            add(text, piece.cls)
            continue
        at = 0
        for match in _KEPT.finditer(text):
            for cluster in clusters(text[at : match.start()]):
                add(cluster, piece.cls)
            add(match.group(), piece.cls)
            at = match.end()
        for cluster in clusters(text[at:]):
            add(cluster, piece.cls)
    return tokens


def _split(token: Token, width: int) -> list[Token]:
    """A token wider than a whole line, cut into lines' worth (never inside a cluster)."""
    parts: list[Token] = []
    line: list[str] = []
    used = 0
    for cluster in clusters(token.text):
        w = cluster_width(cluster)[0]
        if used + w > width and line:
            carried = [line.pop()] if cluster[0] in _NO_LINE_START and len(line) > 1 else []
            text = "".join(line)  # a closing mark does not start the next line: its character goes too
            parts.append(Token(text, token.cls, text_width(text), False))
            line, used = carried, sum(cluster_width(c)[0] for c in carried)
        line.append(cluster)
        used += w
    text = "".join(line)
    parts.append(Token(text, token.cls, used, False))
    return parts


def wrap(pieces: Iterable[Piece], width: int) -> list[list[Token]]:
    """The cell's text in lines of at most ``width`` units (at least one line)."""
    pieces = list(pieces)
    shown = [_shown(piece.text) for piece in pieces]
    widths = [text_width(text) for text in shown]
    if sum(widths) <= width:  # the usual cell: one line, nothing to cut
        line = [Token(t, p.cls, w, t.isspace()) for p, t, w in zip(pieces, shown, widths, strict=True) if t]
        while line and line[-1].space:
            line.pop()
        while line and line[0].space:
            line.pop(0)
        return [line]
    lines: list[list[Token]] = [[]]
    used = 0
    for token in _tokens(pieces, shown, width):
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


def _markup(tokens: list[Token]) -> tuple[str, int]:
    """A line of a cell as markup, and its width in units."""
    out: list[str] = []
    width = 0
    for token in tokens:
        text = []
        for cluster in clusters(token.text):
            units, drawn = cluster_width(cluster)
            text.append(str(escape(cluster)) if drawn else f'<span class="gx{units}">{escape(cluster)}</span>')
        body = "".join(text)
        out.append(f'<span class="{escape(token.cls)}">{body}</span>' if token.cls else body)
        width += token.width
    return "".join(out), width


def _placed(tokens: list[Token], column: Column) -> str:
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
        image = rules_png(tuple(self._edges()), shade or "ffffff", round(self.width_pt / RULE_PT))
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


RULE_PT = 0.15  # points per pixel of the rules' image
RULE_WIDTH_PX = 3  # 0.45 pt, as a 0.5 pt border
RULE_COLOR = (0x44, 0x44, 0x44)


@functools.cache
def rules_png(edges: tuple[float, ...], fill: str, width_px: int) -> str:
    """A one-pixel-high PNG (base64) of ``width_px``: ``fill`` with dark rules at ``edges``."""
    from PIL import Image  # (Pillow: WeasyPrint's own dependency)

    image = Image.new("RGB", (width_px, 1), "#" + fill)
    for edge in edges:
        start = min(width_px - RULE_WIDTH_PX, max(0, round(edge * width_px) - RULE_WIDTH_PX // 2))
        for x in range(start, start + RULE_WIDTH_PX):
            image.putpixel((x, 0), RULE_COLOR)
    png = io.BytesIO()
    image.save(png, "PNG", optimize=True)
    return base64.b64encode(png.getvalue()).decode("ascii")
