"""Every fault with a file the user names is a message, never a traceback, and never half a file.

A full disk or a file-size limit during an export (injected: this machine has room), a folder
missing or given where a file is wanted, a folder given as the file to import.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.files import ROSTER_HEADERS, register_bytes, write_csv
from trainer.cli import main


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("city") / "register"
    assert main(["demo", "--db", str(db), "--staff", "60", "--seed", "3"]) == 0
    return db


def _path_of(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


class _Unbuffered:
    """What os.fdopen(fd, "wb") gives, writing through os.write (so a test can make it fail)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        return len(data)

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return self.fd

    def __enter__(self) -> _Unbuffered:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


@pytest.mark.parametrize(
    ("code", "words"), [(errno.ENOSPC, "ディスクの空きがありません"), (errno.EFBIG, "ファイルが大きすぎます")]
)
@pytest.mark.parametrize("name", ["受講状況.csv", "受講状況.xlsx"])
@pytest.mark.parametrize("where", ["write", "fsync"])
def test_a_full_disk_during_an_export_is_a_message_and_leaves_the_old_file(
    city: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    words: str,
    name: str,
    where: str,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / name
    target.write_bytes(b"the export of last week")

    def failing(fd: int, *rest: object) -> object:
        if f"/.{name}." in _path_of(fd):  # the export's temporary file, no other
            if where == "write" and rest:
                real_write(fd, rest[0][: len(rest[0]) // 2])  # type: ignore[index]  # half of it got there
            raise OSError(code, os.strerror(code))
        return (real_write if where == "write" else real_fsync)(fd, *rest)  # type: ignore[operator]

    real_write, real_fsync = os.write, os.fsync
    monkeypatch.setattr(os, where, failing)
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: _Unbuffered(fd))
    result, stdout, err = run(capsys, "export", str(target), "--db", str(city))
    assert result == 1, stdout
    assert words in err and str(target) in err and "Traceback" not in err
    assert target.read_bytes() == b"the export of last week"  # the old file, whole
    assert sorted(p.name for p in out.iterdir()) == [name]  # no temporary file left behind


def test_a_full_disk_while_writing_a_report_is_a_message(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def full(fd: int) -> None:
        if "/.監査.html." in _path_of(fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "監査.html"
    code, _, err = run(capsys, "report", "audit", "-o", str(target), "--format", "html", "--db", str(city))
    assert code == 1 and "ディスクの空きがありません" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_export_into_a_folder_that_does_not_exist_is_refused(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "export", str(tmp_path / "nodir" / "x.csv"), "--db", str(city))
    assert code == 1 and "フォルダ" in err and "nodir" in err and "ありません" in err and "Traceback" not in err
    assert not (tmp_path / "nodir").exists()


@pytest.mark.parametrize("name", ["folder", "looks-like.csv"])
def test_an_export_onto_a_folder_is_refused(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    (tmp_path / name).mkdir()
    code, _, err = run(capsys, "export", str(tmp_path / name), "--db", str(city))
    assert code == 1 and "フォルダです" in err and "Traceback" not in err
    assert list((tmp_path / name).iterdir()) == []


@pytest.mark.parametrize("report", ["audit", "overdue"])
def test_a_report_given_a_folder_is_written_inside_it_with_its_usual_name(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], report: str
) -> None:
    folder = tmp_path / "監査"
    folder.mkdir()
    code, out, err = run(capsys, "report", report, "-o", str(folder), "--format", "html", "--db", str(city))
    assert code == 0, err
    [written] = folder.iterdir()
    assert written.name.startswith("令和8年度_") and written.suffix == ".html"
    assert str(written) in out


def test_a_report_into_a_missing_folder_is_refused(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "report", "audit", "-o", str(tmp_path / "nodir" / "a.html"), "--format", "html",
                       "--db", str(city))  # fmt: skip
    assert code == 1 and "nodir" in err and "ありません" in err and "Traceback" not in err


def test_a_roster_folder_that_is_a_file_is_refused(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "名簿"
    taken.write_text("a file", encoding="utf-8")
    code, _, err = run(capsys, "report", "roster", "--division", "160", "-o", str(taken), "--db", str(city))
    assert code == 1 and "フォルダではありません" in err and "Traceback" not in err


def test_a_roster_folder_that_is_missing_is_made(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "新しい" / "名簿"
    code, _, err = run(
        capsys, "report", "roster", "--division", "160", "-o", str(out), "--format", "html", "--db", str(city)
    )
    assert code == 0, err
    assert len(list(out.glob("*.html"))) == 1


@pytest.mark.parametrize(
    "command",
    [["import", "staff", "{folder}"], ["import", "progress", "{folder}"], ["import", "checkpoint", "{folder}"],
     ["import", "staff", "{file}", "--mapping", "{folder}"], ["restore", "{folder}"]],
    ids=["import staff", "import progress", "import checkpoint", "mapping", "restore"],
)  # fmt: skip
def test_a_folder_given_as_the_file_to_read_is_a_message(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    folder = tmp_path / "人事課から"
    folder.mkdir()
    roster = write_csv(tmp_path / "r.csv", [ROSTER_HEADERS])
    before = register_bytes(city)
    args = [a.replace("{folder}", str(folder)).replace("{file}", str(roster)) for a in command]
    code, _, err = run(capsys, *args, "--db", str(city))
    assert code == 1 and "フォルダ" in err and "Traceback" not in err
    assert register_bytes(city) == before


def test_an_unreadable_file_to_import_is_a_message(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    roster = write_csv(tmp_path / "r.csv", [ROSTER_HEADERS])
    real = Path.read_bytes

    def denied(path: Path) -> bytes:
        if path == roster:  # (this machine runs the tests as root, who reads every file)
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", denied)
    code, _, err = run(capsys, "import", "staff", str(roster), "--db", str(city))
    assert code == 1 and "読めません" in err and "権限がありません" in err and "Traceback" not in err
