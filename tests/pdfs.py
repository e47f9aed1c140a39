"""Reading the PDFs the reports print: their text page by page, their fonts, their dates."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pypdf import PdfReader

# Every date form the documents print, with room for a line break between its parts: a match that
# holds a line break is a date split across lines.
DATES = re.compile(
    r"(?:令和|平成)\s*(?:元|\d{1,2})\s*年\s*(?:度|\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"|令和[\s　]*年[\s　]*月[\s　]*日"
    r"|[RH]\d{1,2}\s*\.\s*\d{1,2}\s*\.\s*\d{1,2}"
    r"|\d{4}-\d{2}-\d{2}"
)


def pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def split_dates(text: str) -> list[str]:
    return [m.group() for m in DATES.finditer(text) if "\n" in m.group()]


def embedded_fonts(path: Path) -> list[str]:
    """The font programs a PDF embeds (one per face when its font is one subset)."""
    reader = PdfReader(path)
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            found[program.idnum] = str(font.get_object()["/BaseFont"])
    return list(found.values())


def sign_page_problems(path: Path, texts: list[str] | None = None) -> list[str]:
    """What is wrong with the page that holds 確認日: it must also hold the totals and a staff row
    (or say that the division has nobody). ``texts``: the file's pages, when already read."""
    texts = pages(path) if texts is None else texts
    where = [i for i, t in enumerate(texts) if "確認日" in t]
    if len(where) != 1:
        return [f"{path.name}: 確認日 on pages {where}"]
    page = texts[where[0]]
    problems = []
    if "修了率" not in page or "期限到来分" not in page:
        problems.append(f"{path.name}: the totals are not on the page of 確認日 (p.{where[0] + 1})")
    if not re.search(r"(?<![\w.-])\d{6}(?![\w.-])", page) and "該当する職員はいません" not in page:  # 職員番号
        problems.append(f"{path.name}: no staff row on the page of 確認日 (p.{where[0] + 1})")
    return problems


def font_programs(path: Path) -> set[bytes]:
    """The embedded font programs themselves (the subsets' bytes)."""
    reader = PdfReader(path)
    found = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            found.add(program.get_object().get_data())
    return found


def _columns(line: str) -> list[int]:
    """Where each character of ``line`` starts, in half-width units (a full-width one takes two)."""
    starts, at = [], 0
    for ch in line:
        starts.append(at)
        at += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return starts


def _cut(line: str, start: int, end: int) -> str:
    """The characters of ``line`` that start within [start, end) half-width units."""
    return "".join(ch for ch, at in zip(line, _columns(line), strict=True) if start <= at < end)


def grid_cells(page: str, title: str, next_title: str) -> list[str]:
    """What a reader sees in one column of the text-grid tables of a page (reports/grid.py): the
    column under the header ``title`` up to where ``next_title`` starts (both left-aligned), one
    text per row, its lines joined. A row starts at a line whose No is a number; its next lines
    continue it; the table ends at the first line not indented."""
    cells: list[str] = []
    lines = page.splitlines()
    for i, header in enumerate(lines):
        if not header.lstrip().startswith("No ") or title not in header or next_title not in header:
            continue
        starts = _columns(header)
        begin, end = starts[header.index(title)], starts[header.index(next_title)]
        first = starts[header.index("No") + 2]
        for line in lines[i + 1 :]:
            if not line.startswith(" "):
                break
            if _cut(line, 0, first).strip().isdigit():
                cells.append("")
            if cells:
                cells[-1] += _cut(line, begin, end).strip()
    return cells
