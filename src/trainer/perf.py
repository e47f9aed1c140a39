"""Small performance helpers that do not change behaviour."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many long-lived objects.

    Loading a year of records creates hundreds of thousands of dicts and objects that all stay
    alive; the collector would scan them again and again for cycles there are none of (measured:
    it nearly doubles the time of ``status`` at 50,000 staff). Reference counting still frees
    everything as usual; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
