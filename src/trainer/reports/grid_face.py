"""The face the text grid is printed in (Noto Sans Mono CJK JP) and how wide it draws what we print:
in half-width units, per grapheme cluster (see :mod:`trainer.reports.grid`)."""

from __future__ import annotations

import bisect
import functools
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator

from trainer.reports.grid_widths import RANGES

MONO_FAMILY = "Noto Sans Mono CJK JP"
_FIRSTS = [first for first, _last, _units, _drawn in RANGES]


@functools.lru_cache(maxsize=8192)
def grid_width(ch: str) -> tuple[int, bool]:
    """(units, drawn): how many half-width units ``ch`` takes, and whether the face draws it at
    exactly that width (else it is printed in a box of that width, in whatever face draws it)."""
    code = ord(ch)
    at = bisect.bisect_right(_FIRSTS, code) - 1
    if at >= 0:
        first, last, units, drawn = RANGES[at]
        if first <= code <= last:
            return units, drawn
    return (2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1), False


def _joins(ch: str) -> bool:
    """A character that belongs to the one before it: a combining mark, a variation selector
    (葛 + U+E0100, the registered form of a name), a joiner or another format character."""
    return unicodedata.category(ch) in ("Mn", "Me", "Cf")


def clusters(text: str) -> Iterator[str]:
    """``text`` as the characters a reader sees: each with the marks and selectors that follow it."""
    cluster = ""
    for ch in text:
        if cluster and _joins(ch):
            cluster += ch
            continue
        if cluster:
            yield cluster
        cluster = ch
    if cluster:
        yield cluster


def _is_selector(ch: str) -> bool:
    code = ord(ch)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or ch in "\u200b\u200c\u200d\u2060"


@functools.lru_cache(maxsize=8192)
def cluster_width(cluster: str) -> tuple[int, bool]:
    """(units, drawn) of a cluster: its base's width; drawn on the grid only when the face draws
    the base at that width and what follows it takes no room of its own (a variation selector
    picks the variant glyph, of the same width, or the base when the face lacks it; a joiner
    draws nothing). A base with a combining mark is boxed, the mark drawn over it."""
    units, drawn = grid_width(cluster[0]) if not _joins(cluster[0]) else (1, False)
    return units, drawn and all(_is_selector(ch) for ch in cluster[1:])


def text_width(text: str) -> int:
    """``text``'s width in units."""
    return sum(cluster_width(c)[0] for c in clusters(text))


def mono_face() -> bool:
    """Whether fontconfig has the grid's face; without it the PDF prints the ordinary table
    (Windows and macOS have no such face unless installed). Asked once per fontconfig setting
    (PATH, FONTCONFIG_FILE, FONTCONFIG_PATH): a batch of rosters asks once, and a run whose
    fontconfig changes asks again."""
    key = tuple(os.environ.get(name, "") for name in ("PATH", "FONTCONFIG_FILE", "FONTCONFIG_PATH"))
    if key not in _mono_found:
        found = ""
        if shutil.which("fc-match") is not None:
            found = subprocess.run(
                ["fc-match", MONO_FAMILY, "--format", "%{family}"], capture_output=True, text=True, check=False
            ).stdout
        _mono_found[key] = MONO_FAMILY in found.split(",")
    return _mono_found[key]


_mono_found: dict[tuple[str, ...], bool] = {}
