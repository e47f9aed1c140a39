"""The manifest: the register knows which partition files it has and what each holds.

A missing or substituted file is refused (naming it and the newest backup), never read as an
empty year; ``verify`` reports it; a register from before manifests gets one on its first open.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import orjson
import pytest

from tests.registers import FY, contents, person, record
from trainer.cli import main
from trainer.errors import CorruptDatabaseError
from trainer.store.journal import encode_line
from trainer.store.register import Register


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "register"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def a_year(folder: Path) -> Register:
    """Staff, this year's records and last year's, checkpointed into their files, and a backup."""
    register = Register.open(folder)
    with register.transaction():
        register.put_staff([person(f"{i:06d}") for i in range(1, 6)])
        register.put_records([record(f"{i:06d}") for i in range(1, 6)])
        register.put_records([record(f"{i:06d}", fiscal_year=FY - 1) for i in range(1, 6)])
    register.db.checkpoint()
    register.db.backup("manual")
    return register


def header(folder: Path) -> dict:  # type: ignore[type-arg]
    first = (folder / "journal.jsonl").read_bytes().split(b"\n", 1)[0]
    return orjson.loads(first[9:])


def test_a_missing_year_file_is_refused_not_read_as_an_empty_year(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_year(folder).close()
    (folder / f"fy{FY}.json").unlink()
    journal = (folder / "journal.jsonl").read_bytes()

    with pytest.raises(CorruptDatabaseError, match=re.escape(f"fy{FY}.json")) as caught:
        Register.open(folder).records(FY)
    assert "trainer restore" in caught.value.hint and "manual.zip" in caught.value.hint  # the newest backup
    code, out, err = run(capsys, "status", "--db", str(folder), "--fy", str(FY))
    assert code == 1 and f"fy{FY}.json" in err and "修了 0" not in out
    assert not (folder / f"fy{FY}.json").exists()  # no tiny year file written in its place
    assert (folder / "journal.jsonl").read_bytes() == journal


def test_a_substituted_year_file_is_refused(folder: Path) -> None:
    register = a_year(folder)
    old = (folder / f"fy{FY}.json").read_bytes()
    with register.transaction():
        register.put_records([record("000001", "flow")])
    register.db.checkpoint()
    register.close()
    (folder / f"fy{FY}.json").write_bytes(old)  # an older copy put back (from a backup, say)

    with pytest.raises(CorruptDatabaseError, match=re.escape(f"fy{FY}.json")) as caught:
        Register.open(folder).records(FY)
    assert "違います" in str(caught.value) and "manual.zip" in caught.value.hint
    assert (folder / f"fy{FY}.json").read_bytes() == old


def test_verify_reports_a_missing_or_substituted_file_instead_of_refusing(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_year(folder).close()
    (folder / f"fy{FY - 1}.json").unlink()
    path = folder / f"fy{FY}.json"
    path.write_bytes(path.read_bytes().replace(b'"percent":100', b'"percent":10', 1))

    code, _out, err = run(capsys, "verify", "--db", str(folder))

    assert code == 1
    assert f"fy{FY - 1}.json: " in err and "ありません" in err
    assert f"fy{FY}.json: " in err and "違います" in err
    assert "100 → 10" in err  # and what differs from the change log, as before


def test_a_partition_file_the_manifest_does_not_know_is_refused(folder: Path) -> None:
    a_year(folder).close()
    shutil.copy(folder / f"fy{FY}.json", folder / "fy2020.json")
    with pytest.raises(CorruptDatabaseError, match=r"fy2020\.json"):
        Register.open(folder)


def test_the_manifest_lists_every_file_with_its_generation_and_digest(folder: Path) -> None:
    a_year(folder).close()
    files = header(folder)["files"]
    assert set(files) == {"main", f"fy{FY - 1}", f"fy{FY}"}
    import hashlib

    for name, (gen, sha) in files.items():
        data = (folder / f"{name}.json").read_bytes()
        assert sha == hashlib.sha256(data).hexdigest()
        assert gen == orjson.loads(data)["_meta"]["1"]["through_gen"]


def test_a_register_without_a_manifest_gets_one_on_first_open(folder: Path) -> None:
    register = a_year(folder)
    with register.transaction():  # one transaction only in the journal
        register.put_records([record("000002", "flow")])
    expected = contents(register)
    register.close()
    path = folder / "journal.jsonl"
    lines = path.read_bytes().split(b"\0", 1)[0].splitlines(keepends=True)
    old_header = {k: v for k, v in header(folder).items() if k != "files"} | {"journal": 1}
    path.write_bytes(encode_line(old_header) + b"".join(lines[1:]))  # as trainer wrote it before manifests

    again = Register.open(folder)

    assert contents(again) == expected
    assert set(header(folder)["files"]) == {"main", f"fy{FY - 1}", f"fy{FY}"}
    again.close()
    (folder / f"fy{FY}.json").unlink()
    with pytest.raises(CorruptDatabaseError, match=re.escape(f"fy{FY}.json")):
        Register.open(folder)
