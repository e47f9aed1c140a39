"""A register written by an older trainer is migrated forward, after a backup, crash-safely."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import orjson
import pytest

from trainer.errors import SchemaVersionError
from trainer.model import Progress, Record
from trainer.store.database import SCHEMA_VERSION
from trainer.store.journal import encode_line
from trainer.store.register import Register

V1_STAFF = {
    "staff_id": "000123",
    "name": "𠮷田 花子",
    "kana": "ヨシダ ハナコ",
    "employment": "正規職員",
    "hired": "2015-04-01",
    "retired": None,
    "assignments": [{"start": "2015-04-01", "division": "160", "title": "主事", "duty": "利用事務"}],
    "leaves": [],
}


def v1_record(staff_id: str, requirement: str, on: str) -> dict[str, object]:
    return {
        "staff_id": staff_id,
        "requirement": requirement,
        "fiscal_year": 2026,  # schema 1 repeated the year in every record
        "progress": "completed",
        "percent": 100,
        "on": on,
        "source": "cli",
    }


def write_v1(folder: Path) -> None:
    """A register as trainer 0.1 (schema 1) left it: files at generation 3, a journal with one write."""
    folder.mkdir(mode=0o700)
    meta = {"schema": 1, "partition": "main", "through_gen": 2}
    main = {
        "_meta": {"1": meta},
        "divisions": {"1": {"code": "160", "name": "市民税課", "head_title": "課長", "head_name": ""}},
        "staff": {"1": V1_STAFF},
        "settings": {},
    }
    (folder / "main.json").write_bytes(orjson.dumps(main))
    year = {
        "_meta": {"1": {**meta, "partition": "fy2026"}},
        "records": {"1": v1_record("000123", "intro", "2026-07-10")},
        "exemptions": {},
    }
    (folder / "fy2026.json").write_bytes(orjson.dumps(year))
    journal = encode_line({"journal": 1, "gen": 3}) + encode_line(
        {
            "seq": 1,
            "at": "2026-11-01T09:00:00+09:00",
            "ops": [["fy2026", "records", "2", v1_record("000123", "flow", "2026-08-01")]],
        }
    )
    (folder / "journal.jsonl").write_bytes(journal)
    for path in folder.iterdir():
        path.chmod(0o600)


def expected_records() -> dict[str, Record]:
    return {
        "intro": Record("000123", 2026, "intro", Progress.COMPLETED, 100, date(2026, 7, 10), "cli"),
        "flow": Record("000123", 2026, "flow", Progress.COMPLETED, 100, date(2026, 8, 1), "cli"),
    }


def test_schema_1_register_is_migrated_after_a_backup(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    write_v1(folder)
    original = {p.name: p.read_bytes() for p in folder.iterdir()}

    register = Register.open(folder)

    assert register.records(2026) == {"000123": expected_records()}
    assert register.staff("000123").name == "𠮷田 花子"  # type: ignore[union-attr]
    backups = list((folder / "backups").glob(f"*before-migration-v1-v{SCHEMA_VERSION}.zip"))
    assert len(backups) == 1
    with zipfile.ZipFile(backups[0]) as z:
        assert {n: z.read(n) for n in z.namelist()} == {
            n: original[n] for n in ("main.json", "fy2026.json", "journal.jsonl")
        }
    year = orjson.loads((folder / "fy2026.json").read_bytes())
    assert year["_meta"]["1"]["schema"] == SCHEMA_VERSION
    assert all("fiscal_year" not in doc for doc in year["records"].values())
    header = (folder / "journal.jsonl").read_bytes().split(b"\n", 1)[0]
    assert b'"schema":%d' % SCHEMA_VERSION in header and b'"gen":4' in header

    # Opening again migrates nothing more and makes no second backup.
    again = Register.open(folder)
    assert again.records(2026) == {"000123": expected_records()}
    assert len(list((folder / "backups").glob("*before-migration*"))) == 1


def test_a_migration_interrupted_before_the_new_journal_is_finished_on_next_open(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    write_v1(folder)
    old_journal = (folder / "journal.jsonl").read_bytes()
    Register.open(folder).close()
    # A crash after every file was migrated but before the journal was replaced:
    (folder / "journal.jsonl").write_bytes(old_journal)

    register = Register.open(folder)
    assert register.records(2026) == {"000123": expected_records()}
    with register.transaction():
        register.put_records([Record("000123", 2026, "rules", Progress.IN_PROGRESS, 40, date(2026, 11, 2), "cli")])
    assert set(Register.open(folder).records(2026)["000123"]) == {"intro", "flow", "rules"}


def test_a_register_from_a_newer_trainer_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    write_v1(folder)
    path = folder / "journal.jsonl"
    path.write_bytes(encode_line({"journal": 1, "gen": 3, "schema": SCHEMA_VERSION + 1}))
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith("lock")}
    with pytest.raises(SchemaVersionError, match="新しい版"):
        Register.open(folder)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith("lock")}
    assert after == before


def test_the_first_write_of_a_new_fiscal_year_is_preceded_by_a_backup(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    register = Register.open(folder)
    with register.transaction():
        register.put_records([Record("000123", 2025, "intro", Progress.COMPLETED, 100, date(2025, 7, 1), "cli")])
    register.db.checkpoint()
    assert not (folder / "backups").exists()  # a brand-new register has nothing to protect yet

    with register.transaction():
        register.put_records([Record("000123", 2026, "intro", Progress.COMPLETED, 100, date(2026, 7, 1), "cli")])
    backups = list((folder / "backups").glob("*rollover-fy2026.zip"))
    assert len(backups) == 1
    with zipfile.ZipFile(backups[0]) as z:
        assert "fy2025.json" in z.namelist() and "fy2026.json" not in z.namelist()

    with register.transaction():
        register.put_records([Record("000124", 2026, "intro", Progress.COMPLETED, 100, date(2026, 7, 2), "cli")])
    assert len(list((folder / "backups").glob("*.zip"))) == 1
