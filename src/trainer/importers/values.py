"""Cell values as HR systems and Excel write them, read into what the register keeps."""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import date
from typing import Any

from trainer.calendar import parse_date
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
    """A cell that cannot be read; the message says what was expected."""

    def __init__(self, message: str, expected: str = "") -> None:
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


def registered_id(sid: str, from_number: bool, known: Container[str], widths: set[int]) -> str:
    """``sid`` as registered: a number Excel stored without its leading zeros gets them back,
    when every registered id has the same width and the padded id is one of them."""
    if from_number and sid not in known and len(widths) == 1:
        padded = sid.zfill(next(iter(widths)))
        if padded in known:
            return padded
    return sid


def day(value: Any) -> date:
    """A date cell: an Excel date, an Excel serial, or any form calendar.parse_date reads."""
    if isinstance(value, date):
        return value
    try:
        return parse_date(value if isinstance(value, (int, float)) else text(value))
    except TrainerError as e:
        raise BadValue(e.message, "2026-07-01、2026/7/1、令和8年7月1日、R8.7.1 など") from e


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
