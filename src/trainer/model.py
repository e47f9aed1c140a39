"""The register's nouns: frozen dataclasses with no I/O.

Only ``trainer.store`` persists them; ``trainer.rules`` reasons about them.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class Staff:
    """職員. ``staff_id`` (職員番号) is a string: leading zeros are part of it.

    ``retired`` is the last day in service (退職日); the person is out of scope after it.
    """

    staff_id: str
    name: str
    kana: str
    employment: str
    hired: date
    assignments: tuple[Assignment, ...]
    leaves: tuple[Leave, ...] = ()
    retired: date | None = None

    def active_on(self, day: date) -> bool:
        return self.hired <= day and (self.retired is None or day <= self.retired)

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
class Exemption:
    """A recorded reason why a person does not owe a requirement (or ``all``) this year."""

    staff_id: str
    fiscal_year: int
    requirement: str
    reason: str
    on: date

    def applies_to(self, requirement: str) -> bool:
        return self.requirement in (ALL_REQUIREMENTS, requirement)


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

    def names(self) -> tuple[str, ...]:
        return (self.id, self.title, self.short_title, *self.aliases)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every requirement, courses first, in display order."""

    requirements: tuple[Requirement, ...]
    by_id: dict[str, Requirement] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {r.id: r for r in self.requirements})

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def get(self, requirement_id: str) -> Requirement | None:
        return self.by_id.get(requirement_id)
