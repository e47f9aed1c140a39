"""Registers built in one line for the store's tests, and a look at their raw files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from trainer.model import Assignment, Duty, Progress, Record, Staff
from trainer.store.register import Register

FY = 2026


def person(staff_id: str, name: str = "𠮷田 花子", kana: str = "よしだ はなこ") -> Staff:
    return Staff(
        staff_id=staff_id,
        name=name,
        kana=kana,
        employment="正規職員",
        hired=date(2020, 4, 1),
        assignments=(Assignment(date(2020, 4, 1), "D01", "主事", Duty.RIYO),),
    )


def record(staff_id: str, requirement: str = "security", fiscal_year: int = FY, percent: int = 100) -> Record:
    progress = Progress.COMPLETED if percent == 100 else Progress.IN_PROGRESS
    return Record(staff_id, fiscal_year, requirement, progress, percent, date(fiscal_year, 6, 1), "test")


def contents(register: Register) -> dict[str, Any]:
    """Everything a register holds, as model objects (years first, so reading adds none)."""
    years = register.fiscal_years()
    return {
        "years": years,
        "divisions": register.divisions(),
        "staff": sorted(register.all_staff(), key=lambda s: s.staff_id),
        "records": {fy: register.records(fy) for fy in years},
        "exemptions": {fy: register.exemptions(fy) for fy in years},
        "organization": register.setting("organization"),
    }


def journal_bytes(folder: Path) -> bytes:
    return (folder / "journal.jsonl").read_bytes()


def journal_lines(folder: Path) -> list[bytes]:
    """The journal's lines, without the zero-filled room it keeps for the next writes."""
    return journal_bytes(folder).split(b"\0", 1)[0].splitlines(keepends=True)


def line_offsets(folder: Path) -> list[int]:
    """Where each journal line starts."""
    offsets, at = [], 0
    for line in journal_lines(folder):
        offsets.append(at)
        at += len(line)
    return offsets


def staff_one_by_one(folder: Path, count: int) -> Register:
    """A register where staff 000001 … are added one transaction each (journal lines 1 … count)."""
    register = Register.open(folder)
    for i in range(1, count + 1):
        with register.transaction():
            register.put_staff([person(f"{i:06d}")])
    return register


def flip_byte(path: Path, offset: int) -> None:
    """One flipped bit (a newline becomes a vertical tab)."""
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
