"""Find the columns an importer needs by their Japanese (or English) headers, or a mapping file."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from trainer.errors import InputError
from trainer.guard import refusal
from trainer.importers.problems import Problems
from trainer.importers.table import Table
from trainer.importers.values import text


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the canonical Japanese header
    aliases: tuple[str, ...]
    required: bool = False


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).lower()
    return re.sub(r"[\s_・()（）\[\]【】]", "", text)


@dataclass(frozen=True, slots=True)
class Mapping:
    """A city's own headers: ``columns`` maps our column names to the file's headers."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]]


def load_mapping(path: Path, known: list[Column]) -> Mapping:
    """Read a YAML mapping file strictly (unknown keys and columns are refused)."""
    if path.is_dir():
        raise InputError(f"対応表 {path} はフォルダです", "対応表の YAML ファイルを指定してください")
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"対応表 {path} を読めません: {e}", "YAML（UTF-8）で書いてください") from e
    why = refusal(source)
    if why is not None:
        raise InputError(f"対応表 {path} に{why}", "対応表から消してから、もう一度取り込んでください")
    try:
        raw = yaml.safe_load(source) or {}
    except yaml.YAMLError as e:
        raise InputError(f"対応表 {path} を読めません: {e}", "YAML（UTF-8）で書いてください") from e
    if not isinstance(raw, dict):
        raise InputError(f"対応表 {path} は「columns:」で始まるマッピングにしてください")
    for key in raw:
        if key not in ("columns", "values"):
            close = difflib.get_close_matches(str(key), ["columns", "values"], n=1)
            raise InputError(
                f"対応表 {path}: 知らないキー「{key}」です（使えるキー: columns、values）",
                f"「{close[0]}」のことですか？" if close else "",
            )
    names = [c.name for c in known]
    columns = raw.get("columns") or {}
    values = raw.get("values") or {}
    if not isinstance(columns, dict) or not isinstance(values, dict):
        raise InputError(f"対応表 {path}: columns と values はマッピングで書いてください")
    for name in [*columns, *values]:
        if name not in names:
            close = difflib.get_close_matches(str(name), names, n=1)
            raise InputError(
                f"対応表 {path}: 列名「{name}」はこの取込にありません（使える列: {'、'.join(names)}）",
                f"「{close[0]}」のことですか？" if close else "",
            )
    return Mapping(
        {str(k): str(v) for k, v in columns.items()},
        {str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in values.items()},
    )


def locate(table: Table, wanted: list[Column], mapping: Mapping | None, problems: Problems) -> dict[str, int]:
    """Column name -> index in the file. A missing required column is a problem (row 1)."""
    keys = [_key(h) for h in table.headers]
    found: dict[str, int] = {}
    for column in wanted:
        candidates = [mapping.columns[column.name]] if mapping and column.name in mapping.columns else []
        candidates += [column.name, *column.aliases]
        for candidate in candidates:
            key = _key(candidate)
            if key in keys:
                found[column.name] = keys.index(key)
                break
        else:
            if column.required:
                close = difflib.get_close_matches(_key(column.name), keys, n=1, cutoff=0.5)
                hint = f"近い見出し「{table.headers[keys.index(close[0])]}」" if close else ""
                problems.add(
                    1,
                    column.name,
                    "必要な列がありません",
                    f"見出しに「{column.name}」（または {'、'.join(column.aliases[:4])}）が必要です"
                    + (f"。{hint}を使うなら --mapping で対応表を指定してください" if hint else ""),
                )
    return found


def cell(row_cells: tuple[Any, ...], index: int | None) -> Any:
    if index is None or index >= len(row_cells):
        return ""
    return row_cells[index]


def value_of(row_cells: tuple[Any, ...], at: dict[str, int], column: str, mapping: Mapping | None) -> Any:
    """A row's value of one of our columns, translated by the mapping's ``values`` when it has one."""
    value = cell(row_cells, at.get(column))
    if mapping is None or column not in mapping.values:
        return value
    translated = mapping.values[column].get(text(value))
    return translated if translated is not None else value
