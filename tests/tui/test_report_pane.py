"""The reports pane asks before replacing exactly the files a report would write, and every
report, the 未修了者一覧 and the plan included, shows its progress and can be stopped."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select

from tests.tui.common import TODAY, app_for, cancel_report, loaded, start_endless_report
from trainer.service import Service
from trainer.tui.screens.confirm import ConfirmScreen


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.create_demo(80, seed=5)
    svc.close()
    return folder


async def test_replacing_every_roster_names_the_rosters_and_nothing_else(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f5")
        await pilot.pause()
        assert app.service is not None
        named = app.service.report_files("roster", out, 2026)
        theirs = named[0]
        theirs.write_bytes(b"%PDF- an earlier print")
        signed = out / theirs.name.replace("修了者名簿", "修了者名簿_署名済_ABCD")  # a signed reprint: kept
        signed.write_bytes(b"%PDF-")
        (out / "メモ.pdf").write_bytes(b"%PDF-")
        app.query_one("#report-kind", Select).value = "roster_all"
        app.query_one("#report-dir", Input).value = str(out)
        await pilot.click("#report-make")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        shown = app.screen.question + "\n" + app.screen.details
        assert theirs.name in shown and signed.name not in shown and "メモ.pdf" not in shown
        assert "1件" in app.screen.question
        await pilot.press("escape")  # not replaced: nothing written
        await pilot.pause()
    assert theirs.read_bytes() == b"%PDF- an earlier print"


async def test_the_plan_shows_its_progress_and_can_be_stopped(db: Path, tmp_path: Path) -> None:
    app = app_for(db, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("f5")
        await pilot.pause()
        await start_endless_report(app, pilot, "report_plan", "plan", tmp_path / "out")
        assert app.query_one("#report-progress").progress == 1
        await cancel_report(app, pilot)
