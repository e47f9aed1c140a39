"""The calendar's edges and its messages word for word: a refused date names what was typed and
shows the forms that work (the mutation runs found messages no test read)."""

from __future__ import annotations

from datetime import date

import pytest

from trainer.calendar import (
    _DATE_HINT,
    _FY_HINT,
    _from_excel_serial,
    era_note,
    era_year,
    fy_era_note,
    is_working_day,
    parse_date,
    parse_fiscal_year,
)
from trainer.errors import DateParseError

SERIAL_MESSAGE = "日付として読めません（Excelのシリアル値なら20000〜73415）: 「{}」"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "日付が空です"),
        ("  ", "日付が空です"),
        ("七月一日", "日付として読めません: 「七月一日」"),
        (True, "日付として読めません: 「True」"),
        ([2026, 7, 1], "日付として読めません: 「[2026, 7, 1]」"),
        (5, SERIAL_MESSAGE.format(5)),
        ("5", SERIAL_MESSAGE.format(5)),
        (73416, SERIAL_MESSAGE.format(73416)),
        (float("nan"), SERIAL_MESSAGE.format("nan")),
        ("2026年2月30日", "存在しない日付です: 「2026年2月30日」"),
        ("2026-02-30", "存在しない日付です: 「2026-02-30」"),
        ("20260230", "存在しない日付です: 「20260230」"),
        ("令和0年5月1日", "令和0年はありません: 「令和0年5月1日」"),
        ("平成1年1月7日", "平成の期間外の日付です: 「平成1年1月7日」（平成は1989-01-08〜2019-04-30）"),
        ("令和元年4月30日", "令和の期間外の日付です: 「令和元年4月30日」（令和は2019-05-01〜）"),
    ],
)
def test_a_date_that_cannot_be_read_says_what_was_typed_and_how_to_write_one(value: object, message: str) -> None:
    with pytest.raises(DateParseError) as refused:
        parse_date(value)  # type: ignore[arg-type]
    assert (refused.value.message, refused.value.hint) == (message, _DATE_HINT)


def test_the_edges_of_the_forms_that_are_read() -> None:
    assert parse_date("20260715") == date(2026, 7, 15)  # yyyymmdd, the day from both its digits
    assert parse_date(73415) == date(2100, 12, 31) and parse_date(73415.9) == date(2100, 12, 31)
    assert parse_date(20000) == date(1954, 10, 3)
    assert parse_date("r8.7.1") == date(2026, 7, 1)


def test_excel_serials_around_the_missing_1900_02_29() -> None:
    assert _from_excel_serial(59) == date(1900, 2, 28)
    assert _from_excel_serial(61) == date(1900, 3, 1)
    assert _from_excel_serial(2958465) == date(9999, 12, 31)
    with pytest.raises(ValueError) as refused:
        _from_excel_serial(60)
    assert str(refused.value) == "Excelのシリアル値60は存在しない1900年2月29日です"
    for outside in (0, 2958466):
        with pytest.raises(ValueError) as refused:
            _from_excel_serial(outside)
        assert str(refused.value) == f"Excelのシリアル値の範囲外です: {outside}"


def test_before_showa_there_is_no_era_to_name() -> None:
    assert era_year(date(1926, 12, 25)) == ("昭和", 1)
    with pytest.raises(ValueError) as refused:
        era_year(date(1926, 12, 24))
    assert str(refused.value) == "1926-12-24 は昭和より前の日付です"


@pytest.mark.parametrize(("text", "fy"), [("r8", 2026), ("h30", 2018), ("h1", 1989), ("R8年度", 2026)])
def test_a_fiscal_year_in_one_lower_case_letter_of_its_era(text: str, fy: int) -> None:
    assert parse_fiscal_year(text) == fy


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "年度として読めません: 「True」"),
        (2026.0, "年度として読めません: 「2026.0」"),
        ("来年度", "年度として読めません: 「来年度」"),
        ("昭和65年度", "昭和にない年度です: 「昭和65年度」"),
        ("令和0年度", "令和にない年度です: 「令和0年度」"),
        (1988, "年度は1989〜2100の範囲で指定してください: 「1988」"),
        ("2101年度", "年度は1989〜2100の範囲で指定してください: 「2101年度」"),
    ],
)
def test_a_fiscal_year_that_cannot_be_read_says_so_and_how_to_write_one(value: object, message: str) -> None:
    with pytest.raises(DateParseError) as refused:
        parse_fiscal_year(value)  # type: ignore[arg-type]
    assert (refused.value.message, refused.value.hint) == (message, _FY_HINT)


def test_the_year_end_closure_is_29_december_to_3_january_and_no_more() -> None:
    assert not is_working_day(date(2028, 1, 3))  # a Monday, still closed
    assert is_working_day(date(2028, 1, 4))
    assert is_working_day(date(2026, 2, 3))  # a Tuesday in February: open
    assert is_working_day(date(2026, 12, 28)) and not is_working_day(date(2026, 12, 29))


def test_the_kaigen_notes_read_a_lower_case_h_and_say_nothing_of_a_value_that_is_not_text() -> None:
    assert (
        era_note("h31.5.1", date(2019, 5, 1)) == "「h31.5.1」を 令和元年5月1日 として読みました（改元後の平成の日付）"
    )
    assert fy_era_note("h32年度", 2020) == "「h32年度」を 令和2年度 として読みました（改元後の平成の年度）"
    assert era_note(date(2020, 3, 31), date(2020, 3, 31)) is None  # a date cell from a workbook
    assert fy_era_note(2020, 2020) is None
