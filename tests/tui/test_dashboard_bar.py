"""The dashboard's state bar: always its width, and never a colour for a state nobody is in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trainer.rules import Counts
from trainer.tui.widgets.dashboard import COLORS, bar

counts = st.lists(st.integers(0, 60000), min_size=5, max_size=5)


def cells_by_colour(counts_: Counts, width: int) -> dict[str, int]:
    text = bar(counts_, width)
    found = dict.fromkeys((color for _, color in COLORS), 0)
    for span in text.spans:
        found[str(span.style)] += span.end - span.start
    return found


@given(values=counts, width=st.integers(5, 60))
def test_the_bar_is_its_width_and_shows_only_states_someone_is_in(values: list[int], width: int) -> None:
    names = ["completed", "exempt", "overdue", "in_progress", "not_started"]
    c = Counts(sum(values), **dict(zip(names, values, strict=True)))
    assert bar(c, width).cell_len == width
    if not sum(values):
        return
    found = cells_by_colour(c, width)
    for name, color in COLORS:
        n = getattr(c, name)
        exact = width * n / sum(values)
        assert abs(found[color] - exact) < 1  # each state within a cell of its share
        if n == 0:
            assert found[color] == 0  # nobody in it: no colour
        elif exact >= 1:
            assert found[color] >= 1


def test_one_overdue_person_among_thousands_shows() -> None:
    c = Counts(5001, completed=5000, overdue=1)
    assert cells_by_colour(c, 30)["red"] == 1
    assert cells_by_colour(Counts(116, completed=76, exempt=3, in_progress=36, not_started=1), 40)["red"] == 0
