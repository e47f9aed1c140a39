"""Damage is not a torn write: the journal refuses what it cannot read, names it, and
``trainer repair`` moves it aside explicitly, after a backup, saying what was lost.

Only an incomplete final append (no newline, followed by the journal's zero padding) was never
acknowledged and may be dropped; anything else that does not read is refused: the register
never opens with fewer transactions than were acknowledged, and nothing is zeroed silently.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.faults import FileOps, count_ops, needs_proc
from tests.registers import (
    flip_byte,
    journal_bytes,
    journal_lines,
    line_offsets,
    person,
    staff_one_by_one,
)
from trainer.cli import main
from trainer.errors import CorruptDatabaseError
from trainer.service import Service
from trainer.store.journal import encode_line, scan
from trainer.store.register import Register


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "register"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def refused(folder: Path, offset: int) -> CorruptDatabaseError:
    """Opening is refused, naming the journal and the offset; no byte of the journal changed."""
    before = journal_bytes(folder)
    with pytest.raises(CorruptDatabaseError) as caught:
        Register.open(folder)
    message = str(caught.value)
    assert str(folder / "journal.jsonl") in message
    assert f"{offset}バイト目" in message
    assert "trainer repair" in message
    assert journal_bytes(folder) == before
    return caught.value


def test_a_complete_last_line_failing_its_checksum_is_damage_not_a_torn_write(folder: Path) -> None:
    staff_one_by_one(folder, 2).close()
    last = line_offsets(folder)[2]
    flip_byte(folder / "journal.jsonl", last + 40)  # inside the JSON; the line still ends in its newline

    error = refused(folder, last)
    assert "チェックサム" in str(error)
    refused(folder, last)  # and again: nothing was zeroed by the first attempt


def test_a_last_line_whose_newline_was_damaged_is_damage(folder: Path) -> None:
    staff_one_by_one(folder, 2).close()
    last = line_offsets(folder)[2]
    flip_byte(folder / "journal.jsonl", last + len(journal_lines(folder)[2]) - 1)
    refused(folder, last)


@pytest.mark.parametrize("where", ["inside-a-transaction", "at-a-line-boundary"])
def test_a_journal_cut_short_is_refused_not_read_as_fewer_transactions(folder: Path, where: str) -> None:
    staff_one_by_one(folder, 6).close()
    third = line_offsets(folder)[3]
    cut = third + 25 if where == "inside-a-transaction" else third
    path = folder / "journal.jsonl"
    path.write_bytes(path.read_bytes()[:cut])  # the zero padding after the last line goes too

    refused(folder, third if where == "inside-a-transaction" else cut)


def test_damage_followed_by_intact_transactions_says_how_many_follow(folder: Path) -> None:
    staff_one_by_one(folder, 6).close()
    third = line_offsets(folder)[3]
    flip_byte(folder / "journal.jsonl", third + 30)

    error = refused(folder, third)
    assert "無傷の取引が 3件" in str(error)


def test_zeros_inside_a_line_followed_by_more_lines_are_damage(folder: Path) -> None:
    staff_one_by_one(folder, 3).close()
    second = line_offsets(folder)[2]
    path = folder / "journal.jsonl"
    data = bytearray(path.read_bytes())
    data[second + 20 : second + 60] = b"\0" * 40  # a block of the file came back as zeros
    path.write_bytes(bytes(data))
    refused(folder, second)


@pytest.mark.parametrize("command", [["status"], ["verify"], ["staff", "list"]])
def test_read_commands_exit_1_on_a_damaged_journal(
    folder: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    staff_one_by_one(folder, 3).close()
    flip_byte(folder / "journal.jsonl", line_offsets(folder)[3] + 30)
    code, _out, err = run(capsys, *command, "--db", str(folder))
    assert code == 1
    assert "journal.jsonl" in err and "バイト目" in err and "trainer repair" in err
    assert "Traceback" not in err


# --- trainer repair ---------------------------------------------------------------------------


def test_repair_moves_the_damaged_bytes_aside_after_a_backup_and_says_which_transactions_were_lost(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staff_one_by_one(folder, 6).close()  # change-log entries 1 … 6, one staff member each
    third = line_offsets(folder)[3]
    content_end = len(b"".join(journal_lines(folder)))
    flip_byte(folder / "journal.jsonl", third + 30)
    damaged = journal_bytes(folder)

    code, out, err = run(capsys, "repair", "--db", str(folder))

    assert code == 0, err
    assert "記録 3、4、5、6" in out  # the damaged transaction and the three after it
    [aside] = folder.glob("journal.damaged-*.bin")
    assert aside.read_bytes() == damaged[third:content_end]  # every damaged and following byte, kept
    [backup] = folder.glob("backups/*before-repair.zip")
    with zipfile.ZipFile(backup) as z:
        assert z.read("journal.jsonl") == damaged
    assert str(aside.name) in out and str(backup.name) in out

    register = Register.open(folder)
    assert sorted(register.staff_ids()) == ["000001", "000002"]
    with register.transaction():  # and it writes again
        register.put_staff([person("000007")])
    register.close()

    svc = Service.open(folder, create=False)
    [newest, repair, *_] = svc.log()
    assert repair["action"] == "repair" and repair["lost"] == [3, 4, 5, 6] and repair["file"] == aside.name
    assert repair["seq"] == 7 and newest["seq"] == 8  # a lost number is never given to another change
    assert svc.verify().ok
    svc.close()


def test_repair_of_a_cut_journal_says_the_lost_transactions_are_unknown(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staff_one_by_one(folder, 4).close()
    third = line_offsets(folder)[3]
    path = folder / "journal.jsonl"
    path.write_bytes(path.read_bytes()[: third + 25])

    code, out, err = run(capsys, "repair", "--db", str(folder))

    assert code == 0, err
    assert "記録 3" in out and "切り詰められています" in out
    assert sorted(Register.open(folder).staff_ids()) == ["000001", "000002"]
    assert run(capsys, "verify", "--db", str(folder))[0] == 0


def test_repair_of_a_healthy_register_changes_nothing(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    staff_one_by_one(folder, 2).close()
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith("lock")}

    code, out, _err = run(capsys, "repair", "--db", str(folder))

    assert code == 0 and "修復の必要はありません" in out
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith("lock")}
    assert after == before
    assert not (folder / "backups").exists()


def test_repair_of_a_missing_register_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "repair", "--db", str(tmp_path / "typo"))
    assert code == 1 and "データベースがありません" in err
    assert not (tmp_path / "typo").exists()


def test_the_repair_entry_is_chained_in_the_change_log(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = staff_one_by_one(folder, 3)
    register.db.checkpoint()  # entries 1 … 3 in changelog.jsonl
    with register.transaction():
        register.put_staff([person("000004")])
    with register.transaction():
        register.put_staff([person("000005")])
    register.close()
    flip_byte(folder / "journal.jsonl", line_offsets(folder)[1] + 30)  # entry 4

    assert run(capsys, "repair", "--db", str(folder))[0] == 0
    svc = Service.open(folder, create=False)
    svc.register.db.checkpoint()
    svc.close()
    lines = (folder / "changelog.jsonl").read_bytes().splitlines()
    entries = [orjson.loads(line) for line in lines]
    assert [e["seq"] for e in entries] == [1, 2, 3, 6]  # 4 and 5 were lost, and are named by 6
    assert entries[3]["action"] == "repair" and entries[3]["prev"] == entries[2]["hash"]
    assert entries[3]["lost"] == [4, 5] and re.search(r"記録 4、5", entries[3]["summary"])
    assert run(capsys, "verify", "--db", str(folder))[0] == 0


# --- the rule itself, over every byte -----------------------------------------------------------

_LINES = [encode_line({"journal": 2, "gen": 3, "schema": 2})] + [
    encode_line({"seq": n, "at": "2026-11-25T10:00:00+09:00", "log": {"seq": n, "summary": "記録" * n}})
    for n in range(1, 5)
]
_CONTENT = b"".join(_LINES)
_PADDED = _CONTENT + b"\0" * 64


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(_CONTENT) - 1), st.integers(0, 7))
def test_no_flipped_bit_in_an_acknowledged_line_reads_as_fewer_transactions(position: int, bit: int) -> None:
    data = bytearray(_PADDED)
    data[position] ^= 1 << bit
    found = scan(bytes(data), 0, padded=True)
    assert found.damage is not None and found.damage.offset <= position
    assert found.torn is None


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(_CONTENT)))
def test_no_cut_of_a_padded_journal_reads_as_fewer_transactions(cut: int) -> None:
    found = scan(_CONTENT[:cut], 0, padded=True)  # the padding goes with any cut
    assert found.damage is not None


@settings(max_examples=300, deadline=None)
@given(st.integers(1, len(_LINES[-1]) - 1), st.integers(0, len(_LINES[-1])), st.integers(0, 4096))
def test_any_prefix_of_an_append_followed_by_the_padding_is_torn(length: int, hole_at: int, hole: int) -> None:
    """An interrupted append: the start of a line (after a power cut, perhaps with a page of it
    still zeros) and nothing but zeros after it."""
    fragment = bytearray(_LINES[-1][:length])
    fragment[hole_at : hole_at + hole] = b"\0" * len(fragment[hole_at : hole_at + hole])
    before = b"".join(_LINES[:-1])
    found = scan(before + bytes(fragment) + b"\0" * 64, 0, padded=True)
    assert found.damage is None and len(found.transactions) == len(_LINES) - 1
    assert found.torn is None or found.torn[0] == len(before)


@needs_proc
def test_a_repair_killed_at_any_step_is_finished_by_running_it_again(tmp_path: Path) -> None:
    template = tmp_path / "template"
    staff_one_by_one(template, 4).close()
    flip_byte(template / "journal.jsonl", line_offsets(template)[3] + 30)
    counting = tmp_path / "counting"
    shutil.copytree(template, counting)
    steps = count_ops(counting, lambda: Service.repair(counting))
    assert [kind for kind, _ in steps].count("replace") >= 3  # the backup, the bytes aside, the journal

    for step in range(1, len(steps) + 1):
        folder = tmp_path / f"crash-{step}"
        shutil.copytree(template, folder)
        pid = os.fork()
        if pid == 0:
            try:
                with FileOps(folder, lambda n, _kind, _path, k=step: os._exit(0) if n == k else None).watching():
                    Service.repair(folder)
            finally:
                os._exit(1)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        Service.repair(folder)  # again, to the end (or: nothing left to do)

        svc = Service.open(folder, create=False)
        assert sorted(svc.register.staff_ids()) == ["000001", "000002"], step
        repairs = [e for e in svc.log() if e["action"] == "repair"]
        assert len(repairs) == 1 and repairs[0]["lost"] == [3, 4], step
        assert svc.verify().ok, step
        svc.close()
        shutil.rmtree(folder)
