"""Model objects to and from the JSON documents kept in the register's files."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from trainer.errors import CorruptDatabaseError
from trainer.model import (
    Assignment,
    Concurrent,
    Division,
    Duty,
    Exemption,
    Leave,
    LeaveKind,
    Period,
    Progress,
    Record,
    Staff,
)

Doc = dict[str, Any]

# Enum(value) is slow in a loop over 250,000 records; a dict lookup is not.
_DUTY = {d.value: d for d in Duty}
_PROGRESS = {p.value: p for p in Progress}
_LEAVE = {k.value: k for k in LeaveKind}


_DATES: dict[str, date] = {}


def _day(text: str) -> date:
    """``date.fromisoformat``, shared: a register holds a few thousand distinct dates at most."""
    found = _DATES.get(text)
    if found is None:
        found = _DATES[text] = date.fromisoformat(text)
    return found


def _d(value: str | None) -> date | None:
    return _day(value) if value else None


def _s(value: date | None) -> str | None:
    return value.isoformat() if value else None


def division_to_doc(d: Division) -> Doc:
    doc: Doc = {"code": d.code, "name": d.name, "head_title": d.head_title, "head_name": d.head_name}
    if d.former_names:
        doc["former_names"] = [{"renamed_on": on.isoformat(), "name": name} for on, name in d.former_names]
    return doc


def division_from_doc(doc: Doc) -> Division:
    former = tuple((_day(x["renamed_on"]), x["name"]) for x in doc.get("former_names", ()))
    return Division(doc["code"], doc["name"], doc.get("head_title", ""), doc.get("head_name", ""), former)


def staff_to_doc(s: Staff) -> Doc:
    doc: Doc = {
        "staff_id": s.staff_id,
        "name": s.name,
        "kana": s.kana,
        "employment": s.employment,
        "hired": s.hired.isoformat(),
        "retired": _s(s.retired),
        "assignments": [
            {"start": a.start.isoformat(), "division": a.division, "title": a.title, "duty": a.duty.value}
            for a in s.assignments
        ],
        "leaves": [{"kind": x.kind.value, "start": x.start.isoformat(), "end": _s(x.end)} for x in s.leaves],
    }
    # Written only when there is something: a document from before has none and reads the same.
    if s.earlier:
        doc["earlier_periods"] = [{"start": p.start.isoformat(), "end": _s(p.end)} for p in s.earlier]
    if s.concurrent:
        doc["concurrent"] = [
            {"division": c.division, "start": c.start.isoformat(), "end": _s(c.end), "title": c.title}
            for c in s.concurrent
        ]
    if s.learner_id:
        doc["learner_id"] = s.learner_id
    return doc


def staff_from_doc(doc: Doc) -> Staff:
    return Staff(
        staff_id=doc["staff_id"],
        name=doc["name"],
        kana=doc["kana"],
        employment=doc["employment"],
        hired=_day(doc["hired"]),
        retired=_d(doc.get("retired")),
        assignments=tuple(
            Assignment(_day(a["start"]), a["division"], a["title"], _DUTY[a["duty"]]) for a in doc["assignments"]
        ),
        leaves=tuple(Leave(_LEAVE[x["kind"]], _day(x["start"]), _d(x.get("end"))) for x in doc.get("leaves", ())),
        earlier=tuple(Period(_day(p["start"]), _d(p.get("end"))) for p in doc.get("earlier_periods", ())),
        concurrent=tuple(
            Concurrent(c["division"], _day(c["start"]), _d(c.get("end")), c.get("title", ""))
            for c in doc.get("concurrent", ())
        ),
        learner_id=doc.get("learner_id", ""),
    )


def record_to_doc(r: Record) -> Doc:
    doc: Doc = {
        "staff_id": r.staff_id,
        "requirement": r.requirement,
        "progress": r.progress.value,
        "percent": r.percent,
        "on": r.on.isoformat(),
        "source": r.source,
    }
    if r.items:
        doc["items"] = list(r.items)
    return doc


def record_from_doc(doc: Doc, fiscal_year: int) -> Record:
    """A record of the year file ``fiscal_year`` (the file says the year, not each record)."""
    return Record(
        staff_id=doc["staff_id"],
        fiscal_year=fiscal_year,
        requirement=doc["requirement"],
        progress=_PROGRESS[doc["progress"]],
        percent=doc["percent"],
        on=_day(doc["on"]),
        source=doc.get("source", ""),
        items=tuple(doc.get("items", ())),
    )


def records_by_staff(docs: Iterable[Doc], fiscal_year: int) -> dict[str, dict[str, Record]]:
    """A year file's records by staff id, then requirement id (the loop behind ``status``)."""
    result: dict[str, dict[str, Record]] = {}
    progress, day = _PROGRESS, _day
    for doc in docs:
        staff_id = doc["staff_id"]
        by_staff = result.get(staff_id)
        if by_staff is None:
            by_staff = result[staff_id] = {}
        requirement = doc["requirement"]
        if requirement in by_staff:  # two documents under one key: damage, never one of them picked
            raise duplicate_key("records", (staff_id, requirement), [])
        by_staff[requirement] = Record(
            staff_id,
            fiscal_year,
            requirement,
            progress[doc["progress"]],
            doc["percent"],
            day(doc["on"]),
            doc.get("source", ""),
            tuple(doc["items"]) if "items" in doc else (),
        )
    return result


def exemption_to_doc(e: Exemption) -> Doc:
    doc: Doc = {
        "staff_id": e.staff_id,
        "requirement": e.requirement,
        "no": e.no,
        "reason": e.reason,
        "on": e.on.isoformat(),
    }
    if e.kind or e.approved_by:
        doc |= {
            "kind": e.kind,
            "approved_by": e.approved_by,
            "approved_on": _s(e.approved_on),
            "evidence": e.evidence,
            "effective": _s(e.effective),
        }
    if e.revoked_on is not None:
        doc |= {"revoked_on": e.revoked_on.isoformat(), "revoked_reason": e.revoked_reason}
    return doc


def exemption_from_doc(doc: Doc, fiscal_year: int) -> Exemption:
    """An exemption of the year file ``fiscal_year``; one recorded before exemptions had an
    approver has none (and no number until the register is upgraded)."""
    return Exemption(
        doc["staff_id"],
        fiscal_year,
        doc["requirement"],
        doc["reason"],
        _day(doc["on"]),
        int(doc.get("no") or 0),
        doc.get("kind", ""),
        doc.get("approved_by", ""),
        _d(doc.get("approved_on")),
        doc.get("evidence", ""),
        _d(doc.get("effective")),
        _d(doc.get("revoked_on")),
        doc.get("revoked_reason", ""),
    )


def duplicate_key(table: str, key: tuple[Any, ...], ids: list[str]) -> CorruptDatabaseError:
    """Two documents under one key: no lookup may pick one of them (normal writes never make this)."""
    shown = "・".join(str(k) for k in key)
    which = f"（文書 {', '.join(sorted(ids, key=int))}）" if ids else ""
    return CorruptDatabaseError(
        f"データベースの表 {table} に、同じキー（{shown}）の文書が複数あります{which}",
        "trainer verify で確かめ、直前のバックアップから戻してください（trainer restore）",
    )
