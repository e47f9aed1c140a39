"""Exemptions as decisions: granted with a kind, an approver and evidence; revoked with a reason.

An exemption is an exception an auditor expects rare and justified: who approved it (氏名・職名),
when, of which kind (the year's catalog lists the kinds the city allows), on what basis (a
文書番号 or a note of what is filed), and from when it counts. It never counts as training
done. A revoked one stays on record beside any later one; both are in the change log.
"""

from __future__ import annotations

from dataclasses import replace

from trainer.calendar import fy_end, fy_label, fy_start, wareki
from trainer.errors import InputError, NotFoundError
from trainer.model import ALL_REQUIREMENTS, Exemption, ExemptionKind
from trainer.service.core import DateLike, ServiceCore, guarded_free


class ExemptionUseCases(ServiceCore):
    """Granting and revoking exemptions."""

    def exemption_kinds(self, fiscal_year: int | str | None = None) -> tuple[ExemptionKind, ...]:
        """The kinds of exemption allowed in the year (its frozen catalog's)."""
        return self.catalog_for(self.fiscal_year(fiscal_year)).exemption_kinds

    def _kind(self, kind: str, fy: int) -> ExemptionKind:
        kinds = self.catalog_for(fy).exemption_kinds
        wanted = kind
        found = next((k for k in kinds if wanted in (k.id, k.label)), None)
        if found is None:
            names = [k.id for k in kinds] + [k.label for k in kinds]
            import difflib  # (a suggestion for a mistyped name: loaded only then)

            close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.4)
            listing = "、".join(f"{k.id}（{k.label}）" for k in kinds)
            raise InputError(
                f"免除の種類「{wanted}」はありません",
                (f"「{close[0]}」のことですか？ " if close else "") + f"使える種類: {listing}",
            )
        return found

    def _requirement_id(self, requirement: str, fy: int) -> str:
        return ALL_REQUIREMENTS if requirement == ALL_REQUIREMENTS else self.requirement(requirement, fy).id

    def _what(self, requirement_id: str, fy: int) -> str:
        if requirement_id == ALL_REQUIREMENTS:
            return "すべての研修"
        found = self.catalog_for(fy).get(requirement_id)
        return found.short_title if found else requirement_id

    def exempt(
        self,
        staff_id: str,
        requirement: str,
        kind: str,
        approved_by: str,
        approved_on: DateLike | None = None,
        evidence: str = "",
        effective: DateLike | None = None,
        note: str = "",
        fiscal_year: int | str | None = None,
    ) -> Exemption:
        """Grant an exemption: approved by someone (氏名・職名), of an allowed kind, with evidence
        where the kind asks for it, counting from ``effective`` (default: today; an earlier day
        needs evidence). Refused while an exemption covering the same requirement is in force."""
        fy = self.fiscal_year(fiscal_year)
        today = self.today()
        kind = guarded_free(kind, "免除の種類")
        approved_by = guarded_free(approved_by, "承認者")
        evidence_text = guarded_free(evidence, "根拠")
        note = guarded_free(note, "補足")
        missing = []
        if not kind:
            missing.append("免除の種類（--kind）")
        if not approved_by:
            missing.append("承認者の職名・氏名（--approved-by）")
        if missing:
            kinds = "、".join(f"{k.id}（{k.label}）" for k in self.catalog_for(fy).exemption_kinds)
            raise InputError(
                "免除には " + "と".join(missing) + " が必要です",
                f"免除は承認された決定として記録します。使える種類: {kinds}",
            )
        chosen = self._kind(kind, fy)
        req_id = self._requirement_id(requirement, fy)
        approved_day = self._date(approved_on, "承認日") if approved_on is not None else today
        start = self._date(effective, "適用開始日") if effective is not None else today
        for day, what in ((approved_day, "承認日"), (start, "適用開始日")):
            if day > today:
                raise InputError(f"{what} {wareki(day)} は未来の日付です（今日は {wareki(today)}）")
        if start > fy_end(fy):
            raise InputError(f"適用開始日 {wareki(start)} は{fy_label(fy)}の後です")
        if chosen.evidence and not evidence_text:
            raise InputError(
                f"免除の種類「{chosen.label}」には根拠（--evidence: 文書番号や保管している書類のメモ）が必要です"
            )
        if start < today and not evidence_text:
            raise InputError(
                f"適用開始日を過去（{wareki(start)}）にするには根拠（--evidence）が必要です",
                "さかのぼって免除する根拠の文書番号などを記録してください",
            )
        with self.register.transaction():
            person = self.staff(staff_id)
            for other in self.register.exemptions_of(fy, person.staff_id):
                overlaps = ALL_REQUIREMENTS in (req_id, other.requirement) or req_id == other.requirement
                if overlaps and not other.revoked:
                    what = self._what(other.requirement, fy)
                    raise InputError(
                        f"{person.name} さんには{fy_label(fy)}の免除 No.{other.no}（{what}）がすでにあります",
                        "内容を変えるときは、先にいまの免除を取り消してください（理由を記録します）",
                    )
            text = chosen.label + (f"：{note}" if note else "")
            exemption = Exemption(
                person.staff_id,
                fy,
                req_id,
                text,
                today,
                self.register.next_exemption_no(fy),
                chosen.id,
                approved_by,
                approved_day,
                evidence_text,
                max(start, fy_start(fy)) if effective is not None else None,
            )
            self.register.put_exemptions([exemption])
            summary = (
                f"免除 No.{exemption.no}: {person.staff_id} {person.name} {self._what(req_id, fy)}（{text}、"
                f"承認 {exemption.approved_by} {wareki(approved_day)}"
                + (f"、根拠 {evidence_text}" if evidence_text else "")
                + f"、{wareki(exemption.starts)}から）"
            )
            self._about("exempt", summary, fy=fy, staff=[person.staff_id])
        return exemption

    def revoke_exemption(
        self, staff_id: str, requirement: str, reason: str, fiscal_year: int | str | None = None
    ) -> Exemption:
        """Revoke the exemption in force for the requirement (or ``all``): it stops counting today,
        and stays on record with the reason."""
        fy = self.fiscal_year(fiscal_year)
        req_id = self._requirement_id(requirement, fy)
        why = guarded_free(reason, "取り消しの理由")
        if not why:
            raise InputError("取り消しの理由（--reason）が必要です", "監査で説明できる理由を書いてください")
        with self.register.transaction():
            person = self.staff(staff_id)
            active = [
                e for e in self.register.exemptions_of(fy, person.staff_id) if e.requirement == req_id and not e.revoked
            ]
            if not active:
                raise NotFoundError(
                    f"{person.name} さんの{fy_label(fy)}の免除（{self._what(req_id, fy)}）で取り消せるものはありません",
                    f"trainer staff show {person.staff_id} で免除を確認してください",
                )
            old = active[-1]
            revoked = replace(old, revoked_on=self.today(), revoked_reason=why)
            self.register.replace_exemption(old, revoked)
            summary = (
                f"免除の取り消し No.{old.no}: {person.staff_id} {person.name} {self._what(req_id, fy)}（理由: {why}）"
            )
            self._about("exempt_revoke", summary, fy=fy, staff=[person.staff_id])
        return revoked
