"""How the app writes times and numbers: 和暦 and local time, thousands separators."""

from __future__ import annotations

import re
from datetime import datetime

from trainer.calendar import wareki_short
from trainer.errors import TrainerError


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


# The core's messages name the CLI's options; in the app, the same thing is a field or a key.
_IN_THE_APP = (
    ("（CLI では --replace）", ""),
    ("--fy で年度を指定するか", "[ ] で年度を切り替えるか"),
    ("（別の年度なら --fy で指定）", "（別の年度なら [ ] で年度を切り替えてから取り込んでください）"),
    ("--mapping で対応表を指定してください", "取込の「対応表」に対応表のファイルを入れてください"),
    ("--encoding を確認してください", "取込の「文字コード」を選び直してください"),
    ("（--evidence: ", "（"),
    ("trainer verify --roster で署名の内容を確認できます", "署名の状況の一覧で確かめられます"),
)
_FLAG_ASIDE = re.compile(r"（[^（）]*--[a-z][a-z-]*[^（）]*）")  # an aside that only names an option
_FLAG = re.compile(r"\s*--[a-z][a-z-]*")


def in_app_words(text: str) -> str:
    """A message from the core in the app's words: no CLI options (``--by``, ``--fy`` …)."""
    for cli, app in _IN_THE_APP:
        text = text.replace(cli, app)
    text = _FLAG_ASIDE.sub("", text)
    return _FLAG.sub("", text)


def explain(error: TrainerError) -> str:
    """An error as the app shows it: in full, in the app's words."""
    return in_app_words(error.explain())
