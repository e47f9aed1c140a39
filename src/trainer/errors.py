"""The one error family.

Every error a user can cause or meet is a :class:`TrainerError`: it carries a message (what went
wrong, and where) and a hint (what to do). The CLI prints both to stderr and exits 1; the TUI
shows them. Code chains the original cause with ``raise ... from e``; nothing is swallowed.
"""

from __future__ import annotations


class TrainerError(Exception):
    """Base of every error a user should see as a message, not a traceback."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def explain(self, indent: str = "") -> str:
        """The message, and on the next line what to do (for a label, a notification, stderr)."""
        return f"{self.message}\n{indent}→ {self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        return self.explain("  ")


class InputError(TrainerError):
    """A value the user gave (a date, a percentage, an id) is not acceptable."""


class DateParseError(InputError):
    """A text is not a date or fiscal year in any form we read."""


class FileError(TrainerError):
    """A file or folder the user named cannot be read or written (nothing was left half-written)."""


class CatalogError(TrainerError):
    """A course or checklist file is invalid."""


class NotFoundError(TrainerError):
    """A staff member, division or requirement does not exist."""


class StoreError(TrainerError):
    """The database cannot be opened, read or written."""


class LockTimeoutError(StoreError):
    """Another process holds the database lock for too long."""


class CorruptDatabaseError(StoreError):
    """A database file does not parse; it is left untouched."""


class SchemaVersionError(StoreError):
    """The database was written by a newer trainer."""


class CancelledError(TrainerError):
    """A long operation was cancelled by the user; nothing was written."""
