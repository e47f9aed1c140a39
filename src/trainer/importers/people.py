"""Who a row of an e-learning export or a returned checkpoint sheet names.

A row's id is a 職員番号, or the person's id in the e-learning system (the 学習者ID kept per
person); a 職員番号 that lost its leading zeros is matched as rosters match it. When the file has
a 氏名 column, the name must be the person's (written any usual way: spaces, 全角/半角, 異体字,
ひらがな/カタカナ): a transposed number never credits the wrong person. An id nobody has is a
problem — or, with ``skip_unknown``, a row set aside and named (a 出向者, an administrator's account).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from trainer.importers.problems import Problems
from trainer.importers.values import BadValue, Codes, staff_id, text
from trainer.model import Staff
from trainer.text import same_name


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row set aside because nobody in the register has its id."""

    row: int
    learner: str


@dataclass
class Roll:
    """The register's people as rows name them."""

    ids: Codes
    by_learner: dict[str, str]
    names: dict[str, tuple[str, str]]  # staff id -> (氏名, カナ)
    people: dict[str, Staff] = field(default_factory=dict)

    @classmethod
    def of(cls, people: Iterable[Staff]) -> Roll:
        everyone = {s.staff_id: s for s in people}
        return cls(
            Codes(everyone),
            {s.learner_id: sid for sid, s in everyone.items() if s.learner_id},
            {sid: (s.name, s.kana) for sid, s in everyone.items()},
            everyone,
        )

    @classmethod
    def of_ids(cls, ids: Iterable[str]) -> Roll:
        """A roll of ids only (no names, no learner ids): for callers that have nothing else."""
        known = list(ids)
        return cls(Codes(known), {}, dict.fromkeys(known, ("", "")))


@dataclass
class Identify:
    """Works out each row's person, collecting problems and the rows set aside."""

    roll: Roll
    problems: Problems
    skip_unknown: bool = False
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    def person(self, number: int, raw: object, column: str, written_name: object = None) -> str | None:
        try:
            sid, _number_cell = staff_id(raw)
        except BadValue as e:
            self.problems.add(number, column, e.message, e.expected)
            return None
        if not sid:
            self.problems.add(number, column, "空です", "職員番号（または学習者ID）を入れてください")
            return None
        if sid in self.roll.by_learner:
            sid = self.roll.by_learner[sid]
        else:
            try:
                found, note = self.roll.ids.match(sid)
            except BadValue as e:
                self.problems.add(number, column, e.message, e.expected)
                return None
            if found not in self.roll.names:
                if self.skip_unknown:
                    self.skipped.append(Skipped(number, sid))
                else:
                    self.problems.add(
                        number,
                        column,
                        f"職員番号・学習者ID {sid} の職員は登録されていません",
                        "先に職員名簿を取り込むか、登録のない人の行を除いて取り込んでください（--skip-unknown）",
                    )
                return None
            if note:
                self.notes.append((number, note))
            sid = found
        name = text(written_name) if written_name not in (None, "") else ""
        registered, kana = self.roll.names[sid]
        if name and registered and not same_name(name, registered, kana):
            self.problems.add(
                number,
                "氏名",
                f"職員番号 {sid} は {registered} さんですが、ファイルの氏名は「{name}」です",
                "職員番号の書き間違いがないか確かめてください（別の人に記録しないよう取り込みません）",
            )
            return None
        return sid
