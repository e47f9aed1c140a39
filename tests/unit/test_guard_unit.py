"""The guard's gates, word for word: what a refused text or file name says, and what it never shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.errors import InputError
from trainer.guard import MASK, NUMBER_HINT, checked, checked_path, find_my_numbers, is_my_number, masked, refusal

NUMBER = "123456789018"
FOUND = "個人番号（マイナンバー）とみられる12桁の番号があります（番号は表示しません）"
CONTROL_HINT = "見えない文字（制御文字）を消してから、もう一度入れてください"


def test_a_text_that_may_be_kept_comes_back_unchanged() -> None:
    for text in ("", "主事", "電話 0225-95-1111", "1234-5678-9012", "a\tb"):
        assert checked(text, "職名") == text
        assert refusal(text) is None
    assert checked_path(Path("/tmp/名簿_2026-04-01.csv")) == Path("/tmp/名簿_2026-04-01.csv")


def test_a_number_in_a_typed_text_is_refused_by_name_never_quoted() -> None:
    with pytest.raises(InputError) as refused:
        checked(f"番号 {NUMBER} の人", "理由")
    assert (refused.value.message, refused.value.hint) == (f"理由に{FOUND}", NUMBER_HINT)


def test_a_control_character_in_a_typed_text_is_named() -> None:
    with pytest.raises(InputError) as refused:
        checked("主事\x1b[31m", "職名")
    assert (refused.value.message, refused.value.hint) == ("職名に制御文字 U+001B（ESC） があります", CONTROL_HINT)
    assert refusal("x\u202egpj.exe") == "制御文字 U+202E（RLO） があります"


def test_a_file_name_holding_a_number_is_refused_with_the_number_masked() -> None:
    with pytest.raises(InputError) as refused:
        checked_path(Path(f"/tmp/名簿_{NUMBER}.csv"), "対応表の名前")
    assert (refused.value.message, refused.value.hint) == (
        f"対応表の名前（/tmp/名簿_{MASK}.csv）に{FOUND}",
        NUMBER_HINT,
    )
    with pytest.raises(InputError) as refused:
        checked_path(Path(f"/tmp/{NUMBER}.csv"))
    assert refused.value.message == f"ファイルの名前（/tmp/{MASK}.csv）に{FOUND}"


def test_a_file_name_holding_a_control_character_shows_it_as_a_question_mark() -> None:
    with pytest.raises(InputError) as refused:
        checked_path(Path("/tmp/名簿\x07.csv"))
    assert (refused.value.message, refused.value.hint) == (
        "ファイルの名前（/tmp/名簿?.csv）に制御文字 U+0007（BEL） があります",
        "ファイルの名前を変えてから、もう一度指定してください",
    )


def test_numbers_in_other_scripts_and_full_width_are_found_and_masked_where_they_stand() -> None:
    arabic_indic = "".join(chr(0x0660 + int(c)) for c in NUMBER)  # ١٢٣… : digits all the same
    assert is_my_number(arabic_indic)
    assert find_my_numbers(f"番号{arabic_indic}") == [(2, 14)]
    assert find_my_numbers("１２３４５６７８９０１８") == [(0, 12)]
    assert masked("番号：１２３４－５６７８－９０１８です") == f"番号:{MASK}です"  # NFKC only when masking
    assert masked("番号はありません") == "番号はありません"
    assert masked("short 12") == "short 12"
    assert masked(f"{NUMBER}と{NUMBER}") == f"{MASK}と{MASK}"
    assert masked("日付 202604011030 と 1234-5678-9012", every_twelve=True) == f"日付 {MASK} と {MASK}"
    assert masked("日付 2026-07-01、2026/7/1", every_twelve=True) == "日付 2026-07-01、2026/7/1"


def test_exactly_twelve_characters_are_searched_and_forms_only_nfkc_reads_are_found() -> None:
    assert find_my_numbers(NUMBER) == [(0, 12)]
    assert masked(NUMBER) == MASK
    assert find_my_numbers("12345678901") == [] and masked("12345678901") == "12345678901"
    superscript = "¹²³⁴⁵⁶⁷⁸⁹⁰¹⁸"  # not digits until NFKC makes them so
    assert find_my_numbers(superscript) == [(0, 12)] and is_my_number(superscript)
    assert find_my_numbers("No.1 123456789018 ", normalized=True) == [(5, 17)]


def test_three_groups_of_four_need_one_separator_between_them() -> None:
    assert find_my_numbers("2026 1234-5678-9018") == [(5, 19)]
    assert find_my_numbers("2026 1234-5678 9018") == []  # a date and a number apart, not one written as such
    assert find_my_numbers("1234-5678-9018 2026") == [(0, 14)]


def test_a_refused_file_names_twelve_digit_run_is_masked_even_when_it_is_no_valid_number() -> None:
    with pytest.raises(InputError) as refused:
        checked_path(Path("/tmp/123456789012\x07.csv"))  # 12 digits with a wrong check digit, and a BEL
    assert refused.value.message == f"ファイルの名前（/tmp/{MASK}?.csv）に制御文字 U+0007（BEL） があります"
