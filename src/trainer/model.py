"""The register's nouns: frozen dataclasses with no I/O.

Only ``trainer.store`` persists them; ``trainer.rules`` reasons about them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple

DEFAULT_EMPLOYMENT_TYPES: tuple[str, ...] = (
    "正規職員",
    "再任用職員",
    "任期付職員",
    "会計年度任用職員",
    "臨時職員",
)


class Duty(StrEnum):
    """事務区分: only 個人番号利用事務 is in scope of the training duty."""

    RIYO = "利用事務"
    KANKEI = "関係事務"
    NONE = "なし"


class LeaveKind(StrEnum):
    KYUSHOKU = "休職"
    IKUKYU = "育児休業"
    BYOKYU = "病気休暇"


class Progress(StrEnum):
    """What a record says about one person and one requirement."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class State(StrEnum):
    """The rules' verdict for a person (or a person and requirement) as of a date."""

    COMPLETED = "completed"
    EXEMPT = "exempt"
    OVERDUE = "overdue"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def pending(self) -> bool:
        """受講中 or 未受講 while the deadline is still ahead: 期限前, not a failure."""
        return self in (State.IN_PROGRESS, State.NOT_STARTED)


PENDING_LABEL = "期限前"
LEFT_LABEL = "離脱"


class LeftReason(StrEnum):
    """Why someone who did 利用事務 earlier in the year is no longer in scope."""

    RETIRED = "retired"
    TRANSFERRED = "transferred"
    DUTY_CHANGED = "duty_changed"

    @property
    def label(self) -> str:
        return {"retired": "退職", "transferred": "異動", "duty_changed": "事務区分の変更"}[self.value]


STATE_LABELS: dict[State, str] = {
    State.COMPLETED: "修了",
    State.EXEMPT: "免除",
    State.OVERDUE: "期限超過",
    State.IN_PROGRESS: "受講中",
    State.NOT_STARTED: "未受講",
}

ALL_REQUIREMENTS = "all"


@dataclass(frozen=True, slots=True)
class Division:
    """所属 (課). ``head_title``/``head_name`` are the 所属長 who signs the roster.

    ``former_names`` keeps each rename: (the first day of the new name, the old name).
    """

    code: str
    name: str
    head_title: str = ""
    head_name: str = ""
    former_names: tuple[tuple[date, str], ...] = ()

    def renamed(self, name: str, on: date) -> Division:
        """This division under a new name from ``on``, the old name kept in its history."""
        return Division(self.code, name, self.head_title, self.head_name, (*self.former_names, (on, self.name)))


class Assignment(NamedTuple):
    """From ``start`` on, the person works in ``division`` as ``title`` doing ``duty``.

    An assignment lasts until the next one starts (a transfer) or the person retires.
    (Named tuples, like :class:`Record`, are immutable and quick to build by the 100,000.)
    """

    start: date
    division: str
    title: str
    duty: Duty


class Leave(NamedTuple):
    """休職・育児休業・病気休暇 from ``start`` to ``end`` inclusive (``None``: not yet back)."""

    kind: LeaveKind
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Period(NamedTuple):
    """A period of service: 採用日 to 退職日 inclusive (``None``: still in service)."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Concurrent(NamedTuple):
    """兼務: from ``start`` to ``end`` inclusive the person also holds a post in ``division``.

    The main post owns the person (every figure counts them once, there); the concurrent
    division's 所属長 sees them on that division's roster, marked 兼務.
    """

    division: str
    start: date
    end: date | None = None
    title: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Staff:
    """職員. ``staff_id`` (職員番号) is a string: leading zeros are part of it.

    ``hired`` and ``retired`` are the current (latest) period of service: 採用日 and 退職日, the
    last day in service (out of scope after it). ``earlier`` holds the periods before a
    re-appointment under the same 職員番号 (a 会計年度任用職員 appointed again after a gap, or
    再任用 after 定年退職). ``learner_id`` is the person's id in the e-learning system when it is
    not the 職員番号.
    """

    staff_id: str
    name: str
    kana: str
    employment: str
    hired: date
    assignments: tuple[Assignment, ...]
    leaves: tuple[Leave, ...] = ()
    retired: date | None = None
    earlier: tuple[Period, ...] = ()
    concurrent: tuple[Concurrent, ...] = ()
    learner_id: str = ""

    @property
    def periods(self) -> tuple[Period, ...]:
        """Every period of service, oldest first."""
        return (*self.earlier, Period(self.hired, self.retired))

    def active_on(self, day: date) -> bool:
        if self.hired <= day and (self.retired is None or day <= self.retired):
            return True
        return any(p.covers(day) for p in self.earlier)

    def period_on(self, day: date) -> Period | None:
        """The period of service that covers ``day``."""
        return next((p for p in self.periods if p.covers(day)), None)

    @property
    def first_hired(self) -> date:
        return self.earlier[0].start if self.earlier else self.hired

    def assignment_on(self, day: date) -> Assignment | None:
        """The assignment in force on ``day`` (``None`` before the first one)."""
        current = None
        for a in self.assignments:
            if a.start <= day:
                current = a
            else:
                break
        return current

    def leave_on(self, day: date) -> Leave | None:
        for leave in self.leaves:
            if leave.covers(day):
                return leave
        return None

    def concurrent_on(self, day: date) -> tuple[Concurrent, ...]:
        """The concurrent posts in force on ``day`` (none while out of service)."""
        if not self.concurrent or not self.active_on(day):
            return ()
        return tuple(c for c in self.concurrent if c.covers(day))

    @property
    def current(self) -> Assignment:
        return self.assignments[-1]


class Record(NamedTuple):
    """One person's progress on one requirement in one fiscal year.

    ``on`` is the date of the progress: the completion date when completed, else the day the
    percentage was reported. ``source`` says where it came from (``cli``, ``import:FILE`` ...).
    An immutable named tuple rather than a frozen dataclass: a status at city scale builds
    a quarter of a million of them, four times faster this way.
    """

    staff_id: str
    fiscal_year: int
    requirement: str
    progress: Progress
    percent: int
    on: date
    source: str = ""
    items: tuple[str, ...] = ()  # checklist items confirmed (checkpoint sheets)

    @property
    def completed_on(self) -> date | None:
        return self.on if self.progress is Progress.COMPLETED else None


@dataclass(frozen=True, slots=True)
class ExemptionKind:
    """A kind of exemption the city allows (the catalog's ``policy/exemptions.yaml``).

    ``evidence`` says whether an evidence reference (文書番号, a note of the filed 修了証) is
    required for this kind.
    """

    id: str
    label: str
    evidence: bool = True
    note: str = ""


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """One ground for the training duty, as the audit's cover and the training plan state it
    (the catalog's ``policy/legal.yaml``: a city edits the wording; article numbers move)."""

    id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Exemption:
    """A decision that a person does not owe a requirement (or ``all``) this year.

    Someone approved it (``approved_by``: 氏名・職名) on ``approved_on``, of a ``kind`` from the
    catalog, on the basis of ``evidence`` (文書番号 or a note of what is filed). It counts from
    ``effective`` (the day it was recorded, ``on``, unless an earlier day was given with
    evidence) until it is revoked. ``no`` numbers a year's exemptions, so a revoked one and a
    later one for the same requirement both stay on record. An exemption recorded before
    exemptions had approvers has an empty ``approved_by`` (shown as 承認者未記録).
    """

    staff_id: str
    fiscal_year: int
    requirement: str
    reason: str  # a free-text note (the whole story, for one recorded before kinds existed)
    on: date  # the day it was recorded
    no: int = 0
    kind: str = ""
    approved_by: str = ""
    approved_on: date | None = None
    evidence: str = ""
    effective: date | None = None
    revoked_on: date | None = None
    revoked_reason: str = ""

    @property
    def starts(self) -> date:
        """The first day it counts."""
        return self.effective or self.on

    @property
    def approved(self) -> bool:
        return bool(self.approved_by)

    @property
    def revoked(self) -> bool:
        return self.revoked_on is not None

    def applies_to(self, requirement: str) -> bool:
        return self.requirement in (ALL_REQUIREMENTS, requirement)

    def in_force_on(self, day: date) -> bool:
        """Whether it counts on ``day``: from its start until the day it was revoked."""
        return self.starts <= day and (self.revoked_on is None or day < self.revoked_on)


@dataclass(frozen=True, slots=True)
class MonthDay:
    month: int
    day: int

    def __str__(self) -> str:
        return f"{self.month}月{self.day}日"


@dataclass(frozen=True, slots=True)
class Window:
    """When a requirement can be done each fiscal year; ``end`` is the nominal deadline."""

    start: MonthDay
    end: MonthDay


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class ChecklistSection:
    id: str
    title: str
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True, slots=True)
class Requirement:
    """A course (総務省 e-learning) or a checklist sheet every in-scope person owes yearly."""

    id: str
    kind: str  # "course" | "checklist"
    title: str
    short_title: str
    training: str
    duties: frozenset[Duty]
    window: Window
    late_joiner_days: int
    order: int = 0
    expected_hours: float | None = None
    aliases: tuple[str, ...] = ()
    sections: tuple[ChecklistSection, ...] = ()
    note: str = ""
    source_file: str = ""
    after_entry_days: int | None = None  # due N days after entering scope (着任時研修) instead of by the window

    def names(self) -> tuple[str, ...]:
        return (self.id, self.title, self.short_title, *self.aliases)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every requirement, courses first, in display order, and the kinds of exemption allowed."""

    requirements: tuple[Requirement, ...]
    exemption_kinds: tuple[ExemptionKind, ...] = ()
    by_id: dict[str, Requirement] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {r.id: r for r in self.requirements})

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def get(self, requirement_id: str) -> Requirement | None:
        return self.by_id.get(requirement_id)

    def exemption_kind(self, kind_id: str) -> ExemptionKind | None:
        return next((k for k in self.exemption_kinds if k.id == kind_id), None)
