"""Fill the report templates and print them to PDF with WeasyPrint.

Templates are Jinja2 HTML with autoescape on, in the top-level ``reports/`` folder (or a city's
copy). The stylesheet ``report.css`` beside them is never written into a template: autoescape
would turn the quotes of an inline ``@font-face`` into ``&#39;`` and silently drop the font. The
PDF loads it as a file; the HTML format gets it from :func:`html_document` (below).
The PDF uses the city's own Japanese font (``TRAINER_FONT`` or a ``.ttf``/``.otf``/``.ttc`` in the
templates' ``fonts/`` folder), else the system's: on Linux Noto Sans CJK JP (set up by
scripts/setup), on Windows and macOS the one that draws the rare surname kanji (see fonts.py). A glyph
missing from every font (a tofu box) is an error, not a silent blank: this paper is evidence.
Reports never touch the network: only files below the templates folder and the font are read.
Every value a template prints passes :func:`trainer.text.printable`: a control character a
register may hold is printed as ``\u001b`` …, never handed to WeasyPrint. Every date in words a
value holds (令和9年3月31日, 3月31日, 令和8年度) is kept on one line: it is printed inside a
``<span class="nobr">``, so a narrow cell breaks before or after it, never inside
(令和9年3/月31日). Dates in figures (R9.3.31, 2027-03-31) need no span: the line-breaking rules
never break between a figure and a full stop or a hyphen (report.css lets only names, titles and
notes break anywhere). A value printed inside an attribute or an SVG ``<text>`` takes ``| plain``;
a course's or a training's name takes ``| phrases`` to break only between its phrases.
For the PDF, :func:`joined` turns each plain ``<span class="nobr">…</span>`` into its text with a
WORD JOINER (U+2060, invisible, never drawn nor extracted) between the characters: one text run
instead of an inline box WeasyPrint fits piece by piece (the audit of a year's non-completers lays
out about 30% faster). The HTML format keeps the spans.

:func:`pdf_of_documents` prints several documents (a batch of rosters, each with its own page
numbers) in one write, so they share one font subset; :mod:`trainer.reports.batch` and
:mod:`trainer.reports.merge` make a whole city's rosters from such batches.

The HTML format is self-contained: :func:`html_document` puts report.css into a ``<style>`` block
of the rendered page, in Python, after Jinja (so autoescape never touches its quotes).
"""

from __future__ import annotations

import functools
import gc
import logging
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from trainer.bundled import bundled_dir
from trainer.calendar import fy_label, wareki, wareki_short
from trainer.errors import TrainerError
from trainer.files import write_file
from trainer.reports.fonts import best_system_font, city_font_file
from trainer.text import printable


class ReportError(TrainerError):
    """A report could not be made (a template, a font, a missing glyph)."""


def templates_dir(custom: Path | None = None) -> Path:
    """``custom`` (``--templates`` or ``TRAINER_REPORTS``, see :mod:`trainer.settings`), else the
    shipped ``reports/``; it must hold report.css."""
    folder = custom or bundled_dir("reports")
    if not (folder / "report.css").is_file():
        raise ReportError(
            f"{folder} にレポートのひな形（report.css）がありません", "reports/ フォルダを指定してください"
        )
    return folder


@functools.cache
def environment(folder: Path) -> jinja2.Environment:
    """The templates of ``folder``, compiled once per process (Jinja reloads a template edited since)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )
    env.filters["plain"] = lambda value: Markup(escape(printable(str(value))))
    env.filters["phrases"] = phrases
    env.filters["wareki"] = lambda d: wareki(d) if d else ""
    env.filters["wareki_short"] = lambda d: wareki_short(d) if d else ""
    env.filters["fy_label"] = fy_label
    env.filters["number"] = lambda n: f"{n:,}"
    env.filters["percent"] = lambda x: f"{x:.1f}%"
    return env


# A date in words, and a fiscal year's name: never broken across lines (see the module's doc).
DATE = re.compile(r"(?:令和|平成|昭和)(?:元|\d{1,2})年(?:度|\d{1,2}月\d{1,2}日)|\d{1,2}月\d{1,2}日")


def keep_dates(text: str) -> Markup | str:
    """``text`` escaped, each date in it wrapped in a ``<span class="nobr">`` (``text`` itself
    when it holds none: autoescape escapes it)."""
    if not DATE.search(text):
        return text
    parts = []
    last = 0
    for match in DATE.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup('<span class="nobr">%s</span>') % match.group())
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


# Where a name may break: after ・ 、 。 ） の and に関する, before （, at a space.
_PHRASE_END = re.compile(r"(?<=[・、。）])|(?<=の)(?!$)|(?<=に関する)|(?=（)")


def phrases(value: Any) -> Markup:
    """A course's or a training's name that breaks only between its phrases: each phrase in a
    ``<span class="nobr">`` (サイバーセキュリティ・｜チェックポイント, never チェックポ｜イント)."""
    words = []
    for word in printable(str(value)).split():
        parts = [part for part in _PHRASE_END.split(word) if part]
        words.append(Markup("").join(Markup('<span class="nobr">%s</span>') % part for part in parts))
    return Markup(" ").join(words)


# A span that only keeps its text on one line (no other class, no markup inside), and the
# characters of its escaped text: an entity (&amp;) is one.
_NOBR_SPAN = re.compile(r'<span class="nobr">([^<]*)</span>')
_CHARACTER = re.compile(r"&#?\w+;|.", re.DOTALL)
WORD_JOINER = "\u2060"


def joined(html: str) -> str:
    """``html`` with each ``<span class="nobr">`` replaced by its text, a WORD JOINER between its
    characters (no line break may fall next to one: UAX #14, rule 11), as WeasyPrint prints it."""
    return _NOBR_SPAN.sub(lambda m: WORD_JOINER.join(_CHARACTER.findall(m.group(1))), html)


def _shown(value: Any) -> Any:
    """What ``{{ value }}`` prints: text without control characters, its dates kept whole (markup
    made by the templates themselves, such as a macro's output, is left as it is)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return keep_dates(printable(value))
    return value


def render_html(folder: Path, template: str, **context: Any) -> str:
    try:
        return environment(folder).get_template(template).render(**context)
    except jinja2.TemplateError as e:
        where = f"{getattr(e, 'filename', None) or template}:{getattr(e, 'lineno', '')}"
        raise ReportError(f"レポートのひな形 {where} を処理できません: {e}", "ひな形の変更を確かめてください") from e


def html_document(folder: Path, html: str) -> str:
    """The rendered page with report.css inside it, so it opens in a browser as it prints.

    The stylesheet goes into a ``<style>`` block here, in Python: through a template, autoescape
    would turn its quotes into ``&#39;`` and break it. ``</`` cannot end the block early.
    """
    try:
        css = (folder / "report.css").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{folder / 'report.css'} を読めません: {e}", "reports/ フォルダを確かめてください") from e
    block = "<style>\n" + css.replace("</", "<\\/") + "\n</style>\n"
    at = html.find("</head>")
    if at < 0:
        raise ReportError("レポートのひな形に </head> がありません", "ひな形の <head> を確かめてください")
    return html[:at] + block + html[at:]


def city_font(folder: Path, font: Path | None = None) -> Path | None:
    """The city's own font (``font``: the settings' ``TRAINER_FONT``, else the first in the
    templates' ``fonts/``), if any."""
    found = city_font_file(folder, font)
    if found is None:
        return None
    path, source = found
    if not path.is_file():
        raise ReportError(f"{source} のフォント {path} がありません", "TRAINER_FONT を直すか、外してください")
    return path


def report_font(folder: Path, font: Path | None = None) -> Path | None:
    """The font file a report names in an ``@font-face``: the city's own, else on Windows and
    macOS the system font that draws the most of the rare surname kanji (see
    :mod:`trainer.reports.fonts`); None on Linux, where fontconfig finds Noto Sans CJK JP."""
    chosen = city_font(folder, font)
    if chosen is None and sys.platform in ("win32", "darwin"):
        best = best_system_font()
        chosen = best.path if best is not None else None
    return chosen


def require_japanese_font() -> None:
    """Refuse to print Japanese without a Japanese font (it would come out as boxes).

    Asks fontconfig once per process: once a font is found it stays installed for the run.
    """
    global _japanese_font_found
    if _japanese_font_found:
        return
    if shutil.which("fc-list") is None:
        raise ReportError("フォントを調べる fc-list（fontconfig）がありません", "scripts/setup を実行してください")
    found = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True, check=False).stdout
    if not found.strip():
        raise ReportError(
            "日本語のフォントが見つかりません（PDF の文字が□になります）",
            "scripts/setup で fonts-noto-cjk を入れるか、TRAINER_FONT に自団体のフォントを指定してください",
        )
    _japanese_font_found = True


_japanese_font_found = False


class _MissingGlyphs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if ".notdef" in message or "glyphs missing" in message:
            self.messages.append(message)


@contextmanager
def _watching_glyphs() -> Iterator[_MissingGlyphs]:
    handler = _MissingGlyphs()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _fetcher(folder: Path, font: Path | None) -> Any:  # a weasyprint URLFetcher (untyped)
    """Only local files below the templates folder (and the city's font) may be read."""
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher

    allowed = [folder.resolve(), *([font.resolve().parent] if font else [])]

    class LocalOnly(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types: URLFetcher is Any
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                path = Path(url2pathname(urlparse(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in allowed):
                    raise ValueError(f"{path} は reports/ の外のファイルです")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols={"file", "data"}, fail_on_errors=True)


def pdf_bytes(folder: Path, html: str, font: Path | None = None) -> bytes:
    """Print ``html`` (made from the templates in ``folder``) to PDF (``font``: the settings')."""
    return pdf_of_documents(folder, [html], font)[0]


def pdf_of_documents(folder: Path, htmls: list[str], font: Path | None = None) -> tuple[bytes, list[int]]:
    """Print several HTML documents (each with its own page numbers N / M and running heads) into
    one PDF, in one write: its font is subset once for all of them. Returns the PDF and each
    document's number of pages, in order.

    What the render leaves behind is collected at the end (see :func:`_collecting`).
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    font = report_font(folder, font)
    if font is None:
        require_japanese_font()
    with _collecting(), _watching_glyphs() as missing:
        fonts, sheets = _stylesheets(folder, font)
        try:
            documents = [
                HTML(string=html, base_url=str(folder.resolve()) + "/", url_fetcher=_fetcher(folder, font)).render(
                    stylesheets=sheets, font_config=fonts
                )
                for html in map(joined, htmls)
            ]
            counts = [len(d.pages) for d in documents]
            whole = documents[0] if len(documents) == 1 else documents[0].copy([p for d in documents for p in d.pages])
            del documents
            data = whole.write_pdf()
            del whole
        except FatalURLFetchingError as e:
            raise ReportError(
                f"レポートのひな形が外部のファイルやネットワークを読もうとしました: {e.__cause__ or e}",
                "画像やスタイルは reports/ フォルダの中に置いてください",
            ) from e
    if missing.messages:
        raise ReportError(
            "フォントにない文字があり、PDF に□が出ます: " + " / ".join(missing.messages[:5]),
            "その文字を持つフォント（fonts-noto-cjk など）を入れるか、TRAINER_FONT で指定してください",
        )
    assert isinstance(data, bytes)
    return data, counts


def _stylesheets(folder: Path, font: Path | None) -> tuple[Any, list[Any]]:  # weasyprint's (untyped)
    """The font configuration and the stylesheets: report.css, and the city's font when it has one."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    sheets = [CSS(filename=str(folder / "report.css"), font_config=fonts)]
    if font is not None:
        family = "TrainerCityFont"
        sheets.append(
            CSS(
                string=(
                    f'@font-face {{ font-family: "{family}"; src: url("{font.resolve().as_uri()}"); }}\n'
                    f'html {{ font-family: "{family}", "Noto Sans CJK JP", "Noto Sans JP", sans-serif; }}'
                ),
                font_config=fonts,
                url_fetcher=_fetcher(folder, font),
            )
        )
    return fonts, sheets


@contextmanager
def _collecting() -> Iterator[None]:
    """What a render dropped, collected once it is done. The CLI runs without the cyclic
    collector, and a layout's boxes refer to each other: without this each render's memory would
    stay until the process ends. Collecting once after (rather than running the collector during
    the render, 25% slower) over a frozen heap (the objects alive before, such as a loaded
    register, are never rescanned) costs a fraction of a second."""
    if gc.isenabled():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.collect()


def write(path: Path, data: bytes | str) -> Path:
    """Write a report whole (see :func:`trainer.files.write_file`); its folder must exist."""
    return write_file(path, data)
