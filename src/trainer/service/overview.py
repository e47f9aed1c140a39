"""The year at a glance — the counts, per division and per requirement, and who left scope — at
the cost of what changed, not of what exists.

A derived cache beside the register (``cache/fyNNNN.overview`` and ``.data``, see
:mod:`trainer.store.derived`) keeps each person's verdict for the year in a compact form, the
day it holds until (:func:`trainer.rules.stability.stable_until`), the counts, and each
person's records of the year. It is keyed by the code that computes it, the fiscal year, the
year's catalog and the change log's head (sequence and hash): the next command replays the
log's entries since that head, re-evaluates only the people they touch and the people whose
verdict may have changed with the day, and adjusts the counts. A cache that is missing,
damaged, of other code, of another catalog, of another history (the entry after its head does
not chain onto it), or too far behind is computed again from the register. It is never a source
of truth: deleting it changes no figure, only the time.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from trainer import rules
from trainer.calendar import fy_end
from trainer.model import Catalog, Division, LeftReason, Progress, Record, State
from trainer.rules.stability import stable_until
from trainer.service.core import DateLike
from trainer.service.status import StatusUseCases
from trainer.store import codec
from trainer.store.derived import DerivedFile
from trainer.store.layout import year_partition
from trainer.yearcatalog import catalog_to_doc

FORMAT = 1
MAX_ENTRIES = 500  # log entries replayed at most (beyond: computed again)
MAX_PEOPLE = 5000  # people re-evaluated at most (beyond: computed again)
STATES = [s.value for s in State]
_STATE_CODE = {s: i for i, s in enumerate(State)}
_EXEMPT, _COMPLETED = _STATE_CODE[State.EXEMPT], _STATE_CODE[State.COMPLETED]
_PROGRESS = list(Progress)
_PROGRESS_CODE = {p.value: i for i, p in enumerate(Progress)}
_FIELDS = ("in_scope", "completed", "exempt", "overdue", "in_progress", "not_started", "due", "left", "left_open")
# What the cached verdicts are computed by: a change to any of these files is a new cache.
_CODE = ("rules/__init__.py", "rules/verdicts.py", "rules/deadlines.py", "rules/person.py", "rules/year.py",
         "rules/stability.py", "model.py", "calendar.py", "store/codec.py", "service/overview.py")  # fmt: skip


@dataclass(frozen=True)
class LeftLine:
    """Someone who left scope during the year, as the overview lists them."""

    staff_id: str
    name: str
    division: str
    left_on: date
    reason: LeftReason
    moved_to: tuple[str, str] | None  # (division, 事務区分) for a transfer or a change of duty
    outstanding: tuple[str, ...]

    def reason_text(self, division_names: dict[str, str]) -> str:
        if self.moved_to is None:
            return self.reason.label
        division, duty = self.moved_to
        if self.reason is LeftReason.TRANSFERRED:
            return f"{self.reason.label}（{division_names.get(division, division)}・{duty}）"
        return f"{self.reason.label}（{duty}へ）"


@dataclass(frozen=True)
class YearOverview:
    """The counts of a year as of a date, and its leavers (what ``trainer status`` prints)."""

    fiscal_year: int
    as_of: date
    summary: rules.Summary
    divisions: dict[str, Division]
    catalog: Catalog
    departures: list[LeftLine]
    how: str  # "cached", "updated" (N people re-evaluated) or "computed"


def _code_digest() -> str:
    """A digest of the code that computes the cached verdicts."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for name in _CODE:
        h.update((root / name).read_bytes())
    return h.hexdigest()[:16]


_CODE_DIGEST: str | None = None


def code_digest() -> str:
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        _CODE_DIGEST = _code_digest()
    return _CODE_DIGEST


def catalog_digest(catalog: Catalog) -> str:
    return hashlib.sha256(orjson.dumps(catalog_to_doc(catalog), option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


# ---------------------------------------------------------------- compact verdicts
def _reqs(statuses: Iterable[rules.RequirementStatus]) -> list[list[Any]]:
    return [[rs.requirement, _STATE_CODE[rs.state], int(rs.due)] for rs in statuses]


def _in_entry(status: rules.PersonStatus, until: date) -> list[Any]:
    return ["in", status.division, _STATE_CODE[status.state], _ordinal(until), _reqs(status.requirements)]


def _left_entry(gone: rules.Departure, until: date) -> list[Any]:
    moved = gone.moved_to
    return [
        "left", gone.division, _ordinal(until), gone.left_on.toordinal(), gone.reason.value,
        moved.division if moved else None, moved.duty.value if moved else None, _reqs(gone.requirements),
    ]  # fmt: skip


def _until(entry: list[Any]) -> int:
    """The day (ordinal) a compact verdict holds until."""
    return int(entry[{"in": 3, "left": 2, "out": 1}[entry[0]]])


def _soonest(people: dict[str, list[Any]]) -> int:
    """The first day (ordinal) on which some cached verdict may change."""
    return min((_until(e) for e in people.values()), default=date.max.toordinal())


def _ordinal(day: date) -> int:
    return day.toordinal() if day != date.max else date.max.toordinal()


def contribution(entry: list[Any]) -> Iterator[tuple[str, str, str]]:
    """The counters one person adds (scope "t"otal / "d"ivision / "r"equirement, key, field):
    exactly what :func:`trainer.rules.summarize` counts for them."""
    kind = entry[0]
    if kind == "in":
        division, state, reqs = entry[1], STATES[entry[2]], entry[4]
        for scope, key in (("t", ""), ("d", division)):
            yield scope, key, "in_scope"
            yield scope, key, state
        due = False
        for requirement, code, is_due in reqs:
            yield "r", requirement, "in_scope"
            yield "r", requirement, STATES[code]
            if is_due and code != _EXEMPT:
                yield "r", requirement, "due"
                due = True
        if due:
            yield "t", "", "due"
            yield "d", division, "due"
    elif kind == "left":
        division, reqs = entry[1], entry[7]
        open_ = any(code not in (_COMPLETED, _EXEMPT) for _r, code, _d in reqs)
        for scope, key in (("t", ""), ("d", division)):
            yield scope, key, "left"
            if open_:
                yield scope, key, "left_open"
        for requirement, code, _due in reqs:
            yield "r", requirement, "left"
            if code not in (_COMPLETED, _EXEMPT):
                yield "r", requirement, "left_open"


def _counter_key(scope: str, key: str, field: str) -> str:
    return f"{scope}\t{key}\t{field}"


def _apply(counts: Counter[str], entry: list[Any] | None, sign: int) -> None:
    if entry is not None:
        for scope, key, field in contribution(entry):
            counts[_counter_key(scope, key, field)] += sign


def counts_of(summary: rules.Summary) -> Counter[str]:
    """A summary as the counters :func:`contribution` adjusts."""
    counts: Counter[str] = Counter()
    scopes = [("t", "", summary.totals)]
    scopes += [("d", k, c) for k, c in summary.divisions.items()]
    scopes += [("r", k, c) for k, c in summary.requirements.items()]
    for scope, key, c in scopes:
        for field in _FIELDS:
            n = getattr(c, field)
            if n:
                counts[_counter_key(scope, key, field)] = n
    return counts


def summary_of(counts: Counter[str], catalog: Catalog) -> rules.Summary:
    summary = rules.Summary(requirements={r.id: rules.Counts() for r in catalog})
    for name, n in counts.items():
        if not n:
            continue
        scope, key, field = name.split("\t")
        if scope == "t":
            target = summary.totals
        elif scope == "d":
            target = summary.divisions.setdefault(key, rules.Counts())
        else:
            target = summary.requirements.setdefault(key, rules.Counts())
        setattr(target, field, getattr(target, field) + n)
    return summary


# ---------------------------------------------------------------- compact data
def _compact_record(doc: dict[str, Any]) -> list[Any]:
    return [
        doc["requirement"],
        _PROGRESS_CODE[doc["progress"]],
        doc["percent"],
        date.fromisoformat(doc["on"]).toordinal(),
    ]


def _records_of(fy: int, sid: str, compact: list[list[Any]]) -> dict[str, Record]:
    return {
        req: Record(sid, fy, req, _PROGRESS[code], percent, date.fromordinal(on)) for req, code, percent, on in compact
    }


def left_line(gone: rules.Departure) -> LeftLine:
    moved = (gone.moved_to.division, gone.moved_to.duty.value) if gone.moved_to else None
    return LeftLine(
        gone.staff.staff_id, gone.staff.name, gone.division, gone.left_on, gone.reason, moved, gone.outstanding
    )


class _Files:
    """The cache of a year: the overview (small: what ``status`` prints), each person's compact
    verdict, and each person's records and exemptions of the year (to re-evaluate them)."""

    __slots__ = ("data", "overview", "people")

    def __init__(self, folder: Path, fy: int) -> None:
        self.overview = DerivedFile(folder, f"fy{fy}.overview", "overview")
        self.people = DerivedFile(folder, f"fy{fy}.people", "overview-people")
        self.data = DerivedFile(folder, f"fy{fy}.data", "overview-data")


class OverviewUseCases(StatusUseCases):
    """The year's counts and leavers, kept in a derived cache (see the module's docstring)."""

    def overview(
        self, fiscal_year: int | str | None = None, as_of: DateLike | None = None, division: str | None = None
    ) -> YearOverview:
        """The counts and the leavers of the year as of a date (default: today). The whole register's
        come from the derived cache; one division's are counted from the register."""
        if division is not None:
            report = self.status(fiscal_year, as_of, division)
            departures = sorted(
                (left_line(d) for d in report.departures), key=lambda x: (x.division, x.left_on, x.staff_id)
            )
            return YearOverview(
                report.fiscal_year,
                report.as_of,
                report.summary,
                report.divisions,
                report.catalog,
                departures,
                "computed",
            )
        fy = self.fiscal_year(fiscal_year)
        asked = self._date(as_of, "基準日") if as_of is not None else min(self.today(), fy_end(fy))
        day = rules.clamp_to_year(fy, asked)
        self.register.refresh()
        catalog = self.catalog_for(fy)
        key = {"format": FORMAT, "code": code_digest(), "fy": fy, "catalog": catalog_digest(catalog)}
        head = self.register.db.log_head()
        files = _Files(self.register.folder, fy)
        self.register.db.check_file(year_partition(fy))  # the cache never hides a damaged year file
        cache = files.overview.read()
        if cache is not None and (cache.get("key") != key or day.toordinal() < cache.get("day", 0)):
            cache = None  # other code, another catalog, or a day before the one it holds
        if cache is not None and cache["head"] == [head.seq, head.hash] and cache["soonest"] > day.toordinal():
            return self._overview(fy, day, catalog, cache, "cached")  # nothing changed: the counts as kept
        state = self._updated(fy, day, catalog, key, cache, files) if cache is not None else None
        how = "updated" if state is not None else "computed"
        if state is None:
            state = self._computed(fy, day, catalog, key)
        cache = {k: state[k] for k in ("key", "head", "day", "soonest", "counts")}
        cache["left"] = self._left_lines(state["people"])
        self._keep(files, cache, state)
        return self._overview(fy, day, catalog, cache, how)

    def _overview(self, fy: int, day: date, catalog: Catalog, cache: dict[str, Any], how: str) -> YearOverview:
        divisions = {d.code: d for d in self.register.divisions()}
        departures = [
            LeftLine(
                sid,
                name,
                division,
                date.fromordinal(left_on),
                LeftReason(reason),
                tuple(moved) if moved else None,
                tuple(outstanding),
            )
            for sid, name, division, left_on, reason, moved, outstanding in cache["left"]
        ]
        return YearOverview(fy, day, summary_of(Counter(cache["counts"]), catalog), divisions, catalog, departures, how)

    # ------------------------------------------------------------ computing
    def _computed(self, fy: int, day: date, catalog: Catalog, key: dict[str, Any]) -> dict[str, Any]:
        """Everyone evaluated, from the register itself."""
        staff = self.register.all_staff()
        records = self.register.records(fy)
        exemptions = self.register.exemptions(fy)
        year = rules.evaluate_year(staff, catalog, fy, day, records, exemptions)
        verdicts: dict[str, rules.PersonStatus | rules.Departure] = {p.staff.staff_id: p for p in year.people}
        verdicts |= {d.staff.staff_id: d for d in year.departures}
        people = {
            person.staff_id: self._entry(
                person, fy, day, verdicts.get(person.staff_id), records.get(person.staff_id, {}),
                exemptions.get(person.staff_id, []),
            )
            for person in staff
        }  # fmt: skip
        counts = counts_of(rules.summarize(year.people, catalog, year.departures))
        docs = self.register.db.data(f"fy{fy}", "exemptions").docs.values()
        data = {
            "records": {
                sid: [
                    [r.requirement, _PROGRESS_CODE[r.progress.value], r.percent, r.on.toordinal()]
                    for r in by_req.values()
                ]
                for sid, by_req in records.items()
            },
            "exemptions": _by_staff(docs),
        }
        head = self.register.db.log_head()
        return {"key": key, "head": [head.seq, head.hash], "day": day.toordinal(), "people": people,
                "soonest": _soonest(people), "counts": dict(counts), "_data": data}  # fmt: skip

    @staticmethod
    def _entry(
        person: Any, fy: int, day: date, verdict: Any, records: dict[str, Record], exemptions: list[Any]
    ) -> list[Any]:
        statuses = verdict.requirements if verdict is not None else ()
        until = stable_until(person, fy, day, statuses, records, exemptions)
        if isinstance(verdict, rules.PersonStatus):
            return _in_entry(verdict, until)
        if isinstance(verdict, rules.Departure):
            return _left_entry(verdict, until)
        return ["out", _ordinal(until)]

    def _updated(
        self, fy: int, day: date, catalog: Catalog, key: dict[str, Any], cache: dict[str, Any], files: _Files
    ) -> dict[str, Any] | None:
        """The cache brought up to date: the log's entries since its head replayed onto its data,
        the people they touch and those whose verdict may change by ``day`` re-evaluated."""
        kept = files.people.read()
        data = files.data.read()
        for part in (kept, data):
            if part is None or part.get("key") != key or part.get("head") != cache["head"]:
                return None
        assert kept is not None and data is not None
        cache = {**cache, "people": kept["people"]}
        seq, hash_ = cache["head"]
        entries = self.register.db.log_entries_after(seq, MAX_ENTRIES)
        if entries is None:
            return None  # too far behind (or ahead: another history)
        chained = entries[0].get("prev") if entries else self.register.db.log_head().hash
        if chained != hash_:
            return None  # the log does not go through the cache's head: another history
        touched: set[str] = set()
        year = f"fy{fy}"
        for entry in entries:
            for part, table, _doc_id, before, after in entry.get("changes", ()):
                doc = after or before
                if part == "main" and table == "staff":
                    touched.add(doc["staff_id"])
                elif part == year and table in ("records", "exemptions"):
                    touched.add(doc["staff_id"])
                    _replay(data, table, before, after)
        ordinal = day.toordinal()
        people: dict[str, list[Any]] = cache["people"]
        by_day = cache["soonest"] <= ordinal  # someone's verdict may have changed with the day
        stale = touched | ({sid for sid, e in people.items() if _until(e) <= ordinal} if by_day else set())
        if len(stale) > MAX_PEOPLE:
            return None
        counts = Counter(cache["counts"])
        for sid in stale:
            old = people.pop(sid, None)
            _apply(counts, old, -1)
            person = self.register.staff(sid)
            if person is None:
                continue
            records = _records_of(fy, sid, data["records"].get(sid, []))
            exemptions = [codec.exemption_from_doc(d, fy) for d in data["exemptions"].get(sid, [])]
            verdict: rules.PersonStatus | rules.Departure | None
            verdict = rules.person_status(person, catalog, fy, day, records, exemptions)
            if verdict is None:
                verdict = rules.departure(person, catalog, fy, day, records, exemptions)
            fresh = self._entry(person, fy, day, verdict, records, exemptions)
            people[sid] = fresh
            _apply(counts, fresh, 1)
        head = self.register.db.log_head()
        kept = {k: v for k, v in counts.items() if v}
        # Without a day's re-evaluation, the earliest of the old bound and the new verdicts' is a
        # safe (early) bound: an entry replaced can only have made the true one later.
        soonest = (
            _soonest(people) if by_day else min([cache["soonest"], *(_until(people[s]) for s in stale if s in people)])
        )
        return {"key": key, "head": [head.seq, head.hash], "day": ordinal, "people": people,
                "soonest": soonest, "counts": kept, "_data": data}  # fmt: skip

    def _keep(self, files: _Files, cache: dict[str, Any], state: dict[str, Any]) -> None:
        """Write the cache (a read-only register keeps none; a failure is said, never fatal). The
        small overview last: it names the head the other two parts must have."""
        if self.register.db.read_only:
            return
        stamp = {"key": cache["key"], "head": cache["head"]}
        try:
            files.data.write({**state["_data"], **stamp})
            files.people.write({**stamp, "people": state["people"]})
            files.overview.write(cache)
        except OSError as e:
            self._notices.append(
                f"集計の一時ファイル（cache/）を書けませんでした（{e.strerror}）。次回も全員を計算します"
            )

    def _left_lines(self, people: dict[str, list[Any]]) -> list[list[Any]]:
        """The leavers, with their names, as the overview keeps them (sorted as listed)."""
        lines = []
        for sid, e in people.items():
            if e[0] != "left":
                continue
            person = self.register.staff(sid)
            outstanding = [r for r, code, _d in e[7] if code not in (_COMPLETED, _EXEMPT)]
            moved = [e[5], e[6]] if e[6] is not None else None
            lines.append([sid, person.name if person else "", e[1], e[3], e[4], moved, outstanding])
        return sorted(lines, key=lambda x: (x[2], x[3], x[0]))


def _by_staff(docs: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        found.setdefault(doc["staff_id"], []).append(doc)
    return found


def _replay(data: dict[str, Any], table: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """One change of a record or an exemption, onto the cached data."""
    doc = after or before
    assert doc is not None
    sid = doc["staff_id"]
    if table == "records":
        kept = [r for r in data["records"].get(sid, []) if r[0] != doc["requirement"]]
        data["records"][sid] = [*kept, _compact_record(after)] if after else kept
    else:

        def same(d: dict[str, Any]) -> bool:
            return d["requirement"] == doc["requirement"] and d.get("no") == (before or after or {}).get("no")

        kept_docs = [d for d in data["exemptions"].get(sid, []) if not (before is not None and same(d))]
        data["exemptions"][sid] = [*kept_docs, after] if after else kept_docs
