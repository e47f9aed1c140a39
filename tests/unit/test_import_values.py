"""Cell values as HR systems and Excel write them, read one by one (importers/values.py)."""

from __future__ import annotations

from datetime import date

import pytest

from trainer.importers.values import BadValue, Codes, day, duty, percent, staff_id, text
from trainer.model import Duty

DATE_FORMS = "2026-07-01、2026/7/1、令和8年7月1日、R8.7.1 など"


def test_text_is_standard_and_whole_numbers_lose_their_point() -> None:
    assert text(None) == ""
    assert text(3.0) == "3"
    assert text(2.5) == "2.5"
    assert text(12) == "12"
    assert text(" ｼｮｸｲﾝ　１２ ") == "ショクイン 12"


def test_staff_ids_as_text_and_as_excel_numbers() -> None:
    assert staff_id(123) == ("123", True)
    assert staff_id(123.0) == ("123", True)
    assert staff_id("０００１２３") == ("000123", False)
    assert staff_id("A-01_2 3") == ("A-01_23", False)
    assert staff_id(True) == ("True", False)  # not a number Excel wrote
    assert staff_id(None) == ("", False)
    with pytest.raises(BadValue) as refused:
        staff_id("12あ")
    assert (refused.value.message, refused.value.expected) == (
        "「12あ」は職員番号として使えない文字を含みます",
        "英数字・-・_ で書かれた番号",
    )


def test_a_code_that_lost_its_leading_zeros_is_matched_only_when_one_registered_code_is_that_number() -> None:
    codes = Codes({"000123", "000124", "0110", "110A"})
    assert codes.match("123") == ("000123", "「123」を登録済みの 000123 と照合しました（先頭の 0 が落ちた番号）")
    assert codes.match("000123") == ("000123", None)  # as registered
    assert codes.match("125") == ("125", None)  # no registered code is that number: a new one
    assert codes.match("110A") == ("110A", None)  # not a number: as written
    assert codes.match("110") == ("0110", "「110」を登録済みの 0110 と照合しました（先頭の 0 が落ちた番号）")
    assert codes.match("0000123") == (
        "000123",
        "「0000123」を登録済みの 000123 と照合しました（先頭の 0 が落ちた番号）",
    )
    both = Codes({"160", "0160"})  # each written as registered is itself, never the other
    assert (both.match("160"), both.match("0160")) == (("160", None), ("0160", None))
    assert Codes({"00"}).match("0")[0] == "00"  # all zeros is the number 0
    with pytest.raises(BadValue) as refused:
        Codes({"0110", "00110"}).match("110")
    assert (refused.value.message, refused.value.expected) == (
        "「110」は登録済みの 00110、0110 のどれのことか分かりません（先頭の 0 が落ちた番号）",
        "先頭の 0 を含めて書いてください（Excel ではセルを文字列にしてください）",
    )


def test_dates_from_cells() -> None:
    assert day(date(2026, 7, 1)) == date(2026, 7, 1)
    assert day("R8.7.1") == date(2026, 7, 1)
    assert day(46204) == date(2026, 7, 1)  # an Excel serial
    assert day(" ２０２６／７／１ ") == date(2026, 7, 1)
    with pytest.raises(BadValue) as refused:
        day("来月")
    assert (refused.value.message, refused.value.expected) == ("日付として読めません: 「来月」", DATE_FORMS)
    assert isinstance(refused.value.__cause__, Exception)
    assert str(refused.value) == "日付として読めません: 「来月」"
    with pytest.raises(BadValue) as refused:
        day(None)  # an empty cell
    assert (refused.value.message, refused.value.expected) == ("日付が空です", DATE_FORMS)


def test_a_date_written_in_heisei_after_the_kaigen_is_read_with_a_note_when_notes_are_kept() -> None:
    notes: list[str] = []
    assert day("平成32年3月31日", notes) == date(2020, 3, 31)
    assert day("令和2年3月31日", notes) == date(2020, 3, 31)  # no note: written in its own era
    assert day(date(2020, 3, 31), notes) == date(2020, 3, 31)
    assert notes == ["「平成32年3月31日」を 令和2年3月31日 として読みました（改元後の平成の日付）"]
    assert day("平成32年3月31日") == date(2020, 3, 31)  # no notes kept: read all the same


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("利用事務", Duty.RIYO),
        ("個人番号利用事務", Duty.RIYO),
        ("関 係", Duty.KANKEI),
        ("-", Duty.NONE),
        ("対象外", Duty.NONE),
    ],
)
def test_duty_words(word: str, expected: Duty) -> None:
    assert duty(word) == expected


def test_an_unknown_duty_is_named() -> None:
    with pytest.raises(BadValue) as refused:
        duty("窓 口")
    assert (refused.value.message, refused.value.expected) == (
        "事務区分「窓口」は分かりません",
        "利用事務 / 関係事務 / なし",
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("80%", 80), ("80 %", 80), (" 100 ", 100), ("0", 0), (0.8, 80), (0.005, 0), (1.0, 1), (79.6, 80), ("40.4", 40)],
)
def test_percentages_as_typed_and_as_excel_stores_them(cell: object, expected: int) -> None:
    assert percent(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message", "expected"),
    [
        ("abc", "進捗率「abc」は数値ではありません", "0〜100 の数（% は付けても可）"),
        ("80X", "進捗率「80X」は数値ではありません", "0〜100 の数（% は付けても可）"),
        ("", "進捗率「」は数値ではありません", "0〜100 の数（% は付けても可）"),
        ("101", "進捗率 101 が 0〜100 の範囲外です", "0〜100"),
        ("-1", "進捗率 -1 が 0〜100 の範囲外です", "0〜100"),
        ("100.5%", "進捗率 100.5 が 0〜100 の範囲外です", "0〜100"),
    ],
)
def test_a_percentage_out_of_range_or_not_a_number_is_named(cell: object, message: str, expected: str) -> None:
    with pytest.raises(BadValue) as refused:
        percent(cell)
    assert (refused.value.message, refused.value.expected) == (message, expected)
