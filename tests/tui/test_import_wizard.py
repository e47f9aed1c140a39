"""The import wizard: a file found by path or tree, its own 基準日 offered, a dry run that shows every
change, a confirmation with the counts, and a cancel at any step that leaves the register as it was."""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, DataTable, Input, Label, ProgressBar, Select, Static

from tests.files import ROSTER_HEADERS, write_csv
from trainer.service import Service
from trainer.tui.app import TrainerApp, create_app
from trainer.tui.plan_rows import EVERYTHING
from trainer.tui.screens.confirm import ConfirmScreen
from trainer.tui.widgets.import_pane import ImportPane, PathSuggester, TableFiles

TODAY = date(2026, 11, 25)
HEADERS = [*ROSTER_HEADERS, "退職日"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    folder = tmp_path / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.add_division("160", "市民税課", "課長", "山田 一郎")
    svc.add_division("150", "資産税課", "課長", "鈴木 二郎")
    for sid, name, kana in [
        ("500001", "任用 花子", "ニンヨウ ハナコ"),
        ("500002", "異動 次郎", "イドウ ジロウ"),
        ("500003", "改名 三子", "カイメイ ミツコ"),
        ("500004", "退職 四郎", "タイショク シロウ"),
        ("500005", "再雇 五郎", "サイコ ゴロウ"),
        ("500006", "欠落 六郎", "ケツラク ロクロウ"),
    ]:
        svc.add_staff(sid, name, kana, "160", "主事", "正規職員", "利用事務", "2020-04-01")
    svc.retire("500005", "2025-03-31")
    svc.close()
    return folder


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "人事課から"
    folder.mkdir()
    (folder / ".git").mkdir()  # hidden: never listed
    (folder / ".secret.csv").write_text("x", encoding="utf-8")

    def row(
        sid: str, name: str, kana: str, code: str = "160", division: str = "市民税課", retired: str = ""
    ) -> list[str]:
        return [sid, name, kana, code, division, "主事", "正規職員", "利用事務", "R2.4.1", retired]

    write_csv(
        folder / "職員名簿_R8.4.1.csv",
        [
            HEADERS,
            row("500001", "任用 花子", "ニンヨウ ハナコ"),
            row("500002", "異動 次郎", "イドウ ジロウ", "150", "資産税課"),
            row("500003", "結婚 三子", "ケッコン ミツコ"),
            row("500004", "退職 四郎", "タイショク シロウ", retired="R8.3.31"),
            row("500005", "再雇 五郎", "サイコ ゴロウ"),
            row("600001", "新人 七子", "シンジン ナナコ", "170", "市民税課"),
        ],
    )
    return folder


def app_for(db: Path, tmp_path: Path, inbox: Path) -> TrainerApp:
    return create_app(db, today=lambda: TODAY, keymap=tmp_path / "no-keymap.yaml", workdir=inbox)


def folder_bytes(folder: Path) -> dict[str, str]:
    """Every file under the register's folder (backups too), by content; not the lock's own files
    (``lock``, ``lock.json``: who last held it, rewritten by any reader that takes it) nor the
    derived caches (``cache/``: the overview the dashboard reads, kept by any reader)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("lock") and p.relative_to(folder).parts[0] != "cache"
    }


async def idle(pilot: Pilot[None]) -> None:
    app = pilot.app
    for _ in range(400):
        await pilot.pause(0.01)
        busy = [w for w in app.workers if w.group in ("load", "import", "import-date") and not w.is_finished]
        if not busy:
            break
    await pilot.pause()


async def to_options(pilot: Pilot[None], inbox: Path) -> ImportPane:
    """The file typed into the path box, as a coordinator would."""
    await idle(pilot)
    await pilot.press("f4")
    await idle(pilot)
    pane = pilot.app.query_one(ImportPane)
    box = pane.query_one("#import-path", Input)
    box.value = str(inbox / "職員名簿_R8.4.1.csv")
    box.focus()
    await pilot.press("enter")
    await idle(pilot)
    assert pane.step == "import-step-options"
    return pane


def table_rows(pane: ImportPane) -> list[tuple[str, str, str]]:
    table = pane.query_one("#import-problems", DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]  # type: ignore[misc]


async def test_a_roster_checked_shows_every_change_and_is_written_after_the_yes(
    db: Path, tmp_path: Path, inbox: Path
) -> None:
    app = app_for(db, tmp_path, inbox)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await to_options(pilot, inbox)
        assert pane.query_one("#import-asof", Input).value == "令和8年4月1日"  # the file's own date, offered
        assert "ファイル名の日付" in str(pane.query_one("#import-asof-hint", Static).render())
        pane.query_one("#import-retire", Checkbox).value = True
        await pilot.click("#import-check")
        await idle(pilot)
        assert pane.step == "import-step-review"
        pane.query_one("#import-filter", Select).value = EVERYTHING
        await pilot.pause()
        rows = {(kind, target.split()[0]): detail for kind, target, detail in table_rows(pane)}
        assert ("追加", "600001") in rows
        assert "160 市民税課 → 150 資産税課" in rows[("異動", "500002")]
        assert "氏名 改名 三子 → 結婚 三子" in rows[("改名", "500003")]
        assert "退職 令和8年3月31日" in rows[("退職", "500004")]
        assert ("再採用", "500005") in rows
        assert ("変更なし", "500001") in rows
        assert "退職（令和8年3月31日付）" in rows[("名簿にない在職者", "500006")]
        assert "同じ名前の所属がすでにあります（160）" in rows[("所属の追加", "170")]
        pane.query_one("#import-filter", Select).value = "異動"
        await pilot.pause()
        assert [r[1] for r in table_rows(pane)] == ["500002 異動 次郎"]
        pane.query_one("#import-filter", Select).value = EVERYTHING
        pane.query_one("#import-find", Input).value = "結婚"
        await pilot.pause()
        assert [r[0] for r in table_rows(pane)] == ["改名"]
        assert Service.open(db, today=lambda: TODAY, create=False).staff("500002").current.division == "160"

        await pilot.click("#import-commit")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "基準日 令和8年4月1日" in question
        details = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "追加 1人" in details and "異動 1人" in details and "退職 2人" in details
        await pilot.click("#confirm-yes")
        await idle(pilot)
        assert pane.step == "import-step-result"
        assert "取り込みました" in str(pane.query_one("#import-result", Static).render())
    svc = Service.open(db, today=lambda: TODAY, create=False)
    assert svc.staff("500002").current.division == "150"
    assert svc.staff("500003").name == "結婚 三子"
    assert svc.staff("500006").retired == date(2026, 3, 31)
    assert svc.staff("500005").retired is None
    assert svc.staff("600001").current.division == "170"


async def test_cancel_at_every_step_leaves_the_register_byte_identical(db: Path, tmp_path: Path, inbox: Path) -> None:
    before = folder_bytes(db)
    app = app_for(db, tmp_path, inbox)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await to_options(pilot, inbox)
        await pilot.click(".import-cancel")  # step 2
        await pilot.pause()
        assert pane.step == "import-step-file"
        assert "データは変更していません" in str(pane.query_one("#import-notice", Static).render())

        pane = await to_options(pilot, inbox)
        await pilot.click("#import-check")
        await idle(pilot)
        assert pane.step == "import-step-review"
        await pilot.click("#import-commit")
        await pilot.pause()
        await pilot.press("escape")  # the confirmation's no
        await pilot.pause()
        assert pane.step == "import-step-review"
        await pilot.click("#import-commit")
        await pilot.pause()
        await pilot.click("#confirm-no")
        await pilot.pause()
        pane.query_one("#import-problems", DataTable).focus()
        await pilot.press("escape")  # step 3
        await pilot.pause()
        assert pane.step == "import-step-file"
    assert folder_bytes(db) == before


async def test_the_tree_hides_hidden_files_goes_up_and_the_path_box_completes(
    db: Path, tmp_path: Path, inbox: Path
) -> None:
    app = app_for(db, tmp_path, inbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await idle(pilot)
        await pilot.press("f4")
        await idle(pilot)
        tree = app.query_one(TableFiles)
        for _ in range(200):
            if tree.root.children:
                break
            await pilot.pause(0.02)
        assert [n.data.path.name for n in tree.root.children] == ["職員名簿_R8.4.1.csv"]
        await pilot.click("#import-up")
        await pilot.pause()
        assert Path(tree.path) == inbox.parent
        assert app.query_one("#import-path", Input).value.endswith(inbox.parent.name + "/")
    suggester = PathSuggester(inbox.parent)
    assert await suggester.get_suggestion(str(inbox) + "/職") == str(inbox / "職員名簿_R8.4.1.csv")
    assert await suggester.get_suggestion(str(inbox) + "/") == str(inbox / "職員名簿_R8.4.1.csv")  # not .git
    assert await suggester.get_suggestion("人事") == "人事課から/"


async def test_an_e_learning_export_is_checked_listed_and_written_for_the_year_shown(
    db: Path, tmp_path: Path, inbox: Path
) -> None:
    export = write_csv(
        inbox / "elearning.csv",
        [
            ["職員番号", "研修", "状態", "進捗率", "修了日"],
            ["500001", "入門編", "修了", "100", "R8.11.20"],
            ["500002", "入門編", "受講中", "40", "R8.11.21"],
        ],
    )
    app = app_for(db, tmp_path, inbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await idle(pilot)
        await pilot.press("f4")
        await idle(pilot)
        pane = app.query_one(ImportPane)
        pane.choose(export)
        await idle(pilot)
        pane.query_one("#import-kind").query("RadioButton")[1].value = True  # e-ラーニングの受講状況
        await pilot.pause()
        assert not pane.query_one("#import-asof-row").display  # no 基準日: the year shown instead
        assert "令和8年度" in str(pane.query_one("#import-year").render())
        await pilot.click("#import-check")
        await idle(pilot)
        assert pane.step == "import-step-review"
        rows = table_rows(pane)
        assert ("新規", "500001 任用 花子") in [(k, t) for k, t, _d in rows]
        assert any(t == "500002 異動 次郎" and "受講中 40%" in d for _k, t, d in rows)
        await pilot.click("#import-commit")
        await pilot.pause()
        assert "新規 2件" in question_text(app)
        await pilot.click("#confirm-yes")
        await idle(pilot)
        assert pane.step == "import-step-result"
    record = Service.open(db, today=lambda: TODAY, create=False).register.record(2026, "500001", "intro")
    assert record is not None and record.completed_on == date(2026, 11, 20)


def question_text(app: TrainerApp) -> str:
    assert isinstance(app.screen, ConfirmScreen)
    return " ".join(str(s.render()) for s in app.screen.query(Static))


async def test_a_big_dry_run_shows_the_first_rows_and_says_how_to_see_the_rest(
    db: Path, tmp_path: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.tui.widgets import import_pane

    monkeypatch.setattr(import_pane, "SHOWN_ROWS", 3)
    app = app_for(db, tmp_path, inbox)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await to_options(pilot, inbox)
        await pilot.click("#import-check")
        await idle(pilot)
        pane.query_one("#import-filter", Select).value = EVERYTHING
        await pilot.pause()
        assert len(table_rows(pane)) == 3
        assert "最初の3件を表示" in str(pane.query_one("#import-shown", Static).render())
        pane.query_one("#import-find", Input).value = "600001"
        await pilot.pause()
        assert [r[1] for r in table_rows(pane)] == ["600001 新人 七子"]
        pane.query_one("#import-find", Input).value = "該当しない文字"
        await pilot.pause()
        assert "当てはまる行はありません" in str(pane.query_one("#import-shown", Static).render())


async def test_the_dry_run_shows_its_progress_while_it_runs(db: Path, tmp_path: Path, inbox: Path) -> None:
    app = app_for(db, tmp_path, inbox)
    go_on = threading.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await to_options(pilot, inbox)
        planned = pane.service.import_staff

        def slow(path, *args, task, **kwargs):  # type: ignore[no-untyped-def]
            task.report(2, 5, "名簿を確認中")  # as the planner does every few hundred rows
            go_on.wait(10)
            return planned(path, *args, task=task, **kwargs)

        pane.service.import_staff = slow  # type: ignore[method-assign]
        try:
            await pilot.click("#import-check")
            for _ in range(200):
                await pilot.pause(0.01)
                if pane.query_one("#import-progress", ProgressBar).progress:
                    break
            assert pane.query_one("#import-running").display
            assert pane.query_one("#import-progress", ProgressBar).progress == 2
            assert "名簿を確認中 2 / 5" in str(pane.query_one("#import-progress-text", Label).render())
            assert pane.step == "import-step-options"  # the buttons but やめる wait for the end
        finally:
            go_on.set()
        await idle(pilot)
        assert pane.step == "import-step-review" and not pane.query_one("#import-running").display


async def test_the_line_chosen_in_the_review_is_shown_whole_under_the_table_at_80_columns(
    db: Path, tmp_path: Path, inbox: Path
) -> None:
    """At 80x24 the table's 内容 runs past the screen's edge: the line under the cursor is
    written out whole beneath it, and follows the cursor."""
    app = app_for(db, tmp_path, inbox)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await to_options(pilot, inbox)
        pane.query_one("#import-check", Button).press()
        await idle(pilot)
        assert pane.step == "import-step-review"
        pane.query_one("#import-filter", Select).value = "異動"
        await pilot.pause()
        detail = str(pane.query_one("#import-detail", Static).render())
        kind, target, what = table_rows(pane)[0]
        assert detail == f"{kind}  {target}: {what}" and "160 市民税課 → 150 資産税課" in detail
        pane.query_one("#import-filter", Select).value = EVERYTHING
        await pilot.pause()
        table = pane.query_one("#import-problems", DataTable)
        table.focus()
        await pilot.press("down")
        await pilot.pause()
        kind, target, what = table_rows(pane)[1]
        assert str(pane.query_one("#import-detail", Static).render()) == f"{kind}  {target}: {what}"
