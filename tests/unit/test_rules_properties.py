"""Properties of the rules over generated people: shortcuts agree with the long way round."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.calendar import fy_end, fy_start
from trainer.model import Assignment, Catalog, Duty, Leave, LeaveKind, Progress, Record, Staff, State
from trainer.rules import clamp_to_year, in_scope, person_status, requirement_status

FY = 2026
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30))


@st.composite
def people(draw: st.DrawFn) -> Staff:
    hired = draw(days)
    moves = sorted(draw(st.lists(st.tuples(days, st.sampled_from(list(Duty))), max_size=3)))
    assignments = [Assignment(hired, "100", "主事", draw(st.sampled_from(list(Duty))))]
    assignments += [Assignment(d, f"{200 + i}", "主事", duty) for i, (d, duty) in enumerate(moves) if d > hired]
    unique = {a.start: a for a in assignments}
    leaves = []
    if draw(st.booleans()):
        start = draw(days)
        end = draw(st.none() | st.integers(0, 200).map(lambda n: start + timedelta(days=n)))
        leaves.append(Leave(draw(st.sampled_from(list(LeaveKind))), start, end))
    retired = draw(st.none() | days)
    return Staff(
        "1",
        "試験 太郎",
        "シケン タロウ",
        "正規職員",
        hired,
        tuple(sorted(unique.values(), key=lambda a: a.start)),
        tuple(leaves),
        retired,
    )


@st.composite
def records(draw: st.DrawFn, catalog: Catalog) -> dict[str, Record]:
    result = {}
    for r in catalog:
        if draw(st.booleans()):
            on = draw(st.dates(min_value=fy_start(FY), max_value=fy_end(FY)))
            done = draw(st.booleans())
            result[r.id] = Record(
                "1", FY, r.id, Progress.COMPLETED if done else Progress.IN_PROGRESS, 100 if done else 50, on
            )
    return result


@settings(max_examples=300, deadline=None)
@given(data=st.data(), person=people(), as_of=days)
def test_person_status_agrees_with_each_requirement_worked_out_alone(
    catalog: Catalog, data: st.DataObject, person: Staff, as_of: date
) -> None:
    recs = data.draw(records(catalog))
    status = person_status(person, catalog, FY, as_of, recs)
    day = clamp_to_year(FY, as_of)
    owed = [r for r in catalog if in_scope(person, r, day)]
    if not owed:
        assert status is None
        return
    assert status is not None
    assert status.division == person.assignment_on(day).division  # type: ignore[union-attr]
    expected = tuple(requirement_status(person, r, FY, day, recs.get(r.id)) for r in owed)
    assert status.requirements == expected
    # Nobody on leave is overdue; nothing is overdue before its deadline.
    for rs in status.requirements:
        if person.leave_on(day) is not None:
            assert rs.state is not State.OVERDUE
        if rs.state is State.OVERDUE:
            assert rs.deadline is not None and day > rs.deadline
        if rs.deadline is not None:
            assert rs.deadline <= fy_end(FY)
