"""The journal's file, each case compared whole: the header written and read back, the file kept
open until replaced, what stands at an offset, a read-only register, a failed append wiped off
(store/journal.py's Journal)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from trainer.errors import CorruptDatabaseError
from trainer.store import journal as journal_module
from trainer.store.journal import FIRST_ROOM, GROW_BYTES, AppendError, Header, Journal, JournalDamage, encode_line

HASH = "ab" * 32
FILES = {"main": (3, "f" * 64), "2026": (2, "e" * 64)}


def _fresh(tmp_path: Path, **header: object) -> tuple[Journal, Header]:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.create(4, 2, **header)  # type: ignore[arg-type]
    return journal, journal.read_header()


def test_a_new_journal_is_its_header_line_then_zeroed_room_and_reads_back_whole(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path, log_seq=7, log_hash=HASH, files=FILES)
    files = {"2026": [2, "e" * 64], "main": [3, "f" * 64]}  # sorted by name
    line = encode_line({"journal": 2, "gen": 4, "schema": 2, "log_seq": 7, "log_hash": HASH, "files": files})
    assert journal.path.read_bytes() == line + b"\0" * FIRST_ROOM
    assert header == Header(4, 2, len(line), 7, HASH, FILES, True)
    assert journal.padded is True


def test_a_header_without_the_change_logs_head_or_a_manifest(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path)
    line = encode_line({"journal": 2, "gen": 4, "schema": 2})
    assert journal.path.read_bytes() == line + b"\0" * FIRST_ROOM
    assert header == Header(4, 2, len(line), None, None, None, True)


def test_a_format_1_header_of_schema_1_names_only_its_generation(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    line = encode_line({"gen": 5})
    path.write_bytes(line + encode_line({"seq": 1, "at": "x"}))
    journal = Journal(path)
    assert journal.read_header() == Header(5, 1, len(line), None, None, None, False)
    assert journal.padded is False
    assert journal.read(len(line)).transactions == [{"seq": 1, "at": "x"}]  # no padding needed


def test_a_header_longer_than_the_first_read_is_read_to_its_end(tmp_path: Path) -> None:
    files = {f"{n:04d}": (n, f"{n:064x}") for n in range(200)}  # about 16 KB of manifest
    journal, header = _fresh(tmp_path, log_seq=1, log_hash=HASH, files=files)
    assert header.files == files and header.start > 4096 * 2
    assert journal.path.read_bytes()[header.start - 1 : header.start + 1] == b"\n\0"


def test_a_header_longer_than_a_mebibyte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(encode_line({"journal": 2, "gen": 1, "schema": 2, "x": "y" * (1 << 20)}) + b"\0" * 64)
    with pytest.raises(CorruptDatabaseError) as refused:
        Journal(path).read_header()
    assert (refused.value.message, refused.value.hint) == (
        f"ジャーナルの先頭行（世代・版・ファイルの一覧）が壊れています: {path}",
        "trainer restore でバックアップから戻してください（ファイルは変更していません）",
    )


def test_a_missing_journal_is_named(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with pytest.raises(CorruptDatabaseError) as refused:
        Journal(path).read_header()
    assert (refused.value.message, refused.value.hint) == (
        f"ジャーナルがありません: {path}",
        "trainer restore でバックアップから戻してください",
    )


def test_the_journal_reads_the_file_it_opened_until_it_opens_the_path_again(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path)
    end = journal.append({"seq": 1, "at": "x"}, header.start)
    assert journal.replaced() is False
    other = Journal(tmp_path / "other.jsonl")
    other.create(5, 2)
    os.replace(other.path, journal.path)  # a checkpoint by another process
    assert journal.replaced() is True
    assert journal.read(header.start).transactions == [{"seq": 1, "at": "x"}]  # still the open file
    assert journal.has_more(header.start) is True
    assert journal.read_header().gen == 5  # opened afresh
    assert journal.replaced() is False and journal.has_more(end) is False
    journal.close()
    assert journal.replaced() is True  # closed: not the file at the path
    assert journal.read(journal.read_header().start).transactions == []  # opened again to read
    journal.path.unlink()
    assert journal.replaced() is True


def test_what_stands_at_an_offset(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path)
    end = journal.append({"seq": 1, "at": "x"}, header.start)
    assert journal.has_more(header.start) is True  # a transaction
    assert journal.has_more(end) is False  # the padding
    assert journal.has_more(end + FIRST_ROOM * 2) is False  # past the end of the file
    journal.close()
    assert journal.has_more(header.start) is True  # opened again to look


def test_a_journal_the_process_may_only_read_is_read_and_refuses_to_append(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal, header = _fresh(tmp_path)
    journal.append({"seq": 1, "at": "x"}, header.start)
    journal.close()
    opened = os.open

    def no_writing(path: object, flags: int, *args: int) -> int:
        if flags & os.O_RDWR:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return opened(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(journal_module.os, "open", no_writing)
    reader = Journal(journal.path)
    start = reader.read_header().start
    assert reader.read(start).transactions == [{"seq": 1, "at": "x"}]
    with pytest.raises(OSError) as refused:
        reader.append({"seq": 2, "at": "y"}, reader.read(start).end)
    assert (refused.value.errno, refused.value.strerror, refused.value.filename) == (
        errno.EACCES,
        "Permission denied",
        str(journal.path),
    )
    assert type(refused.value) is PermissionError  # built from errno: what the caller's handlers see


def test_any_other_failure_to_open_is_not_taken_for_a_read_only_register(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal, _ = _fresh(tmp_path)
    journal.close()

    def broken(path: object, flags: int, *args: int) -> int:
        raise OSError(errno.EIO, "Input/output error", str(path))

    monkeypatch.setattr(journal_module.os, "open", broken)
    with pytest.raises(OSError) as failed:
        Journal(journal.path).read_header()
    assert failed.value.errno == errno.EIO


def test_an_append_over_damage_that_begins_with_a_zero_is_refused_after_reopening(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path)
    with open(journal.path, "r+b") as f:  # a crashed writer's line with zeros inside it
        f.seek(header.start)
        f.write(b"\0\0" + b"x" * 20 + b"\n")
    reader = Journal(journal.path)
    reader.read_header()
    with pytest.raises(JournalDamage):
        reader.append({"seq": 1, "at": "x"}, header.start)


def test_a_failed_append_is_wiped_off_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal, header = _fresh(tmp_path)
    before = journal.path.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "journal.jsonl")

    monkeypatch.setattr(journal_module.os, "fdatasync", full)
    with pytest.raises(AppendError) as failed:
        journal.append({"seq": 1, "at": "x"}, header.start)
    assert failed.value.undone is True
    assert (failed.value.errno, failed.value.strerror, failed.value.filename) == (
        errno.ENOSPC,
        "No space left on device",
        "journal.jsonl",
    )
    assert str(failed.value) == "[Errno 28] No space left on device: 'journal.jsonl'"
    assert journal.path.read_bytes() == before  # the partial line is zeros again


def test_an_append_whose_wipe_fails_too_says_it_was_not_undone_and_lets_go_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal, header = _fresh(tmp_path)

    def broken(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(journal_module.os, "fdatasync", broken)
    monkeypatch.setattr(journal_module.os, "fsync", broken)
    with pytest.raises(AppendError) as failed:
        journal.append({"seq": 1, "at": "x"}, header.start)
    assert failed.value.undone is False
    assert journal.replaced() is True  # closed: what the file holds is unknown


def test_a_durable_write_uses_fdatasync_inside_the_file_and_fsync_when_it_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal, header = _fresh(tmp_path)
    calls: list[str] = []
    monkeypatch.setattr(journal_module.os, "fdatasync", lambda fd: calls.append("fdatasync"))
    monkeypatch.setattr(journal_module.os, "fsync", lambda fd: calls.append("fsync"))
    end = journal.append({"seq": 1, "at": "x"}, header.start)
    journal.append({"seq": 2, "at": "y" * FIRST_ROOM}, end)  # past the zeroed room
    assert calls == ["fdatasync", "fsync"]


def test_an_append_after_a_torn_line_zeroes_all_of_it_first(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path)
    end = journal.append({"seq": 1, "at": "x"}, header.start)
    torn = encode_line({"seq": 2, "at": "y" * 300})[:250]  # a crashed writer's line, never acknowledged
    with open(journal.path, "r+b") as f:
        f.seek(end)
        f.write(torn)
    before = journal.path.read_bytes()
    reader = Journal(journal.path)
    reader.read_header()
    found = reader.read(header.start)
    assert (found.transactions, found.torn) == ([{"seq": 1, "at": "x"}], (end, end + 250))
    line = encode_line({"seq": 2, "at": "z"})
    assert reader.append({"seq": 2, "at": "z"}, found.end) == end + len(line)
    assert journal.path.read_bytes() == before[:end] + line + b"\0" * (len(before) - end - len(line))


def test_an_append_over_a_cut_journal_is_refused_naming_the_file(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path)
    end = journal.append({"seq": 1, "at": "x"}, header.start)
    cut = journal.path.read_bytes()[:end] + encode_line({"seq": 2, "at": "y"})[:5]  # no padding after it: cut
    journal.path.write_bytes(cut)
    reader = Journal(journal.path)
    reader.read_header()
    with pytest.raises(JournalDamage) as refused:
        reader.append({"seq": 2, "at": "z"}, end)
    assert (refused.value.path, refused.value.damage.offset) == (journal.path, end)
    assert refused.value.damage.reason == "ファイルが取引の途中で終わっています（切り詰められています）"
    assert journal.path.read_bytes() == cut


def test_an_append_before_a_transaction_it_has_not_read_is_an_internal_error(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path)
    journal.append({"seq": 1, "at": "x"}, header.start)
    reader = Journal(journal.path)
    reader.read_header()
    with pytest.raises(CorruptDatabaseError) as refused:
        reader.append({"seq": 2, "at": "y"}, header.start)
    assert refused.value.message == f"内部エラー: ジャーナルの {header.start}バイト目より後を読まずに書こうとしました"


def test_a_journal_grows_by_a_mebibyte_of_zeros_when_a_line_reaches_its_end(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path)
    big = encode_line({"seq": 1, "at": "y" * FIRST_ROOM})
    assert journal.append({"seq": 1, "at": "y" * FIRST_ROOM}, header.start) == header.start + len(big)
    assert journal.path.stat().st_size == header.start + len(big) + GROW_BYTES


def test_a_line_that_fills_the_room_exactly_still_leaves_zeros_after_it(tmp_path: Path) -> None:
    journal, header = _fresh(tmp_path)
    k = FIRST_ROOM - len(encode_line({"seq": 1, "at": ""}))
    line = encode_line({"seq": 1, "at": "y" * k})
    assert len(line) == FIRST_ROOM  # ends exactly where the file ends
    end = journal.append({"seq": 1, "at": "y" * k}, header.start)
    assert journal.path.stat().st_size == end + GROW_BYTES
    assert journal.read(header.start).transactions == [{"seq": 1, "at": "y" * k}]


@pytest.mark.parametrize("gen", ["5", True, 5.0, None])
def test_a_header_whose_generation_is_not_an_integer_is_refused(tmp_path: Path, gen: object) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(encode_line({"journal": 2, "gen": gen, "schema": 2}) + b"\0" * 64)
    with pytest.raises(CorruptDatabaseError):
        Journal(path).read_header()


def test_a_header_cut_short_with_nothing_after_it_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(encode_line({"journal": 2, "gen": 1, "schema": 2})[:-5])  # the file ends inside it
    with pytest.raises(CorruptDatabaseError):
        Journal(path).read_header()
