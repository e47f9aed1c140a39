"""The year's overview comes from a derived cache that is never trusted blindly: whatever happens
to the register or to the cache, its figures are those of the register evaluated afresh."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from trainer.model import LeaveKind
from trainer.rules import Summary
from trainer.service import Service, YearOverview

START = date(2026, 11, 20)


class Clock:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("overview") / "register"
    svc = Service.open(folder, today=lambda: START)
    svc.create_demo(150, seed=7)
    svc.close()
    return folder


@pytest.fixture
def db(city: Path, tmp_path: Path) -> Path:
    shutil.copytree(city, tmp_path / "register")
    return tmp_path / "register"


def figures(summary: Summary) -> tuple[object, ...]:
    return (
        summary.totals.as_dict(),
        {k: v.as_dict() for k, v in summary.divisions.items() if v.in_scope or v.left},
        {k: v.as_dict() for k, v in summary.requirements.items()},
    )


def same_as_afresh(svc: Service, overview: YearOverview) -> None:
    report = svc.status(overview.fiscal_year, overview.as_of)
    assert figures(overview.summary) == figures(report.summary)
    expected = sorted((d.staff.staff_id, d.left_on, d.outstanding) for d in report.departures)
    assert sorted((d.staff_id, d.left_on, d.outstanding) for d in overview.departures) == expected


def test_the_second_look_comes_from_the_cache_with_the_same_figures(db: Path) -> None:
    svc = Service.open(db, today=lambda: START)
    first = svc.overview()
    assert first.how == "computed"
    second = svc.overview()
    assert second.how == "cached"
    assert figures(second.summary) == figures(first.summary)
    same_as_afresh(svc, second)
    assert svc.verify().ok  # verify ignores the cache folder
    svc.close()


def test_edits_and_days_passing_are_caught_up_person_by_person(db: Path) -> None:
    clock = Clock(START)
    svc = Service.open(db, today=clock)
    svc.overview()
    rng = random.Random(11)
    people = [p.staff.staff_id for p in svc.status().people]
    hows = set()
    for step in range(40):
        sid = rng.choice(people)
        action = rng.randrange(6)
        try:
            if action == 0:
                svc.record(sid, rng.choice(["intro", "rules", "flow", "security", "checkpoint"]), clock.day)
            elif action == 1:
                svc.exempt(sid, "all", "other", "人事課長 佐藤 一郎", evidence=f"R8-{step}")
            elif action == 2:
                svc.retire(sid, clock.day - timedelta(days=rng.randrange(0, 60)))
            elif action == 3:
                svc.transfer(
                    sid, rng.choice(["510", "120", "610"]), clock.day, duty=rng.choice(["利用事務", "関係事務"])
                )
            elif action == 4:
                svc.leave(sid, LeaveKind.BYOKYU.value, clock.day - timedelta(days=5), clock.day + timedelta(days=30))
            else:
                clock.day += timedelta(days=rng.choice([1, 3, 10, 40]))
        except Exception as e:  # a refused change (already retired, same division …) is no change
            assert type(e).__name__.endswith("Error")
        overview = svc.overview()
        hows.add(overview.how)
        same_as_afresh(svc, overview)
    assert "updated" in hows
    svc.close()


def test_a_cache_deleted_edited_or_from_another_register_is_rebuilt(db: Path, tmp_path: Path) -> None:
    svc = Service.open(db, today=lambda: START)
    before = figures(svc.overview().summary)
    cache = db / "cache"
    shutil.rmtree(cache)
    assert svc.overview().how == "computed" and figures(svc.overview().summary) == before  # deleting changes no figure
    path = cache / "fy2026.overview"
    data = bytearray(path.read_bytes())
    data[-10] ^= 1  # a byte changed by hand
    path.write_bytes(bytes(data))
    assert svc.overview().how == "computed"
    # A cache copied from another register (same people, another history) is not used.
    other = tmp_path / "other"
    shutil.copytree(db, other)
    other_svc = Service.open(other, today=lambda: START)
    other_svc.record(other_svc.status().people[0].staff.staff_id, "intro", START, replace_existing=True)
    other_svc.overview()
    other_svc.close()
    svc.record(svc.status().people[1].staff.staff_id, "rules", START, replace_existing=True)
    shutil.copy(other / "cache" / "fy2026.overview", path)
    shutil.copy(other / "cache" / "fy2026.data", cache / "fy2026.data")
    overview = svc.overview()
    assert overview.how == "computed"
    same_as_afresh(svc, overview)
    svc.close()


def test_an_older_cache_catches_up_and_a_crash_writing_it_changes_nothing(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = Service.open(db, today=lambda: START)
    svc.overview()
    old = {p.name: p.read_bytes() for p in (db / "cache").iterdir()}
    for sid in [p.staff.staff_id for p in svc.status().people[:5]]:
        svc.record(sid, "checkpoint", START, replace_existing=True)
    svc.overview()
    for name, data in old.items():  # the cache of an older generation, put back
        (db / "cache" / name).write_bytes(data)
    overview = svc.overview()
    assert overview.how == "updated"
    same_as_afresh(svc, overview)

    from trainer.store import files

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    svc.record(svc.status().people[6].staff.staff_id, "checkpoint", START, replace_existing=True)
    monkeypatch.setattr(files, "atomic_write", full_disk)
    monkeypatch.setattr("trainer.store.derived.atomic_write", full_disk)
    overview = svc.overview()
    same_as_afresh(svc, overview)
    assert any("cache/" in note for note in svc.take_notices())
    assert svc.verify().ok
    svc.close()
