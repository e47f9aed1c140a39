"""Textual's footer, its keys drawn without tying each of them to the footer's ``compact``.

Textual's Footer draws its keys again whenever the screen's bindings change (a window opened or
closed, the focus moved), and ties each new key's ``compact`` to its own with ``data_bind``. That
costs twice: a key starts compact and is then told it is not, and each change of its CSS class
restyles it (the main screen's 26 keys: ~20 ms of the launch); and the tie stays in the footer's
list of watchers, which Textual prunes only when ``compact`` changes (textual #6666, open in 8.2),
so the main screen's footer, which lives all day, kept every key it had ever drawn (22 keys,
about 2,000 objects, each time a person window was opened and closed), for every full run of
the garbage collector to go through. trainer's footers never change ``compact``: each key tied to
it is made with the footer's value instead (the command palette's key, never tied, is left as it
is). Tested by ``tests/tui/test_app.py::test_windows_leave_nothing_behind`` and the snapshots (the
keys look as before).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            for key in (widget, *getattr(widget, "_pending_children", ())):  # (a group's keys are inside it)
                if isinstance(key, FooterKey) and set(key._reactive_connect or ()) == {"compact"}:  # (data_bind)
                    key._reactive_connect = None
                    key.set_reactive(FooterKey.compact, self.compact)
            yield widget
