"""Sign-offs made before rosters were frozen as data (freeze format 1).

Their frozen form is the printed roster's text (和暦 dates, cell words) and their code 12
hexadecimal digits of its SHA-256. They are never rewritten: the code on the paper must keep
matching. This module recomputes such a code, tells whether a roster built today has the same
content as one of them, and reads one back as a :class:`Roster` to print it again.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from trainer.calendar import fy_label, parse_date, wareki, wareki_short
from trainer.model import Division, State
from trainer.rules import overall_state
from trainer.signoff.roster import Entry, RequirementRef, Roster, Row

_TOTALS = ("in_scope", "completed", "exempt", "overdue", "in_progress", "not_started")
_LABELS = {s.value: s.label for s in State}
_PERCENT = re.compile(r"受講中\s*(\d+)%")
# Format-1 rosters were frozen before exemptions had approvers and before completions dated in a
# leave were noted: the words a note gains for those (see rules.exemption_note, leave_caution)
# were never part of their content.
_UNAPPROVED = "（承認者未記録）"
_CAUTION = re.compile(r"^注意: .+中の日付で修了$")


def _format1_note(note: str) -> str:
    parts = [p for p in note.replace(_UNAPPROVED, "").split("／") if not _CAUTION.match(p)]
    return "／".join(parts)


def legacy_code(frozen: dict[str, Any]) -> str:
    """The format-1 code: 12 hexadecimal digits of the SHA-256, grouped: 3F9A-1C2B-77D0."""
    raw = hashlib.sha256(orjson.dumps(frozen, option=orjson.OPT_SORT_KEYS)).hexdigest().upper()[:12]
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def _cell(entry: Entry | None) -> str:
    if entry is None:
        return "対象外"
    if entry.state == "completed" and entry.completed_on:
        return wareki_short(parse_date(entry.completed_on))
    if entry.state == "in_progress":
        return f"受講中 {entry.percent}%"
    return _LABELS[entry.state]


def legacy_frozen(roster: Roster) -> dict[str, Any]:
    """The format-1 frozen form of the same content (what trainer froze before format 2)."""
    totals = dict.fromkeys(_TOTALS, 0)
    own = [row for row in roster.rows if not row.concurrent]  # format 1 knew no 兼務
    for row in own:
        totals["in_scope"] += 1
        totals[row.state] += 1
    d = roster.division
    rows = []
    for row in own:
        entries = [row.entry(r.id) for r in roster.requirements]
        rows.append(
            {
                "division": d.name,
                "title": row.title,
                "name": row.name,
                "kana": row.kana,
                "staff_id": row.staff_id,
                "employment": row.employment,
                "cells": [_cell(e) for e in entries],
                "states": [e.state if e else "none" for e in entries],
                "note": _format1_note(row.note),
            }
        )
    return {
        "fiscal_year": roster.fiscal_year,
        "fy_label": fy_label(roster.fiscal_year),
        "as_of": wareki(parse_date(roster.as_of)),
        "division": {
            "code": d.code,
            "name": d.name,
            "head_title": d.head_title,
            "head_name": d.head_name,
            "former_names": [],
        },
        "trainings": list(dict.fromkeys(r.training for r in roster.requirements)),
        "columns": [r.short_title for r in roster.requirements],
        "rows": rows,
        "totals": totals,
        "per_requirement": [[r.short_title, n] for r, n in roster.completed_per_requirement()],
        "organization": roster.organization,
    }


def roster_from_legacy(frozen: dict[str, Any]) -> Roster:
    """A format-1 roster read back from its printed text, to print it again."""
    columns = list(frozen["columns"])
    requirements = tuple(RequirementRef(f"column{i + 1}", title, title, "") for i, title in enumerate(columns))
    rows = []
    for r in frozen["rows"]:
        entries = []
        for ref, cell, state in zip(requirements, r["cells"], r["states"], strict=True):
            if state == "none":
                continue
            completed = parse_date(cell).isoformat() if state == "completed" else None
            percent = _PERCENT.match(cell)
            entries.append(Entry(ref.id, state, completed, int(percent[1]) if percent else 0, None, ""))
        state = overall_state(State(e.state) for e in entries).value if entries else "not_started"
        rows.append(
            Row(r["staff_id"], r["name"], r["kana"], r["title"], r["employment"], state, tuple(entries), r["note"])
        )
    d = frozen["division"]
    return Roster(
        fiscal_year=int(frozen["fiscal_year"]),
        as_of=parse_date(frozen["as_of"]).isoformat(),
        division=Division(d["code"], d["name"], d.get("head_title", ""), d.get("head_name", "")),
        organization=frozen.get("organization", ""),
        requirements=requirements,
        rows=tuple(rows),
    )
