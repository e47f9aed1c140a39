"""The use cases: the one door through which the CLI, the TUI and the tests reach the register.

Nothing here prints. Every method validates its input completely before it writes, writes in
one transaction, and raises a :class:`~trainer.errors.TrainerError` with what went wrong and
what to do.

:class:`Service` is that door; behind it each concern has a module of its own:

========== =========================================================================
core       opening the register, the clock, lookups every use case needs, settings
status     where everyone stands in a year, one person, the lists, a checkpoint sheet
overview   the year's counts and leavers at the cost of what changed (a derived cache)
staff      divisions and people: registering them, transfers, leave, retirement
periods    re-appointment, a retirement cancelled, concurrent posts (兼務)
records    progress and completions
exemptions exemptions as decisions: granted, revoked
imports    HR rosters, e-learning exports, returned checkpoint sheets
signoffs   a division head's sign-off of the roster
reports    the export, the 修了者名簿, the 未修了者一覧, the audit PDF
trail      verify, the change log, restore
undo       元に戻す: a change undone by a new one that writes back what it replaced
years      a fiscal year's frozen catalog: open, show, apply a change
demo       the demo city
========== =========================================================================
"""

from __future__ import annotations

from trainer.service.core import SETTINGS, DateLike, normalize_text
from trainer.service.demo import DemoUseCases
from trainer.service.exemptions import ExemptionUseCases
from trainer.service.imports import ImportUseCases
from trainer.service.overview import LeftLine, OverviewUseCases, YearOverview
from trainer.service.periods import PeriodUseCases
from trainer.service.records import RecordUseCases
from trainer.service.reports import ReportUseCases
from trainer.service.status import CheckpointSheet, OutsideScope, PersonView, SheetRow, StatusReport
from trainer.service.trail import TrailUseCases, Verification
from trainer.service.undo import UndoPlan, UndoUseCases
from trainer.service.years import YearCatalog, YearUseCases


class Service(
    ReportUseCases,
    OverviewUseCases,
    ImportUseCases,
    RecordUseCases,
    ExemptionUseCases,
    PeriodUseCases,
    TrailUseCases,
    UndoUseCases,
    YearUseCases,
    DemoUseCases,
):
    """Every use case of trainer. Open with :meth:`open`; ``today`` can be fixed for tests and demos."""


__all__ = [
    "SETTINGS",
    "CheckpointSheet",
    "DateLike",
    "LeftLine",
    "OutsideScope",
    "PersonView",
    "Service",
    "SheetRow",
    "StatusReport",
    "UndoPlan",
    "Verification",
    "YearCatalog",
    "YearOverview",
    "normalize_text",
]
