"""Fiscal years, Japanese eras (和暦), date parsing and working days.

Pure functions, no I/O. The fiscal year (年度) runs from April 1 to March 31 of the next
calendar year and is named by the year it starts in: FY2026 = 令和8年度 = 2026-04-01..2027-03-31.

Eras known here: 昭和 (from 1926-12-25), 平成 (from 1989-01-08), 令和 (from 2019-05-01).
Year 1 of an era is written 元 (令和元年) in output; ``1`` and ``元`` are both read.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from trainer.errors import DateParseError

# (name, initial, first day); newest first so the first match is the current era.
_ERAS: tuple[tuple[str, str, date], ...] = (
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
)
_ERA_BY_KEY = {key: era for era in _ERAS for key in (era[0], era[1])}

FY_MIN = 1989
FY_MAX = 2100

# Excel serials (1900 date system) read by parse_date: 20000 = 1954-10-03 .. 73415 = 2100-12-31.
# Narrower than Excel's 1..2958465 so that a stray number (a staff id, a count) is not read as
# a date; a real register never holds dates outside this window.
SERIAL_MIN = 20000
SERIAL_MAX = 73415

_DATE_HINT = (
    "使える書き方: 2026-07-01、2026/7/1、2026.7.1、20260701、2026年7月1日、"
    "令和8年7月1日、令和元年5月1日、R8.7.1、H31.4.30、Excelの日付シリアル値"
)
_FY_HINT = "使える書き方: 2026、2026年度、FY2026、令和8年度、令和8、R8、令和元年度、平成30年度"

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YMD = re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})")
_YMD_KANJI = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ERA_KANJI = re.compile(r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ERA_SHORT = re.compile(r"([RHS])\s*(元|\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\3\s*(\d{1,2})", re.I)
_FY_WESTERN = re.compile(r"(?:FY\s*)?(\d{4})\s*(?:年度)?", re.I)
_FY_ERA = re.compile(r"(令和|平成|昭和|[RHS])\s*(元|\d{1,2})\s*(?:年度)?", re.I)


def fiscal_year_of(d: date) -> int:
    """The fiscal year containing ``d``: 2026-03-31 -> 2025, 2026-04-01 -> 2026."""
    return d.year if d.month >= 4 else d.year - 1


def fy_start(fy: int) -> date:
    """First day of fiscal year ``fy`` (April 1 of ``fy``)."""
    return date(fy, 4, 1)


def fy_end(fy: int) -> date:
    """Last day of fiscal year ``fy`` (March 31 of ``fy + 1``)."""
    return date(fy + 1, 3, 31)


def era_year(d: date) -> tuple[str, int]:
    """The era and year of ``d``, e.g. ``("令和", 8)`` for 2026-07-01.

    Raises ValueError for dates before 昭和 (1926-12-25).
    """
    for name, _initial, start in _ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    raise ValueError(f"{d.isoformat()} は昭和より前の日付です")


def _year_text(n: int) -> str:
    return "元" if n == 1 else str(n)


def fy_label(fy: int) -> str:
    """The fiscal year in 和暦: ``"令和8年度"``; FY2018 -> ``"平成30年度"``.

    A fiscal year is named by the era of its April 1st, except FY2019: it began under 平成
    (2019-04-01) but is conventionally called 令和元年度, so every fiscal year from 2019 on is
    named in 令和.
    """
    if fy >= 2019:
        name, n = "令和", fy - 2018
    else:
        name, n = era_year(fy_start(fy))
    return f"{name}{_year_text(n)}年度"


def wareki(d: date) -> str:
    """``d`` in 和暦: ``"令和8年7月1日"``, ``"令和元年5月1日"``, ``"平成31年4月30日"``."""
    name, n = era_year(d)
    return f"{name}{_year_text(n)}年{d.month}月{d.day}日"


def wareki_short(d: date) -> str:
    """``d`` in short 和暦: ``"R8.7.1"``, ``"H31.4.30"`` (year 1 is written 1: ``"R1.5.1"``)."""
    name, n = era_year(d)
    return f"{_ERA_BY_KEY[name][1]}{n}.{d.month}.{d.day}"


def iso(d: date) -> str:
    """``d`` as ISO 8601: ``"2026-07-01"``."""
    return d.isoformat()


def _from_excel_serial(serial: int) -> date:
    """Excel 1900-system serial to date: 1 = 1900-01-01, 61 = 1900-03-01, 45839 = 2025-07-01.

    Excel counts a fictitious 1900-02-29 as serial 60 (a Lotus 1-2-3 leap-year bug), so serials
    from 61 on are one day ahead of a plain count from 1899-12-31. Serial 60 is rejected.
    """
    if serial == 60:
        raise ValueError("Excelのシリアル値60は存在しない1900年2月29日です")
    if not 1 <= serial <= 2958465:
        raise ValueError(f"Excelのシリアル値の範囲外です: {serial}")
    base = date(1899, 12, 31) if serial < 60 else date(1899, 12, 30)
    return base + timedelta(days=serial)


def _make_date(raw: object, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as e:
        raise DateParseError(f"存在しない日付です: 「{raw}」", _DATE_HINT) from e


def _era_date(raw: object, era_key: str, year_text: str, month: str, day: str) -> date:
    name, _initial, start = _ERA_BY_KEY[era_key.upper() if len(era_key) == 1 else era_key]
    n = 1 if year_text == "元" else int(year_text)
    if n < 1:
        raise DateParseError(f"{name}0年はありません: 「{raw}」", _DATE_HINT)
    d = _make_date(raw, start.year + n - 1, int(month), int(day))
    end = _era_end(name)
    if name == _AFTER_KAIGEN and end is not None and d > end:
        return d  # 平成31年5月1日, 平成32年3月31日: offices kept the old era; the same day in 令和
    if d < start or (end is not None and d > end):
        span = f"{start.isoformat()}〜" + (end.isoformat() if end else "")
        raise DateParseError(f"{name}の期間外の日付です: 「{raw}」（{name}は{span}）", _DATE_HINT)
    return d


# After the 改元 of 2019-05-01 offices kept writing 平成 (平成31年5月1日, 平成32年3月31日, 平成32年度);
# official guidance treats such dates as valid: they name the same day in 令和.
_AFTER_KAIGEN = "平成"


def era_note(value: object, d: date) -> str | None:
    """A note when ``value`` wrote ``d`` in an era that had already ended (平成 after the 改元)."""
    text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""
    if not text or d < _ERAS[0][2] or not re.match(r"(平成|H)", text, re.I):
        return None
    return f"「{value}」を {wareki(d)} として読みました（改元後の平成の日付）"


def fy_era_note(value: object, fy: int) -> str | None:
    """A note when ``value`` named fiscal year ``fy`` in 平成 after the 改元 (平成32年度)."""
    text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""
    if not text or fy <= 2019 or not re.match(r"(平成|H)", text, re.I):
        return None
    return f"「{value}」を {fy_label(fy)} として読みました（改元後の平成の年度）"


def _era_end(name: str) -> date | None:
    """Last day of era ``name``, or None for the current era."""
    names = [era[0] for era in _ERAS]
    i = names.index(name)
    return None if i == 0 else _ERAS[i - 1][2] - timedelta(days=1)


def _serial_date(raw: object, serial: float) -> date:
    if math.isnan(serial) or not SERIAL_MIN <= serial < SERIAL_MAX + 1:
        raise DateParseError(
            f"日付として読めません（Excelのシリアル値なら{SERIAL_MIN}〜{SERIAL_MAX}）: 「{raw}」",
            _DATE_HINT,
        )
    return _from_excel_serial(math.floor(serial))


def parse_date(value: str | int | float | date | datetime) -> date:
    """Read a date from any form a register, a spreadsheet or a person uses.

    Accepted: ``date``/``datetime`` objects (a datetime loses its time); Excel serial numbers
    (1900 date system) as int, float or numeric text, only within SERIAL_MIN..SERIAL_MAX
    (1954-10-03..2100-12-31), a fractional part (time of day) is dropped; and text such as
    ``2026-07-01``, ``2026/7/1``, ``2026.7.1``, ``20260701``, ``2026年7月1日``,
    ``令和8年7月1日``, ``令和元年5月1日``, ``R8.7.1``, ``r8/7/1``, ``R08.07.01``, ``H31.4.30``,
    ``S64.1.7``. Text is NFKC-normalised first, so full-width digits, slashes and spaces work.
    An 8-digit number is always yyyymmdd, never a serial.

    Raises DateParseError (message quotes the input) for empty text, impossible dates
    (2026-02-30), era years outside their era (昭和65年, 令和0年) and anything else. 平成 dates
    after the 改元 (平成31年5月1日, 平成32年3月31日) are read as the same day in 令和 (see
    :func:`era_note` for the warning to show).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise DateParseError(f"日付として読めません: 「{value}」", _DATE_HINT)
    if isinstance(value, int | float):
        return _serial_date(value, float(value))
    if not isinstance(value, str):
        raise DateParseError(f"日付として読めません: 「{value!r}」", _DATE_HINT)

    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise DateParseError("日付が空です", _DATE_HINT)
    if re.fullmatch(r"\d{8}", text):
        return _make_date(value, int(text[:4]), int(text[4:6]), int(text[6:]))
    if _NUMBER.fullmatch(text):
        return _serial_date(value, float(text))
    if m := _YMD.fullmatch(text):
        return _make_date(value, int(m[1]), int(m[3]), int(m[4]))
    if m := _YMD_KANJI.fullmatch(text):
        return _make_date(value, int(m[1]), int(m[2]), int(m[3]))
    if m := _ERA_KANJI.fullmatch(text):
        return _era_date(value, m[1], m[2], m[3], m[4])
    if m := _ERA_SHORT.fullmatch(text):
        return _era_date(value, m[1], m[2], m[4], m[5])
    raise DateParseError(f"日付として読めません: 「{value}」", _DATE_HINT)


def parse_fiscal_year(value: str | int) -> int:
    """Read a fiscal year: ``2026``, ``"２０２６"``, ``"2026年度"``, ``"FY2026"``,
    ``"令和8年度"``, ``"令和8"``, ``"R8"``, ``"令和元年度"``, ``"平成30年度"``.

    An era year names the fiscal year starting in that era year (令和8年度 = FY2026). It must
    overlap its era, except 平成 after the 改元: 平成32年度 is FY2020 (see :func:`fy_era_note`).
    Raises DateParseError for garbage and years outside FY_MIN..FY_MAX (1989..2100).
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DateParseError(f"年度として読めません: 「{value}」", _FY_HINT)
    if isinstance(value, int):
        fy = value
    else:
        text = unicodedata.normalize("NFKC", value).strip()
        if m := _FY_WESTERN.fullmatch(text):
            fy = int(m[1])
        elif m := _FY_ERA.fullmatch(text):
            key = m[1].upper() if len(m[1]) == 1 else m[1]
            name, _initial, start = _ERA_BY_KEY[key]
            n = 1 if m[2] == "元" else int(m[2])
            fy = start.year + n - 1
            end = _era_end(name)
            if n < 1 or (end is not None and fy_start(fy) > end and name != _AFTER_KAIGEN):
                raise DateParseError(f"{name}にない年度です: 「{value}」", _FY_HINT)
        else:
            raise DateParseError(f"年度として読めません: 「{value}」", _FY_HINT)
    if not FY_MIN <= fy <= FY_MAX:
        raise DateParseError(f"年度は{FY_MIN}〜{FY_MAX}の範囲で指定してください: 「{value}」", _FY_HINT)
    return fy


def _is_holiday(d: date) -> bool:
    """A national holiday (imported when first asked: most commands never compute a deadline)."""
    import jpholiday

    return bool(jpholiday.is_holiday(d))


def is_working_day(d: date) -> bool:
    """True unless ``d`` is a 閉庁日 of a municipality.

    Closed: Saturdays, Sundays, national holidays (国民の祝日・振替休日・国民の休日, via
    jpholiday) and the year-end closure 12月29日〜1月3日 (年末年始), which 地方自治法 第4条の2
    lets municipalities fix as 地方公共団体の休日 by ordinance; every municipality does so.
    """
    if d.weekday() >= 5 or _is_holiday(d):
        return False
    return not ((d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3))


def next_working_day(d: date) -> date:
    """``d`` if it is a working day, else the next working day (a deadline on a 閉庁日 moves)."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def add_months(d: date, months: int) -> date:
    """``d`` moved by ``months`` (may be negative), the day clamped to the month's end:
    2026-01-31 + 1 -> 2026-02-28.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    first_of_next = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (first_of_next - timedelta(days=1)).day
    return date(year, month, min(d.day, last_day))


def days_between(a: date, b: date) -> int:
    """Days from ``a`` to ``b`` (``b - a``); negative if ``b`` is earlier."""
    return (b - a).days
