"""Generated rosters and progress files, some broken: each import is all or nothing, row by row."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.files import ROSTER_HEADERS, register_bytes, write_csv, write_xlsx
from trainer.importers.mynumber import check_digit
from trainer.importers.problems import ImportRejected
from trainer.service import Service

TODAY = date(2026, 11, 25)
MY_NUMBER = "98765432101" + str(check_digit("98765432101"))
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

ROSTER_BREAKS = {
    "bad-date": (8, "R8.2.30"),
    "unknown-employment": (6, "非常勤嘱託"),
    "unknown-duty": (7, "総務"),
    "empty-name": (1, ""),
    "my-number": (2, MY_NUMBER),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register with two divisions and three people, checkpointed (all in its JSON files)."""
    folder = tmp_path_factory.mktemp("base") / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.add_division("160", "市民税課")
    svc.add_division("150", "保護課")
    for i, division in enumerate(["160", "150", "160"]):
        svc.add_staff(
            f"00010{i}", f"職員 {i}", f"ショクイン {i}", division, "主事", "正規職員", "利用事務", "2015-04-01"
        )
    svc.register.db.checkpoint()
    svc.close()
    return folder


def fresh(base: Path, tmp: Path) -> tuple[Service, Path]:
    target = tmp / "register"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(base, target)
    return Service.open(target, today=lambda: TODAY, create=False), target


names = st.text(alphabet="あいうえお山田川花子𠮷髙﨑", min_size=1, max_size=6)


@st.composite
def rosters(draw: st.DrawFn) -> tuple[list[list[object]], set[int], bool]:
    """Rows of a roster, the spreadsheet row numbers broken on purpose, and whether ids repeat."""
    count = draw(st.integers(1, 12))
    ids = draw(st.lists(st.integers(200, 999), min_size=count, max_size=count, unique=True))
    rows: list[list[object]] = [list(ROSTER_HEADERS)]
    broken: set[int] = set()
    for n, i in enumerate(ids):
        row: list[object] = [
            f"000{i}",
            draw(names),
            "カナ",
            draw(st.sampled_from(["160", "150"])),
            "",
            "主事",
            draw(st.sampled_from(["正規職員", "会計年度任用職員", "臨時職員"])),
            draw(st.sampled_from(["利用事務", "関係事務", "なし"])),
            draw(st.sampled_from(["2026-04-01", "R8.4.1", "令和8年4月1日", "2015/4/1"])),
        ]
        kind = draw(st.sampled_from([None, None, None, *ROSTER_BREAKS]))
        if kind is not None:
            column, value = ROSTER_BREAKS[kind]
            row[column] = value
            broken.add(n + 2)
        rows.append(row)
    duplicate = draw(st.booleans()) and count > 1
    if duplicate:
        rows.append(list(rows[1]))
        broken.add(len(rows))
    return rows, broken, duplicate


@FAST
@given(case=rosters(), xlsx=st.booleans())
def test_a_roster_imports_whole_or_is_rejected_row_by_row_leaving_the_register_untouched(
    base: Path, tmp_path: Path, case: tuple[list[list[object]], set[int], bool], xlsx: bool
) -> None:
    rows, broken, _duplicate = case
    svc, folder = fresh(base, tmp_path)
    path = write_xlsx(tmp_path / "r.xlsx", rows) if xlsx else write_csv(tmp_path / "r.csv", rows, encoding="utf-8-sig")
    before = register_bytes(folder)
    try:
        if broken:
            with pytest.raises(ImportRejected) as rejected:
                svc.import_staff(path, as_of="2026-10-01")
            assert rejected.value.problems
            assert {p.row for p in rejected.value.problems} <= broken
            assert MY_NUMBER not in str(rejected.value)
            assert register_bytes(folder) == before
        else:
            svc.import_staff(path, as_of="2026-10-01")
            imported = {str(r[0]): str(r[1]) for r in rows[1:]}
            after = {s.staff_id: s.name for s in svc.register.all_staff()}
            assert {sid: after[sid] for sid in imported} == imported
            assert len(after) == 3 + len(imported)
    finally:
        svc.close()


PROGRESS_BREAKS = {
    "unknown-staff": (0, "999999"),
    "unknown-course": (1, "存在しない研修"),
    "percent-over": (3, "150%"),
    "outside-year": (4, "2025/07/01"),
    "future": (4, "2027/01/05"),
}


@st.composite
def progress_files(draw: st.DrawFn) -> tuple[list[list[object]], set[int]]:
    rows: list[list[object]] = [["職員番号", "研修", "状態", "進捗率", "修了日"]]
    broken: set[int] = set()
    for n in range(draw(st.integers(1, 15))):
        done = draw(st.booleans())
        row: list[object] = [
            draw(st.sampled_from(["000100", "000101", "000102"])),
            draw(
                st.sampled_from(
                    ["入門編", "intro", "接続運用規程理解編", "情報連携･業務フロー編", "ｾｷｭﾘﾃｨ対策端末操作者編"]
                )
            ),
            "修了" if done else "受講中",
            "100" if done else f"{draw(st.integers(1, 99))}%",
            draw(st.sampled_from(["2026/07/10", "R8.8.1", "2026-11-02"])) if done else "",
        ]
        kind = draw(st.sampled_from([None, None, *PROGRESS_BREAKS]))
        if kind is not None:
            column, value = PROGRESS_BREAKS[kind]
            row[column] = value
            if kind in ("outside-year", "future"):
                row[2], row[3] = "修了", "100"
            broken.add(n + 2)
        rows.append(row)
    return rows, broken


@FAST
@given(case=progress_files())
def test_a_progress_file_imports_whole_or_is_rejected_and_importing_twice_changes_nothing(
    base: Path, tmp_path: Path, case: tuple[list[list[object]], set[int]]
) -> None:
    rows, broken = case
    svc, folder = fresh(base, tmp_path)
    path = write_csv(tmp_path / "p.csv", rows)
    before = register_bytes(folder)
    try:
        if broken:
            with pytest.raises(ImportRejected) as rejected:
                svc.import_progress(path, fiscal_year=2026)
            assert {p.row for p in rejected.value.problems} <= broken
            assert register_bytes(folder) == before
        else:
            svc.import_progress(path, fiscal_year=2026)
            again = svc.import_progress(path, fiscal_year=2026, dry_run=True)
            assert again.added == [] and again.upgraded == []
            completed = {(str(r[0]), svc.requirement(str(r[1])).id) for r in rows[1:] if r[2] == "修了"}
            records = svc.register.records(2026)
            assert all(records[sid][req].completed_on is not None for sid, req in completed)
    finally:
        svc.close()
