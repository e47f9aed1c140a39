"""The rules' verdicts as data: one requirement, one person, one departure, and the counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from trainer.model import (
    Assignment,
    LeftReason,
    Staff,
    State,
)


class RequirementStatus(NamedTuple):
    """One requirement's verdict for one person (a named tuple: built 250,000 times a status)."""

    requirement: str
    state: State
    deadline: date | None
    completed_on: date | None = None
    percent: int = 0
    note: str = ""
    due: bool = False  # the personal deadline has passed (whatever the state)

    @property
    def outstanding(self) -> bool:
        """Still owed: neither completed nor exempt."""
        return self.state is not State.COMPLETED and self.state is not State.EXEMPT

    @property
    def label(self) -> str:
        """The state in words, with the percentage while in progress (受講中 40%)."""
        return self.state.label + (f" {self.percent}%" if self.state is State.IN_PROGRESS else "")


class PersonStatus(NamedTuple):
    staff: Staff
    assignment: Assignment
    state: State
    requirements: tuple[RequirementStatus, ...]

    @property
    def division(self) -> str:
        return self.assignment.division

    @property
    def notes(self) -> str:
        """The requirements' notes (休業中, 採用から60日 …), each once, joined with ／."""
        return "／".join(dict.fromkeys(rs.note for rs in self.requirements if rs.note))

    def for_requirement(self, requirement_id: str) -> RequirementStatus | None:
        for status in self.requirements:
            if status.requirement == requirement_id:
                return status
        return None


@dataclass(slots=True)
class Counts:
    """How many people are in each state on the date. The five states add up to ``in_scope``.

    ``due`` counts the people in scope with at least one requirement past its deadline (and not
    exempt from it); ``left`` the people who were in scope earlier in the year and are not on
    the date (離脱), ``left_open`` those of them who left with something outstanding. Neither
    is part of ``in_scope``.
    """

    in_scope: int = 0
    completed: int = 0
    exempt: int = 0
    overdue: int = 0
    in_progress: int = 0
    not_started: int = 0
    due: int = 0
    left: int = 0
    left_open: int = 0

    @property
    def pending(self) -> int:
        """期限前: in progress or not started, the deadline still ahead."""
        return self.in_progress + self.not_started

    @property
    def done(self) -> int:
        """Completed or exempt: nothing more is owed (never a completion rate's numerator)."""
        return self.completed + self.exempt

    @property
    def in_year(self) -> int:
        """Everyone accounted for in the year so far: in scope on the date, and those who left."""
        return self.in_scope + self.left

    @property
    def rate(self) -> float:
        """修了率: completed as a percentage of those in scope (exemptions never count; 0 when nobody is)."""
        return 100.0 * self.completed / self.in_scope if self.in_scope else 0.0

    @property
    def due_rate(self) -> float | None:
        """Of the people with something already due, the percentage with nothing overdue (None: nothing due)."""
        return 100.0 * (self.due - self.overdue) / self.due if self.due else None

    def add(self, state: State, n: int = 1) -> None:
        self.in_scope += n
        setattr(self, state.value, getattr(self, state.value) + n)

    def as_dict(self) -> dict[str, int]:
        """The five states and ``in_scope`` (they add up), then 期限前, due and 離脱."""
        return {
            "in_scope": self.in_scope,
            "completed": self.completed,
            "exempt": self.exempt,
            "overdue": self.overdue,
            "in_progress": self.in_progress,
            "not_started": self.not_started,
            "pending": self.pending,
            "due": self.due,
            "left": self.left,
            "left_open": self.left_open,
        }


@dataclass(slots=True)
class Summary:
    totals: Counts = field(default_factory=Counts)
    divisions: dict[str, Counts] = field(default_factory=dict)
    requirements: dict[str, Counts] = field(default_factory=dict)


class Departure(NamedTuple):
    """Someone in scope earlier in the year who is not on the date (離脱), and what they left owing."""

    staff: Staff
    assignment: Assignment  # the last one in scope: its division keeps them in its lists
    left_on: date  # the last day in scope
    reason: LeftReason
    moved_to: Assignment | None  # the assignment outside scope they moved to (None: retired)
    requirements: tuple[RequirementStatus, ...]  # each requirement as it stood on ``left_on``

    @property
    def division(self) -> str:
        return self.assignment.division

    def reason_text(self, division_names: Mapping[str, str] | None = None) -> str:
        """退職 / 異動（企画政策課・なし）/ 事務区分の変更（関係事務へ）."""
        after = self.moved_to
        if after is None:
            return self.reason.label
        if self.reason is LeftReason.TRANSFERRED:
            where = (division_names or {}).get(after.division, after.division)
            return f"{self.reason.label}（{where}・{after.duty.value}）"
        return f"{self.reason.label}（{after.duty.value}へ）"

    @property
    def outstanding(self) -> tuple[str, ...]:
        """The requirements still owed on the day they left."""
        return tuple(rs.requirement for rs in self.requirements if rs.outstanding)

    def for_requirement(self, requirement_id: str) -> RequirementStatus | None:
        for status in self.requirements:
            if status.requirement == requirement_id:
                return status
        return None
