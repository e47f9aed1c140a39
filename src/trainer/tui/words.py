"""How the app writes times and numbers: 和暦 and local time, thousands separators."""

from __future__ import annotations

from datetime import datetime

from trainer.calendar import wareki_short


def local_time(at: str) -> str:
    """A change log's ISO timestamp as the coordinator reads it: ``R8.11.25 09:30`` in local time."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{wareki_short(moment.date())} {moment:%H:%M}"


def people(n: int) -> str:
    return f"{n:,}人"
