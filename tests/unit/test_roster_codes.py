"""Roster codes from data, the sign-off states, and the anchors printed on documents."""

from __future__ import annotations

from datetime import date

from tests.factories import person
from trainer.model import Catalog, Division, Progress, Record
from trainer.rules import evaluate_year
from trainer.signoff import (
    SignoffState,
    Touched,
    anchor_text,
    build_roster,
    normalize_code,
    parse_anchor,
    same_content,
    state_of,
)
from trainer.signoff.legacy import legacy_code, legacy_frozen
from trainer.signoff.roster import Roster

DIVISION = Division("160", "市民税課", "課長", "山田 一郎")


def roster(catalog: Catalog, as_of: date = date(2026, 12, 1), extra: bool = False) -> Roster:
    people = [person("000001"), person("000002", retired=date(2026, 9, 30))]
    if extra:
        people.append(person("000003"))
    records = {"000001": {"intro": Record("000001", 2026, "intro", Progress.COMPLETED, 100, date(2026, 7, 10))}}
    year = evaluate_year(people, catalog, 2026, as_of, records, {})
    return build_roster(2026, as_of, DIVISION, year.people, year.departures, catalog, "石巻市")


def test_a_roster_code_is_80_bits_grouped_for_reading_aloud(catalog: Catalog) -> None:
    code = roster(catalog).code()
    assert len(code) == 19 and code.count("-") == 3
    assert set(code.replace("-", "")) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")  # no I, L, O, U


def test_the_code_is_of_the_data_and_survives_a_round_trip(catalog: Catalog) -> None:
    first = roster(catalog)
    again = Roster.from_doc(first.to_doc())
    assert again == first and again.code() == first.code()
    assert roster(catalog, extra=True).code() != first.code()
    assert roster(catalog, as_of=date(2026, 12, 2)).code() != first.code()  # the date is content too
    assert [r.staff_id for r in first.left] == ["000002"]  # the leaver is part of what is signed


def test_a_sign_off_of_format_1_is_compared_by_its_own_code(catalog: Catalog) -> None:
    current = roster(catalog)
    frozen = legacy_frozen(current)
    doc = {"code": legacy_code(frozen), "frozen": frozen}
    assert same_content(doc, current)
    assert not same_content(doc, roster(catalog, extra=True))
    assert len(doc["code"]) == 14  # 12 hexadecimal digits, grouped


def test_codes_are_read_as_typed_or_read_aloud() -> None:
    assert normalize_code("7k3q m9zd-2f8b xw1c") == "7K3Q-M9ZD-2F8B-XW1C"
    assert normalize_code("OIL0") == "0110"  # O read as 0, I and L as 1


def test_sign_off_states() -> None:
    assert state_of(None) is SignoffState.UNSIGNED
    assert state_of({"changes_since": []}) is SignoffState.SIGNED
    assert state_of({"changes_since": [{"seq": 3}]}) is SignoffState.STALE
    assert state_of({"superseded_by": "X"}) is SignoffState.SUPERSEDED
    assert SignoffState.STALE.label == "要再確認"


def test_what_makes_a_signed_roster_stale() -> None:
    staff = {"staff_id": "000001", "assignments": [{"division": "150"}]}
    moved_in = {"staff_id": "000009", "assignments": [{"division": "150"}, {"division": "160"}]}
    record = {"staff_id": "000001"}
    assert Touched.of([["fy2026", "records", "1", None, record]]).affects("2026/160", ["000001"])
    assert not Touched.of([["fy2025", "records", "1", None, record]]).affects("2026/160", ["000001"])
    assert Touched.of([["main", "staff", "9", None, moved_in]]).affects("2026/160", ["000001"])  # moving in
    assert Touched.of([["main", "staff", "1", staff, staff]]).affects("2026/160", ["000001"])  # a member
    assert Touched.of([["main", "divisions", "1", None, {"code": "160"}]]).affects("2026/160", [])  # a rename
    assert not Touched.of([["main", "settings", "1", None, {"key": "x"}]])


def test_anchors_print_and_parse() -> None:
    text = anchor_text(1234, "7f3a9c2e1b4d5e6f" + "0" * 48)
    assert text == "No.1234 7F3A-9C2E-1B4D-5E6F"
    assert parse_anchor(text) == (1234, "7f3a9c2e1b4d5e6f")
    assert parse_anchor("1234 7f3a9c2e") == (1234, "7f3a9c2e")
    assert parse_anchor("No.12") is None and parse_anchor("hello") is None
