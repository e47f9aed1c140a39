"""Who owes what, and where each person stands, as of a date. Pure: no I/O.

The rules, in the words a coordinator would use:

Scope
  A person is in scope of a requirement on a date when, on that date, they are in service
  (hired on or before it, not past their 退職日) and their assignment's 事務区分 is one the
  requirement names (利用事務 for every shipped course and sheet). 関係事務-only staff are out of
  scope. A date outside the fiscal year is read as the year's first or last day.

The year's accounting
  A person owes a fiscal year's requirements when they were in scope on any day of it (up to
  the date looked at). Whoever was in scope earlier in the year but is not on the date has
  left scope (離脱): they retired (退職), were transferred to work outside 利用事務 (異動), or
  their 事務区分 changed. They stay accounted for, with the last day they were in scope, the
  reason, and the state of each requirement on that day (what was still outstanding); the
  division they last belonged to while in scope keeps them in its lists. 離脱 is neither
  completed nor overdue: it is its own figure.

Division
  The division that owns a person on a date is the division of the assignment in force that day:
  after a transfer the new division owns the person, before it the old one. Records belong to
  the person, so a course finished in the old division still counts in the new one.

Deadline
  Each requirement's deadline is the end of its window in that fiscal year, moved to the next
  working day when it falls on a weekend, a national holiday or 年末年始.

Late joiners
  Someone who enters scope after April 1st (a mid-year hire, or a transfer from 関係事務 work
  into 利用事務) gets a personal deadline: the later of the requirement's deadline and
  ``late_joiner_days`` after they entered (next working day), but never after March 31st.

Leave
  While a person is on leave (休職, 育児休業, 病気休暇) they are never overdue. When a leave covers
  their deadline, the deadline moves to ``late_joiner_days`` after they return (next working
  day), but never after March 31st. Someone still on leave at year end is not overdue; the
  note says why they have not completed.

Retirement and re-appointment
  After their 退職日 a person is out of scope (see 離脱 above); their records stay in the register.
  Someone appointed again under the same 職員番号 (a 会計年度任用職員's next appointment, 再任用)
  has several periods of service; the new one starts a new stretch in scope (a late joiner's
  deadline), and what they completed earlier in the year still counts.

Requirements due after entry
  A requirement with ``after_entry_days`` (着任時研修) is owed only by those who entered scope
  during the year, due that many days after they did (next working day, never after March 31st).

Completions during leave
  A completion dated inside a leave counts, with a 注意 in its note wherever it is shown.

Concurrent posts (兼務)
  A person is owned, and counted, by their main post; a concurrent post lists them on that
  division's roster too, marked 兼務.

Exemptions
  An exemption is a decision (kind, approver, evidence) that counts from its effective date
  until it is revoked; on any other day it does not exist. It is never a completion: the
  completion rate is 修了 ÷ 対象, and 免除 is shown beside it.

Figures
  修了率 = people who completed everything ÷ people in scope. 期限前 = 受講中 or 未受講 while
  the deadline is ahead: not a failure. Beside the completion rate, the rate over what is
  already due: of the people with at least one requirement past its deadline (and not
  exempt), the share with none overdue — "—" while nothing is due yet.

State of one requirement (exactly one, first that holds)
  completed  a completion dated on or before the date;
  exempt     an exemption for this requirement or for ``all``, in force on the date;
  overdue    the personal deadline has passed;
  in_progress progress reported on or before the date;
  not_started otherwise.

State of a person over everything they owe
  completed when every requirement is completed; exempt when every requirement is completed
  or exempt (and at least one exempt); overdue when any is overdue; in_progress when any is in
  progress or completed; not_started otherwise.
"""

from trainer.rules.deadlines import (
    clamp_to_year,
    deadline,
    entered_scope,
    in_scope,
    owes,
    personal_deadline,
    scope_entry,
    window_dates,
)
from trainer.rules.person import exemption_note, leave_caution, overall_state, person_status, requirement_status
from trainer.rules.verdicts import Counts, Departure, PersonStatus, RequirementStatus, Summary
from trainer.rules.year import YearStatus, departure, evaluate, evaluate_year, last_day_in_scope, summarize

__all__ = [
    "Counts",
    "Departure",
    "PersonStatus",
    "RequirementStatus",
    "Summary",
    "YearStatus",
    "clamp_to_year",
    "deadline",
    "departure",
    "entered_scope",
    "evaluate",
    "evaluate_year",
    "exemption_note",
    "in_scope",
    "last_day_in_scope",
    "leave_caution",
    "overall_state",
    "owes",
    "person_status",
    "personal_deadline",
    "requirement_status",
    "scope_entry",
    "summarize",
    "window_dates",
]
