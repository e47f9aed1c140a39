"""Cell values as HR systems and Excel write them, read into what the register keeps."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from trainer.calendar import era_note, parse_date
from trainer.errors import TrainerError
from trainer.model import Duty
from trainer.text import standard

DUTY_WORDS = {
    "利用事務": Duty.RIYO,
    "利用": Duty.RIYO,
    "個人番号利用事務": Duty.RIYO,
    "関係事務": Duty.KANKEI,
    "関係": Duty.KANKEI,
    "個人番号関係事務": Duty.KANKEI,
    "なし": Duty.NONE,
    "無": Duty.NONE,
    "対象外": Duty.NONE,
    "-": Duty.NONE,
}


class BadValue(ValueError):
    """A cell that cannot be read; ``expected`` says what was expected (every refusal says it)."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return standard(str(value))


def staff_id(value: Any) -> tuple[str, bool]:
    """(the id as text, True when Excel stored it as a number and may have dropped leading zeros)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return text(value), True
    sid = text(value).replace(" ", "")
    if sid and not re.fullmatch(r"[0-9A-Za-z\-_]+", sid):
        raise BadValue(f"「{sid}」は職員番号として使えない文字を含みます", "英数字・-・_ で書かれた番号")
    return sid, False


class Codes:
    """Codes as registered (職員番号, 所属コード), to match one written without its leading zeros
    (a number cell, a CSV opened and saved in Excel): it is matched when exactly one registered
    code is the same number, and refused, naming them, when several are."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = set(known)
        self.by_number: dict[str, list[str]] = {}
        for code in self.known:
            if code.isdigit():
                self.by_number.setdefault(code.lstrip("0") or "0", []).append(code)

    def match(self, code: str) -> tuple[str, str | None]:
        """(the code as registered, a note when it was matched by its number)."""
        if code in self.known or not code.isdigit():
            return code, None
        found = sorted(c for c in self.by_number.get(code.lstrip("0") or "0", ()) if c != code)
        if len(found) == 1:
            return found[0], f"「{code}」を登録済みの {found[0]} と照合しました（先頭の 0 が落ちた番号）"
        if found:
            raise BadValue(
                f"「{code}」は登録済みの {'、'.join(found)} のどれのことか分かりません（先頭の 0 が落ちた番号）",
                "先頭の 0 を含めて書いてください（Excel ではセルを文字列にしてください）",
            )
        return code, None


def day(value: Any, notes: list[str] | None = None) -> date:
    """A date cell: an Excel date, an Excel serial, or any form calendar.parse_date reads.

    ``notes`` gets a note when the cell wrote a 令和 day in 平成 (平成32年3月31日)."""
    if isinstance(value, date):
        return value
    written = value if isinstance(value, (int, float)) else text(value)
    try:
        found = parse_date(written)
    except TrainerError as e:
        raise BadValue(e.message, "2026-07-01、2026/7/1、令和8年7月1日、R8.7.1 など") from e
    note = era_note(written, found) if notes is not None else None
    if note and notes is not None:
        notes.append(note)
    return found


def duty(value: Any) -> Duty:
    word = text(value).replace(" ", "")
    found = DUTY_WORDS.get(word)
    if found is None:
        raise BadValue(f"事務区分「{word}」は分かりません", "利用事務 / 関係事務 / なし")
    return found


def percent(value: Any) -> int:
    raw = text(value).rstrip("%").strip()
    try:
        number = float(raw)
    except ValueError as e:
        raise BadValue(f"進捗率「{text(value)}」は数値ではありません", "0〜100 の数（% は付けても可）") from e
    if isinstance(value, float) and 0 < value < 1:
        number = value * 100  # an Excel cell formatted as 80% holds 0.8
    if not 0 <= number <= 100:
        raise BadValue(f"進捗率 {raw} が 0〜100 の範囲外です", "0〜100")
    return round(number)
