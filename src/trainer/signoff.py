"""Signed rosters: the frozen content a division head signed, and its roster code. Pure."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

import orjson

from trainer.model import Division
from trainer.reports.views import RosterRow, RosterView
from trainer.rules import Counts

CODE_LENGTH = 12
_V1_TOTALS = ("in_scope", "completed", "exempt", "overdue", "in_progress", "not_started")


def freeze(view: RosterView) -> dict[str, Any]:
    """The roster's content as signed: everything printed in its table and totals."""
    return {
        "fiscal_year": view.fiscal_year,
        "fy_label": view.fy_label,
        "as_of": view.as_of,
        "division": asdict(view.division) | {"former_names": []},
        "trainings": list(view.trainings),
        "columns": list(view.columns),
        "rows": [asdict(r) | {"cells": list(r.cells), "states": list(r.states)} for r in view.rows],
        "totals": {k: v for k, v in view.totals.as_dict().items() if k in _V1_TOTALS},
        "per_requirement": [list(x) for x in view.per_requirement],
        "organization": view.organization,
    }


def roster_code(frozen: dict[str, Any]) -> str:
    """12 characters of the SHA-256 of the frozen content, grouped for reading aloud: 3F9A-1C2B-77D0."""
    raw = hashlib.sha256(orjson.dumps(frozen, option=orjson.OPT_SORT_KEYS)).hexdigest().upper()[:CODE_LENGTH]
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str:
    raw = "".join(c for c in text.upper() if c.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def view_from_frozen(frozen: dict[str, Any], doc: dict[str, Any]) -> RosterView:
    """The signed roster again, exactly as signed, with the head's sign-off filled in."""
    division = frozen["division"]
    totals = Counts(**{k: v for k, v in frozen["totals"].items() if k in Counts.__dataclass_fields__})
    return RosterView(
        fiscal_year=frozen["fiscal_year"],
        fy_label=frozen["fy_label"],
        as_of=frozen["as_of"],
        division=Division(division["code"], division["name"], division["head_title"], division["head_name"]),
        trainings=tuple(frozen["trainings"]),
        columns=tuple(frozen["columns"]),
        rows=tuple(
            RosterRow(**{**r, "cells": tuple(r["cells"]), "states": tuple(r["states"])}) for r in frozen["rows"]
        ),
        totals=totals,
        per_requirement=tuple((name, n) for name, n in frozen["per_requirement"]),
        generated=f"署名 {doc['signed_label']}",
        organization=frozen["organization"],
        roster_code=doc["code"],
        signoff=signoff_block(doc),
    )


def signoff_block(doc: dict[str, Any]) -> dict[str, str]:
    return {
        "date": doc["date_label"],
        "title": doc.get("title", ""),
        "name": doc["by"],
        "approval_no": doc.get("approval_no", ""),
    }


SIGNED = "署名済み"
STALE = "要再確認"  # changes since it was signed
UNSIGNED = "未署名"
SUPERSEDED = "置き換え済み"
STATES_IN_FORCE = (UNSIGNED, STALE, SIGNED)  # what a division's roster can be in a year


def state_of(doc: dict[str, Any] | None) -> str:
    """署名済み / 要再確認（署名後に変更あり）/ 置き換え済み / 未署名."""
    if doc is None:
        return UNSIGNED
    if doc.get("superseded_by"):
        return SUPERSEDED
    return STALE if doc.get("changes_since") else SIGNED
