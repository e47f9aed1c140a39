"""Wide (CJK) characters kept whole where Textual's compositor would cut them in two.

Textual draws a screen line in "chops": it cuts every widget's line at every position where *any*
visible widget begins or ends, and the front-most widget wins each piece. A cut that falls in the
middle of a wide character turns both halves into spaces, even when the same widget wins the
pieces on both sides: a docked footer key drawn over the keys behind it showed 「コマンドパレ  ト」,
an open dropdown over a border 「チェックポイ  ト」 (Textual issue #6357, open in 8.2).

:func:`install` replaces two methods of the compositor: pieces that the same widget wins side by
side are drawn as one (the pieces after the first get an empty placeholder, so no widget behind
claims them), and a partial update crops each piece at its own end rather than at the next cut.
A cut between two different widgets is still a real edge and is kept. Tested by
``tests/tui/test_wide.py``; the 80x24 snapshots are scanned for cut characters as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import textual
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

EMPTY = Strip([], 0)
_installed = False


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip | None]]:
    """Textual's ``Compositor._render_chops``, dividing a widget's line only where it must."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            here = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            starts, ends = here[:-1], here[1:]
            # Runs of neighbouring pieces this widget wins (still empty: painting is front to back)
            runs: list[tuple[int, int, list[int]]] = []  # (start, end, the pieces' starts)
            for start, end in zip(starts, ends, strict=True):
                if line.get(start) is not None:
                    continue
                if runs and runs[-1][1] == start:
                    runs[-1] = (runs[-1][0], end, [*runs[-1][2], start])
                else:
                    runs.append((start, end, [start]))
            if not runs:
                continue
            edges = sorted({edge for start, end, _ in runs for edge in (start, end)} - {first_cut})
            pieces = dict(zip([first_cut, *edges], strip.divide([e - render_x for e in edges]), strict=False))
            for start, _end, members in runs:
                piece = pieces.get(start)
                if piece is None:  # (a strip shorter than its region: the rest is left to those behind)
                    continue
                line[start] = piece
                for other in members[1:]:
                    if other < start + piece.cell_length:
                        line[other] = EMPTY
    return chops


def _render_partial_update(self: Compositor) -> ChopsUpdate | None:
    """Textual's ``Compositor.render_partial_update``, each piece ending where its strip ends."""
    screen_region = self.size.region
    update_regions = self._dirty_regions.copy()
    self._dirty_regions.clear()
    if not update_regions:
        return None
    crop = Region.from_union(update_regions).intersection(screen_region)
    spans = list(self._regions_to_spans(update_regions))
    is_rendered_line = {y for y, _, _ in spans}.__contains__
    chops = self._render_chops(crop, is_rendered_line)
    chop_ends = [
        [
            x + strip.cell_length if strip is not None else end
            for (x, strip), end in zip(line.items(), cut_set[1:], strict=True)
        ]
        for line, cut_set in zip(chops, self.cuts, strict=True)
    ]
    return ChopsUpdate(chops, spans, chop_ends)


def textual_version() -> str:
    """The installed Textual's version, from the name of its metadata's folder beside it
    (``textual.__version__`` imports importlib.metadata, which imports ~40 modules: 11 ms of the
    app's launch); Textual's own answer when it is installed some other way."""
    for info in Path(textual.__file__).parent.parent.glob("textual-*.dist-info"):
        return info.name.removeprefix("textual-").removesuffix(".dist-info")
    return str(textual.__version__)


def install() -> None:
    """Put the two methods in place (once; only on the Textual they were written for)."""
    global _installed
    if _installed:
        return
    if not textual_version().startswith("8."):
        return  # a later Textual: tests/tui/test_wide.py says whether it still needs this
    patched: Any = Compositor
    patched._render_chops = _render_chops
    patched.render_partial_update = _render_partial_update
    _installed = True
