"""The catalog in force for a fiscal year, as data: frozen into the register, compared with the files.

A closed year does not change: the requirements, windows, grace days, checklist items and
exemption kinds that applied to a fiscal year are part of that year's record. The service
freezes them into the register with the year's first write (or ``trainer year open``), and from
then on that year is evaluated, reported and audited with the frozen copy; an edit of
``courses/`` or ``checklists/`` applies to the years not yet frozen, or to a frozen one only
deliberately (``trainer year apply-catalog``). Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from trainer.model import (
    Catalog,
    ChecklistItem,
    ChecklistSection,
    Duty,
    ExemptionKind,
    MonthDay,
    Requirement,
    Window,
)

FORMAT = 1  # of the frozen document


def _month_day(md: MonthDay) -> str:
    return f"{md.month:02d}-{md.day:02d}"


def _parse_month_day(text: str) -> MonthDay:
    month, day = text.split("-")
    return MonthDay(int(month), int(day))


def requirement_to_doc(r: Requirement) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "title": r.title,
        "short_title": r.short_title,
        "training": r.training,
        "duties": sorted(d.value for d in r.duties),
        "window": {"start": _month_day(r.window.start), "end": _month_day(r.window.end)},
        "late_joiner_days": r.late_joiner_days,
        "order": r.order,
        "expected_hours": r.expected_hours,
        "aliases": list(r.aliases),
        "sections": [
            {"id": s.id, "title": s.title, "items": [{"id": i.id, "text": i.text} for i in s.items]} for s in r.sections
        ],
        "note": r.note,
        "after_entry_days": r.after_entry_days,
    }


def requirement_from_doc(doc: dict[str, Any]) -> Requirement:
    return Requirement(
        id=doc["id"],
        kind=doc["kind"],
        title=doc["title"],
        short_title=doc["short_title"],
        training=doc["training"],
        duties=frozenset(Duty(d) for d in doc["duties"]),
        window=Window(_parse_month_day(doc["window"]["start"]), _parse_month_day(doc["window"]["end"])),
        late_joiner_days=int(doc["late_joiner_days"]),
        order=int(doc.get("order", 0)),
        expected_hours=doc.get("expected_hours"),
        aliases=tuple(doc.get("aliases", ())),
        sections=tuple(
            ChecklistSection(s["id"], s["title"], tuple(ChecklistItem(i["id"], i["text"]) for i in s["items"]))
            for s in doc.get("sections", ())
        ),
        note=doc.get("note", ""),
        source_file="（年度の凍結内容）",
        after_entry_days=doc.get("after_entry_days"),
    )


def catalog_to_doc(catalog: Catalog) -> dict[str, Any]:
    """The catalog as plain JSON data (no file paths: it must not depend on where the files were)."""
    return {
        "format": FORMAT,
        "requirements": [requirement_to_doc(r) for r in catalog],
        "exemption_kinds": [
            {"id": k.id, "label": k.label, "evidence": k.evidence, "note": k.note} for k in catalog.exemption_kinds
        ],
    }


def catalog_from_doc(doc: dict[str, Any]) -> Catalog:
    return Catalog(
        tuple(requirement_from_doc(r) for r in doc["requirements"]),
        tuple(
            ExemptionKind(k["id"], k["label"], bool(k["evidence"]), k.get("note", "")) for k in doc["exemption_kinds"]
        ),
    )


def with_current_aliases(frozen: Catalog, current: Catalog) -> Catalog:
    """The frozen catalog whose requirements also answer to the names the current files add.

    Names are how an e-learning export is matched to a requirement; a new alias changes no rule,
    so imports into a frozen year may use it.
    """
    requirements = []
    for r in frozen:
        now = current.get(r.id)
        extra = tuple(a for a in (now.aliases if now else ()) if a not in r.aliases)
        requirements.append(Requirement(**{**_fields(r), "aliases": r.aliases + extra}) if extra else r)
    return Catalog(tuple(requirements), frozen.exemption_kinds)


def _fields(r: Requirement) -> dict[str, Any]:
    return {name: getattr(r, name) for name in Requirement.__dataclass_fields__}


def _window_text(r: Requirement) -> str:
    return f"{r.window.start}〜{r.window.end}"


def differences(frozen: Catalog, current: Catalog) -> list[str]:
    """What the current files change against a year's frozen catalog, in words (empty: nothing)."""
    lines: list[str] = []
    old_ids, new_ids = [r.id for r in frozen], [r.id for r in current]
    for rid in new_ids:
        if rid not in old_ids:
            lines.append(f"研修「{current.by_id[rid].title}」（{rid}）が追加されています")
    for rid in old_ids:
        if rid not in new_ids:
            lines.append(f"研修「{frozen.by_id[rid].title}」（{rid}）がファイルにありません")
    for rid in old_ids:
        if rid in new_ids:
            lines += _requirement_differences(frozen.by_id[rid], current.by_id[rid])
    old_kinds = {k.id: k for k in frozen.exemption_kinds}
    new_kinds = {k.id: k for k in current.exemption_kinds}
    for kid in new_kinds.keys() - old_kinds.keys():
        lines.append(f"免除の種類「{new_kinds[kid].label}」（{kid}）が追加されています")
    for kid in old_kinds.keys() - new_kinds.keys():
        lines.append(f"免除の種類「{old_kinds[kid].label}」（{kid}）がファイルにありません")
    for kid in sorted(old_kinds.keys() & new_kinds.keys()):
        if old_kinds[kid] != new_kinds[kid]:
            lines.append(f"免除の種類「{old_kinds[kid].label}」（{kid}）の内容が変わっています")
    return lines


def _requirement_differences(old: Requirement, new: Requirement) -> list[str]:
    name = f"{old.short_title}（{old.id}）"
    lines = []
    if old.window != new.window:
        lines.append(f"{name}: 受講期間 {_window_text(old)} → {_window_text(new)}")
    if old.after_entry_days != new.after_entry_days:
        lines.append(f"{name}: 着任後の期限 {old.after_entry_days}日 → {new.after_entry_days}日")
    if old.late_joiner_days != new.late_joiner_days:
        lines.append(f"{name}: 途中から対象になった人の猶予 {old.late_joiner_days}日 → {new.late_joiner_days}日")
    if old.duties != new.duties:
        before = "・".join(sorted(d.value for d in old.duties))
        after = "・".join(sorted(d.value for d in new.duties))
        lines.append(f"{name}: 対象の事務区分 {before} → {after}")
    for label, attr in (("名称", "title"), ("略称", "short_title"), ("研修の区分", "training"), ("備考", "note")):
        if getattr(old, attr) != getattr(new, attr):
            lines.append(f"{name}: {label}「{getattr(old, attr)}」→「{getattr(new, attr)}」")
    if old.expected_hours != new.expected_hours:
        lines.append(f"{name}: 標準時間 {old.expected_hours} → {new.expected_hours}")
    if old.order != new.order:
        lines.append(f"{name}: 並び順 {old.order} → {new.order}")
    old_items = {i.id: i.text for s in old.sections for i in s.items}
    new_items = {i.id: i.text for s in new.sections for i in s.items}
    for item in sorted(new_items.keys() - old_items.keys()):
        lines.append(f"{name}: 項目 {item} が追加されています")
    for item in sorted(old_items.keys() - new_items.keys()):
        lines.append(f"{name}: 項目 {item} がファイルにありません")
    for item in sorted(old_items.keys() & new_items.keys()):
        if old_items[item] != new_items[item]:
            lines.append(f"{name}: 項目 {item} の文言が変わっています")
    if [s.id for s in old.sections] != [s.id for s in new.sections]:
        lines.append(f"{name}: 区分の構成が変わっています")
    added = [a for a in new.aliases if a not in old.aliases]
    if added:
        lines.append(f"{name}: 別名の追加 {'、'.join(added)}（取り込みではすぐに使えます）")
    return lines
