"""A division's roster as data: who was in scope on the date and where each stood, who left scope
during the year, and the requirements in force. Pure: built from the rules' verdicts, frozen as
signed, and read back to print it again.

The frozen form holds data, not display text: ids, ISO dates, state ids. A roster code is the
digest of that form, so a new field in a printed report or another date format never changes
the code of a roster already signed. ``FORMAT`` versions the frozen form.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

import orjson

from trainer.model import Catalog, Division, State
from trainer.rules import Counts, Departure, PersonStatus, RequirementStatus

FORMAT = 2
LEFT = "left"  # the state of a row of someone who left scope during the year
CODE_BITS = 80  # a forged collision would need about 2^40 tries even for a chosen pair

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_CROCKFORD = str.maketrans(_BASE32, _CROCKFORD)


@dataclass(frozen=True, slots=True)
class Entry:
    """One requirement of one person on the roster."""

    requirement: str
    state: str  # a State value
    completed_on: str | None  # ISO date
    percent: int
    deadline: str | None  # ISO date; None while on leave
    note: str

    @classmethod
    def of(cls, rs: RequirementStatus) -> Entry:
        return cls(
            rs.requirement,
            rs.state.value,
            rs.completed_on.isoformat() if rs.completed_on else None,
            rs.percent,
            rs.deadline.isoformat() if rs.deadline else None,
            rs.note,
        )


@dataclass(frozen=True, slots=True)
class Row:
    """One person: in scope on the roster's date (``state`` a State value), or left during the year
    (``state`` is :data:`LEFT`, with the day, the reason and each requirement as it stood then)."""

    staff_id: str
    name: str
    kana: str
    title: str
    employment: str
    state: str
    entries: tuple[Entry, ...]
    note: str = ""
    left_on: str | None = None
    left_reason: str | None = None  # a LeftReason value
    moved_to: str | None = None  # the division code moved to, for a transfer
    moved_duty: str | None = None  # the 事務区分 moved to
    main_division: str | None = None  # 兼務: listed here for a concurrent post; the main post's division

    @property
    def left(self) -> bool:
        return self.state == LEFT

    @property
    def concurrent(self) -> bool:
        return self.main_division is not None

    def entry(self, requirement: str) -> Entry | None:
        return next((e for e in self.entries if e.requirement == requirement), None)


@dataclass(frozen=True, slots=True)
class RequirementRef:
    id: str
    short_title: str
    title: str
    training: str


@dataclass(frozen=True, slots=True)
class Roster:
    fiscal_year: int
    as_of: str  # ISO date
    division: Division
    organization: str
    requirements: tuple[RequirementRef, ...]  # in the catalog's order
    rows: tuple[Row, ...]  # in scope on the date, by カナ
    left: tuple[Row, ...] = ()  # left scope during the year, by the day they left

    def totals(self) -> Counts:
        """The people in scope by state (each counted once: not those here for a 兼務), and
        those who left (離脱)."""
        counts = Counts()
        for row in self.rows:
            if not row.concurrent:
                counts.add(State(row.state))
        for row in self.left:
            counts.left += 1
            counts.left_open += any(e.state not in ("completed", "exempt") for e in row.entries)
        return counts

    def completed_per_requirement(self) -> list[tuple[RequirementRef, int]]:
        return [
            (
                r,
                sum(
                    1
                    for row in self.rows
                    if not row.concurrent and (e := row.entry(r.id)) is not None and e.state == "completed"
                ),
            )
            for r in self.requirements
        ]

    def to_doc(self) -> dict[str, Any]:
        """The frozen form (plain JSON data)."""
        d = self.division
        return {
            "format": FORMAT,
            "fiscal_year": self.fiscal_year,
            "as_of": self.as_of,
            "division": {"code": d.code, "name": d.name, "head_title": d.head_title, "head_name": d.head_name},
            "organization": self.organization,
            "requirements": [_plain(r, _REQUIREMENT_FIELDS) for r in self.requirements],
            "rows": [_row_doc(r) for r in self.rows],
            "left": [_row_doc(r) for r in self.left],
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Roster:
        d = doc["division"]
        return cls(
            fiscal_year=int(doc["fiscal_year"]),
            as_of=doc["as_of"],
            division=Division(d["code"], d["name"], d.get("head_title", ""), d.get("head_name", "")),
            organization=doc.get("organization", ""),
            requirements=tuple(RequirementRef(**r) for r in doc["requirements"]),
            rows=tuple(_row_from(r) for r in doc["rows"]),
            left=tuple(_row_from(r) for r in doc.get("left", ())),
        )

    def code(self) -> str:
        return code_of(self.to_doc())


_OPTIONAL = ("note", "left_on", "left_reason", "moved_to", "moved_duty", "main_division")


def _row_doc(row: Row) -> dict[str, Any]:
    """A row's frozen form; optional fields only when set, so a field added later never changes
    the code of a roster whose rows do not use it."""
    doc = _plain(row, _ROW_FIELDS)
    doc["entries"] = [_plain(e, _ENTRY_FIELDS) for e in row.entries]
    for name in _OPTIONAL:
        if not doc[name]:
            del doc[name]
    return doc


_ROW_FIELDS = tuple(f.name for f in fields(Row))
_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
_REQUIREMENT_FIELDS = tuple(f.name for f in fields(RequirementRef))


def _plain(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """A dataclass's fields as a dict in their order: what ``dataclasses.asdict`` gives for these
    flat ones (strings, numbers, None; a row's entries are done one level down), without its deep
    copy of every value (which made the codes of 50,000 people's rosters take seconds)."""
    return {name: getattr(obj, name) for name in names}


def _row_from(doc: dict[str, Any]) -> Row:
    return Row(**{**doc, "entries": tuple(Entry(**e) for e in doc["entries"])})


def code_of(frozen: dict[str, Any]) -> str:
    """80 bits of the SHA-256 of the frozen form, in Crockford's base 32, grouped for reading
    aloud: 7K3Q-M9ZD-2F8B-XW1C (no I, L, O or U to mistake)."""
    digest = hashlib.sha256(orjson.dumps(frozen, option=orjson.OPT_SORT_KEYS)).digest()
    text = base64.b32encode(digest[: CODE_BITS // 8]).decode().translate(_TO_CROCKFORD)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _in_scope_row(p: PersonStatus) -> Row:
    return Row(
        p.staff.staff_id,
        p.staff.name,
        p.staff.kana,
        p.assignment.title,
        p.staff.employment,
        p.state.value,
        tuple(Entry.of(rs) for rs in p.requirements),
        p.notes,
    )


def build_roster(
    fiscal_year: int,
    as_of: date,
    division: Division,
    people: Iterable[PersonStatus],
    departures: Iterable[Departure],
    catalog: Catalog,
    organization: str,
) -> Roster:
    """The roster of ``division``: its people in scope on ``as_of`` (and those here for a 兼務, marked),
    and those who left it during the year."""
    rows = [_in_scope_row(p) for p in people if p.division == division.code]
    rows += [
        replace(_in_scope_row(p), main_division=p.division)
        for p in people
        if p.division != division.code and any(c.division == division.code for c in p.staff.concurrent_on(as_of))
    ]
    left = [
        Row(
            d.staff.staff_id,
            d.staff.name,
            d.staff.kana,
            d.assignment.title,
            d.staff.employment,
            LEFT,
            tuple(Entry.of(rs) for rs in d.requirements),
            "／".join(dict.fromkeys(rs.note for rs in d.requirements if rs.note)),
            d.left_on.isoformat(),
            d.reason.value,
            d.moved_to.division if d.moved_to else None,
            d.moved_to.duty.value if d.moved_to else None,
        )
        for d in departures
        if d.division == division.code
    ]
    rows.sort(key=lambda r: (r.kana, r.staff_id))
    left.sort(key=lambda r: (r.left_on or "", r.kana, r.staff_id))
    return Roster(
        fiscal_year,
        as_of.isoformat(),
        Division(division.code, division.name, division.head_title, division.head_name),
        organization,
        tuple(RequirementRef(r.id, r.short_title, r.title, r.training) for r in catalog),
        tuple(rows),
        tuple(left),
    )
