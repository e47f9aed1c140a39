"""The sign-off module's small pieces, each compared whole: codes as typed, anchors, states and
their words, the sign block, and what one commit's changes touch (trainer.signoff)."""

from __future__ import annotations

import pytest

from trainer.signoff import (
    IN_FORCE,
    SignoffState,
    Touched,
    anchor_text,
    normalize_code,
    parse_anchor,
    signoff_block,
    state_of,
)

HASH = "7f3a9c2e1b4d5e6f" + "0" * 48


def test_a_code_as_typed_or_read_aloud() -> None:
    assert normalize_code("abcd efgh-ijkl mnop") == "ABCD-EFGH-1JK1-MN0P"
    assert normalize_code("o1l1") == "0111"
    assert normalize_code("  ") == ""
    assert normalize_code("ABCDE") == "ABCD-E"


def test_an_anchor_printed_and_read_back() -> None:
    assert anchor_text(1234, HASH) == "No.1234 7F3A-9C2E-1B4D-5E6F"
    assert parse_anchor("No.1234 7F3A-9C2E-1B4D-5E6F") == (1234, "7f3a9c2e1b4d5e6f")
    assert parse_anchor(" No 12: 7f3a 9c2e ") == (12, "7f3a9c2e")
    assert parse_anchor("12/7F3A9C2E") == (12, "7f3a9c2e")
    assert parse_anchor("No.12 7F3A-9C2") is None  # fewer than 8 hex digits
    assert parse_anchor("No.12") is None
    assert parse_anchor("No.x 7F3A9C2E") is None


def test_states_and_their_words() -> None:
    assert state_of(None) is SignoffState.UNSIGNED
    assert state_of({"changes_since": 0}) is SignoffState.SIGNED
    assert state_of({"changes_since": 2}) is SignoffState.STALE
    assert state_of({"changes_since": 2, "superseded_by": "CODE"}) is SignoffState.SUPERSEDED
    assert state_of({"superseded_by": ""}) is SignoffState.SIGNED
    assert {s.value: s.label for s in SignoffState} == {
        "unsigned": "未署名",
        "signed": "署名済み",
        "stale": "要再確認",
        "superseded": "置き換え済み",
    }
    assert IN_FORCE == (SignoffState.UNSIGNED, SignoffState.STALE, SignoffState.SIGNED)


def test_the_sign_block_of_a_sign_off() -> None:
    doc = {"date_label": "令和8年11月25日", "by": "佐藤 二郎", "title": "課長", "approval_no": "R8-1"}
    assert signoff_block(doc) == {
        "date": "令和8年11月25日",
        "title": "課長",
        "name": "佐藤 二郎",
        "approval_no": "R8-1",
    }
    assert signoff_block({"date_label": "d", "by": "b"}) == {"date": "d", "title": "", "name": "b", "approval_no": ""}


def _staff(staff_id: str, *divisions: str) -> dict[str, object]:
    return {"staff_id": staff_id, "assignments": [{"division": d} for d in divisions]}


def test_what_one_commits_changes_touch() -> None:
    touched = Touched.of(
        [
            ["fy2026", "records", "1", None, {"staff_id": "000101"}],
            ["fy2025", "exemptions", "1", {"staff_id": "000102"}, None],  # a removal: what it was
            ["main", "staff", "3", _staff("000103", "160"), _staff("000103", "160", "110")],
            ["main", "divisions", "4", {"code": "150"}, {"code": "150", "name": "保護課"}],
            ["main", "settings", "5", None, {"key": "organization"}],
        ]
    )
    assert touched.people_by_year == {2026: {"000101"}, 2025: {"000102"}}
    assert touched.people == {"000103"}
    assert touched.divisions == {"160", "110", "150"}
    assert touched
    assert not Touched.of([["main", "settings", "5", None, {"key": "organization"}]])


@pytest.mark.parametrize(
    ("key", "people", "stale"),
    [
        ("2026/120", ["000101"], True),  # a record of that year of one of its people
        ("2025/120", ["000101"], False),  # ... not of another year
        ("2025/120", ["000102"], True),
        ("2027/120", ["000103"], True),  # a staff document: every year
        ("2026/160", [], True),  # the division itself
        ("2026/999", ["000999"], False),
    ],
)
def test_which_signed_rosters_a_change_makes_stale(key: str, people: list[str], stale: bool) -> None:
    touched = Touched(people_by_year={2026: {"000101"}, 2025: {"000102"}}, people={"000103"}, divisions={"160"})
    assert touched.affects(key, people) is stale
