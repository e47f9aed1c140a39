"""Screenshots of each screen at 80x24 and 160x48 on a fixed demo city, compared with the saved SVGs.

The calendar, the change log's clock, the home folder and the file picker's folder are fixed, so
a difference is a real change of what the coordinator sees. After an intended change of the look,
run ``scripts/test tests/tui/test_snapshots.py --snapshot-update`` and look at the new SVGs.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Select

from tests.files import ROSTER_HEADERS, write_csv
from trainer.service import Service
from trainer.tui.app import TrainerApp, create_app
from trainer.tui.widgets.import_pane import ImportPane, TableFiles
from trainer.tui.widgets.staff_table import StaffTable

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=9)))
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]

Snap = Callable[..., bool]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("city") / "register"
    svc = Service.open(folder, today=lambda: TODAY, now=lambda: NOW)
    svc.create_demo(150, seed=5)
    svc.close()
    return folder


@pytest.fixture(autouse=True)
def _local_time_zone_restored() -> Iterator[None]:
    yield
    time.tzset()  # (after monkeypatch put TZ back)


@pytest.fixture
def app(city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TrainerApp:
    """The demo city under a fixed home folder and time zone, with a folder of files to import."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # the change log's times are shown in local time
    time.tzset()
    db = tmp_path / "register"
    shutil.copytree(city, db)
    inbox = tmp_path / "人事課から"
    inbox.mkdir()
    write_csv(
        inbox / "職員名簿_11月.csv",
        [
            ROSTER_HEADERS,
            ["000801", "新人 一", "シンジン ハジメ", "160", "市民税課", "主事", "非常勤", "利用事務", "R8.4.1"],
            ["000802", "新人 二", "シンジン ツギ", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.2.30"],
        ],
    )
    (inbox / "メモ.pdf").write_bytes(b"%PDF-1.7\n")  # not a table: the picker leaves it out
    (inbox / ".git").mkdir()  # hidden: the picker leaves it out
    svc = Service.open(db, today=lambda: TODAY, now=lambda: NOW)
    people = svc.list_staff()[:3]
    svc.close()
    rows = [[*ROSTER_HEADERS, "退職日"]]
    for i, s in enumerate(people):  # a transfer, a new name, a retirement
        a = s.current
        code, name = ("150", s.name) if i == 0 else (a.division, "改姓 " + s.name.split()[-1] if i == 1 else s.name)
        retired = "R8.9.30" if i == 2 else ""
        rows.append([s.staff_id, name, s.kana, code, "", a.title, s.employment, a.duty.value, "R2.4.1", retired])
    rows.append(
        ["000901", "新人 三", "シンジン サン", "160", "市民税課", "主事", "正規職員", "利用事務", "R8.10.1", ""]
    )
    write_csv(inbox / "職員名簿_R8.10.1.csv", rows)
    return create_app(db, today=lambda: TODAY, now=lambda: NOW, keymap=tmp_path / "none.yaml", workdir=inbox)


async def settled(pilot: Pilot[None]) -> None:
    """Every data worker done (the file picker's loader stays alive while it is shown)."""
    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        busy = [w for w in app.workers if w.group in ("load", "import", "import-date", "report") and not w.is_finished]
        if not busy and app.query(StaffTable) and app.query_one(StaffTable).rows:
            break
        if busy:
            await app.workers.wait_for_complete(busy)
    else:
        pytest.fail("the app's data did not load (a timeout, not a difference of the screen)")
    await pilot.pause()


def steps(*actions: Callable[[Pilot[None]], Awaitable[None]]) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await settled(pilot)
        for action in actions:
            await action(pilot)
            await settled(pilot)
        await steady_cursors(pilot)

    return run


async def steady_cursors(pilot: Pilot[None]) -> None:
    """A text box's cursor shown, not blinking, and every table measured: a blink caught mid-way,
    or a table whose columns are sized on the next idle moment (a busy machine takes the
    screenshot a little earlier or later), is no difference of the screen."""
    for screen in pilot.app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False
    for _ in range(200):
        await pilot.pause()
        tables = [t for screen in pilot.app.screen_stack for t in screen.query(DataTable)]
        if not any(t._require_update_dimensions or t._new_rows for t in tables):
            break
    else:
        pytest.fail("a table was not measured (a timeout, not a difference of the screen)")
    await pilot.pause()


def keys(*pressed: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press(*pressed)

    return run


async def file_picker_listed(pilot: Pilot[None]) -> None:
    tree = pilot.app.query_one(TableFiles)
    deadline = time.monotonic() + 30
    while not tree.root.children:  # the picker lists its folder in a worker: poll, with a deadline
        if time.monotonic() > deadline:
            pytest.fail("the file picker did not list its folder in 30 s")
        await pilot.pause(0.02)


async def choose_the_bad_roster(pilot: Pilot[None]) -> None:
    pane = pilot.app.query_one(ImportPane)
    pane.choose(pane.start / "職員名簿_11月.csv")


async def dry_run_a_bad_roster(pilot: Pilot[None]) -> None:
    await choose_the_bad_roster(pilot)
    await settled(pilot)
    pilot.app.query_one("#import-asof", Input).value = "R8.11.1"
    pilot.app.query_one("#import-check", Button).press()


async def dry_run_a_good_roster(pilot: Pilot[None]) -> None:
    pane = pilot.app.query_one(ImportPane)
    pane.choose(pane.start / "職員名簿_R8.10.1.csv")
    await settled(pilot)
    pilot.app.query_one("#import-check", Button).press()


async def open_first_person(pilot: Pilot[None]) -> None:
    table = pilot.app.query_one(StaffTable)
    table.post_message(StaffTable.Opened(table.shown_rows()[0].staff_id))


async def choose_division(pilot: Pilot[None]) -> None:
    pilot.app.query_one("#staff-division", Select).value = "160"


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare: Snap, app: TrainerApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps())


@pytest.mark.parametrize("size", SIZES)
def test_staff_list_searched_by_half_width_kana(snap_compare: Snap, app: TrainerApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(keys("slash", *"ﾔﾏ")))


@pytest.mark.parametrize("size", SIZES)
def test_person(snap_compare: Snap, app: TrainerApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(keys("f3"), open_first_person))


@pytest.mark.parametrize("size", SIZES)
def test_import_with_row_errors(snap_compare: Snap, app: TrainerApp, size: tuple[int, int]) -> None:
    run = steps(keys("f4"), file_picker_listed, dry_run_a_bad_roster)
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_import_options_ask_for_the_date(snap_compare: Snap, app: TrainerApp, size: tuple[int, int]) -> None:
    run = steps(keys("f4"), file_picker_listed, choose_the_bad_roster)
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_import_dry_run_lists_every_change(snap_compare: Snap, app: TrainerApp, size: tuple[int, int]) -> None:
    run = steps(keys("f4"), file_picker_listed, dry_run_a_good_roster)
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_reports_and_sign_off(snap_compare: Snap, app: TrainerApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(keys("f5")))


@pytest.mark.parametrize("size", SIZES)
def test_checkpoint_sheet(snap_compare: Snap, app: TrainerApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(keys("f3"), choose_division, keys("c", "space")))


@pytest.mark.parametrize(
    ("readme", "snapshot"),
    [
        ("dashboard.svg", "test_dashboard[160x48].svg"),
        ("staff.svg", "test_staff_list_searched_by_half_width_kana[160x48].svg"),
    ],
)
def test_the_readme_shows_the_current_screens(readme: str, snapshot: str) -> None:
    root = Path(__file__).resolve().parents[2]
    current = (Path(__file__).parent / "__snapshots__" / "test_snapshots" / snapshot).read_bytes()
    assert (root / "docs" / "screenshots" / readme).read_bytes() == current, (
        f"cp the snapshot {snapshot} to docs/screenshots/{readme}"
    )
