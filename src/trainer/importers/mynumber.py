"""Keep individual numbers (マイナンバー) out: this register is not a 特定個人情報ファイル.

The check digit is public (総務省令): of the first 11 digits, numbered n = 1..11 from the right
(P_n), weighted Q_n = n + 1 for n <= 6 and n - 5 for n >= 7; r = sum(P_n * Q_n) mod 11; the 12th
digit is 0 when r <= 1, else 11 - r.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trainer.importers.problems import Problems
    from trainer.importers.table import Row, Table

_SEPARATORS = re.compile(r"[\s\-‐－ー―]")
_TWELVE = re.compile(r"(?<!\d)(\d[\s\-]?){11}\d(?!\d)")


def check_digit(first_eleven: str) -> int:
    total = 0
    for n, char in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(char) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_my_number(text: str) -> bool:
    """True when ``text`` is a valid individual number (spaces and hyphens allowed)."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    return len(digits) == 12 and digits.isascii() and digits.isdigit() and check_digit(digits[:11]) == int(digits[11])


def contains_my_number(text: str) -> bool:
    """True when a valid individual number stands anywhere in ``text``."""
    if len(text) < 12:
        return False
    normalized = unicodedata.normalize("NFKC", text)
    return any(is_my_number(m.group(0)) for m in _TWELVE.finditer(normalized))


def reject_in_row(table: Table, row: Row, problems: Problems) -> None:
    """A problem for each cell of ``row`` holding an individual number (never the number itself)."""
    for index, value in enumerate(row.cells):
        if isinstance(value, (str, int)) and contains_my_number(str(value)):
            header = table.headers[index] if index < len(table.headers) else f"{index + 1}列目"
            problems.add(
                row.number,
                header,
                "個人番号（マイナンバー）とみられる12桁の番号があります",
                "この台帳には個人番号を入れません。その列を削除してから取り込んでください",
            )
