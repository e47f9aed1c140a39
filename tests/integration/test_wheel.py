"""The wheel works anywhere: built from this tree, installed into a fresh virtual environment in a
temp folder outside the repository, it runs demo, status and a roster PDF with the bundled
catalogs, policy and templates (which are symlinks in the tree and must be real files in the
wheel), and never reads the repository.

Built and installed with uv (scripts/setup brings it): the dependencies are the versions of
uv.lock and come from uv's cache, so this takes seconds, not a download.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUNDLED = ("courses", "checklists", "policy", "reports")
SOURCES = ("pyproject.toml", "README.md", "src", *BUNDLED)


def _clean_copy(target: Path) -> Path:
    """What the wheel is built from, without a ``build/`` left by an earlier build (setuptools
    would reuse it, and a file dropped from the package data would still ship)."""
    ignore = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "*.pyc")
    target.mkdir()
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    return target


def _uv() -> str:
    for candidate in (os.environ.get("UV"), str(REPO / ".tools" / "venv" / "bin" / "uv"), shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return candidate
    if os.environ.get("CI"):
        pytest.fail("uv がありません: scripts/setup が .tools/ に入れます")
    pytest.skip("uv がありません（scripts/setup で入ります）")


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh venv outside the repository with only the wheel (and the
    locked dependencies) installed."""
    uv = _uv()
    root = tmp_path_factory.mktemp("wheel")
    assert not root.is_relative_to(REPO)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    dist = root / "dist"
    source = _clean_copy(root / "source")
    _run(uv, "build", "--wheel", "--out-dir", str(dist), "--python", sys.executable, str(source), cwd=root, env=env)
    wheels = list(dist.glob("trainer-*.whl"))
    assert len(wheels) == 1, wheels
    pins = root / "pins.txt"
    exported = _run(uv, "export", "--frozen", "--no-emit-project", "--no-hashes", "--project", str(REPO), cwd=root)
    pins.write_text(exported.stdout, encoding="utf-8")
    venv = root / "venv"
    _run(uv, "venv", "--python", sys.executable, str(venv), cwd=root, env=env)
    python = venv / "bin" / "python"
    _run(uv, "pip", "install", "--python", str(python), "-c", str(pins), str(wheels[0]), cwd=root, env=env)
    return venv / "bin"


def test_the_wheel_holds_the_bundled_folders_as_real_files(installed: Path) -> None:
    wheel = next((installed.parent.parent / "dist").glob("trainer-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for folder in BUNDLED:
            for source in (REPO / folder).iterdir():
                if source.suffix in (".yaml", ".j2", ".css"):
                    name = f"trainer/bundled/{folder}/{source.name}"
                    assert name in names, name
                    assert z.read(name) == source.read_bytes(), name
        assert "trainer/tui/app.tcss" in names


def test_demo_status_and_a_roster_pdf_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "city"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAINER_", "PYTHON"))}
    env |= {"TRAINER_TODAY": "2026-11-25", "HOME": str(tmp_path / "home")}
    trainer = str(installed / "trainer")
    where = _run(
        str(installed / "python"),
        "-c",
        "import trainer.bundled as b; print(b.bundled_dir('reports'))",
        cwd=work,
        env=env,
    )
    bundled = Path(where.stdout.strip())
    assert not bundled.is_relative_to(REPO), f"the installed trainer reads the repository: {bundled}"
    assert (bundled / "report.css").is_file() and not (bundled / "report.css").is_symlink()

    db = work / "register"
    out = _run(trainer, "demo", "--db", str(db), "--staff", "40", cwd=work, env=env).stdout
    assert "デモの市を作成しました" in out
    status = _run(trainer, "status", "--db", str(db), cwd=work, env=env).stdout
    assert "修了" in status
    first = _run(trainer, "division", "list", "--db", str(db), cwd=work, env=env).stdout
    assert first.strip()
    _run(trainer, "report", "roster", "--db", str(db), "--all", "-o", str(work / "out"), cwd=work, env=env)
    pdfs = sorted((work / "out").rglob("*.pdf"))
    assert pdfs, list((work / "out").rglob("*"))
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    doctor = subprocess.run(
        [trainer, "doctor", "--db", str(db)], cwd=work, env=env, capture_output=True, text=True, timeout=300
    )
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "[OK] 検証" in doctor.stdout
