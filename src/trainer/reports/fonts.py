"""Which Japanese font a report is printed with, on Linux, Windows and macOS, and whether it draws
the rare kanji of real surnames.

A roster is evidence: a name printed as a box (tofu) is a wrong name. The font is, in order:

1. the city's own: ``TRAINER_FONT``, or a ``.ttf``/``.otf``/``.ttc`` in the templates' ``fonts/``;
2. on Windows and macOS, the system's Japanese fonts (below), ordered by how many of
   :data:`RARE_KANJI` their character map holds, then by our preference: the first that draws
   them all is used, through an explicit ``@font-face`` (WeasyPrint's fontconfig does not always
   know the system's folders there);
3. on Linux (and elsewhere), fontconfig's match for the stylesheet's families (Noto Sans CJK JP,
   installed by ``scripts/setup``), as WeasyPrint finds it itself.

Coverage is read from the font's character map with fontTools (which WeasyPrint depends on).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FONT_EXTENSIONS = (".ttf", ".otf", ".ttc")

# Surnames that exist in every city's roster and that many fonts lack: 𠮷 (U+20BB7, outside the
# BMP) 髙 﨑 德 濵 邉 齋.
RARE_KANJI = "𠮷髙﨑德濵邉齋"

# Windows (%WINDIR%\Fonts, and a user's own fonts folder): BIZ UDゴシック (Windows 10 and newer,
# the universal-design face many municipalities use), 游ゴシック, MS ゴシック, メイリオ.
WINDOWS_FONTS = (
    ("BIZ UDゴシック", "BIZ-UDGothicR.ttc"),
    ("BIZ UDゴシック", "BIZ-UDGothicB.ttc"),
    ("游ゴシック", "YuGothR.ttc"),
    ("游ゴシック", "YuGothM.ttc"),
    ("MS ゴシック", "msgothic.ttc"),
    ("メイリオ", "meiryo.ttc"),
)
# macOS (/System/Library/Fonts and the font folders beside it): ヒラギノ角ゴシック, then 丸ゴ and 明朝.
MAC_FONTS = (
    ("ヒラギノ角ゴシック", "ヒラギノ角ゴシック W3.ttc"),
    ("ヒラギノ角ゴシック", "ヒラギノ角ゴシック W4.ttc"),
    ("ヒラギノ角ゴシック", "ヒラギノ角ゴシック W6.ttc"),
    ("ヒラギノ丸ゴ ProN", "ヒラギノ丸ゴ ProN W4.ttc"),
    ("ヒラギノ明朝 ProN", "ヒラギノ明朝 ProN.ttc"),
)
# What the stylesheet asks fontconfig for first (reports/report.css).
FONTCONFIG_FAMILY = "Noto Sans CJK JP"


@dataclass(frozen=True)
class Font:
    """A font file and what it lacks of :data:`RARE_KANJI` (empty: it draws them all)."""

    name: str
    path: Path
    source: str  # "TRAINER_FONT", "fonts/", "system", "fontconfig"
    missing: str

    @property
    def complete(self) -> bool:
        return not self.missing


def windows_font_folders() -> list[Path]:
    windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT") or r"C:\Windows"
    folders = [Path(windir) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return folders


def mac_font_folders() -> list[Path]:
    return [
        Path("/System/Library/Fonts"),
        Path("/System/Library/Fonts/Supplemental"),
        Path("/Library/Fonts"),
        Path.home() / "Library" / "Fonts",
    ]


def _files_in(folder: Path) -> dict[str, Path]:
    """The files of ``folder`` by their name in NFC, lower case (macOS may store names in NFD)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return {}
    return {unicodedata.normalize("NFC", p.name).casefold(): p for p in entries if p.is_file()}


def _known_fonts(folders: Iterable[Path], known: Iterable[tuple[str, str]]) -> list[tuple[str, Path]]:
    found = []
    listings = [_files_in(folder) for folder in folders]
    for name, filename in known:
        key = unicodedata.normalize("NFC", filename).casefold()
        for files in listings:
            if key in files:
                found.append((name, files[key]))
                break
    return found


def system_fonts(platform: str | None = None) -> list[tuple[str, Path]]:
    """The Japanese fonts of Windows or macOS found on this machine, in our order of preference
    (none elsewhere: fontconfig chooses there)."""
    platform = platform or sys.platform
    if platform == "win32":
        return _known_fonts(windows_font_folders(), WINDOWS_FONTS)
    if platform == "darwin":
        return _known_fonts(mac_font_folders(), MAC_FONTS)
    return []


@functools.cache
def _missing_cached(path: str, mtime_ns: int, index: int) -> str:
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True, fontNumber=index if path.lower().endswith(".ttc") else -1)
    try:
        cmap = font.getBestCmap() or {}
        return "".join(ch for ch in RARE_KANJI if ord(ch) not in cmap)
    finally:
        font.close()


def missing_rare_kanji(path: Path, index: int = 0) -> str:
    """The characters of :data:`RARE_KANJI` that the font at ``path`` has no glyph for (face
    ``index`` of a collection: 0 is the face an ``@font-face`` loads).

    Raises OSError when the file cannot be read, and fontTools' errors when it is not a font.
    """
    return _missing_cached(str(path), path.stat().st_mtime_ns, index)


def _read_coverage(name: str, path: Path, source: str, index: int = 0) -> Font | None:
    try:
        return Font(name, path, source, missing_rare_kanji(path, index))
    except OSError:
        return None  # listed but unreadable (a font being installed, a broken link): the next one


def best_system_font(platform: str | None = None) -> Font | None:
    """The system font ordered first by coverage of :data:`RARE_KANJI`, then by preference: the
    first (in our order) that draws them all, else the one that lacks the fewest."""
    best: Font | None = None
    for name, path in system_fonts(platform):
        font = _read_coverage(name, path, "system")
        if font is None:
            continue
        if font.complete:
            return font  # (reading each font's map takes a while: stop at the first complete one)
        if best is None or len(font.missing) < len(best.missing):
            best = font
    return best


def fontconfig_font() -> Font | None:
    """The file fontconfig gives the stylesheet's first family (Linux), with its coverage."""
    if shutil.which("fc-match") is None:
        return None
    out = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}\n%{family}", f"{FONTCONFIG_FAMILY}:lang=ja"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    lines = out.splitlines()
    if len(lines) < 3 or not lines[0] or not lines[1].isdigit():
        return None
    found = _read_coverage(lines[2].split(",")[0], Path(lines[0]), "fontconfig", int(lines[1]))
    if found is None or found.missing == RARE_KANJI:  # not a Japanese font at all (fontconfig's fallback)
        return None if found is None else Font(found.name, found.path, found.source, RARE_KANJI)
    return found


def city_font_file(folder: Path, font: Path | None = None) -> tuple[Path, str] | None:
    """The city's own font: ``font`` (the settings' ``TRAINER_FONT``), else the first in the
    templates' ``fonts/``."""
    if font is not None:
        return font, "TRAINER_FONT"
    fonts = folder / "fonts"
    if fonts.is_dir():
        found = sorted(p for p in fonts.iterdir() if p.suffix.lower() in FONT_EXTENSIONS)
        if found:
            return found[0], "fonts/"
    return None


__all__ = [
    "RARE_KANJI",
    "Font",
    "best_system_font",
    "city_font_file",
    "fontconfig_font",
    "missing_rare_kanji",
    "system_fonts",
]
