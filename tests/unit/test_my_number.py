"""Finding individual numbers (マイナンバー), against numbers worked out by hand from the public formula.

The formula (総務省令): of the first 11 digits, numbered n = 1..11 from the right (P_n), weighted
Q_n = n + 1 for n <= 6 and n - 5 for n >= 7; r = sum(P_n * Q_n) mod 11; the 12th digit is 0 when
r <= 1, else 11 - r. Read from the left, the weights are 6 5 4 3 2 7 6 5 4 3 2.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer.guard import MASK, contains_my_number, find_my_numbers, is_my_number, masked, refusal
from trainer.importers.mynumber import check_digit

# (the 12 digits, the weighted sum of the first 11, r = sum mod 11), worked out by hand.
KNOWN_VALID = [
    ("123456789018", 212, 3),  # 1*6+2*5+3*4+4*3+5*2+6*7+7*6+8*5+9*4+0*3+1*2 = 212; 11-3 = 8
    ("987654321018", 212, 3),  # 9*6+8*5+7*4+6*3+5*2+4*7+3*6+2*5+1*4+0*3+1*2 = 212; 11-3 = 8
    ("000000000000", 0, 0),  # r = 0: the check digit is 0
    ("111111111118", 47, 3),  # 6+5+4+3+2+7+6+5+4+3+2 = 47; 11-3 = 8
    ("271828182840", 221, 1),  # r = 1: the check digit is 0
    ("314159265352", 196, 9),  # 18+5+16+3+10+63+12+30+20+9+10 = 196; 11-9 = 2
    ("555555555557", 235, 4),  # 5*47 = 235; 11-4 = 7
    ("100000000005", 6, 6),  # 1*6; 11-6 = 5
    ("000000000019", 2, 2),  # 1*2; 11-2 = 9
    ("864208642086", 236, 5),  # 48+30+16+6+0+56+36+20+8+0+16 = 236; 11-5 = 6
    ("999999999996", 423, 5),  # 9*47 = 423; 11-5 = 6
    ("400000000033", 30, 8),  # 4*6+3*2 = 30; 11-8 = 3
    ("201103111469", 79, 2),  # 12+0+4+3+0+21+6+5+4+12+12 = 79; 11-2 = 9
]
LEFT_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


@pytest.mark.parametrize(("number", "total", "r"), KNOWN_VALID, ids=[n for n, _, _ in KNOWN_VALID])
def test_known_valid_numbers_and_only_their_own_check_digit(number: str, total: int, r: int) -> None:
    assert sum(int(d) * w for d, w in zip(number[:11], LEFT_WEIGHTS, strict=True)) == total  # the table is right
    assert total % 11 == r and int(number[11]) == (0 if r <= 1 else 11 - r)
    assert is_my_number(number)
    for other in "0123456789":
        if other != number[11]:
            assert not is_my_number(number[:11] + other), number[:11] + other
    assert check_digit(number[:11]) == int(number[11])


@pytest.mark.parametrize(
    "written",
    [
        "1234 5678 9018", "1234-5678-9018", "1234\u20105678\u20109018", "1234ー5678ー9018", "1234ｰ5678ｰ9018",
        "1234 - 5678 - 9018", "1234.5678.9018", "1234/5678/9018", "(1234)(5678)(9018)", "1234・5678・9018",
        "１２３４－５６７８－９０１８", "1234\u22125678\u22129018", "1234\u200b5678\u200b9018", "1234〜5678〜9018",
        "[1234] {5678} <9018>", "1234_5678_9018", "1234,5678,9018", "1234、5678、9018", "1234\u00ad5678\u00ad9018",
        "12 34 56 78 90 18", "1-2-3-4-5-6-7-8-9-0-1-8", "1234　5678　9018",
    ],
)  # fmt: skip
def test_the_sample_number_with_every_kind_of_separator(written: str) -> None:
    assert is_my_number(written)
    assert contains_my_number(f"番号：{written} です")


def test_every_unicode_dash_is_a_separator() -> None:
    dashes = [c for c in map(chr, range(sys.maxunicode + 1)) if unicodedata.category(c) == "Pd"]
    assert len(dashes) > 20
    for dash in dashes:
        assert contains_my_number(f"1234{dash}5678{dash}9018"), f"U+{ord(dash):04X}"


@pytest.mark.parametrize(
    "ordinary",
    [
        "123456789012",  # the check digit would be 8
        "1234-5678-9012",
        "12345678901",  # 11 digits
        "1234567890180",  # 13 digits written together
        "電話 0225-95-1111、職員番号 000123",
        "2026/04/01 2026/04/30",  # 16 digits, groups only add up to 12 across different separators
        "20261201-233638-123456",  # a backup's name: 6 + 6 digits with one separator are not a number
        "2026-04-01 10.30.00.123456",
        "2026/7/1 10:30",
        "〒986-8501 宮城県石巻市穀町14-1",
        "R8-保年-0042",
    ],
)
def test_ordinary_digits_are_not_numbers(ordinary: str) -> None:
    assert not contains_my_number(ordinary)
    assert masked(ordinary) == ordinary


def test_numbers_are_found_where_they_stand_and_masked() -> None:
    text = "A:123456789018 B:987654321018 C:123456789012"
    assert len(find_my_numbers(text)) == 2
    assert masked(text) == f"A:{MASK} B:{MASK} C:123456789012"
    assert masked(text, every_twelve=True) == f"A:{MASK} B:{MASK} C:{MASK}"
    assert masked("番号 １２３４－５６７８－９０１８") == f"番号 {MASK}"
    hint = "2026-07-01、2026/7/1、令和8年7月1日、R8.7.1 など"  # 14 digits: a hint, not a number
    assert masked(hint, every_twelve=True) == hint
    assert masked("第2 1234 5678 9018", every_twelve=True) == f"第2 {MASK}"


def test_what_cannot_be_kept_is_named_without_quoting_it() -> None:
    assert refusal("普通の文") is None
    assert refusal("TAB\tCR\rLF\nは区切り") is None
    assert "U+001B" in (refusal("\x1b[31m赤") or "")
    assert "U+202E" in (refusal("abc\u202efdp.exe") or "")
    assert "U+0000" in (refusal("a\x00b") or "")
    why = refusal("1234-5678-9018") or ""
    assert "個人番号" in why and "1234" not in why


def _valid(first_eleven: str) -> str:
    """A valid number from its first 11 digits, by the formula read from the left (not check_digit)."""
    r = sum(int(d) * w for d, w in zip(first_eleven, LEFT_WEIGHTS, strict=True)) % 11
    return first_eleven + str(0 if r <= 1 else 11 - r)


SEPARATOR_CHARS = " -‐－ー−.・/()（）　〜_,、\u200b\u2013\u2014／［］"
separators = st.text(alphabet=SEPARATOR_CHARS, max_size=3)
elevens = st.text(alphabet="0123456789", min_size=11, max_size=11)
surroundings = st.text(alphabet=st.sampled_from("あいう山田川花子カナｶﾅabcXYZ0123456789 -:：。、（）!?\n"), max_size=12)
boundaries = st.sampled_from(["：", "は", "号", "a", "＝", "#", "\n番号"])


@given(
    first=elevens,
    cuts=st.sets(st.integers(1, 11), max_size=11),
    gaps=st.lists(separators, min_size=11, max_size=11),
    before=surroundings,
    after=surroundings,
    left=boundaries,
    right=boundaries,
)
def test_a_valid_number_written_any_way_inside_any_text_is_always_found(
    first: str, cuts: set[int], gaps: list[str], before: str, after: str, left: str, right: str
) -> None:
    number = _valid(first)
    written = "".join(digit + (gaps[i] if i + 1 in cuts else "") for i, digit in enumerate(number))
    assert contains_my_number(before + left + written + right + after)
    assert is_my_number(written)
    assert MASK in masked(before + left + written + right + after)


@given(
    first=elevens,
    sizes=st.sampled_from([(4, 4, 4), (12,)]),
    separator=st.sampled_from([" ", "-", "ー", ".", "/", " - ", "・"]),
    before=st.text(alphabet="0123456789", min_size=1, max_size=5),
    after=st.text(alphabet="0123456789", min_size=1, max_size=5),
)
def test_a_number_as_printed_is_found_next_to_other_digits(
    first: str, sizes: tuple[int, ...], separator: str, before: str, after: str
) -> None:
    number = _valid(first)
    groups, at = [], 0
    for size in sizes:
        groups.append(number[at : at + size])
        at += size
    written = separator.join(groups)
    assert contains_my_number(f"{before}{separator}{written}{separator}{after}")
