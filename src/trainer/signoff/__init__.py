"""Signed rosters: the roster frozen as data, its code, the states of a sign-off, and which
changes make a signed roster stale. Pure: reports and the TUI read this, never the other way.

A roster code is the digest of the roster's frozen data (see :mod:`trainer.signoff.roster`);
sign-offs made before format 2 keep their older code (:mod:`trainer.signoff.legacy`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trainer.signoff.legacy import legacy_code, legacy_frozen, roster_from_legacy
from trainer.signoff.roster import FORMAT, LEFT, Entry, RequirementRef, Roster, Row, build_roster, code_of

_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


class SignoffState(StrEnum):
    """A division's roster in a year: not signed, signed, or signed and changed since."""

    UNSIGNED = "unsigned"
    SIGNED = "signed"
    STALE = "stale"  # changes since it was signed: 要再確認
    SUPERSEDED = "superseded"  # a later sign-off replaced it

    @property
    def label(self) -> str:
        return {"unsigned": "未署名", "signed": "署名済み", "stale": "要再確認", "superseded": "置き換え済み"}[
            self.value
        ]


IN_FORCE = (SignoffState.UNSIGNED, SignoffState.STALE, SignoffState.SIGNED)  # what a division's roster can be


def normalize_code(text: str) -> str:
    """A code as typed or read aloud, in its printed form (O read as 0, I and L as 1)."""
    raw = "".join(c for c in text.upper() if c.isalnum()).translate(_CONFUSABLE)
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


ANCHOR_HEX = 16  # 64 bits of the entry's SHA-256


def anchor_text(seq: int, entry_hash: str) -> str:
    """The change log's head as printed on a document: ``No.1234 7F3A-9C2E-1B4D-5E6F``.

    Any later rewrite of the history up to that entry changes that entry's hash, so the paper in
    the file proves what the log held when it was printed (``trainer verify --anchor``).
    """
    raw = entry_hash[:ANCHOR_HEX].upper()
    return f"No.{seq} " + "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def parse_anchor(text: str) -> tuple[int, str] | None:
    """(seq, the hash's first hex digits, lower case) of a printed anchor, or None."""
    match = re.fullmatch(r"\s*(?:No\.?\s*)?(\d+)[\s:/-]+([0-9A-Fa-f][0-9A-Fa-f\s-]*)", text)
    if match is None:
        return None
    digits = re.sub(r"[\s-]", "", match[2]).lower()
    return (int(match[1]), digits) if len(digits) >= 8 else None


def is_legacy(frozen: dict[str, Any]) -> bool:
    return "format" not in frozen


def frozen_code(frozen: dict[str, Any]) -> str:
    """The code of a stored frozen roster, recomputed (for verify)."""
    return legacy_code(frozen) if is_legacy(frozen) else code_of(frozen)


def roster_of(doc: dict[str, Any]) -> Roster:
    """The roster a sign-off froze, to print it again."""
    frozen = doc["frozen"]
    return roster_from_legacy(frozen) if is_legacy(frozen) else Roster.from_doc(frozen)


def same_content(doc: dict[str, Any], roster: Roster) -> bool:
    """Whether ``roster`` (built now) holds exactly what the sign-off ``doc`` froze."""
    signed: str = doc["code"]
    if is_legacy(doc["frozen"]):
        return legacy_code(legacy_frozen(roster)) == signed
    return roster.code() == signed


def state_of(doc: dict[str, Any] | None) -> SignoffState:
    if doc is None:
        return SignoffState.UNSIGNED
    if doc.get("superseded_by"):
        return SignoffState.SUPERSEDED
    return SignoffState.STALE if doc.get("changes_since") else SignoffState.SIGNED


def signoff_block(doc: dict[str, Any]) -> dict[str, str]:
    return {
        "date": doc["date_label"],
        "title": doc.get("title", ""),
        "name": doc["by"],
        "approval_no": doc.get("approval_no", ""),
    }


@dataclass
class Touched:
    """What one commit's changes touch, for the staleness rule (collected in one pass)."""

    people_by_year: dict[int, set[str]] = field(default_factory=dict)  # records, exemptions: that year
    people: set[str] = field(default_factory=set)  # staff documents: every year
    divisions: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, changes: Iterable[list[Any]]) -> Touched:
        touched = cls()
        for part, table, _doc_id, before, after in changes:
            doc = after or before
            if table in ("records", "exemptions") and part.startswith("fy"):
                touched.people_by_year.setdefault(int(part[2:]), set()).add(doc["staff_id"])
            elif table == "staff":
                touched.people.add(doc["staff_id"])
                touched.divisions |= {a["division"] for d in (before, after) if d for a in d["assignments"]}
            elif table == "divisions":
                touched.divisions.add(doc["code"])
        return touched

    def __bool__(self) -> bool:
        return bool(self.people_by_year or self.people or self.divisions)

    def affects(self, key: str, people: Iterable[str]) -> bool:
        """The staleness rule: a change to a signed roster's people (their records or exemptions of
        that year, or their staff record), or to its division (its name, or anyone moving in or
        out), makes it stale."""
        fy_text, division = key.split("/", 1)
        members = set(people)
        return (
            division in self.divisions
            or not self.people.isdisjoint(members)
            or not self.people_by_year.get(int(fy_text), set()).isdisjoint(members)
        )


__all__ = [
    "FORMAT",
    "IN_FORCE",
    "LEFT",
    "Entry",
    "RequirementRef",
    "Roster",
    "Row",
    "SignoffState",
    "Touched",
    "anchor_text",
    "build_roster",
    "frozen_code",
    "is_legacy",
    "normalize_code",
    "parse_anchor",
    "roster_of",
    "same_content",
    "signoff_block",
    "state_of",
]
