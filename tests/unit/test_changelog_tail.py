"""The change log is as crash-safe as the journal: a checkpoint killed, or stopped by a full
disk, in the middle of its change-log append never becomes a permanent tamper report."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import orjson
import pytest

from trainer.cli import main
from trainer.errors import CorruptDatabaseError, StoreError
from trainer.service import Service
from trainer.store.register import Register


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "register"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def logged_divisions(folder: Path, count: int, checkpointed: int = 0) -> list[bytes]:
    """Divisions added one change each (the first ``checkpointed`` folded into changelog.jsonl);
    returns the change-log lines the next checkpoint will append for the rest."""
    svc = Service.open(folder)
    for i in range(1, count + 1):
        svc.add_division(f"{i:03d}", f"課{i}")
        if i == checkpointed:
            svc.register.db.checkpoint()
    pending = [orjson.dumps(e) + b"\n" for kind, e in svc.register.db.log_entries() if kind == "entry"]
    svc.close()
    return pending


def test_a_checkpoint_killed_in_its_change_log_append_is_completed_from_the_journal(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pending = logged_divisions(folder, 5, checkpointed=2)
    assert len(pending) == 3
    log = folder / "changelog.jsonl"
    whole = log.read_bytes()
    with log.open("ab") as f:  # what a kill in the middle of the checkpoint's append leaves
        f.write(pending[0] + pending[1][:100])

    code, _out, err = run(capsys, "verify", "--db", str(folder))
    assert code == 0, err  # not tampering: the journal still holds the entries
    svc = Service.open(folder, create=False)
    svc.register.db.checkpoint()
    svc.close()
    assert log.read_bytes() == whole + b"".join(pending)
    assert run(capsys, "verify", "--db", str(folder))[0] == 0


def test_a_full_disk_in_the_change_log_append_leaves_everything_consistent_and_says_so(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_divisions(folder, 4, checkpointed=1)
    svc = Service.open(folder, create=False)
    log_inode = (folder / "changelog.jsonl").stat().st_ino
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        if os.fstat(fd).st_ino == log_inode:
            real_write(fd, bytes(data[:150]))  # part of it fits, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    with monkeypatch.context() as m:
        m.setattr(os, "write", full_disk)
        with pytest.raises(StoreError) as caught:
            svc.register.db.checkpoint()
    assert "ディスクの空きがありません" in caught.value.message and "失われていません" in caught.value.message
    assert not (folder / "changelog.jsonl").read_bytes().endswith(b"\n")  # torn

    svc.add_division("099", "新しい課")  # the next command, with room again
    svc.register.db.checkpoint()
    assert svc.verify().ok
    svc.close()
    assert run(capsys, "verify", "--db", str(folder))[0] == 0


def test_a_torn_change_log_line_the_journal_does_not_hold_is_refused_and_repair_moves_it_aside(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logged_divisions(folder, 2, checkpointed=2)
    log = folder / "changelog.jsonl"
    whole = log.read_bytes()
    log.write_bytes(whole + b'{"action":"division_add","at":"2026-')

    with pytest.raises(CorruptDatabaseError, match=r"changelog\.jsonl") as caught:
        Register.open(folder)
    assert "trainer repair" in caught.value.hint
    code, out, err = run(capsys, "repair", "--db", str(folder))
    assert code == 0, err
    [aside] = folder.glob("changelog.damaged-*.bin")
    assert aside.read_bytes() == b'{"action":"division_add","at":"2026-'
    assert log.read_bytes().startswith(whole)
    assert run(capsys, "verify", "--db", str(folder))[0] == 0
    _, out, _ = run(capsys, "log", "--db", str(folder), "--limit", "1")
    assert "changelog.damaged-" in out
