"""The journal's reading rules on bytes, each case compared whole: what is a transaction, a torn
append, or damage, where, why, and what follows it (store/journal.py)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from trainer.store.journal import REPAIR_HINT, Damage, JournalDamage, _decode_line, encode_line, scan

P1, P2, P3 = {"seq": 1, "at": "x"}, {"seq": 2, "at": "y"}, {"checkpoint": 3, "file": "main"}
L1, L2, L3 = encode_line(P1), encode_line(P2), encode_line(P3)
ROOM = b"\0" * 64


def test_a_line_is_its_checksum_in_lower_case_hex_a_space_and_the_json() -> None:
    body = b'{"seq":1,"at":"x"}'
    expected = b"%08x " % zlib.crc32(body) + body + b"\n"
    assert expected == L1
    assert _decode_line(L1) == P1
    assert _decode_line(L1[:-1]) is None  # no newline: not complete
    assert _decode_line(b"0000000 \n") is None  # too short
    listed = b"[1]"
    assert _decode_line(b"%08x " % zlib.crc32(listed) + listed + b"\n") is None  # not an object
    broken = b"{nope"
    assert _decode_line(b"%08x " % zlib.crc32(broken) + broken + b"\n") is None
    assert _decode_line(b"zzzzzzzz " + body + b"\n") is None
    assert _decode_line(L1[:-1] + b"}") is None  # whole but for its newline: not complete


def test_an_upper_case_checksum_is_damage_not_the_same_line() -> None:
    line = next(encode_line({"seq": n}) for n in range(100) if any(c in b"abcdef" for c in encode_line({"seq": n})[:8]))
    assert _decode_line(line) is not None
    assert _decode_line(line[:8].upper() + line[8:]) is None


def test_whole_lines_followed_by_the_padding() -> None:
    found = scan(L1 + L2 + ROOM, 100, True)
    assert (found.transactions, found.end, found.torn, found.damage) == ([P1, P2], 100 + len(L1 + L2), None, None)
    assert scan(L1 + L2, 0, False).transactions == [P1, P2]  # format 1: no padding needed


def test_an_incomplete_last_append_is_torn_not_damage() -> None:
    found = scan(L1 + L2[:5] + ROOM, 10, True)
    assert (found.transactions, found.end, found.torn, found.damage) == (
        [P1],
        10 + len(L1),
        (10 + len(L1), 15 + len(L1)),
        None,
    )
    unpadded = scan(L1 + L2[:5], 0, False)
    assert (unpadded.torn, unpadded.damage) == ((len(L1), len(L1) + 5), None)


def _damage(data: bytes, padded: bool = True, base: int = 0) -> Damage:
    found = scan(data, base, padded)
    assert found.damage is not None and found.torn is None
    assert found.end == found.damage.offset
    return found.damage


def test_each_kind_of_damage_says_where_why_and_what_follows() -> None:
    flipped = L1[:-3] + bytes([L1[-3] ^ 1]) + L1[-2:]  # in the body: its numbers still legible
    damage = _damage(flipped + L2 + L3 + ROOM, base=7)
    assert (damage.offset, damage.end, damage.reason) == (7, 7 + len(L1 + L2 + L3), "行のチェックサムが合いません")
    assert (damage.following, damage.damaged_seq, damage.size) == ([P2, P3], 1, len(L1 + L2 + L3))
    assert damage.transactions_after() == [P2]

    zeroed = L2[:12] + b"\0\0" + L2[14:]
    damage = _damage(L1 + zeroed + ROOM)
    assert (damage.offset, damage.reason, damage.following) == (len(L1), "行の途中がゼロになっています", [])

    no_newline = L2[:-1] + b"\x0b"
    damage = _damage(L1 + no_newline + ROOM)
    assert (damage.offset, damage.end, damage.reason) == (len(L1), len(L1 + L2), "最後の行の改行が壊れています")
    assert damage.following == []

    damage = _damage(L1 + L2[:5])  # format 2 always ends in zeros: this was cut
    assert (damage.offset, damage.reason) == (len(L1), "ファイルが取引の途中で終わっています（切り詰められています）")
    assert damage.following == []

    damage = _damage(L1 + L2)
    assert (damage.offset, damage.end) == (len(L1 + L2), len(L1 + L2))
    assert damage.reason == "最後の行のあとの余白がありません（ファイルが切り詰められています）"
    assert damage.following == []


def test_a_damaged_line_with_its_numbers_still_legible() -> None:
    entry = {"seq": 5, "log": {"prev": "a" * 64, "seq": 9, "summary": "x"}}
    line = encode_line(entry)
    damage = _damage(L1 + line[:-3] + b"?" + line[-2:] + ROOM)
    assert (damage.damaged_seq, damage.damaged_log_seq) == (5, 9)


@pytest.mark.parametrize(
    ("following", "said"),
    [([P2, P3], "そのあとに無傷の取引が 1件あります"), ([P3], "そのあとに無傷の取引はありません")],
)
def test_the_damage_message(following: list[dict[str, object]], said: str) -> None:
    error = JournalDamage(Path("/r/journal.jsonl"), Damage(120, 200, "行のチェックサムが合いません", following))
    assert error.message == (
        "ジャーナルが壊れています（行のチェックサムが合いません）: /r/journal.jsonl の 120バイト目から 80バイト。"
        f"{said}。ファイルは変更していません"
    )
    assert error.hint == REPAIR_HINT
    assert (error.path, error.damage.offset) == (Path("/r/journal.jsonl"), 120)


def test_intact_lines_after_a_wiped_stretch_of_zeros_are_counted_after_the_damage() -> None:
    flipped = L1[:-3] + bytes([L1[-3] ^ 1]) + L1[-2:]
    damage = _damage(flipped + b"\0" * 40 + L2 + L3 + ROOM)  # a failed append wiped off, then more lines
    assert (damage.offset, damage.following) == (0, [P2, P3])


def test_an_empty_first_line_is_damage_not_a_torn_append() -> None:
    damage = _damage(b"\n" + L1 + ROOM)
    assert (damage.offset, damage.end, damage.reason, damage.following) == (
        0,
        1 + len(L1),
        "行のチェックサムが合いません",
        [P1],
    )
