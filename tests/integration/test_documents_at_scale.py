"""The rosters of a 5,000-staff city, every one of them read back from the PDF.

The demo city at 5,000 staff (72 divisions, some 350 pages) is built once for the module and its
``report roster --all`` printed once (in batches, by worker processes): every division gets its
file, every sign block shares its page with the totals and staff rows, the combined file holds
every page with one font per face, and no date is split across lines.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.pdfs import embedded_fonts, pages, sign_page_problems, split_dates
from trainer.service import Service

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def rosters(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[Path]]:
    folder = tmp_path_factory.mktemp("city5000") / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    try:
        svc.create_demo(5000, seed=42)
        codes = sorted(svc.status(2026).summary.divisions)
        return codes, svc.report_roster(tmp_path_factory.mktemp("rosters5000"), 2026)
    finally:
        svc.close()


def test_every_division_has_its_roster_and_the_combined_file_has_every_page(
    rosters: tuple[list[str], list[Path]],
) -> None:
    codes, paths = rosters
    [combined] = [p for p in paths if "全所属" in p.name]
    parts = [p for p in paths if p is not combined]
    assert [p.name.split("_")[1] for p in parts] == codes
    assert len(PdfReader(combined).pages) == sum(len(PdfReader(p).pages) for p in parts)
    faces = embedded_fonts(combined)
    # one subset per face (the grid's face, regular and bold), not one per batch
    assert sorted(face.split("+")[1] for face in faces) == ["Noto-Sans-Mono-CJK-JP", "Noto-Sans-Mono-CJK-JP-Bold"]


@pytest.fixture(scope="module")
def texts(rosters: tuple[list[str], list[Path]]) -> dict[Path, list[str]]:
    """Each roster's pages as text, read once from the combined file (its pages are theirs)."""
    _, paths = rosters
    [combined] = [p for p in paths if "全所属" in p.name]
    everything = pages(combined)
    found, first = {}, 0
    for path in paths:
        if path is not combined:
            count = len(PdfReader(path).pages)
            found[path] = everything[first : first + count]
            first += count
    assert first == len(everything)
    return found


def test_every_sign_block_shares_its_page_with_rows_and_totals(texts: dict[Path, list[str]]) -> None:
    assert [problem for path, text in texts.items() for problem in sign_page_problems(path, text)] == []


def test_no_date_is_split_across_lines(texts: dict[Path, list[str]]) -> None:
    assert split_dates("\n".join(page for text in texts.values() for page in text)) == []
