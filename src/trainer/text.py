"""Text as people type it and HR systems export it, made comparable without changing names.

NFKC turns 全角 digits, letters and spaces and half-width カナ into their standard forms, but
it would also replace CJK compatibility ideographs (神 U+FA19 → 神) — characters some official
names are written with. ``standard`` applies NFKC to everything else and keeps those.
"""

from __future__ import annotations

import unicodedata


def _is_compat_ideograph(char: str) -> bool:
    code = ord(char)
    return 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F


def standard(text: str) -> str:
    """NFKC except CJK compatibility ideographs; white space folded to single spaces, trimmed."""
    if text.isascii():
        return " ".join(text.split())
    if any(_is_compat_ideograph(c) for c in text):
        parts, run = [], []
        for char in text:
            if _is_compat_ideograph(char):
                parts.append(unicodedata.normalize("NFKC", "".join(run)))
                parts.append(char)
                run = []
            else:
                run.append(char)
        parts.append(unicodedata.normalize("NFKC", "".join(run)))
        text = "".join(parts)
    else:
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def free_text(text: str) -> str:
    """A reason or note: kept as typed (全角 punctuation too), white space folded and trimmed."""
    return " ".join(text.split())
