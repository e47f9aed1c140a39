"""Textual's footer, without the keys it kept after each redraw of them.

Textual's Footer draws its keys again whenever the screen's bindings change (a window opened or
closed, the focus moved), and ties each new key's ``compact`` to its own with ``data_bind``. That
tie is kept in the footer's list of watchers, which Textual prunes only when ``compact`` changes —
ours never does. So the main screen's footer, which lives all day, kept every key it had ever
drawn: 22 keys with their styles and caches (about 2,000 objects) each time a person window was
opened and closed, which every full run of the garbage collector then went through (textual #6666,
open in 8.2). After each
redraw, the watchers of keys no longer in the footer are dropped, as Textual drops them itself
when the value changes. Tested by ``tests/tui/test_app.py::test_windows_leave_nothing_behind``.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    async def recompose(self) -> None:
        await super().recompose()
        watchers: dict[str, list[tuple[Any, Any]]] = getattr(self, "__watchers", {})  # (textual.reactive._watch)
        for callbacks in watchers.values():
            callbacks[:] = [(node, callback) for node, callback in callbacks if node.is_attached]
