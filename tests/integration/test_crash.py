"""Kill -9 at random moments: the register always opens and holds exactly what was acknowledged.

A forked child writes to the register and reports each acknowledged transaction on a pipe the
moment ``transaction()`` returns; the parent kills it with SIGKILL after a random delay, reopens
the register and checks it. The checkpoint threshold is tiny in the child, so kills also land
in the middle of checkpoints (partition files and journal being replaced). The loop is bounded
in time (past a minimum number of rounds, however slow the machine), so the test ends within a
minute or two, and every other round is killed only after an acknowledged transaction.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import select
import shutil
import signal
import time
from datetime import date
from pathlib import Path

import pytest

from tests.faults import FileOps, count_ops, needs_proc
from trainer.model import Division, Progress, Record
from trainer.service import Service
from trainer.store import database, writing
from trainer.store.register import Register

FY = 2026
BUDGET_SECONDS = 20.0
MIN_ROUNDS = 20  # however slow the machine: the budget only decides how many more
MAX_ROUNDS = 250
ACK_WAIT_SECONDS = 30.0

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _record(staff_id: str, n: int) -> Record:
    return Record(staff_id, FY, "intro", Progress.COMPLETED, 100, date(2026, 7, 1 + n % 28), "crash")


def _single_writer(folder: str, start: int, ack: int) -> None:
    writing.CHECKPOINT_BYTES = 2_000  # checkpoint every few writes
    register = Register.open(Path(folder))
    n = start
    while True:
        with register.transaction():
            register.put_records([_record(f"S{n:06d}", n)])
        os.write(ack, f"{n}\n".encode())
        n += 1


def _bulk_writer(folder: str, start: int, ack: int) -> None:
    writing.CHECKPOINT_BYTES = 50_000
    register = Register.open(Path(folder))
    batch = start
    while True:
        with register.transaction():
            register.put_records(_record(f"B{batch:04d}-{i:03d}", i) for i in range(200))
            register.put_divisions([Division(f"D{batch:04d}", "一括課")])
        os.write(ack, f"{batch}\n".encode())
        batch += 1


def _run_and_kill(target, folder: Path, start: int, rng: random.Random, first_ack: bool = False) -> list[int]:  # type: ignore[no-untyped-def]
    """Run a writer and SIGKILL it after a random moment (with ``first_ack``: a random moment
    after its first acknowledged transaction); returns what it acknowledged."""
    read_end, write_end = os.pipe()
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=target, args=(str(folder), start, write_end))
    child.start()
    os.close(write_end)
    data = b""
    deadline = time.monotonic() + ACK_WAIT_SECONDS
    while first_ack and b"\n" not in data:
        left = deadline - time.monotonic()
        assert left > 0, f"the writer acknowledged nothing in {ACK_WAIT_SECONDS} s"
        if select.select([read_end], [], [], left)[0]:
            chunk = os.read(read_end, 65536)
            assert chunk, "the writer died without acknowledging anything"
            data += chunk
    time.sleep(rng.uniform(0.0, 0.06))
    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    child.join()
    while chunk := os.read(read_end, 65536):
        data += chunk
    os.close(read_end)
    return [int(x) for x in data.decode().split()]


def test_kill_9_during_a_stream_of_single_writes(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    Register.open(folder).close()
    rng = random.Random(2026)
    acknowledged: set[int] = set()
    attempted_up_to = 0
    rounds = 0
    deadline = time.monotonic() + BUDGET_SECONDS
    waited = 0
    while rounds < MIN_ROUNDS or (rounds < MAX_ROUNDS and time.monotonic() < deadline):
        first_ack = rounds % 2 == 1  # every other round is killed only after a transaction was acknowledged
        acks = _run_and_kill(_single_writer, folder, attempted_up_to, rng, first_ack)
        assert acks or not first_ack
        waited += first_ack
        acknowledged.update(acks)
        register = Register.open(folder)
        present = {int(sid[1:]) for sid, _req in register.db.data(database.year_partition(FY), "records").index}
        register.close()
        assert acknowledged <= present, f"round {rounds}: lost {sorted(acknowledged - present)[:5]}"
        # At most the one transaction in flight at the kill may have landed unacknowledged.
        in_flight = present - acknowledged
        assert len(in_flight) <= 1 and all(n >= attempted_up_to for n in in_flight)
        acknowledged |= in_flight
        attempted_up_to = max(present, default=-1) + 1
        rounds += 1
    assert len(acknowledged) >= waited >= MIN_ROUNDS // 2  # kills landed after real work, not only before any


def test_kill_9_during_bulk_transactions_leaves_each_whole_or_absent(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    Register.open(folder).close()
    rng = random.Random(29)
    acknowledged: set[int] = set()
    next_batch = 0
    rounds = 0
    deadline = time.monotonic() + BUDGET_SECONDS
    waited = 0
    while rounds < MIN_ROUNDS or (rounds < MAX_ROUNDS and time.monotonic() < deadline):
        first_ack = rounds % 2 == 1  # every other round is killed only after a transaction was acknowledged
        acks = _run_and_kill(_bulk_writer, folder, next_batch, rng, first_ack)
        assert acks or not first_ack
        waited += first_ack
        acknowledged.update(acks)
        register = Register.open(folder)
        records = register.db.data(database.year_partition(FY), "records").index
        per_batch: dict[int, int] = {}
        for sid, _req in records:
            batch = int(sid[1:5])
            per_batch[batch] = per_batch.get(batch, 0) + 1
        divisions = {int(d.code[1:]) for d in register.divisions()}
        register.close()
        assert all(count == 200 for count in per_batch.values()), "a bulk transaction landed in part"
        assert set(per_batch) == divisions, "records and divisions of one transaction disagree"
        assert acknowledged <= set(per_batch)
        acknowledged |= set(per_batch)
        next_batch = max(per_batch, default=-1) + 1
        rounds += 1
    assert len(acknowledged) >= waited >= MIN_ROUNDS // 2  # kills landed after real work, not only before any


def test_lock_of_a_killed_process_is_recovered(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    Register.open(folder).close()
    ready_r, ready_w = os.pipe()
    never_r, never_w = os.pipe()  # nothing is ever written: the child holds the lock until it is killed

    def hold_lock() -> None:
        register = Register.open(folder)
        with register.db.lock.held():
            os.write(ready_w, b"x")
            os.read(never_r, 1)

    child = multiprocessing.get_context("fork").Process(target=hold_lock)
    child.start()
    assert os.read(ready_r, 1) == b"x"
    lock_info = folder / "lock.json"
    assert json.loads(lock_info.read_text(encoding="utf-8"))["pid"] == child.pid
    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    child.join()
    for fd in (ready_r, ready_w, never_r, never_w):
        os.close(fd)
    # The OS dropped the dead holder's lock: the next writer gets it at once and says so.
    register = Register.open(folder, lock_timeout=2)
    with register.transaction():
        register.put_divisions([Division("100", "市民課")])
    assert json.loads(lock_info.read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert Register.open(folder).division("100") is not None


def _a_register_with_work_to_checkpoint(folder: Path) -> dict[str, object]:
    """Files of generation 1 (main, two years), then a journal that changes main and this year,
    starts next year's file and logs a setting; returns what it holds."""
    register = Register.open(folder)
    with register.transaction():
        register.put_divisions([Division("100", "市民課")])
        register.put_records([_record(f"S{n:06d}", n) for n in range(20)])
        register.put_records([Record(f"S{n:06d}", FY - 1, "intro", Progress.COMPLETED, 100, date(2025, 7, 1), "x")
                              for n in range(5)])  # fmt: skip
    register.db.checkpoint()
    with register.transaction():
        register.put_divisions([Division("110", "保険年金課")])
        register.put_records([_record(f"S{n:06d}", n + 1) for n in range(10, 30)])
    with register.transaction():
        register.put_records([Record("S000001", FY + 1, "intro", Progress.COMPLETED, 100, date(2027, 5, 1), "x")])
        register.put_setting("organization", "〇〇市")
    held = _held(register)
    register.close()
    return held


def _held(register: Register) -> dict[str, object]:
    years = register.fiscal_years()
    return {
        "years": years,
        "divisions": register.divisions(),
        "records": {fy: register.records(fy) for fy in years},
        "organization": register.setting("organization"),
    }


@needs_proc
def test_a_crash_right_before_any_write_fsync_or_rename_of_a_checkpoint_loses_nothing(tmp_path: Path) -> None:
    """Deterministic: the process dies before the 1st, 2nd, … file operation of a checkpoint."""
    template = tmp_path / "template"
    expected = _a_register_with_work_to_checkpoint(template)
    counting = tmp_path / "counting"
    shutil.copytree(template, counting)
    register = Register.open(counting)
    steps = count_ops(counting, register.db.checkpoint)
    register.close()
    kinds = [kind for kind, _path in steps]
    assert kinds.count("replace") >= 4 and "fdatasync" in kinds and "fsync" in kinds  # files, then the journal

    for step in range(1, len(steps) + 1):
        folder = tmp_path / f"crash-{step}"
        shutil.copytree(template, folder)
        pid = os.fork()
        if pid == 0:  # the child dies right before operation ``step``
            try:
                register = Register.open(folder)
                with FileOps(folder, lambda n, _kind, _path, k=step: os._exit(0) if n == k else None).watching():
                    register.db.checkpoint()
            finally:
                os._exit(1)
        _pid, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, f"step {step}: the child did not die there"

        where = f"crash before step {step} ({steps[step - 1][0]} {Path(steps[step - 1][1]).name})"
        again = Register.open(folder)
        assert _held(again) == expected, where
        with again.transaction():  # and it goes on: a write and a checkpoint of its own
            again.put_divisions([Division("120", "税務課")])
        again.db.checkpoint()
        again.close()
        svc = Service.open(folder, create=False)
        assert svc.verify().ok, f"{where}: {svc.verify().findings[:3]}"
        svc.close()
        assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")], where
        shutil.rmtree(folder)
