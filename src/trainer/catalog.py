"""Load and validate the course and checklist catalogs (YAML -> :class:`~trainer.model.Catalog`).

A catalog folder holds ``courses/*.yaml`` (one e-learning course each), ``checklists/*.yaml``
(the checkpoint sheet), ``policy/exemptions.yaml`` (the kinds of exemption the city allows; a
city's folder without ``policy/`` uses the shipped one) and ``policy/legal.yaml`` (the legal
basis the audit and the training plan cite; the shipped one when a city's folder has none).
Loading is strict: an unknown key, a wrong type, a duplicate key or id, or an impossible window
is refused with the file, the key and the closest valid key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from trainer.bundled import bundled_dir
from trainer.calendar import add_months, fy_end
from trainer.errors import CatalogError
from trainer.model import (
    Catalog,
    ChecklistItem,
    ChecklistSection,
    Duty,
    ExemptionKind,
    LegalBasis,
    MonthDay,
    Requirement,
    Window,
)

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})\s*(?:月|-|/)\s*(\d{1,2})\s*日?\s*$")
_DAYS_IN_MONTH = {
    1: 31,
    2: 28,
    3: 31,
    4: 30,
    5: 31,
    6: 30,
    7: 31,
    8: 31,
    9: 30,
    10: 31,
    11: 30,
    12: 31,
}

_REQUIREMENT_KEYS = {
    "id": True,
    "title": True,
    "short_title": True,
    "training": True,
    "order": False,
    "expected_hours": False,
    "duties": True,
    "window": False,  # required unless after_entry_days is given
    "late_joiner_days": False,
    "aliases": False,
    "note": False,
    "after_entry_days": False,
    "enabled": False,
}
_CHECKLIST_KEYS = {**_REQUIREMENT_KEYS, "sections": True}
_WINDOW_KEYS = {"start": True, "months": False, "end": False}
_SECTION_KEYS = {"id": True, "title": True, "items": True}
_ITEM_KEYS = {"id": True, "text": True}
_POLICY_KEYS = {"kinds": True}
_KIND_KEYS = {"id": True, "label": True, "evidence": False, "note": False}
_LEGAL_KEYS = {"basis": True}
_BASIS_KEYS = {"id": True, "title": True, "text": True}


def default_catalog_dir() -> Path:
    """The shipped ``courses/`` and ``checklists/`` (a city's own: ``--catalog`` or
    ``TRAINER_CATALOG``, read by :mod:`trainer.settings`)."""
    return bundled_dir("courses").parent


_LOADER: Any = None


def _strict_loader() -> Any:
    """``yaml.safe_load``'s loader, refusing a key given twice in one mapping (libyaml's parser
    when PyYAML has it). Built on first use: a command on a frozen year never reads YAML."""
    global _LOADER
    if _LOADER is None:
        import yaml

        class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
            pass

        def no_duplicate_keys(loader: Any, node: Any) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = loader.construct_object(key_node)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"キー「{key}」が2回書かれています", key_node.start_mark
                    )
                seen.add(key)
            mapping: dict[Any, Any] = loader.construct_mapping(node)
            return mapping

        StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, no_duplicate_keys)
        _LOADER = StrictLoader
    return _LOADER


class _Reader:
    """Reads one file's mapping, naming the file and key path in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str, hint: str = "") -> CatalogError:
        return CatalogError(f"{self.path}: {where}: {message}", hint)

    def mapping(self, value: Any, where: str, keys: dict[str, bool]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"キーと値の組（マッピング）が必要です（{_type_name(value)}）")
        for key in value:
            if key not in keys:
                import difflib  # (a suggestion for a mistyped name: loaded only then)

                close = difflib.get_close_matches(str(key), list(keys), n=1, cutoff=0.5)
                hint = f"「{close[0]}」のことですか？" if close else ""
                valid = "、".join(keys)
                raise self.fail(
                    f"{where}.{key}" if where else str(key),
                    f"知らないキーです（使えるキー: {valid}）",
                    hint,
                )
        for key, required in keys.items():
            if required and key not in value:
                raise self.fail(where or "(先頭)", f"キー「{key}」がありません")
        return value

    def typed(self, value: Any, where: str, kind: type | tuple[type, ...], label: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(where, f"{label}が必要です（{_type_name(value)}: {value!r}）")
        return value

    def text(self, value: Any, where: str) -> str:
        text: str = self.typed(value, where, str, "文字列")
        text = text.strip()
        if not text:
            raise self.fail(where, "空にできません")
        return text

    def identifier(self, value: Any, where: str) -> str:
        ident = unicodedata.normalize("NFKC", self.text(value, where))
        if not _ID.match(ident):
            raise self.fail(where, f"id「{ident}」は英字で始まる英数字・-・_ で書いてください")
        return ident

    def text_list(self, value: Any, where: str) -> tuple[str, ...]:
        items = self.typed(value, where, list, "リスト")
        return tuple(self.text(v, f"{where}[{i}]") for i, v in enumerate(items))

    def month_day(self, value: Any, where: str) -> MonthDay:
        text = self.text(str(value) if isinstance(value, int) else value, where)
        match = _MONTH_DAY.match(text)
        if not match:
            raise self.fail(where, f"「{text}」は月日ではありません", "例: 7月1日、07-01")
        month, day = int(match[1]), int(match[2])
        if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month]:
            raise self.fail(where, f"{month}月{day}日は毎年ある日付ではありません")
        return MonthDay(month, day)


def _type_name(value: Any) -> str:
    return {
        dict: "マッピング",
        list: "リスト",
        str: "文字列",
        int: "整数",
        float: "数値",
        bool: "真偽値",
        type(None): "空",
    }.get(type(value), type(value).__name__)


# A fiscal year without February 29th, to place month-days of a window in order.
_REFERENCE_FY = 2025


def _in_reference_year(md: MonthDay) -> date:
    return date(_REFERENCE_FY if md.month >= 4 else _REFERENCE_FY + 1, md.month, md.day)


def _window(r: _Reader, raw: Any) -> Window:
    data = r.mapping(raw, "window", _WINDOW_KEYS)
    start = r.month_day(data["start"], "window.start")
    if ("months" in data) == ("end" in data):
        raise r.fail("window", "months（月数）と end（終了日）のどちらか一方を書いてください")
    first = _in_reference_year(start)
    if "months" in data:
        months = r.typed(data["months"], "window.months", int, "整数")
        if not 1 <= months <= 12:
            raise r.fail("window.months", f"{months}か月は1〜12の範囲外です")
        last = add_months(first, months) - timedelta(days=1)
        if last > fy_end(_REFERENCE_FY):
            raise r.fail("window.months", f"{start}から{months}か月では年度（3月31日）を越えます")
        return Window(start, MonthDay(last.month, last.day))
    end = r.month_day(data["end"], "window.end")
    if _in_reference_year(end) < first:
        raise r.fail("window.end", f"終了日 {end} が開始日 {start} より前です（年度は4月1日〜3月31日）")
    return Window(start, end)


def _requirement(path: Path, raw: Any, kind: str) -> Requirement:
    r = _Reader(path)
    data = r.mapping(raw, "", _CHECKLIST_KEYS if kind == "checklist" else _REQUIREMENT_KEYS)
    duties = []
    for i, value in enumerate(r.typed(data["duties"], "duties", list, "リスト")):
        text = r.text(value, f"duties[{i}]")
        try:
            duties.append(Duty(text))
        except ValueError as e:
            raise r.fail(
                f"duties[{i}]",
                f"「{text}」は事務区分ではありません（{'、'.join(d.value for d in Duty)}）",
            ) from e
    if not duties:
        raise r.fail("duties", "対象の事務区分を1つ以上書いてください")
    hours = data.get("expected_hours")
    if hours is not None:
        hours = float(r.typed(hours, "expected_hours", (int, float), "数値"))
        if not 0 < hours <= 24:
            raise r.fail("expected_hours", f"{hours}時間は0〜24時間の範囲外です")
    late = r.typed(data.get("late_joiner_days", 60), "late_joiner_days", int, "整数")
    if not 0 <= late <= 365:
        raise r.fail("late_joiner_days", f"{late}日は0〜365日の範囲外です")
    sections: tuple[ChecklistSection, ...] = ()
    if kind == "checklist":
        sections = _sections(r, data["sections"])
    after_entry = data.get("after_entry_days")
    if after_entry is not None:
        after_entry = r.typed(after_entry, "after_entry_days", int, "整数")
        if not 1 <= after_entry <= 365:
            raise r.fail("after_entry_days", f"{after_entry}日は1〜365日の範囲外です")
    if "window" not in data and after_entry is None:
        raise r.fail("(先頭)", "キー「window」がありません（着任後の日数で期限を決めるなら after_entry_days）")
    window = _window(r, data["window"]) if "window" in data else Window(MonthDay(4, 1), MonthDay(3, 31))
    return Requirement(
        id=r.identifier(data["id"], "id"),
        kind=kind,
        title=r.text(data["title"], "title"),
        short_title=r.text(data["short_title"], "short_title"),
        training=r.text(data["training"], "training"),
        duties=frozenset(duties),
        window=window,
        late_joiner_days=late,
        order=r.typed(data.get("order", 0), "order", int, "整数"),
        expected_hours=hours,
        aliases=r.text_list(data.get("aliases", []), "aliases"),
        sections=sections,
        note=r.text(data["note"], "note") if "note" in data else "",
        source_file=str(path),
        after_entry_days=after_entry,
    )


def _sections(r: _Reader, raw: Any) -> tuple[ChecklistSection, ...]:
    sections = []
    item_ids: set[str] = set()
    section_ids: set[str] = set()
    for i, raw_section in enumerate(r.typed(raw, "sections", list, "リスト")):
        where = f"sections[{i}]"
        data = r.mapping(raw_section, where, _SECTION_KEYS)
        section_id = r.identifier(data["id"], f"{where}.id")
        if section_id in section_ids:
            raise r.fail(f"{where}.id", f"id「{section_id}」が重複しています")
        section_ids.add(section_id)
        items = []
        for j, raw_item in enumerate(r.typed(data["items"], f"{where}.items", list, "リスト")):
            item_where = f"{where}.items[{j}]"
            item = r.mapping(raw_item, item_where, _ITEM_KEYS)
            item_id = r.identifier(item["id"], f"{item_where}.id")
            if item_id in item_ids:
                raise r.fail(f"{item_where}.id", f"項目id「{item_id}」が重複しています")
            item_ids.add(item_id)
            items.append(ChecklistItem(item_id, r.text(item["text"], f"{item_where}.text")))
        if not items:
            raise r.fail(f"{where}.items", "項目が1つもありません")
        sections.append(ChecklistSection(section_id, r.text(data["title"], f"{where}.title"), tuple(items)))
    if not sections:
        raise r.fail("sections", "区分が1つもありません")
    return tuple(sections)


def _read_yaml(path: Path) -> Any:
    import yaml

    loader = _strict_loader()
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.load(f, Loader=loader)
    except UnicodeDecodeError as e:
        raise CatalogError(f"{path}: UTF-8 で読めません", "ファイルを UTF-8 で保存してください") from e
    except yaml.YAMLError as e:
        raise CatalogError(f"{path}: YAML として読めません: {e}", "インデントとコロンを確認してください") from e


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load every course and checklist below ``directory`` (default: the shipped catalog)."""
    root = directory or default_catalog_dir()
    loaders: list[tuple[str, str, Callable[[Path, Any], Requirement]]] = [
        ("courses", "course", lambda p, raw: _requirement(p, raw, "course")),
        ("checklists", "checklist", lambda p, raw: _requirement(p, raw, "checklist")),
    ]
    requirements: list[Requirement] = []
    seen: dict[str, Path] = {}
    names: dict[str, str] = {}
    for folder, _kind, load in loaders:
        base = root / folder
        if not base.is_dir():
            raise CatalogError(
                f"{base}: フォルダがありません",
                "カタログのフォルダには courses/ と checklists/ が必要です",
            )
        for path in sorted(base.glob("*.yaml")):
            raw = _read_yaml(path)
            requirement = load(path, raw)  # checked even when switched off
            if isinstance(raw, dict) and not _enabled(path, raw):
                continue
            if requirement.id in seen:
                raise CatalogError(f"{path}: id「{requirement.id}」は {seen[requirement.id]} と重複しています")
            seen[requirement.id] = path
            for name in requirement.names():
                key = normalize_name(name)
                if names.get(key, requirement.id) != requirement.id:
                    raise CatalogError(
                        f"{path}: 名前「{name}」は「{names[key]}」にも使われています",
                        "別名（aliases）はどの研修か一つに決まるようにしてください",
                    )
                names[key] = requirement.id
            requirements.append(requirement)
    if not requirements:
        raise CatalogError(f"{root}: 研修の定義が1つもありません")
    requirements.sort(key=lambda r: (r.kind != "course", r.order, r.id))
    return Catalog(tuple(requirements), exemption_kinds(root))


def _enabled(path: Path, raw: dict[str, Any]) -> bool:
    """``enabled: false`` keeps a requirement in the catalog folder without anyone owing it."""
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise CatalogError(f"{path}: enabled: true か false で書いてください（{enabled!r}）")
    return enabled


def exemption_kinds(root: Path) -> tuple[ExemptionKind, ...]:
    """The kinds of exemption in ``root/policy/exemptions.yaml`` (the shipped ones when a city's
    catalog has no ``policy/`` folder)."""
    path = root / "policy" / "exemptions.yaml"
    if not (root / "policy").is_dir():
        path = bundled_dir("policy") / "exemptions.yaml"
    r = _Reader(path)
    data = r.mapping(_read_yaml(path), "", _POLICY_KEYS)
    kinds: list[ExemptionKind] = []
    for i, raw in enumerate(r.typed(data["kinds"], "kinds", list, "リスト")):
        where = f"kinds[{i}]"
        item = r.mapping(raw, where, _KIND_KEYS)
        kind_id = r.identifier(item["id"], f"{where}.id")
        if any(k.id == kind_id for k in kinds):
            raise r.fail(f"{where}.id", f"id「{kind_id}」が重複しています")
        evidence = item.get("evidence", True)
        if not isinstance(evidence, bool):
            raise r.fail(f"{where}.evidence", f"true か false で書いてください（{evidence!r}）")
        note = r.text(item["note"], f"{where}.note") if "note" in item else ""
        kinds.append(ExemptionKind(kind_id, r.text(item["label"], f"{where}.label"), evidence, note))
    if not kinds:
        raise r.fail("kinds", "免除の種類が1つもありません")
    return tuple(kinds)


def legal_basis(directory: Path | None = None) -> tuple[LegalBasis, ...]:
    """The legal basis in ``directory/policy/legal.yaml`` (default: the catalog in use), in its
    order; the shipped wording when the city's catalog has no such file."""
    root = directory or default_catalog_dir()
    path = root / "policy" / "legal.yaml"
    if not path.is_file():
        path = bundled_dir("policy") / "legal.yaml"
    r = _Reader(path)
    data = r.mapping(_read_yaml(path), "", _LEGAL_KEYS)
    items: list[LegalBasis] = []
    for i, raw in enumerate(r.typed(data["basis"], "basis", list, "リスト")):
        where = f"basis[{i}]"
        item = r.mapping(raw, where, _BASIS_KEYS)
        basis_id = r.identifier(item["id"], f"{where}.id")
        if any(b.id == basis_id for b in items):
            raise r.fail(f"{where}.id", f"id「{basis_id}」が重複しています")
        text = _unfolded(r.text(item["text"], f"{where}.text"))
        items.append(LegalBasis(basis_id, r.text(item["title"], f"{where}.title"), text))
    if not items:
        raise r.fail("basis", "根拠が1つもありません", "番号法第29条の2 など、研修の根拠を書いてください")
    return tuple(items)


def _unfolded(text: str) -> str:
    """Text as YAML folded it, without the spaces folding puts between two Japanese lines."""
    text = re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", text)
    return " ".join(text.split())


def normalize_name(name: str) -> str:
    """A course name as compared with exports: NFKC, no spaces or middle dots, lower case."""
    text = unicodedata.normalize("NFKC", name)
    return re.sub(r"[\s・･()（）]", "", text).lower()


def find_requirement(catalog: Catalog, name: str) -> Requirement | None:
    """The requirement whose id, title, short title or alias matches ``name``."""
    exact = catalog.get(name)
    if exact is not None:
        return exact
    wanted = normalize_name(name)
    for requirement in catalog:
        if any(normalize_name(n) == wanted for n in requirement.names()):
            return requirement
    return None


def suggest_requirement(catalog: Catalog, name: str) -> str | None:
    """The closest catalog name to ``name``, for an error message."""
    candidates: dict[str, str] = {}
    for requirement in catalog:
        for n in requirement.names():
            candidates.setdefault(normalize_name(n), n)  # the title before its aliases
    import difflib  # (a suggestion for a mistyped name: loaded only then)

    close = difflib.get_close_matches(normalize_name(name), list(candidates), n=1, cutoff=0.4)
    return candidates[close[0]] if close else None
