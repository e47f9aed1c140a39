"""trainer doctor: a healthy machine and register, no register, a missing font, a font without
𠮷, and a read-only register (simulated: this suite runs as root, whom chmod does not stop)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.unit.test_fonts import make_font
from trainer.cli import main
from trainer.reports import fonts, render
from trainer.reports.fonts import RARE_KANJI


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("doctor") / "register"
    assert main(["--db", str(db), "demo", "--staff", "30"]) == 0
    assert main(["--db", str(db), "backup"]) == 0
    return db


def doctor(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--db", str(db), "doctor"])
    return code, capsys.readouterr().out


def test_a_healthy_machine_and_register(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = doctor(demo, capsys)
    assert code == 0, out
    assert "[要対応]" not in out
    for line in (
        "[OK] Python 3.",
        "[OK] ライブラリ: trainer ",
        "[OK] Pango 1.",
        "[OK] HarfBuzz のフォント切り出し",
        "をすべて描けます",
        "[OK] PDF の試し刷り",
        "[OK] データベースのフォルダに書き込めます",
        "[OK] ロック: いま書き込んでいる人はいません",
        "[OK] ジャーナル: ",
        "[OK] 最後のバックアップ: ",
        "[OK] 検証: 変更履歴 ",
    ):
        assert line in out, line
    assert " ".join(RARE_KANJI) in out
    assert "結果: 要対応 0件" in out


def test_without_a_register_the_machine_is_still_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = doctor(tmp_path / "nowhere", capsys)
    assert code == 0, out
    assert "はありません（この PC の点検だけをしました）" in out
    assert "[OK] PDF の試し刷り" in out
    assert not (tmp_path / "nowhere").exists(), "doctor never creates a register"


def test_no_japanese_font_blocks_reports(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """fontconfig sees no font at all (an empty configuration), as on a machine without one."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    monkeypatch.delenv("TRAINER_FONT", raising=False)
    monkeypatch.setattr(render, "_japanese_font_found", False)
    code, out = doctor(demo, capsys)
    assert code == 1, out
    assert "[要対応] 日本語のフォントが見つかりません" in out
    assert "fonts-noto-cjk" in out and "BIZ UDゴシック" in out  # what to do, on each system
    assert "[要対応] PDF の試し刷りに失敗しました" in out
    assert "[OK] 検証: 変更履歴 " in out  # the register is still checked
    assert "→ 要対応の行を直すまで" in out


def test_a_font_without_the_rare_kanji_is_named_with_what_it_lacks(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    city = make_font(tmp_path / "city.ttf", RARE_KANJI[1:])
    monkeypatch.setenv("TRAINER_FONT", str(city))
    code, out = doctor(demo, capsys)
    assert "[注意] フォント: city.ttf" in out
    assert "には 𠮷 がありません" in out
    # The stylesheet falls back to Noto Sans CJK JP for 𠮷 here, so the test print still works.
    assert "[OK] PDF の試し刷り" in out
    assert code == 0, out


def test_a_read_only_register_blocks_writes(
    demo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_access = os.access
    folder = str(demo)

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if str(path) == folder and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    code, out = doctor(demo, capsys)
    assert code == 1, out
    assert "[要対応]" in out and "には書き込めません（読み取り専用か、権限がありません）" in out
    assert "書き込み権限のある人に頼むか" in out
    assert "[OK] 検証: 変更履歴 " in out  # reading still works


def test_files_others_can_read_are_named(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = demo / "main.json"
    before = target.stat().st_mode
    target.chmod(0o644)
    try:
        code, out = doctor(demo, capsys)
    finally:
        target.chmod(before)
    assert "[注意] ほかの利用者も読めるファイルがあります: main.json" in out
    assert f"chmod -R go-rwx {demo}" in out
    assert code == 0


def test_the_font_check_finds_what_fontconfig_uses() -> None:
    font = fonts.fontconfig_font()
    assert font is not None and font.complete, font


def test_a_broken_catalog_is_named(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The catalog is read when first used; doctor reads it, so a broken file is named here and
    not only by the next record or import."""
    import shutil

    from trainer.catalog import default_catalog_dir

    catalog = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir() / "courses", catalog / "courses")
    shutil.copytree(default_catalog_dir() / "checklists", catalog / "checklists")
    broken = next((catalog / "courses").glob("*.yaml"))
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["--db", str(demo), "--catalog", str(catalog), "doctor"])
    out = capsys.readouterr().out
    assert code != 0
    assert "[要対応] 研修カタログを読めません" in out and broken.name in out
