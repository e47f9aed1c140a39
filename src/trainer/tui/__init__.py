"""The terminal app (the only package that imports Textual)."""

from trainer.tui import wide

wide.install()  # wide characters never cut in two where widgets meet (see wide.py)
