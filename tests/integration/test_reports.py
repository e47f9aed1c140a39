"""Reports printed for real: the PDF's own text, fonts and page numbers are checked."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from trainer.reports.render import ReportError
from trainer.service import Service

TODAY = date(2026, 11, 25)
RARE = ["𠮷田 花子", "髙橋 一郎", "山﨑 次郎", "德永 三郎", "濵田 四郎", "渡邉 五郎", "齋藤 六子"]
LONG_REASON = "長期の病気休暇のため（診断書あり）" + "、所属長の判断により本年度は免除" * 12


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Service:
    """A small city: 市民税課 with 60 people (a multi-page roster), 保護課 with a few, names to trip on."""
    folder = tmp_path_factory.mktemp("city") / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.set_setting("organization", "石巻市")
    svc.add_division("160", "市民税課", "課長", "山田 一郎")
    svc.add_division("150", "保護課", "課長", "佐藤 二郎")
    for i in range(60):
        name = RARE[i] if i < len(RARE) else f"職員 {i:02d}郎"
        svc.add_staff(f"{i + 1:06d}", name, "ショクイン", "160", "主事", "正規職員", "利用事務", "2015-04-01")
    svc.add_staff("000900", "<b>悪</b>{{ 7*7 }}", "アク", "150", "主事", "臨時職員", "利用事務", "2026-04-01")
    svc.add_staff("000901", "保護 太郎", "ホゴ タロウ", "150", "主任", "正規職員", "利用事務", "2010-04-01")
    for i in range(50):
        for course in ("intro", "rules", "flow", "security"):
            svc.record(f"{i + 1:06d}", course, date(2026, 7, 10) + (date(2026, 7, 2) - date(2026, 7, 1)) * (i % 20))
    svc.record("000001", "checkpoint", date(2026, 10, 20))
    svc.exempt("000900", "all", "other", "保護課長 佐藤 二郎", evidence="R8-保護-0001", note=LONG_REASON)
    return svc


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def fonts(path: Path) -> set[str]:
    found = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


def test_a_multi_page_roster_prints_names_dates_counts_and_page_numbers(city: Service, tmp_path: Path) -> None:
    [path] = city.report_roster(tmp_path, 2026, division="160")
    assert path.name == "令和8年度_160_市民税課_修了者名簿.pdf"
    pages = pdf_text(path)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in text  # Page N / M on every page
        if re.search(r"\b0000\d\d\b", text):  # a page with rows of the table repeats its header
            assert "職員番号" in text and "任用区分" in text
        assert "名簿コード" in text
    everything = "\n".join(pages)
    for name in RARE:  # rare kanji of real surnames drawn as themselves
        assert name in everything
    assert "令和8年度 マイナンバー利用事務 研修修了者名簿" in everything
    assert "160 市民税課" in everything and "令和8年11月25日 現在" in everything
    assert "R8.7.10" in everything and "未受講" in everything
    assert "60人" in everything  # totals
    assert "所属長 職名・氏名" in everything and "電子決裁番号" in everything and "山田 一郎" in everything
    # set in the grid's face throughout (reports/grid.py): Noto Sans Mono CJK JP, regular and bold
    assert {f.split("+")[1] for f in fonts(path)} == {"Noto-Sans-Mono-CJK-JP", "Noto-Sans-Mono-CJK-JP-Bold"}


def test_html_and_jinja_in_names_render_literally(city: Service, tmp_path: Path) -> None:
    [html] = city.report_roster(tmp_path, 2026, division="150", fmt="html")
    source = html.read_text(encoding="utf-8")
    assert "&lt;b&gt;悪&lt;/b&gt;{{ 7*7 }}" in source and "<b>悪" not in source
    [pdf] = city.report_roster(tmp_path, 2026, division="150")
    text = "\n".join(pdf_text(pdf))
    assert "<b>悪</b>{{ 7*7 }}" in text and "49" not in text.split("悪")[1][:10]
    assert "長期の病気休暇のため" in flat(text)  # a long note wraps inside its cell


def test_all_divisions_one_file_each_and_a_combined_pdf(city: Service, tmp_path: Path) -> None:
    paths = city.report_roster(tmp_path, 2026)
    names = sorted(p.name for p in paths)
    assert names == sorted(
        [
            "令和8年度_150_保護課_修了者名簿.pdf",
            "令和8年度_160_市民税課_修了者名簿.pdf",
            "令和8年度_修了者名簿_全所属.pdf",
        ]
    )
    combined = next(p for p in paths if "全所属" in p.name)
    parts = [p for p in paths if p is not combined]
    assert len(PdfReader(combined).pages) == sum(len(PdfReader(p).pages) for p in parts)


def test_overdue_list_counts_days(city: Service, tmp_path: Path) -> None:
    path = city.report_overdue(tmp_path / "overdue.pdf", 2026, as_of="2026-12-03")
    text = "\n".join(pdf_text(path))
    assert "未修了者一覧" in text and "令和8年12月3日 現在" in text
    assert "職員 55郎" in text and "3日超過" in text  # courses due 11月30日
    assert "あと60日" in text  # the checkpoint sheet is due 令和9年2月1日
    whole = flat(text)
    assert whole.index("期限超過（") < whole.index("期限前（期限がまだ来ていない）")  # the overdue first
    assert whole.count("職員55郎") == 1  # one row per person


def flat(text: str) -> str:
    """Text without the line breaks a table cell's wrapping puts in the extraction."""
    return re.sub(r"\s+", "", text)


def test_audit_pdf_has_cover_rules_rates_exemptions_and_the_not_completed(city: Service, tmp_path: Path) -> None:
    path = city.report_audit(tmp_path / "audit.pdf", 2026)
    pages = pdf_text(path)
    text = flat("\n".join(pages))
    assert "令和8年度マイナンバー利用事務に係る研修実施状況報告" in flat(pages[0]) and "石巻市" in pages[0]
    assert "1.対象者の把握" in text and "うち利用事務に従事した職員（研修の対象）62人" in text
    assert "2.適用した基準" in text and "令和8年7月1日〜令和8年11月30日" in text
    assert "3.研修別の実施状況" in text and "4.所属別の実施状況" in text
    assert flat(LONG_REASON) in text  # every exemption with its whole reason
    assert "期限を過ぎても修了していない職員（0人）" in text  # mid-year: only those past a deadline
    assert "8.所属長による修了者名簿の確認（署名）状況（0/2所属が署名済み）" in text and "未署名" in text
    assert "修了率=修了÷対象" in text and "免除は修了に数えない" in text
    assert flat(str(city.register.folder.resolve())) not in text  # never a path of the machine
    assert re.search(r"変更履歴No\.\d+[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", text)
    assert len(pages) >= 4


def test_after_the_year_the_audit_lists_everyone_not_completed(city: Service, tmp_path: Path) -> None:
    later = Service.open(city.register.folder, today=lambda: date(2027, 4, 5), create=False)
    try:
        text = flat("\n".join(pdf_text(later.report_audit(tmp_path / "audit.pdf", 2026))))
    finally:
        later.close()
    assert "7.年度末（令和9年3月31日）時点で修了していない職員（60人）" in text  # counted in people
    assert "職員55郎" in text and "期限超過" in text


def test_a_glyph_no_font_has_is_an_error_not_a_box(city: Service, tmp_path: Path) -> None:
    from trainer.reports import render

    with pytest.raises(ReportError, match="□"):
        render.pdf_bytes(render.templates_dir(), "<html><body><p>\U000f0000</p></body></html>")


def test_a_nobr_span_prints_on_one_line_and_its_text_reads_as_typed() -> None:
    import io

    from trainer.reports import render

    joined = render.joined('<span class="nobr">R&amp;D</span> <span class="fill nobr">x</span>')
    assert joined == 'R\u2060&amp;\u2060D <span class="fill nobr">x</span>'  # an entity is one character
    html = '<html><body><p style="width: 30mm">期限は<span class="nobr">令和9年3月31日</span>までです</p></body></html>'
    lines = PdfReader(io.BytesIO(render.pdf_bytes(render.templates_dir(), html))).pages[0].extract_text().splitlines()
    assert lines[0] == "期限は" and any(line.startswith("令和9年3月31日") for line in lines)  # wrapped, not inside
    assert not any("\u2060" in line for line in lines)


def test_templates_may_not_reach_outside_their_folder(tmp_path: Path) -> None:
    import shutil

    from trainer.reports import render

    folder = tmp_path / "reports"
    shutil.copytree(render.templates_dir(), folder)
    html = '<html><body><img src="file:///etc/hostname"><img src="http://example.invalid/x.png"></body></html>'
    with pytest.raises(ReportError, match="外部"):
        render.pdf_bytes(folder, html)


def test_report_commands_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.cli import main

    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")
    db = str(tmp_path / "db")
    assert main(["demo", "--db", db, "--staff", "60"]) == 0
    assert main(["report", "roster", "--db", db]) == 2  # which division? (usage)
    capsys.readouterr()
    assert main(["report", "roster", "--db", db, "--all", "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out.split()
    assert any(p.endswith("_修了者名簿_全所属.pdf") for p in out) and all(Path(p).exists() for p in out)
    assert main(["report", "audit", "--db", db, "--fy", "令和7年度", "-o", str(tmp_path / "audit.pdf")]) == 0
    text = flat("\n".join(pdf_text(tmp_path / "audit.pdf")))
    assert "令和7年度" in text and "期限超過" in text


@pytest.mark.parametrize("fontconfig", ["no Japanese font", "no fc-list"])
def test_without_a_japanese_font_no_report_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fontconfig: str
) -> None:
    """A machine without a Japanese font would print boxes: the report is refused, and says why."""
    import os
    import stat

    from trainer.cli import main
    from trainer.reports import render

    monkeypatch.setenv("TRAINER_TODAY", "2026-11-25")
    db = str(tmp_path / "db")
    assert main(["demo", "--db", db, "--staff", "20"]) == 0
    capsys.readouterr()
    tools = tmp_path / "bin"
    tools.mkdir()
    if fontconfig == "no Japanese font":  # fc-list answers, with no font for :lang=ja
        fake = tools / "fc-list"
        fake.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tools) + (os.pathsep + "/nonexistent" if fontconfig == "no fc-list" else ""))
    monkeypatch.delenv("TRAINER_FONT", raising=False)
    monkeypatch.setattr(render, "_japanese_font_found", False)  # as in a new process
    out = tmp_path / "out"
    assert main(["report", "roster", "--db", db, "--all", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    missing = "日本語のフォント" if fontconfig == "no Japanese font" else "fc-list（fontconfig）"
    assert f"{missing}がありません" in err or f"{missing}が見つかりません" in err
    assert not list(tmp_path.rglob("*.pdf"))


def test_with_the_citys_own_font_the_roster_is_a_table_in_that_font(
    city: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grid's face would not fall back to a city's font for a character only that font draws
    (its 外字), so with a city font the rows stay table cells, set in that font."""
    from tests.unit.test_fonts import make_font
    from trainer.reports import render

    font = make_font(tmp_path / "city.ttf", "山田一郎", family="CityGothic")
    monkeypatch.setattr(render, "report_font", lambda folder, chosen=None: font)
    monkeypatch.setattr(render, "city_font", lambda folder, chosen=None: font)
    [path] = city.report_roster(tmp_path, 2026, division="160")
    faces = {f.split("+")[1] for f in fonts(path)}
    assert not any("Mono" in face for face in faces), faces
    assert "TrainerCityFont" in faces, faces  # the name render.py gives the city's @font-face
    assert "山田 一郎" in "\n".join(pdf_text(path))
