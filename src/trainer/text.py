"""Text as people type it and HR systems export it, made comparable without changing names.

NFKC turns 全角 digits, letters and spaces and half-width カナ into their standard forms, but
it would also replace CJK compatibility ideographs (神 U+FA19 → 神) — characters some official
names are written with. ``standard`` applies NFKC to everything else and keeps those.
"""

from __future__ import annotations

import re
import unicodedata

_COMPAT_IDEOGRAPHS = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f])")


def standard(text: str) -> str:
    """NFKC except CJK compatibility ideographs; white space folded to single spaces, trimmed."""
    if not text.isascii():
        if _COMPAT_IDEOGRAPHS.search(text):
            parts = _COMPAT_IDEOGRAPHS.split(text)  # odd indexes are the ideographs themselves
            text = "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))
        elif not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def free_text(text: str) -> str:
    """A reason or note: kept as typed (全角 punctuation too), white space folded and trimmed."""
    return " ".join(text.split())


_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


def search_key(text: str) -> str:
    """What a search compares: standard text, ひらがな as カタカナ, no spaces, lower case.

    So ``ﾔﾏﾀﾞ``, ``やまだ`` and ``ヤマダ`` all find ヤマダ.
    """
    return standard(text).translate(_HIRAGANA_TO_KATAKANA).replace(" ", "").lower()


# Characters that must never enter the register or reach a terminal: the C0 and C1 controls (NUL,
# BEL, ESC …; TAB, CR and LF only where a line or a table has them) and the bidirectional
# controls, which reorder what is shown (U+202E prints "gpj.exe" as "exe.jpg").
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
_UNSAFE_SHOWN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")  # CR too: it would overwrite a line

_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI", 0x202E: "RLO"}


def describe_char(char: str) -> str:
    """``U+001B（ESC）``: a character nobody can see, named so a person can find it."""
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X}（{name}）" if name else f"U+{code:04X}"


def printable(text: str) -> str:
    """``text`` with every control character shown as ``\\uXXXX`` instead of acting on a terminal,
    a spreadsheet or a PDF. TAB and LF stay. Also valid inside a JSON string (it decodes back)."""
    if not _UNSAFE_SHOWN.search(text):
        return text
    return _UNSAFE_SHOWN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: no control character, never run as a formula (a cell
    starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe)."""
    value = printable(value)
    return "'" + value if value.startswith(FORMULA_START) else value


# Variant kanji (異体字) of surnames, read as their common form when comparing names: an
# e-learning system or an HR export may hold either. Comparing only, never stored.
_VARIANTS = str.maketrans(
    {
        "髙": "高", "﨑": "崎", "嵜": "崎", "𠮷": "吉", "德": "徳", "濵": "浜", "濱": "浜", "邉": "辺",
        "邊": "辺", "齋": "斎", "齊": "斉", "澤": "沢", "廣": "広", "國": "国", "櫻": "桜", "眞": "真",
        "惠": "恵", "壽": "寿", "龍": "竜", "鐵": "鉄", "冨": "富", "槇": "槙", "會": "会", "與": "与",
        "嶋": "島", "嶌": "島", "峯": "峰", "舘": "館", "藏": "蔵", "實": "実", "巖": "巌", "曽": "曾",
    }
)  # fmt: skip


def name_key(text: str) -> str:
    """What two ways of writing one name have in common: standard text without spaces, variant
    kanji as their common form, ひらがな as カタカナ (山﨑 花子 / 山崎花子; やまざき / ヤマザキ)."""
    return standard(text).translate(_VARIANTS).translate(_HIRAGANA_TO_KATAKANA).replace(" ", "")


def same_name(written: str, name: str, kana: str = "") -> bool:
    """Whether ``written`` (a file's 氏名 cell) names the person called ``name`` (or ``kana``)."""
    key = name_key(written)
    return key == name_key(name) or (bool(kana) and key == name_key(kana))
