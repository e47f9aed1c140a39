"""元に戻す: a change undone by a new change that writes back what it replaced.

History is never deleted: the change log keeps the entry undone, and a new entry (action
``undo``, ``undoes`` its number) writes back the before-images of the documents it changed, in
one transaction. An undo is refused, with the reason, when it would lose or break something:

* a later change touched the same documents (undo that one first; it is named);
* the change added a person or a division that later changes use (their records, transfers);
* the register no longer holds what the change wrote (a restore since, say);
* it is not a change of the register's data (a sign-off, a restore, the log's baseline …).

The catalog frozen for a year and the sign-offs' bookkeeping (要再確認) are the register's own
record of what happened and are left as they are; an undo is itself a change a signed roster
notices.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from trainer.errors import InputError, NotFoundError
from trainer.guard import checked
from trainer.service.core import ServiceCore

# The tables whose documents are the register's data; settings only by these keys.
DATA_TABLES = {("main", "divisions"), ("main", "staff"), ("records",), ("exemptions",)}
USER_SETTINGS = ("employment_types", "organization", "operator")
NOT_UNDONE = {
    "baseline": "変更履歴の記録の開始",
    "upgrade": "この版への更新",
    "restore": "バックアップからの復元",
    "repair": "修復",
    "signoff": "署名（新しい署名で置き換えてください）",
}
_SEQ = re.compile(rb'"prev":"[0-9a-f]{64}","seq":(\d+)')

Change = tuple[str, str, str, Any, Any]  # partition, table, document id, before, after


@dataclass(frozen=True)
class UndoPlan:
    """What undoing a change-log entry would do, or why it cannot be done."""

    seq: int
    at: str
    summary: str
    action: str
    changes: list[Change] = field(default_factory=list)  # the data documents to write back
    people: list[str] = field(default_factory=list)  # staff ids concerned
    refusal: str = ""

    @property
    def possible(self) -> bool:
        return not self.refusal


def _is_data(change: list[Any]) -> bool:
    partition, table, _doc_id, before, after = change
    if table == "settings":
        return str((after or before or {}).get("key", "")) in USER_SETTINGS
    return (partition, table) in DATA_TABLES or (partition.startswith("fy") and (table,) in DATA_TABLES)


def _staff_ids(change: Change | list[Any]) -> set[str]:
    ids = set()
    for doc in (change[3], change[4]):
        if isinstance(doc, dict) and doc.get("staff_id"):
            ids.add(str(doc["staff_id"]))
    return ids


def _divisions_used(change: list[Any]) -> set[str]:
    codes: set[str] = set()
    for doc in (change[3], change[4]):
        if isinstance(doc, dict) and change[1] == "staff":
            codes |= {a["division"] for a in doc.get("assignments", ())}
            codes |= {c["division"] for c in doc.get("concurrent", ())}
        elif isinstance(doc, dict) and change[1] == "divisions":
            codes.add(str(doc.get("code")))
    return codes


def parse_entry_number(text: str | int) -> int:
    """A change-log entry's number as typed: 123, No.123, ＃123."""
    if isinstance(text, int):
        return text
    checked(text, "変更履歴の番号")
    digits = re.sub(r"^(?:no\.?|#|＃|記録)\s*", "", text.strip().lower()).strip()
    digits = digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not digits.isdigit():
        raise InputError(f"「{text}」は変更履歴の番号として読めません", "変更履歴に出る番号（例: 123）を入れてください")
    return int(digits)


class UndoUseCases(ServiceCore):
    """Undoing a change (the last one, or any entry of the change log) with a new change."""

    def _entries_from(self, seq: int) -> Iterator[dict[str, Any]]:
        """Change-log entries numbered ``seq`` and after, with their documents (earlier lines skipped unparsed)."""
        for kind, item in self.register.db.log_entries():
            if kind == "entry":
                if int(item.get("seq", 0)) >= seq:
                    yield item
                continue
            raw = item[1]
            found = _SEQ.search(raw[:200]) or _SEQ.search(raw)
            if found is None or int(found.group(1)) >= seq:
                yield orjson.loads(raw)

    def undo_plan(self, entry: int | str) -> UndoPlan:
        """What undoing entry ``entry`` of the change log would write back, or why it cannot."""
        seq = parse_entry_number(entry)
        entries = self._entries_from(seq)
        target = next((e for e in entries if e.get("seq") == seq), None)
        if target is None:
            raise NotFoundError(f"変更履歴に No.{seq} はありません", "変更履歴の一覧で番号を確かめてください")
        at, summary = str(target.get("at", "")), str(target.get("summary", ""))
        action = str(target.get("action", "change"))
        if action in NOT_UNDONE:
            return UndoPlan(seq, at, summary, action, refusal=f"{NOT_UNDONE[action]}は元に戻せません")
        changes: list[Change] = [tuple(c) for c in target.get("changes", ()) if _is_data(c)]
        people = sorted({sid for c in changes for sid in _staff_ids(c)} | set(target.get("staff", ())))
        if not changes:
            return UndoPlan(seq, at, summary, action, refusal="この変更には元に戻すデータの変更がありません")
        reason = self._conflict(seq, changes, entries) or self._differs(changes)
        return UndoPlan(seq, at, summary, action, changes=changes, people=people, refusal=reason)

    def _conflict(self, seq: int, changes: list[Change], later: Iterator[dict[str, Any]]) -> str:
        """Why a later change stands in the way (it touched the same documents, or uses what was
        added); a later change undone since (and not redone) no longer does."""
        active: dict[int, dict[str, Any]] = {seq: {}}  # later changes in effect, by number
        undone: dict[int, tuple[int, dict[str, Any]]] = {}  # an undo → the change it took away
        for entry in later:
            number, target = int(entry.get("seq", 0)), entry.get("undoes")
            if entry.get("action") == "undo" and target in active:
                undone[number] = (int(target), active.pop(int(target)))
            elif entry.get("action") == "undo" and target in undone:
                back, again = undone.pop(int(target))  # an undo undone: the change is back
                active[back] = again
            else:
                active[number] = entry
        if seq not in active:
            by = next(n for n, (back, _e) in undone.items() if back == seq)
            return f"No.{by} ですでに元に戻してあります"
        del active[seq]
        touched = {(c[0], c[1], c[2]) for c in changes}
        added_people = {str(c[4]["staff_id"]) for c in changes if c[1] == "staff" and c[3] is None and c[4]}
        added_divisions = {str(c[4]["code"]) for c in changes if c[1] == "divisions" and c[3] is None and c[4]}
        blocking: list[str] = []
        for entry in active.values():
            why = ""
            for change in entry.get("changes", ()):
                if (change[0], change[1], change[2]) in touched and _is_data(change):
                    why = "同じ記録を後から変えています"
                elif added_people & (_staff_ids(change) | set(entry.get("staff", ()))):
                    why = "この変更で登録した職員の記録です"
                elif added_divisions & _divisions_used(change):
                    why = "この変更で登録した所属を使っています"
                if why:
                    break
            if why:
                when = str(entry.get("at", ""))[:16].replace("T", " ")
                blocking.append(f"No.{entry.get('seq')}（{when} {entry.get('summary', '')}）: {why}")
        if not blocking:
            return ""
        more = f" ほか{len(blocking) - 3}件" if len(blocking) > 3 else ""
        return (
            "後の変更がこの変更に重なっているため、元に戻せません: "
            + "；".join(blocking[:3])
            + more
            + "。後の変更から順に元に戻してください"
        )

    def _differs(self, changes: list[Change]) -> str:
        """Why the register no longer holds what the change wrote (or the key is taken by another)."""
        for partition, table, doc_id, before, after in changes:
            if self.register.document(partition, table, doc_id) != after:
                return "データベースの内容がこの変更の後と違います（復元などで変わっています）。元に戻せません"
            if before is not None:  # put back under its key: that key must not belong to another since
                other = self.register.document_id(partition, table, before)
                if other is not None and other != doc_id:
                    return "この変更の前の記録と同じものが、後から別に登録されています。元に戻せません"
        return ""

    def undo(self, entry: int | str) -> UndoPlan:
        """Undo entry ``entry`` with a new change that writes back what it replaced (one transaction).

        Raises :class:`InputError` with the reason when it cannot be undone (see the module)."""
        seq = parse_entry_number(entry)
        with self.register.transaction():
            plan = self.undo_plan(seq)
            if not plan.possible:
                raise InputError(f"No.{seq}（{plan.summary}）: {plan.refusal}")
            for partition, table, doc_id, before, _after in plan.changes:
                self.register.put_document(partition, table, doc_id, before)
            years = sorted({int(c[0][2:]) for c in plan.changes if c[0].startswith("fy")})
            self._about(
                "undo",
                f"元に戻す: No.{seq} {plan.summary}",
                undoes=seq,
                staff=plan.people or None,
                fy=years[0] if len(years) == 1 else None,
            )
        return plan

    def last_change(self) -> dict[str, Any] | None:
        """The newest change-log entry (without its documents), or None in an empty log."""
        newest = self.register.db.recent_log_entries(1)
        return newest[0] if newest else None
