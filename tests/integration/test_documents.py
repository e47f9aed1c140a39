"""The documents as a 所属長 and an auditor read them: the PDFs' own text, page by page.

On the demo city with long names injected (a 28-character name, a 21-character 職名, a long
division name): no date is split across lines in any document; every roster's sign block shares
its page with the totals and staff rows; the combined roster embeds one font per face; the audit
names its basis, its organisation, section and operator and no path of the machine; the
未修了者一覧 lists the overdue before those not yet due, and splits into one file per head.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.pdfs import DATES, embedded_fonts, flat, font_programs, grid_cells, pages, sign_page_problems, split_dates
from trainer.catalog import legal_basis
from trainer.cli import main
from trainer.service import Service

TODAY = date(2026, 12, 1)
LONG_NAME = "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末"  # 28 characters
LONG_TITLE = "市民税課税務調査担当主任主査兼課長補佐心得"  # 21 characters
LONG_DIVISION = "中央区保健福祉部地域包括ケア推進課高齢者支援係"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city as of 2026-12-01, with settings and long names injected."""
    folder = tmp_path_factory.mktemp("documents") / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    try:
        svc.create_demo(300, seed=1)
        svc.set_setting("organization", "石巻市")
        svc.set_setting("operator", "研修 担当")
        svc.set_setting("coordinator", "総務課 情報政策係")
        svc.add_division("990", LONG_DIVISION, "地域包括ケア推進課長補佐", "長谷川 五郎左衛門")
        svc.add_staff("990001", LONG_NAME, "ジュゲムジュゲム", "990", LONG_TITLE, "会計年度任用職員", "利用事務",
                      "2026-04-01")  # fmt: skip
        svc.add_staff("990002", "長谷川 花子", "ハセガワ ハナコ", "180", LONG_TITLE, "再任用職員", "利用事務",
                      "2020-04-01")  # fmt: skip
        svc.record("990002", "intro", date(2026, 7, 10))
    finally:
        svc.close()
    return folder


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: object) -> tuple[int, str, str]:
    monkeypatch.setenv("TRAINER_TODAY", TODAY.isoformat())
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def documents(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Every document of the demo year, printed once for the module's tests."""
    out = tmp_path_factory.mktemp("printed")
    svc = Service.open(demo, today=lambda: TODAY, create=False)
    try:
        rosters = svc.report_roster(out / "名簿", 2026)
        return {
            "roster": rosters,
            "audit": [svc.report_audit(out / "audit.pdf", 2026)],
            "audit_year_end": [svc.report_audit(out / "audit-2025.pdf", 2025)],
            "overdue": [svc.report_overdue(out / "overdue.pdf", 2026)],
            "plan": [svc.report_plan(out / "plan.pdf", 2026)],
        }
    finally:
        svc.close()


@pytest.mark.parametrize("kind", ["roster", "audit", "audit_year_end", "overdue", "plan"])
def test_no_date_is_split_across_lines(documents: dict[str, list[Path]], kind: str) -> None:
    for path in documents[kind]:
        text = "\n".join(pages(path))
        assert DATES.search(text), path  # the documents do print dates
        assert split_dates(text) == [], path.name


def test_long_names_and_titles_are_printed_whole(documents: dict[str, list[Path]]) -> None:
    [roster] = [p for p in documents["roster"] if "_990_" in p.name]
    texts = pages(roster)
    assert LONG_DIVISION in flat("\n".join(texts))
    # In the PDF the rows are text on a grid: a long name or title wraps inside its own column.
    names = [cell for text in texts for cell in grid_cells(text, "氏名", "職員番号")]
    titles = [cell for text in texts for cell in grid_cells(text, "職名", "氏名")]
    assert any(name.startswith(LONG_NAME) for name in names), names
    assert LONG_TITLE in titles, titles


def test_every_roster_signs_on_a_page_with_its_rows_and_totals(documents: dict[str, list[Path]]) -> None:
    rosters = [p for p in documents["roster"] if "全所属" not in p.name]
    assert len(rosters) == 13
    assert [problem for path in rosters for problem in sign_page_problems(path)] == []


def test_the_combined_roster_is_every_division_with_one_font_per_face(documents: dict[str, list[Path]]) -> None:
    [combined] = [p for p in documents["roster"] if "全所属" in p.name]
    parts = [p for p in documents["roster"] if p is not combined]
    assert len(PdfReader(combined).pages) == sum(len(PdfReader(p).pages) for p in parts)
    faces = embedded_fonts(combined)
    # one subset per face: the grid's face (reports/grid.py), regular and bold, set throughout
    assert sorted(face.split("+")[1] for face in faces) == ["Noto-Sans-Mono-CJK-JP", "Noto-Sans-Mono-CJK-JP-Bold"]


def test_a_roster_names_its_addressee_its_head_and_a_line_for_the_submission_date(
    documents: dict[str, list[Path]],
) -> None:
    [roster] = [p for p in documents["roster"] if "_180_" in p.name]
    first = pages(roster)[0]
    assert "宛先" in first and "総務課 情報政策係" in first
    assert "提出日" in first and "所属長: 課長" in first


def test_the_audit_names_its_basis_organisation_section_and_operator_and_no_path(
    demo: Path, documents: dict[str, list[Path]]
) -> None:
    [audit] = documents["audit"]
    texts = pages(audit)
    cover = flat(texts[0])
    for basis in legal_basis():
        assert flat(basis.title) in cover
    assert "番号法第29条の2" in cover and "おおむね一年ごと" in cover and "個人情報保護委員会" in cover
    assert "石巻市" in cover and "総務課情報政策係" in cover and "研修担当" in cover
    assert "作成者" in cover and "確認者" in cover and "承認者" in cover and "決裁欄" in cover
    whole = "\n".join(texts)
    assert "1. 対象者の把握" in whole and "年度途中の離脱者" in whole
    for path in (demo.resolve(), Path.home(), Path(__file__).resolve().parents[2]):
        assert str(path) not in whole and flat(str(path)) not in flat(whole)
    assert not re.search(r"(?<![\w.])/(?:tmp|home|root|usr|work)/", whole)


def test_the_audit_as_of_a_date(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "report", "audit", "--db", demo, "--as-of", "2026-10-01",
                         "-o", tmp_path / "a.pdf")  # fmt: skip
    assert code == 0, err
    cover = flat(pages(tmp_path / "a.pdf")[0])
    assert "集計基準日令和8年10月1日" in cover


def test_the_overdue_list_puts_the_overdue_first_in_each_division(documents: dict[str, list[Path]]) -> None:
    [overdue] = documents["overdue"]
    sections = re.split(r"所属長 .*? 様", "\n".join(pages(overdue)))[1:]
    assert len(sections) >= 10
    seen_overdue = 0
    for section in sections:
        late, ahead = section.find("期限超過（"), section.find("期限前（期限がまだ来ていない）")
        if late >= 0 and ahead >= 0:
            assert late < ahead
            seen_overdue += 1
        rows = re.findall(r"^\d+ \d{6} .*$", section, re.M)
        states = ["超過" in row for row in rows]
        assert states == sorted(states, reverse=True)  # every overdue row before the first not yet due
    assert seen_overdue >= 1


def test_the_overdue_list_split_per_division_each_for_its_head(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, monkeypatch, "report", "overdue", "--db", demo, "--split", "-o", tmp_path / "督促")
    assert code == 0, err
    files = sorted((tmp_path / "督促").iterdir())
    assert len(files) >= 10 and [str(f) for f in files] == sorted(out.split())
    svc = Service.open(demo, today=lambda: TODAY, create=False)
    try:
        heads = {d.code: f"{d.head_title} {d.head_name}" for d in svc.divisions()}
    finally:
        svc.close()
    for f in files:
        code_ = f.name.split("_")[2]
        first = pages(f)[0].splitlines()[0]
        assert first.startswith(f"所属長 {heads[code_]}"), (f.name, first)
        text = "\n".join(pages(f))
        assert set(re.findall(r"^所属: (\d+)", text, re.M)) == {code_}  # that division only


def test_one_division_overdue_and_output_rules(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, monkeypatch, "report", "overdue", "--db", demo, "--division", "180", "-o", tmp_path)
    assert code == 0, err
    assert Path(out.strip()).name == "令和8年度_未修了者一覧_180_納税課.pdf"
    # A file for one document
    code, out, err = run(capsys, monkeypatch, "report", "roster", "--db", demo, "--division", "180",
                         "-o", tmp_path / "r180.pdf")  # fmt: skip
    assert code == 0, err and (tmp_path / "r180.pdf").is_file()
    # Several documents need a folder
    code, _, err = run(capsys, monkeypatch, "report", "roster", "--db", demo, "--all", "-o", tmp_path / "all.pdf")
    assert code == 1 and "複数" in err and "フォルダ" in err and not (tmp_path / "all.pdf").exists()
    # A name that is neither a file's nor a folder that exists
    code, _, err = run(capsys, monkeypatch, "report", "audit", "--db", demo, "-o", tmp_path / "監査")
    assert code == 1 and "分かりません" in err and "監査.pdf" in err
    # An extension that is not the format's
    code, _, err = run(capsys, monkeypatch, "report", "plan", "--db", demo, "-o", tmp_path / "p.html")
    assert code == 1 and "拡張子" in err and "--format html" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r180.pdf", "令和8年度_未修了者一覧_180_納税課.pdf"]


def test_html_is_self_contained_and_its_stylesheet_intact(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "report", "audit", "--db", demo, "--format", "html",
                         "-o", tmp_path / "a.html")  # fmt: skip
    assert code == 0, err
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    css = (Path(__file__).resolve().parents[2] / "reports" / "report.css").read_text(encoding="utf-8")
    style = html[html.index("<style>") : html.index("</style>")]
    assert '"Noto Sans CJK JP"' in style and "&#39;" not in style and "&#34;" not in style
    assert css.strip()[:200] in style
    assert "<link" not in html and 'src="file:' not in html
    assert '<span class="nobr">令和8年12月1日</span>' in html  # dates kept whole in a browser too


def test_the_plan_lists_the_year_the_staff_the_courses_the_method_and_the_schedule(
    documents: dict[str, list[Path]],
) -> None:
    [plan] = documents["plan"]
    text = flat("\n".join(pages(plan)))
    assert "令和8年度マイナンバー利用事務に係る研修実施計画" in text
    assert "番号法第29条の2" in text
    for course in ("マイナンバー制度入門編", "接続運用規程理解編", "サイバーセキュリティ・チェックポイント"):
        assert course in text
    assert "令和8年7月1日〜令和8年11月30日" in text and "1.5時間" in text
    assert "正規職員" in text and "会計年度任用職員" in text and "再任用職員" in text
    assert "組織的安全管理措置" in text and "5.実施方法" in text and "6.実施日程" in text
    assert "名簿の提出" in text and "承認者" in text


def test_rosters_printed_in_several_batches_join_into_one_file_with_one_font_per_face(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.reports import batch

    monkeypatch.setattr(batch, "BATCH_ROWS", 60)  # a batch of a few divisions each
    monkeypatch.setenv("TRAINER_REPORT_WORKERS", "1")
    svc = Service.open(demo, today=lambda: TODAY, create=False)
    try:
        paths = svc.report_roster(tmp_path, 2026)
    finally:
        svc.close()
    [combined] = [p for p in paths if "全所属" in p.name]
    parts = [p for p in paths if p is not combined]
    faces = embedded_fonts(combined)
    assert sorted(face.split("+")[1] for face in faces) == ["Noto-Sans-Mono-CJK-JP", "Noto-Sans-Mono-CJK-JP-Bold"]
    batches = set().union(*(font_programs(p) for p in parts))
    assert len(batches) > 2 * len(faces)  # the batches each had their own subsets, the whole file one
    # Every glyph is still there and still reads as itself: the text is the parts' text.
    assert pages(combined) == [text for p in parts for text in pages(p)]
