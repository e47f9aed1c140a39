"""Format-1 sign-offs (signoff/legacy.py): the printed text they froze, their 12-digit code, and
the roster read back from that text to print it again, compared whole."""

from __future__ import annotations

from datetime import date

from tests.factories import person
from tests.unit.test_roster_codes import DIVISION
from trainer.model import Catalog, Division, Progress, Record
from trainer.rules import evaluate_year
from trainer.signoff import build_roster
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
