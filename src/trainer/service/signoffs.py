"""Sign-offs: a division head's roster frozen as signed, and which sign-off is in force."""

from __future__ import annotations

from typing import Any

from trainer import signoff
from trainer.calendar import fy_label, wareki
from trainer.errors import InputError, NotFoundError
from trainer.guard import checked
from trainer.reports import views
from trainer.service.core import DateLike, _date, guarded_free
from trainer.service.status import StatusUseCases


class SignoffUseCases(StatusUseCases):
    """A division head's sign-off of the roster: freezing it, its state, finding it by code."""

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
        name = guarded_free(by, "所属長の氏名")
        title = guarded_free(title, "所属長の職名")
        approval_no = guarded_free(approval_no, "電子決裁の番号")
        note = guarded_free(note, "備考")
        if expect_code is not None:
            checked(expect_code, "名簿コード")
        if not name:
            raise InputError("署名する所属長の氏名（--by）が空です")
        day = _date(on, "確認日") if on is not None else self.today()
        if day > self.today():
            raise InputError(f"確認日 {wareki(day)} は未来の日付です")
        report = self.status(fiscal_year, as_of, division)
        view = views.roster_view(  # the roster as printed (no templates needed to sign it)
            report.fiscal_year, report.as_of, report.divisions[division], report.people, self.catalog,
            report.divisions, "", str(self.register.setting("organization", "")),
        )  # fmt: skip
        frozen = signoff.freeze(view)
        code = signoff.roster_code(frozen)
        if expect_code and signoff.normalize_code(expect_code) != code:
            raise InputError(
                f"名簿の内容が、署名された名簿（名簿コード {signoff.normalize_code(expect_code)}）と違います"
                f"（いまの名簿コードは {code}）",
                "印刷した後に変更があります。名簿を出し直して改めて確認を受けてください"
                "（--as-of で印刷した名簿の基準日を指定できます）",
            )
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
            doc = {
                "code": code,
                "fiscal_year": report.fiscal_year,
                "division": division,
                "frozen": frozen,
                "signed_at": now.isoformat(timespec="seconds"),
                "signed_label": f"{wareki(now.date())} {now:%H:%M}",
                "date": day.isoformat(),
                "date_label": wareki(day),
                "by": name,
                "title": title,
                "approval_no": approval_no,
                "note": note,
                "log_seq": self.register.db.next_log_seq(),
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
                "people": [r["staff_id"] for r in frozen["rows"]],
                "changes": 0,
                "by": name,
                "date": day.isoformat(),
            }
            self.register.put_signoff_index(index)
            self._about(
                "signoff",
                f"署名: {division} {view.division.name} {fy_label(report.fiscal_year)}の修了者名簿"
                f"（名簿コード {code}、{title} {name}、確認日 {wareki(day)}"
                + (f"、電子決裁 {approval_no}" if approval_no else "")
                + (f"、前の署名 {previous['code']} を置き換え" if previous else "")
                + "）",
                fy=report.fiscal_year,
                division=division,
            )
        return doc

    def signoff_states(self, fiscal_year: int) -> dict[str, dict[str, Any]]:
        """Per division code: the sign-off in force for the year (state, code, changes since).

        A division not in it is unsigned (:data:`trainer.signoff.UNSIGNED`)."""
        self.register.refresh()
        result = {}
        for key, item in self.register.signoff_index().items():
            fy, division = key.split("/", 1)
            if int(fy) == fiscal_year:
                state = signoff.STALE if item.get("changes") else signoff.SIGNED
                result[division] = {**item, "state": state}
        return result

    def signed(self, code: str) -> dict[str, Any]:
        """A sign-off by its roster code (as printed on the roster)."""
        checked(code, "名簿コード")
        self.register.refresh()
        found = self.register.signoff(signoff.normalize_code(code))
        if found is None:
            raise NotFoundError(
                f"名簿コード {code} の署名はありません", "名簿の下に印刷された12文字のコードを入れてください"
            )
        return found
