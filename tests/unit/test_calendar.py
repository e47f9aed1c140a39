"""年度・和暦・日付の読み取り・開庁日 (trainer.calendar)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer.calendar import (
    _from_excel_serial,
    add_months,
    days_between,
    era_note,
    era_year,
    fiscal_year_of,
    fy_end,
    fy_era_note,
    fy_label,
    fy_start,
    is_working_day,
    iso,
    next_working_day,
    parse_date,
    parse_fiscal_year,
    wareki,
    wareki_short,
)
from trainer.errors import DateParseError, TrainerError

# --- 年度 -------------------------------------------------------------------------------------


def test_march_31_belongs_to_the_previous_fiscal_year() -> None:
    assert fiscal_year_of(date(2026, 3, 31)) == 2025


def test_april_1_starts_a_new_fiscal_year() -> None:
    assert fiscal_year_of(date(2026, 4, 1)) == 2026


def test_fy2026_runs_from_april_2026_to_march_2027() -> None:
    assert fy_start(2026) == date(2026, 4, 1)
    assert fy_end(2026) == date(2027, 3, 31)


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2026, "令和8年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),  # began under 平成 on 2019-04-01, conventionally 令和元年度
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
    ],
)
def test_fiscal_year_label(fy: int, label: str) -> None:
    assert fy_label(fy) == label


# --- 和暦 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "era"),
    [
        (date(2026, 7, 1), ("令和", 8)),
        (date(2019, 5, 1), ("令和", 1)),
        (date(2019, 4, 30), ("平成", 31)),
        (date(1989, 1, 8), ("平成", 1)),
        (date(1989, 1, 7), ("昭和", 64)),
    ],
)
def test_era_year(d: date, era: tuple[str, int]) -> None:
    assert era_year(d) == era


def test_era_year_before_showa_is_an_error() -> None:
    with pytest.raises(ValueError):
        era_year(date(1926, 12, 24))


@pytest.mark.parametrize(
    ("d", "long", "short"),
    [
        (date(2026, 7, 1), "令和8年7月1日", "R8.7.1"),
        (date(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
        (date(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
    ],
)
def test_wareki(d: date, long: str, short: str) -> None:
    assert wareki(d) == long
    assert wareki_short(d) == short


def test_heisei_31_april_30_round_trips() -> None:
    d = date(2019, 4, 30)
    assert wareki(d) == "平成31年4月30日"
    assert parse_date("平成31年4月30日") == d
    assert parse_date(wareki_short(d)) == d


def test_iso() -> None:
    assert iso(date(2026, 7, 1)) == "2026-07-01"


# --- 日付の読み取り ---------------------------------------------------------------------------

JULY_1 = date(2026, 7, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-07-01",
        "2026/7/1",
        "2026.7.1",
        "20260701",
        "2026年7月1日",
        "令和8年7月1日",
        "R8.7.1",
        "r8/7/1",
        "R08.07.01",
        "  2026/7/1\n",
        "２０２６／７／１",  # full-width digits and slash
        "令和８年７月１日",
        "Ｒ８．７．１",
        "\u30002026-07-01\u3000",  # full-width spaces around
        "46204",  # Excel serial as text
    ],
)
def test_parse_date_reads_every_form_of_july_1(text: str) -> None:
    assert parse_date(text) == JULY_1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("S64.1.7", date(1989, 1, 7)),
        ("昭和40年3月3日", date(1965, 3, 3)),
        ("2024-02-29", date(2024, 2, 29)),
    ],
)
def test_parse_date_other_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_parse_date_passes_dates_through_and_drops_time() -> None:
    assert parse_date(JULY_1) == JULY_1
    assert parse_date(datetime(2026, 7, 1, 15, 30)) == JULY_1


def test_excel_serial_numbers() -> None:
    assert parse_date(45839) == date(2025, 7, 1)
    assert parse_date(45839.75) == date(2025, 7, 1)  # time of day dropped
    assert parse_date("45839") == date(2025, 7, 1)
    assert parse_date(20000) == date(1954, 10, 3)


def test_excel_serial_skips_the_fictitious_1900_02_29() -> None:
    assert _from_excel_serial(1) == date(1900, 1, 1)
    assert _from_excel_serial(59) == date(1900, 2, 28)
    assert _from_excel_serial(61) == date(1900, 3, 1)
    with pytest.raises(ValueError):
        _from_excel_serial(60)


@pytest.mark.parametrize("serial", [0, 1, 61, 19999, 73416, 2958465, "123", float("nan")])
def test_implausible_serials_are_rejected(serial: int | float | str) -> None:
    with pytest.raises(DateParseError):
        parse_date(serial)


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2025-02-29",
        "令和8年13月1日",
        "20261301",
        "R8.2.30",
    ],
)
def test_impossible_dates_are_rejected_quoting_the_input(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date(text)
    assert text in caught.value.message
    assert "存在しない日付" in caught.value.message
    assert caught.value.hint  # says which forms are accepted


@pytest.mark.parametrize(
    "text",
    [
        "令和0年5月1日",
        "令和元年4月30日",  # still 平成
        "S64.1.8",  # 平成 had begun
    ],
)
def test_era_years_outside_the_era_are_rejected(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date(text)
    assert text in caught.value.message


@pytest.mark.parametrize(
    ("text", "day", "in_reiwa"),
    [
        ("平成31年5月1日", date(2019, 5, 1), "令和元年5月1日"),  # 令和 had begun: offices kept 平成
        ("H31.5.1", date(2019, 5, 1), "令和元年5月1日"),
        ("平成32年3月31日", date(2020, 3, 31), "令和2年3月31日"),
        ("Ｈ３２．１．１", date(2020, 1, 1), "令和2年1月1日"),
    ],
)
def test_heisei_dates_after_the_kaigen_are_read_as_reiwa_with_a_note(text: str, day: date, in_reiwa: str) -> None:
    assert parse_date(text) == day
    note = era_note(text, day)
    assert note is not None and text in note and in_reiwa in note
    assert era_note("平成31年4月30日", date(2019, 4, 30)) is None and era_note("R2.3.31", date(2020, 3, 31)) is None


def test_heisei_fiscal_years_after_the_kaigen_are_read_as_reiwa_with_a_note() -> None:
    assert parse_fiscal_year("平成32年度") == 2020
    assert fy_era_note("平成32年度", 2020) == "「平成32年度」を 令和2年度 として読みました（改元後の平成の年度）"
    assert fy_era_note("平成31年度", 2019) is None  # begun under 平成


@pytest.mark.parametrize("text", ["", "   ", "　", "明日", "2026-7", "2026/7-1", "X8.7.1", "R8.7.1.1", "abc"])
def test_garbage_is_rejected(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date(text)
    assert isinstance(caught.value, TrainerError)
    assert caught.value.hint


def test_bool_is_not_a_serial() -> None:
    with pytest.raises(DateParseError):
        parse_date(True)


# --- 年度の読み取り ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fy"),
    [
        (2026, 2026),
        ("2026", 2026),
        ("２０２６", 2026),
        ("2026年度", 2026),
        ("FY2026", 2026),
        ("fy2026", 2026),
        ("令和8年度", 2026),
        ("令和８年度", 2026),
        ("令和8", 2026),
        ("R8", 2026),
        ("令和元年度", 2019),
        ("平成31年度", 2019),  # budget documents drawn up before the era change
        ("平成30年度", 2018),
        ("H30", 2018),
        ("平成元年度", 1989),
    ],
)
def test_parse_fiscal_year(value: str | int, fy: int) -> None:
    assert parse_fiscal_year(value) == fy


@pytest.mark.parametrize(
    "value",
    [1988, 2101, "1988", "2101年度", "昭和65年度", "令和0年度", "来年度", "", "R"],
)
def test_parse_fiscal_year_rejects(value: str | int) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_fiscal_year(value)
    assert str(value) in caught.value.message


# --- 開庁日と期限 -----------------------------------------------------------------------------


def test_weekday_is_a_working_day() -> None:
    assert is_working_day(date(2026, 7, 1))  # Wednesday


def test_deadline_on_culture_day_moves_to_the_next_day() -> None:
    assert not is_working_day(date(2026, 11, 3))  # 文化の日
    assert next_working_day(date(2026, 11, 3)) == date(2026, 11, 4)


def test_saturday_deadline_moves_to_monday() -> None:
    assert next_working_day(date(2026, 7, 4)) == date(2026, 7, 6)


def test_deadline_in_the_year_end_closure_moves_past_new_year() -> None:
    assert not is_working_day(date(2026, 12, 29))  # Tuesday, 年末年始
    assert is_working_day(date(2026, 12, 28))
    assert next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)


def test_golden_week_substitute_holiday() -> None:
    assert not is_working_day(date(2026, 5, 6))  # 振替休日 for 5/3 (Sunday)
    assert next_working_day(date(2026, 5, 2)) == date(2026, 5, 7)


def test_ten_day_golden_week_of_the_2019_enthronement() -> None:
    # 4/30 and 5/2 were 国民の休日 around 5/1 即位の日
    assert next_working_day(date(2019, 4, 27)) == date(2019, 5, 7)


def test_working_day_is_its_own_next_working_day() -> None:
    assert next_working_day(date(2026, 7, 1)) == date(2026, 7, 1)


# --- 月の加算と日数 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 4, 1), 12, date(2027, 4, 1)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 7, 1), 0, date(2026, 7, 1)),
    ],
)
def test_add_months(d: date, months: int, expected: date) -> None:
    assert add_months(d, months) == expected


def test_days_between() -> None:
    assert days_between(date(2026, 4, 1), date(2027, 3, 31)) == 364
    assert days_between(date(2026, 7, 2), date(2026, 7, 1)) == -1


# --- 性質 -------------------------------------------------------------------------------------

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@given(dates)
def test_wareki_round_trips(d: date) -> None:
    assert parse_date(wareki(d)) == d
    assert parse_date(wareki_short(d)) == d
    assert parse_date(iso(d)) == d


@given(dates)
def test_every_date_lies_in_its_fiscal_year(d: date) -> None:
    fy = fiscal_year_of(d)
    assert fy in {d.year, d.year - 1}
    assert fy_start(fy) <= d <= fy_end(fy)
    assert parse_fiscal_year(fy_label(fy)) == fy


@given(dates)
def test_next_working_day_is_the_first_working_day_on_or_after(d: date) -> None:
    nxt = next_working_day(d)
    assert is_working_day(nxt)
    # the longest closure is the ten-day Golden Week of 2019 (see the test above)
    assert 0 <= days_between(d, nxt) <= 10
    assert not any(is_working_day(d + timedelta(days=i)) for i in range(days_between(d, nxt)))
