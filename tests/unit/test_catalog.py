"""The catalogs load strictly: every mistake names the file, the key and a fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trainer.catalog import default_catalog_dir, find_requirement, legal_basis, load_catalog, suggest_requirement
from trainer.errors import CatalogError
from trainer.model import Catalog, Duty, MonthDay


def test_shipped_catalog_has_four_courses_and_the_sheet(catalog: Catalog) -> None:
    assert [r.id for r in catalog] == ["intro", "rules", "flow", "security", "checkpoint"]
    intro = catalog.by_id["intro"]
    assert intro.title == "マイナンバー制度入門編"
    assert intro.duties == frozenset({Duty.RIYO})
    assert (intro.window.start, intro.window.end) == (MonthDay(7, 1), MonthDay(11, 30))
    sheet = catalog.by_id["checkpoint"]
    assert [s.title for s in sheet.sections] == [
        "組織的安全管理措置",
        "人的安全管理措置",
        "物理的安全管理措置",
        "技術的安全管理措置",
    ]
    assert "ひな形" in sheet.note


def test_courses_are_found_by_any_of_their_names(catalog: Catalog) -> None:
    assert find_requirement(catalog, "情報連携･業務フロー編").id == "flow"  # type: ignore[union-attr]
    assert find_requirement(catalog, "ｾｷｭﾘﾃｨ対策端末操作者編").id == "security"  # type: ignore[union-attr]
    assert find_requirement(catalog, "checkpoint").id == "checkpoint"  # type: ignore[union-attr]
    assert find_requirement(catalog, "研修じゃないもの") is None
    assert suggest_requirement(catalog, "接続運用規定理解編") == "接続運用規程理解編"


@pytest.fixture
def city_catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir() / "courses", target / "courses")
    shutil.copytree(default_catalog_dir() / "checklists", target / "checklists")
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_city_can_edit_its_own_copy(city_catalog: Path) -> None:
    edit(city_catalog / "courses" / "intro.yaml", "months: 5", "months: 4")
    assert load_catalog(city_catalog).by_id["intro"].window.end == MonthDay(10, 31)


def test_unknown_key_names_file_key_and_closest_valid_key(city_catalog: Path) -> None:
    edit(city_catalog / "courses" / "intro.yaml", "short_title:", "short_tittle:")
    with pytest.raises(CatalogError) as err:
        load_catalog(city_catalog)
    assert "intro.yaml" in err.value.message and "short_tittle" in err.value.message
    assert "short_title" in err.value.hint


def test_unknown_nested_key_is_named_with_its_path(city_catalog: Path) -> None:
    edit(city_catalog / "courses" / "rules.yaml", "  months: 5", "  month: 5")
    with pytest.raises(CatalogError) as err:
        load_catalog(city_catalog)
    assert "window.month" in err.value.message and "months" in err.value.hint


def test_wrong_type_is_refused(city_catalog: Path) -> None:
    edit(city_catalog / "courses" / "flow.yaml", "expected_hours: 2.0", "expected_hours: 二時間")
    with pytest.raises(CatalogError, match="expected_hours"):
        load_catalog(city_catalog)


def test_duplicate_id_is_refused(city_catalog: Path) -> None:
    edit(city_catalog / "courses" / "flow.yaml", "id: flow", "id: rules")
    with pytest.raises(CatalogError, match="重複"):
        load_catalog(city_catalog)


def test_duplicate_key_in_one_file_is_refused(city_catalog: Path) -> None:
    edit(city_catalog / "courses" / "flow.yaml", "order: 3", "order: 3\norder: 4")
    with pytest.raises(CatalogError, match="2回"):
        load_catalog(city_catalog)


def test_duplicate_item_id_in_sheet_is_refused(city_catalog: Path) -> None:
    edit(city_catalog / "checklists" / "checkpoint.yaml", "id: P-2", "id: P-1")
    with pytest.raises(CatalogError, match="P-1"):
        load_catalog(city_catalog)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  start: 7月1日\n  months: 5", "  start: 2月30日\n  months: 5", "毎年ある日付ではありません"),
        ("  start: 7月1日\n  months: 5", "  start: 2月29日\n  months: 1", "毎年ある日付ではありません"),
        ("  months: 5", "  months: 10", "年度"),
        ("  months: 5", "  end: 6月30日", "より前"),
        ("  months: 5", "  months: 5\n  end: 11月30日", "どちらか一方"),
    ],
)
def test_impossible_window_is_refused(city_catalog: Path, old: str, new: str, message: str) -> None:
    edit(city_catalog / "courses" / "security.yaml", old, new)
    with pytest.raises(CatalogError, match=message):
        load_catalog(city_catalog)


def test_unknown_duty_is_refused(city_catalog: Path) -> None:
    edit(city_catalog / "courses" / "intro.yaml", "duties: [利用事務]", "duties: [総務事務]")
    with pytest.raises(CatalogError, match="事務区分"):
        load_catalog(city_catalog)


def test_alias_shared_by_two_courses_is_refused(city_catalog: Path) -> None:
    edit(city_catalog / "courses" / "intro.yaml", "  - 入門\n", "  - 入門\n  - 規程理解\n")
    with pytest.raises(CatalogError, match="規程理解"):
        load_catalog(city_catalog)


def test_broken_yaml_names_the_file(city_catalog: Path) -> None:
    (city_catalog / "courses" / "intro.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"intro\.yaml"):
        load_catalog(city_catalog)


def test_the_legal_basis_is_shipped_and_a_city_without_one_uses_it(city_catalog: Path) -> None:
    shipped = legal_basis()
    assert [b.id for b in shipped] == ["act", "order", "connection_rules", "ppc_checkpoint"]
    assert "第29条の2" in shipped[0].title and "おおむね一年ごと" in shipped[1].text
    assert "、特定個人情報" in shipped[0].text  # folded lines joined without a space between them
    assert legal_basis(city_catalog) == shipped  # no policy/legal.yaml in the city's catalog


def test_a_city_edits_its_legal_basis(city_catalog: Path) -> None:
    (city_catalog / "policy").mkdir()
    shutil.copy(default_catalog_dir() / "policy" / "legal.yaml", city_catalog / "policy" / "legal.yaml")
    legal = city_catalog / "policy" / "legal.yaml"
    edit(legal, "title: 番号法 第29条の2（研修の実施）", "title: 番号法 第30条（研修）")
    assert legal_basis(city_catalog)[0].title == "番号法 第30条（研修）"


@pytest.mark.parametrize(
    ("old", "new", "where", "hint"),
    [
        ("    title: 番号法 第29条の2", "    titel: 番号法 第29条の2", "basis[0].titel", "title"),
        ("basis:", "basic:", "basic", "basis"),
        ("  - id: order", "  - id: act", "basis[1].id", ""),
    ],
)
def test_the_legal_basis_is_loaded_strictly(city_catalog: Path, old: str, new: str, where: str, hint: str) -> None:
    (city_catalog / "policy").mkdir()
    shutil.copy(default_catalog_dir() / "policy" / "legal.yaml", city_catalog / "policy" / "legal.yaml")
    edit(city_catalog / "policy" / "legal.yaml", old, new)
    with pytest.raises(CatalogError) as err:
        legal_basis(city_catalog)
    assert "legal.yaml" in err.value.message and where in err.value.message and hint in err.value.hint
