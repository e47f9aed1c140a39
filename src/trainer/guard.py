"""What may never enter the register: individual numbers (マイナンバー) and control characters.

This register is a training register, not a 特定個人情報ファイル: it must never hold an individual
number. Every text a person gives — a cell of an imported file, the file's name, a name, a reason,
a note, a setting typed in the CLI or the TUI — passes :func:`checked` before anything is kept,
and every message that could quote such a text passes :func:`masked`.

Finding a number. The check digit is public (総務省令): of the first 11 digits, numbered n = 1..11
from the right (P_n), weighted Q_n = n + 1 for n <= 6 and n - 5 for n >= 7; r = sum(P_n * Q_n) mod
11; the 12th digit is 0 when r <= 1, else 11 - r. People write the 12 digits with anything between
them, so the text is NFKC-normalised (全角 digits and punctuation become ASCII) and digits joined by
separators — every dash, hyphen, minus, long-vowel mark (ー), tilde, space (zero-width ones too),
dot, slash, comma, underscore and bracket — are read as one run. A run is an individual number when

- it holds exactly 12 digits and they carry a valid check digit (``1234‐5678 / 9018``), or
- a part of it does that is written the way a number is printed or typed — 12 digits together,
  or three groups of 4 with the same separator between them (``No.1 1234 5678 9018``,
  ``2026 1234-5678-9018``, ``1 123456789018``).

A run of 13 or more digits written together (an account number, 20260401103000) is not a number,
and nor is a longer run whose groups only add up to 12 some other way (``2026/04/01 2026/04/30``,
the time and microseconds of a backup's name ``20261201-233638-123456``). Twelve digits with a
wrong check digit are ordinary (9 in 10 of all 12-digit strings). One in ten 12-digit date-times
written without colons (202604011030) passes the check digit by chance: it is refused, and the
message says that may be why. Kanji numerals (一二三…) are not read.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from trainer.errors import InputError
from trainer.text import UNSAFE, describe_char

_SEPARATORS = (
    r"\s\u00ad\u180e\u200b-\u200d\u2060\ufeff"  # white space, and the invisible ones
    "\\-\u058a\u05be\u1400\u1806\u2010-\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0"
    "\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"  # every Unicode dash (category Pd)
    "\u2212\u2796\u02d7\u2043"  # minus signs, the hyphen bullet
    "\u30fc\uff70~\u223c\u2053\uff5e"  # long-vowel marks, tildes
    ".\u00b7\u2022\u2024\u2027\u2219\u22c5\u2e31\u2e33\u30fb\uff65\u3002\uff61\uff0e"  # dots
    "/\\\\\u2215\u2044\u29f8\uff0f\uff3c"  # slashes
    "()\\[\\]{}<>\uff08\uff09\uff3b\uff3d\uff5b\uff5d\u300c-\u300f\u3010\u3011\u3014-\u301b\u2985\u2986"  # brackets
    ",\u3001\uff0c\uff64_\uff3f"  # commas, underscores
)
_SEP = f"[{_SEPARATORS}]"
_RUN = re.compile(rf"\d(?:{_SEP}*\d){{11,}}")  # digits joined by separators, 12 or more of them
_GROUP = re.compile(r"\d+")
_VALUE = re.compile(rf"{_SEP}*\d(?:{_SEP}*\d)*{_SEP}*")
_NOT_DIGIT = re.compile(r"\D+")

MASK = "************"  # what a message shows instead of a number


def check_digit(first_eleven: str) -> int:
    """The 12th digit that the public formula gives for ``first_eleven`` (11 ASCII digits)."""
    total = 0
    for n, char in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(char) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def _digits(text: str) -> str:
    digits = _NOT_DIGIT.sub("", text)
    return digits if digits.isascii() else "".join(str(unicodedata.decimal(c)) for c in digits)


def _valid(digits: str) -> bool:
    return len(digits) == 12 and check_digit(digits[:11]) == int(digits[11])


def _normal(text: str) -> str:
    return text if text.isascii() or unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def is_my_number(text: str) -> bool:
    """True when ``text`` is one valid individual number, written with any separators."""
    value = _normal(text)
    return _VALUE.fullmatch(value) is not None and _valid(_digits(value))


def _numbers_in_run(run: str) -> Iterator[tuple[int, int]]:
    """Spans (within ``run``) of the individual numbers a run of digits and separators holds."""
    groups = list(_GROUP.finditer(run))
    if sum(g.end() - g.start() for g in groups) == 12:
        if _valid(_digits(run)):
            yield 0, len(run)
        return
    sizes = [g.end() - g.start() for g in groups]
    between = [run[a.end() : b.start()] for a, b in itertools.pairwise(groups)]
    for i, group in enumerate(groups):
        if sizes[i] == 12:
            last = i
        elif sizes[i : i + 3] == [4, 4, 4] and between[i] == between[i + 1]:
            last = i + 2
        else:
            continue
        if _valid(_digits(run[group.start() : groups[last].end()])):
            yield group.start(), groups[last].end()


def find_my_numbers(text: str, normalized: bool = False) -> list[tuple[int, int]]:
    """Spans of the individual numbers in ``text`` after NFKC (empty when there are none).

    ``normalized``: the text is NFKC already (an imported cell, see :func:`trainer.text.standard`).
    """
    if len(text) < 12:
        return []
    value = text if normalized else _normal(text)
    found = []
    for run in _RUN.finditer(value):
        found += [(run.start() + a, run.start() + b) for a, b in _numbers_in_run(run.group())]
    return found


def contains_my_number(text: str) -> bool:
    """True when a valid individual number stands anywhere in ``text``."""
    return bool(find_my_numbers(text))


def masked(text: str, every_twelve: bool = False) -> str:
    """``text`` with each individual number replaced by asterisks (NFKC-normalised only then).

    ``every_twelve``: every run of exactly 12 digits is masked too, valid or not (for messages
    quoting a file's cells: whatever looks like a number is not shown). Longer runs — a hint's
    ``2026-07-01、2026/7/1`` — stay as they are, but for a valid number inside them.
    """
    if len(text) < 12:
        return text
    value = _normal(text)
    spans = find_my_numbers(value)
    if every_twelve:
        spans += [(r.start(), r.end()) for r in _RUN.finditer(value) if len(_digits(r.group())) == 12]
    if not spans:
        return text
    parts, last = [], 0
    for start, end in sorted(set(spans)):
        if start < last:
            continue  # inside a span already masked
        parts += [value[last:start], MASK]
        last = end
    return "".join([*parts, value[last:]])


NUMBER_HINT = (
    "この台帳には個人番号を入れません。番号を消してから、もう一度入れてください"
    "（日付や時刻などの数字がたまたま個人番号の形に合うこともあります。そのときは区切りを変えてください）"
)


def refusal(text: str) -> str | None:
    """Why ``text`` cannot be kept (a control character or an individual number), or None."""
    bad = UNSAFE.search(text)
    if bad is not None:
        return f"制御文字 {describe_char(bad.group())} があります"
    if contains_my_number(text):
        return "個人番号（マイナンバー）とみられる12桁の番号があります（番号は表示しません）"
    return None


def checked(text: str, what: str) -> str:
    """``text`` unchanged, or an InputError naming ``what`` (never quoting the text).

    The one gate for every text a person gives: the service calls it for each argument it keeps,
    looks up or prints, so the CLI and the TUI are both covered.
    """
    why = refusal(text)
    if why is not None:
        hint = NUMBER_HINT if "個人番号" in why else "見えない文字（制御文字）を消してから、もう一度入れてください"
        raise InputError(f"{what}に{why}", hint)
    return text


def checked_path(path: Path, what: str = "ファイルの名前") -> Path:
    """An input file's path, which the change log keeps: no number, no control character in it."""
    text = str(path)
    why = refusal(text)
    if why is not None:
        shown = masked(re.sub(UNSAFE, "?", text), every_twelve=True)
        hint = NUMBER_HINT if "個人番号" in why else "ファイルの名前を変えてから、もう一度指定してください"
        raise InputError(f"{what}（{shown}）に{why}", hint)
    return path
