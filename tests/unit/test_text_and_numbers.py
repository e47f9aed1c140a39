"""Normalising what HR systems write (individual numbers: test_my_number.py)."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize("query", ["ﾔﾏﾀﾞ", "やまだ", "ヤマダ", "ヤマ ダ"])
def test_search_key_finds_katakana_from_half_width_and_hiragana(query: str) -> None:
    from trainer.text import search_key

    assert search_key(query) in search_key("ヤマダ タロウ")
