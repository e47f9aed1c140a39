"""Frozen rosters compared whole: format 1 (signoff/legacy.py: the printed text, its 12-digit code,
the roster read back from the text) and format 2 (the roster as data, its leavers, its code)."""

from __future__ import annotations

from datetime import date

from tests.factories import person
from tests.unit.test_roster_codes import DIVISION
from trainer.model import Catalog, Division, Duty, Exemption, Progress, Record
from trainer.rules import evaluate_year
from trainer.signoff import build_roster, frozen_code, roster_of
from trainer.signoff.legacy import legacy_code, legacy_frozen, roster_from_legacy
from trainer.signoff.roster import Entry, RequirementRef, Roster

AS_OF = date(2026, 11, 15)
COLUMNS = ["入門編", "規程理解編", "業務フロー編", "端末操作者編", "チェックポイント"]


def _roster(catalog: Catalog) -> Roster:
    people = [person("000001"), person("000003", hired=date(2026, 10, 1))]
    records = {
        "000001": {"intro": Record("000001", 2026, "intro", Progress.COMPLETED, 100, date(2026, 7, 10))},
        "000003": {"rules": Record("000003", 2026, "rules", Progress.IN_PROGRESS, 40, date(2026, 11, 2))},
    }
    year = evaluate_year(people, catalog, 2026, AS_OF, records, {})
    return build_roster(2026, AS_OF, DIVISION, year.people, year.departures, catalog, "石巻市")


def _row(staff_id: str, cells: list[str], states: list[str]) -> dict[str, object]:
    return {
        "division": "市民税課",
        "title": "主事",
        "name": "市役所 太郎",
        "kana": "シヤクショ タロウ",
        "staff_id": staff_id,
        "employment": "正規職員",
        "cells": cells,
        "states": states,
        "note": "",
    }


def test_a_format_1_roster_freezes_the_printed_text_and_its_code_is_12_hex_digits(catalog: Catalog) -> None:
    frozen = legacy_frozen(_roster(catalog))
    assert frozen == {
        "fiscal_year": 2026,
        "fy_label": "令和8年度",
        "as_of": "令和8年11月15日",
        "division": {
            "code": "160",
            "name": "市民税課",
            "head_title": "課長",
            "head_name": "山田 一郎",
            "former_names": [],
        },
        "trainings": ["接続運用に関する研修", "サイバーセキュリティの確保に関する研修"],
        "columns": COLUMNS,
        "rows": [
            _row("000001", ["R8.7.10", "未受講", "未受講", "未受講", "未受講"], ["completed"] + ["not_started"] * 4),
            _row(
                "000003",
                ["未受講", "受講中 40%", "未受講", "未受講", "未受講"],
                ["not_started", "in_progress", "not_started", "not_started", "not_started"],
            ),
        ],
        "totals": {"in_scope": 2, "completed": 0, "exempt": 0, "overdue": 0, "in_progress": 2, "not_started": 0},
        "per_requirement": [[c, 1 if c == "入門編" else 0] for c in COLUMNS],
        "organization": "石巻市",
    }
    assert legacy_code(frozen) == "29E0-3666-AD6A"


def test_a_format_1_roster_is_read_back_from_its_text(catalog: Catalog) -> None:
    back = roster_from_legacy(legacy_frozen(_roster(catalog)))
    refs = tuple(RequirementRef(f"column{i + 1}", c, c, "") for i, c in enumerate(COLUMNS))
    assert (back.fiscal_year, back.as_of, back.organization, back.requirements, back.left) == (
        2026,
        "2026-11-15",
        "石巻市",
        refs,
        (),
    )
    assert back.division == Division("160", "市民税課", "課長", "山田 一郎")
    assert [(r.staff_id, r.name, r.kana, r.title, r.employment, r.state, r.note) for r in back.rows] == [
        ("000001", "市役所 太郎", "シヤクショ タロウ", "主事", "正規職員", "in_progress", ""),
        ("000003", "市役所 太郎", "シヤクショ タロウ", "主事", "正規職員", "in_progress", ""),
    ]
    assert back.rows[0].entries == (
        Entry("column1", "completed", "2026-07-10", 0, None, ""),
        *(Entry(f"column{i}", "not_started", None, 0, None, "") for i in range(2, 6)),
    )
    assert back.rows[1].entries[:2] == (
        Entry("column1", "not_started", None, 0, None, ""),
        Entry("column2", "in_progress", None, 40, None, ""),
    )


def _entry(requirement: str, state: str = "not_started", deadline: str = "2026-11-30", **more: object) -> dict:
    return {
        "requirement": requirement,
        "state": state,
        "completed_on": None,
        "percent": 0,
        "deadline": deadline,
        "note": "",
    } | more


def test_a_roster_of_format_2_is_frozen_as_data_with_its_leavers_and_counted(catalog: Catalog) -> None:
    people = [person("000001"), person("000002", moves=((date(2026, 9, 1), "170", Duty.KANKEI),))]
    records = {
        "000001": {
            "intro": Record("000001", 2026, "intro", Progress.COMPLETED, 100, date(2026, 7, 10)),
            "rules": Record("000001", 2026, "rules", Progress.IN_PROGRESS, 40, date(2026, 11, 2)),
        }
    }
    exemptions = {"000001": [Exemption("000001", 2026, "flow", "研修修了証あり", date(2026, 6, 1))]}
    year = evaluate_year(people, catalog, 2026, AS_OF, records, exemptions)
    roster = build_roster(2026, AS_OF, DIVISION, year.people, year.departures, catalog, "石巻市")
    ids = ["intro", "rules", "flow", "security"]
    person_fields = {
        "staff_id": "",
        "name": "市役所 太郎",
        "kana": "シヤクショ タロウ",
        "title": "主事",
        "employment": "正規職員",
    }
    doc = roster.to_doc()
    assert doc == {
        "format": 2,
        "fiscal_year": 2026,
        "as_of": "2026-11-15",
        "division": {"code": "160", "name": "市民税課", "head_title": "課長", "head_name": "山田 一郎"},
        "organization": "石巻市",
        "requirements": [
            {"id": r.id, "short_title": r.short_title, "title": r.title, "training": r.training} for r in catalog
        ],
        "rows": [
            person_fields
            | {
                "staff_id": "000001",
                "state": "in_progress",
                "entries": [
                    _entry("intro", "completed", completed_on="2026-07-10", percent=100),
                    _entry("rules", "in_progress", percent=40),
                    _entry("flow", "exempt", note="研修修了証あり（承認者未記録）"),
                    _entry("security"),
                    _entry("checkpoint", deadline="2027-02-01"),
                ],
                "note": "研修修了証あり（承認者未記録）",
            }
        ],
        "left": [
            person_fields
            | {
                "staff_id": "000002",
                "state": "left",
                "entries": [*(_entry(i) for i in ids), _entry("checkpoint", deadline="2027-02-01")],
                "left_on": "2026-08-31",
                "left_reason": "transferred",
                "moved_to": "170",
                "moved_duty": "関係事務",
            }
        ],
    }
    assert roster.code() == "H5YN-1Y56-ZMCD-8Z2F" == frozen_code(doc)
    assert roster_of({"frozen": doc}) == roster
    counts = roster.totals()
    assert (counts.in_scope, counts.in_progress, counts.left, counts.left_open) == (1, 1, 1, 1)
    assert [(r.id, n) for r, n in roster.completed_per_requirement()] == [
        (i, int(i == "intro")) for i in [*ids, "checkpoint"]
    ]
    legacy = legacy_frozen(roster)
    assert frozen_code(legacy) == legacy_code(legacy)
    assert roster_of({"frozen": legacy}) == roster_from_legacy(legacy)
