"""Sign-offs: a division head's roster frozen as signed, which sign-off is in force, and what
makes a signed roster stale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trainer.calendar import fy_label, wareki
from trainer.errors import InputError, NotFoundError
from trainer.guard import checked
from trainer.service.core import DateLike, guarded_free
from trainer.service.status import StatusReport, StatusUseCases

if TYPE_CHECKING:  # the signed rosters' code is loaded by the methods that use it: most commands never do
    from trainer.signoff import Roster


class SignoffUseCases(StatusUseCases):
    """A division head's sign-off of the roster: freezing it, its state, finding it by code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register.db.commit_hooks.append(self._mark_signoffs_stale)

    # ------------------------------------------------------------------ rosters
    def roster(self, report: StatusReport, division: str) -> Roster:
        """The division's roster as data, from a status report (of that division or of all)."""
        from trainer import signoff

        return signoff.build_roster(
            report.fiscal_year,
            report.as_of,
            report.divisions[division],
            [*report.people, *report.concurrent],
            report.departures,
            report.catalog,
            str(self.register.setting("organization", "")),
        )

    def roster_codes(self, report: StatusReport) -> dict[str, str]:
        """Each division's 名簿コード as its roster stands in ``report`` (a status of every
        division): what a roster printed now carries and what a sign-off now would freeze.

        The people are grouped by division first, so this costs one pass however many divisions."""
        from trainer import signoff

        members: dict[str, list[Any]] = {code: [] for code in report.divisions}
        for person in [*report.people, *report.concurrent]:
            members.setdefault(person.division, []).append(person)
            for post in person.staff.concurrent_on(report.as_of):
                if post.division != person.division:
                    members.setdefault(post.division, []).append(person)
        left: dict[str, list[Any]] = {}
        for gone in report.departures:
            left.setdefault(gone.division, []).append(gone)
        organization = str(self.register.setting("organization", ""))
        codes = {}
        for code in sorted(set(report.summary.divisions) & set(report.divisions)):
            roster = signoff.build_roster(
                report.fiscal_year, report.as_of, report.divisions[code], members.get(code, []),
                left.get(code, []), report.catalog, organization,
            )  # fmt: skip
            codes[code] = roster.code()
        return codes

    def log_anchor(self) -> str:
        """The change log's head now, as printed on rosters and the audit: ``No.SEQ HASH``."""
        from trainer import signoff

        head = self.register.db.log_head()
        return signoff.anchor_text(head.seq, head.hash)

    # --------------------------------------------------------------- sign-offs
    def sign_off(
        self,
        division: str,
        fiscal_year: int | str | None,
        by: str,
        title: str = "",
        on: DateLike | None = None,
        approval_no: str = "",
        note: str = "",
        as_of: DateLike | None = None,
        expect_code: str | None = None,
    ) -> dict[str, Any]:
        """Freeze a division's roster as it stands, signed by its head; supersedes an earlier one.

        ``expect_code`` is the roster code printed on the paper the head signed: when given, the
        roster must still have exactly that content.
        """
        from trainer import signoff

        name = guarded_free(by, "所属長の氏名")
        title = guarded_free(title, "所属長の職名")
        approval_no = guarded_free(approval_no, "電子決裁の番号")
        note = guarded_free(note, "備考")
        if expect_code is not None:
            checked(expect_code, "名簿コード")
        if not name:
            raise InputError("署名する所属長の氏名（--by）が空です")
        day = self._date(on, "確認日") if on is not None else self.today()
        if day > self.today():
            raise InputError(f"確認日 {wareki(day)} は未来の日付です")
        report = self.status(fiscal_year, as_of, division)
        roster = self.roster(report, division)
        code = roster.code()
        if expect_code:
            self._check_printed_code(signoff.normalize_code(expect_code), code, division, report.fiscal_year)
        now = self.now()
        key = f"{report.fiscal_year}/{division}"
        with self.register.transaction():
            index = self.register.signoff_index()
            previous = index.get(key)
            if previous and previous["code"] == code and not previous.get("changes"):
                raise InputError(
                    f"この名簿（名簿コード {code}）はすでに署名されていて、その後の変更はありません",
                    "trainer verify --roster で署名の内容を確認できます",
                )
            doc: dict[str, Any] = {
                "code": code,
                "fiscal_year": report.fiscal_year,
                "division": division,
                "frozen": roster.to_doc(),
                "signed_at": now.isoformat(timespec="seconds"),
                "signed_label": f"{wareki(now.date())} {now:%H:%M}",
                "date": day.isoformat(),
                "date_label": wareki(day),
                "by": name,
                "title": title,
                "approval_no": approval_no,
                "note": note,
                "log_seq": self.register.db.next_log_seq(),
                "anchor": self.log_anchor(),
                "changes_since": [],
                "supersedes": previous["code"] if previous else None,
                "superseded_by": None,
            }
            if previous:
                old = dict(self.register.signoff(previous["code"]) or {})
                if old and old.get("code") != code:
                    self.register.put_signoff({**old, "superseded_by": code})
            if self.register.signoff(code) is not None and (not previous or previous["code"] != code):
                raise InputError(f"名簿コード {code} はすでに使われています")
            self.register.put_signoff(doc)
            index[key] = {
                "code": code,
                "people": [r.staff_id for r in (*roster.rows, *roster.left)],
                "changes": 0,
                "by": name,
                "date": day.isoformat(),
            }
            self.register.put_signoff_index(index)
            self._about(
                "signoff",
                f"署名: {division} {roster.division.name} {fy_label(report.fiscal_year)}の修了者名簿"
                f"（名簿コード {code}、{title} {name}、確認日 {wareki(day)}"
                + (f"、電子決裁 {approval_no}" if approval_no else "")
                + (f"、前の署名 {previous['code']} を置き換え" if previous else "")
                + "）",
                fy=report.fiscal_year,
                division=division,
            )
        return doc

    def _check_printed_code(self, printed: str, code: str, division: str, fiscal_year: int) -> None:
        """The code on the paper must be this roster's; say why not in full when it is not."""
        if printed == code:
            return
        other = self.register.signoff(printed)
        if other is not None and (other["division"] != division or other["fiscal_year"] != fiscal_year):
            raise InputError(
                f"名簿コード {printed} は {fy_label(other['fiscal_year'])}の所属 {other['division']} の名簿のものです"
                f"（{fy_label(fiscal_year)}の所属 {division} の名簿ではありません）",
                "署名を受けた紙の名簿の所属と年度を確かめてください",
            )
        raise InputError(
            f"署名された紙の名簿（名簿コード {printed}）と、いまの所属 {division} の名簿（名簿コード {code}）の"
            "内容が違います。印刷の後に記録が変わったか、基準日や所属の違う名簿です",
            "名簿を出し直して改めて確認を受けるか、印刷した名簿の基準日を指定してください",
        )

    def signoff_states(self, fiscal_year: int) -> dict[str, dict[str, Any]]:
        """Per division code: the sign-off in force for the year (state, code, changes since).

        A division not in it is unsigned (:attr:`SignoffState.UNSIGNED`)."""
        from trainer import signoff

        self.register.refresh()
        result = {}
        for key, item in self.register.signoff_index().items():
            fy, division = key.split("/", 1)
            if int(fy) == fiscal_year:
                state = signoff.SignoffState.STALE if item.get("changes") else signoff.SignoffState.SIGNED
                result[division] = {**item, "state": state}
        return result

    def signed(self, code: str) -> dict[str, Any]:
        """A sign-off by its roster code (as printed on the roster)."""
        from trainer import signoff

        checked(code, "名簿コード")
        self.register.refresh()
        found = self.register.signoff(signoff.normalize_code(code))
        if found is None:
            raise NotFoundError(
                f"名簿コード {code} の署名はありません", "名簿の下に印刷された名簿コードを入れてください"
            )
        return found

    def _mark_signoffs_stale(self, changes: list[list[Any]], seq: int, about: dict[str, Any]) -> bool:
        """A commit hook: a change that touches a signed roster (see :class:`trainer.signoff.Touched`)
        marks it 要再確認, noting the change. Returns whether it wrote anything."""
        index = self.register.signoff_index()
        if not index or about.get("action") == "upgrade":  # a change of format, not of content
            return False
        from trainer import signoff

        touched = signoff.Touched.of(changes)
        if not touched:
            return False
        changed = False
        for key, item in index.items():
            if not touched.affects(key, item["people"]):
                continue
            doc = dict(self.register.signoff(item["code"]) or {})
            if not doc:
                continue
            note = {"seq": seq, "action": about.get("action", "change"), "summary": about.get("summary", "")}
            doc["changes_since"] = [*doc.get("changes_since", []), note]
            self.register.put_signoff(doc)
            index[key] = {**item, "changes": len(doc["changes_since"])}
            changed = True
        if changed:
            self.register.put_signoff_index(index)
        return changed
