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
