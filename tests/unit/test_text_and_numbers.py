"""Normalising what HR systems write, and spotting individual numbers (マイナンバー)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer.importers.mynumber import check_digit, contains_my_number, is_my_number
from trainer.text import free_text, standard


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ﾖｼﾀﾞ ﾊﾅｺ", "ヨシダ ハナコ"),  # half-width カナ
        ("０００１２３", "000123"),  # 全角 digits, leading zeros kept
        ("  𠮷田　花子 ", "𠮷田 花子"),  # 全角 space, trailing spaces
        ("髙橋\t一郎", "髙橋 一郎"),
        ("\ufa19\u7950", "\ufa19\u7950"),  # a compatibility ideograph in a name stays itself
        ("ＡＢＣ\ufa11１", "ABC\ufa11" + "1"),
    ],
)
def test_standard(raw: str, expected: str) -> None:
    assert standard(raw) == expected


def test_free_text_keeps_full_width_punctuation() -> None:
    assert free_text("  他団体で受講済み（修了証あり）  ") == "他団体で受講済み（修了証あり）"


def test_the_published_sample_number_is_valid() -> None:
    assert is_my_number("123456789018") and is_my_number("1234 5678 9018") and is_my_number("1234-5678-9018")
    assert not is_my_number("123456789012")  # wrong check digit
    assert not is_my_number("12345678901")  # 11 digits
    assert contains_my_number("番号：１２３４－５６７８－９０１８ です")
    assert not contains_my_number("電話 0225-95-1111、職員番号 000123")


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_every_eleven_digits_have_exactly_one_valid_check_digit(first: str) -> None:
    valid = [d for d in range(10) if is_my_number(first + str(d))]
    assert valid == [check_digit(first)]


@pytest.mark.parametrize("query", ["ﾔﾏﾀﾞ", "やまだ", "ヤマダ", "ヤマ ダ"])
def test_search_key_finds_katakana_from_half_width_and_hiragana(query: str) -> None:
    from trainer.text import search_key

    assert search_key(query) in search_key("ヤマダ タロウ")
