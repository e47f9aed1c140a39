"""The change log file piece by piece (store/changelog.py): hashes, reading from the end, a torn
last line, the head, appending durably, and the summary of a bulk entry read without parsing it."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import orjson
import pytest

from tests.faults import count_ops, needs_proc
from trainer.store.changelog import (
    GENESIS,
    ChangeLogFile,
    Head,
    complete_end,
    digest,
    encode_entry,
    entry_summary,
    tail_lines,
)

MIB = 1 << 20


def test_an_entrys_hash_is_over_its_sorted_json_without_the_hash_and_encoding_agrees() -> None:
    body = {"seq": 2, "prev": GENESIS, "action": "change", "summary": "追加"}
    expected = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    assert digest(body) == expected and digest(body | {"hash": "x"}) == expected
    raw, hash_ = encode_entry(body)
    assert hash_ == expected
    assert orjson.loads(raw) == body | {"hash": expected}
    assert raw.endswith(f',"hash":"{expected}"}}'.encode())


def test_the_last_lines_of_a_file_read_from_its_end(tmp_path: Path) -> None:
    path = tmp_path / "log"
    assert tail_lines(path, 3) == []
    path.write_bytes(b"one\ntwo\nthree\n")
    assert tail_lines(path, 2) == [b"two", b"three"]
    assert tail_lines(path, 5) == [b"one", b"two", b"three"]
    assert tail_lines(path, 0) == []
    assert tail_lines(path, 1, end=8) == [b"two"]  # only the first 8 bytes
    long = b"x" * (2 * MIB + 10)
    path.write_bytes(b"first\n" + long + b"\nshort\n")
    assert tail_lines(path, 2) == [long, b"short"]
    assert tail_lines(path, 1) == [b"short"]
    path.write_bytes(b"a" * (MIB + 5) + b"\n" + b"b" * 10 + b"\n")
    assert tail_lines(path, 1) == [b"b" * 10]  # the piece before the newline is not a line of its own


def test_where_the_last_complete_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "log"
    second_chunk_back = b"a\n" + b"z" * (MIB + 100) + b"\n" + b"z" * (MIB + 100)
    cases = [(b"", 0), (b"abc", 0), (b"a\nb\n", 4), (b"a\nb\nc", 4), (b"a\n" + b"z" * (MIB + 3), 2)]
    for content, end in [*cases, (second_chunk_back, MIB + 103)]:
        path.write_bytes(content)
        fd = os.open(path, os.O_RDONLY)
        try:
            assert complete_end(fd) == end, content[:10]
        finally:
            os.close(fd)


def test_a_torn_last_line_is_found_and_cut_off(tmp_path: Path) -> None:
    log = ChangeLogFile(tmp_path / "changelog.jsonl")
    assert (log.complete_end(), log.torn_tail(), log.head()) == (0, None, Head(0, GENESIS))
    log.path.write_bytes(b'{"seq":1,"hash":"aa"}\n{"seq":2,"hash":"bb"}\n{"seq":3,"ha')
    assert log.complete_end() == 44
    assert log.torn_tail() == (44, b'{"seq":3,"ha')
    assert log.head() == Head(2, "bb")
    assert list(log.lines()) == [(1, b'{"seq":1,"hash":"aa"}'), (2, b'{"seq":2,"hash":"bb"}')]
    log.cut(44)
    assert log.path.read_bytes() == b'{"seq":1,"hash":"aa"}\n{"seq":2,"hash":"bb"}\n'
    assert log.torn_tail() is None


@pytest.mark.parametrize("last", [b"not json", b'{"hash":"bb"}', b'{"seq":"x","hash":"bb"}', b"[1]"])
def test_a_damaged_last_entry_gives_a_head_nothing_can_chain_onto(tmp_path: Path, last: bytes) -> None:
    log = ChangeLogFile(tmp_path / "changelog.jsonl")
    log.path.write_bytes(b'{"seq":1,"hash":"aa"}\n' + last + b"\n")
    assert log.head() == Head(-1, "")


@needs_proc
def test_entries_are_appended_privately_and_durably(tmp_path: Path) -> None:
    log = ChangeLogFile(tmp_path / "changelog.jsonl")
    log.append([])
    assert not log.path.exists()
    ops = count_ops(tmp_path, lambda: log.append([{"seq": 1, "hash": "aa"}, {"seq": 2, "hash": "bb"}]))
    assert [(kind, Path(path).name) for kind, path in ops] == [
        ("write", "changelog.jsonl"),
        ("fsync", "changelog.jsonl"),
        ("fsync", tmp_path.name),  # a new file: its folder too
    ]
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert log.path.read_bytes() == b'{"seq":1,"hash":"aa"}\n{"seq":2,"hash":"bb"}\n'
    ops = count_ops(tmp_path, lambda: log.append([{"seq": 3, "hash": "cc"}]))
    assert [kind for kind, _ in ops] == ["write", "fsync"]  # the folder only when the file is new
    assert log.head() == Head(3, "cc")


def test_a_snapshot_reads_only_what_was_complete_when_it_was_taken(tmp_path: Path) -> None:
    log = ChangeLogFile(tmp_path / "changelog.jsonl")
    assert list(log.snapshot()) == []
    log.append([{"seq": 1}])
    snapshot = log.snapshot()
    log.append([{"seq": 2}])
    assert list(snapshot) == [(1, b'{"seq":1}')]
    unread = log.snapshot()
    unread.close()
    assert unread.file is not None and unread.file.closed


def test_a_bulk_entrys_summary_is_read_without_parsing_its_documents() -> None:
    changes = [["fy2026", "records", str(i), None, {"staff_id": f"{i:06d}", "note": "x" * 50}] for i in range(20000)]
    entry = {
        "action": "import_progress",
        "at": "2026-11-25T10:00:00+09:00",
        "changes": changes,
        "prev": "a" * 64,
        "seq": 42,
        "signoff": {"summary": "nested, not this one"},
        "summary": "受講状況を取込: e.csv（新規 20000件）",
        "user": "yamamoto",
    }
    raw = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
    assert len(raw) > MIB
    assert entry_summary(raw) == {
        "seq": 42,
        "at": "2026-11-25T10:00:00+09:00",
        "action": "import_progress",
        "summary": "受講状況を取込: e.csv（新規 20000件）",
    }
    small = orjson.dumps({"seq": 1, "summary": "s", "user": "u"}, option=orjson.OPT_SORT_KEYS)
    assert entry_summary(small) == {"seq": 1, "summary": "s", "user": "u"}


def _bulk(size: int, **keys: object) -> bytes:
    """A log line of exactly ``size`` bytes: ``keys`` and changes padded to fill it."""
    entry: dict[str, object] = {"changes": [["fy2026", "records", "1", None, {"note": ""}]], **keys}
    short = len(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS))
    entry["changes"] = [["fy2026", "records", "1", None, {"note": "x" * (size - short)}]]
    raw = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
    assert len(raw) == size
    return raw


def test_a_line_of_exactly_a_mebibyte_is_read_the_quick_way() -> None:
    raw = _bulk(MIB, action="change", at="2026-11-25T10:00:00+09:00", prev="a" * 64, seq=7, summary="s", user="u")
    assert entry_summary(raw) == {"seq": 7, "at": "2026-11-25T10:00:00+09:00", "action": "change", "summary": "s"}
    assert set(entry_summary(_bulk(MIB - 1, seq=7, summary="s", user="u"))) == {"changes", "seq", "summary", "user"}


def test_a_bulk_line_without_its_usual_keys_reads_as_empty() -> None:
    assert entry_summary(_bulk(MIB + 100)) == {"seq": 0, "at": "", "action": "", "summary": ""}


def test_a_bulk_lines_summary_ends_at_the_first_user_key_after_it() -> None:
    nested = [["fy2026", "records", "1", None, {"note": "x" * MIB, "user": "in a document"}]]
    entry = {"action": "change", "changes": nested, "summary": "要約", "user": "u", "who": {"id": 1, "user": "x"}}
    raw = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
    assert entry_summary(raw)["summary"] == "要約"


def test_a_bulk_lines_head_cut_inside_a_character_is_still_read() -> None:
    for pad in range(3):  # one of these puts byte 4096 inside a three-byte character
        note = "x" * pad + "変" * 3000 + "x" * MIB
        entry = {"action": "change", "at": "2026-11-25T10:00:00+09:00", "changes": [note], "summary": "s", "user": "u"}
        raw = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
        try:
            raw[:4096].decode("utf-8")
        except UnicodeDecodeError:
            break
    else:
        raise AssertionError("no padding cut a character")
    assert entry_summary(raw) == {"seq": 0, "at": "2026-11-25T10:00:00+09:00", "action": "change", "summary": "s"}


def test_a_file_holding_only_a_newline_is_one_complete_line(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"\n")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert complete_end(fd) == 1
    finally:
        os.close(fd)


def test_lines_are_given_back_as_written_but_for_their_newline(tmp_path: Path) -> None:
    log = ChangeLogFile(tmp_path / "changelog.jsonl")
    log.path.write_bytes(b'{"seq":1}  \n{"seq":2}X\n')
    assert list(log.lines()) == [(1, b'{"seq":1}  '), (2, b'{"seq":2}X')]


def test_a_snapshot_that_fails_to_read_the_file_lets_go_of_it_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.store import changelog

    log = ChangeLogFile(tmp_path / "changelog.jsonl")
    log.append([{"seq": 1}])
    closed: list[int] = []
    close = os.close
    monkeypatch.setattr(changelog.os, "close", lambda fd: (closed.append(fd), close(fd)))

    def unreadable(fd: int) -> int:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(changelog, "complete_end", unreadable)
    with pytest.raises(OSError) as failed:
        log.snapshot()
    assert failed.value.errno == 5 and len(closed) == 1


def test_the_last_lines_keep_their_own_trailing_characters_and_the_files_first_byte(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"one\ntwo  \n")
    assert tail_lines(path, 1) == [b"two  "]
    path.write_bytes(b"one\ntwoX\n")
    assert tail_lines(path, 1) == [b"twoX"]
    path.write_bytes(b"a\n" + b"b" * (MIB - 2) + b"\n")  # one byte more than a chunk: "a" is read on its own
    assert tail_lines(path, 5) == [b"a", b"b" * (MIB - 2)]
