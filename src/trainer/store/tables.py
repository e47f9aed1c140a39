"""TinyDB over in-memory tables that write through the journal.

TinyDB's own ``Table`` rebuilds the whole table dict twice on every write (O(n)) and its
``JSONStorage`` rewrites the whole file. Here each partition (a JSON file in TinyDB's format) is
held in memory as :class:`TableData` (documents by id, plus a unique-key index), and
:class:`JournaledTable` hands TinyDB's update functions a view that touches only the documents
they change. Every touched document is reported to the open transaction, which journals the
changes on commit or restores the before-images on rollback.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

Doc = dict[str, Any]
Touch = Callable[[str, "TableData", str], None]


class TableData:
    """One table's documents (by string id) and its unique key index."""

    def __init__(self, name: str, key_fields: tuple[str, ...], docs: dict[str, Doc]) -> None:
        self.name = name
        self.key_fields = key_fields
        self.docs = docs
        self.index: dict[tuple[Any, ...], str] = {}
        for doc_id, doc in docs.items():
            self._index_add(doc_id, doc)

    def key_of(self, doc: Doc) -> tuple[Any, ...]:
        return tuple(doc.get(f) for f in self.key_fields)

    def _index_add(self, doc_id: str, doc: Doc) -> None:
        if self.key_fields:
            self.index[self.key_of(doc)] = doc_id

    def _index_remove(self, doc_id: str) -> None:
        old = self.docs.get(doc_id)
        if old is not None and self.key_fields:
            key = self.key_of(old)
            if self.index.get(key) == doc_id:
                del self.index[key]

    def set(self, doc_id: str, doc: Doc | None) -> None:
        """Put (or with ``None`` remove) a document, keeping the index right."""
        self._index_remove(doc_id)
        if doc is None:
            self.docs.pop(doc_id, None)
        else:
            self.docs[doc_id] = doc
            self._index_add(doc_id, doc)

    def find(self, *key: Any) -> str | None:
        return self.index.get(key)

    def reindex(self, doc_id: str) -> None:
        """Re-read the key of a document TinyDB changed in place."""
        self.index = {k: v for k, v in self.index.items() if v != doc_id}
        doc = self.docs.get(doc_id)
        if doc is not None:
            self._index_add(doc_id, doc)


class _IdView(MutableMapping[int, Doc]):
    """What TinyDB's update functions see: int ids over a :class:`TableData`, touch-tracked."""

    def __init__(self, data: TableData, touch: Touch) -> None:
        self._data = data
        self._touch = touch
        self._changed: set[str] = set()

    def __getitem__(self, doc_id: int) -> Doc:
        key = str(doc_id)
        doc = self._data.docs[key]
        self._touch(self._data.name, self._data, key)  # TinyDB may change it in place
        self._changed.add(key)
        return doc

    def __setitem__(self, doc_id: int, doc: Doc) -> None:
        key = str(doc_id)
        self._touch(self._data.name, self._data, key)
        self._data.set(key, doc)

    def __delitem__(self, doc_id: int) -> None:
        key = str(doc_id)
        if key not in self._data.docs:
            raise KeyError(doc_id)
        self._touch(self._data.name, self._data, key)
        self._data.set(key, None)

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._data.docs

    def __iter__(self) -> Iterator[int]:
        return iter([int(k) for k in self._data.docs])

    def __len__(self) -> int:
        return len(self._data.docs)

    def reindex_changed(self) -> None:
        for key in self._changed:
            self._data.reindex(key)


class PartitionStorage(Storage):
    """A TinyDB storage whose tables live in memory; the journal makes them durable."""

    def __init__(self, tables: dict[str, TableData], touch: Touch) -> None:
        self.tables = tables
        self.touch = touch

    def read(self) -> dict[str, dict[str, Doc]]:
        return {name: data.docs for name, data in self.tables.items()}

    def write(self, data: dict[str, dict[str, Doc]]) -> None:
        raise NotImplementedError("partitions are written through JournaledTable only")


class JournaledTable(Table):
    """A TinyDB table whose reads and writes cost what they touch, not the table's size."""

    def _data(self) -> TableData:
        storage: PartitionStorage = self._storage  # type: ignore[assignment]
        return storage.tables[self.name]

    def _read_table(self) -> dict[str, Doc]:
        return self._data().docs

    def _update_table(self, updater: Callable[[dict[int, Doc]], None]) -> None:
        storage: PartitionStorage = self._storage  # type: ignore[assignment]
        view = _IdView(self._data(), storage.touch)
        updater(view)  # type: ignore[arg-type]
        view.reindex_changed()
        self.clear_cache()

    def forget_next_id(self) -> None:
        """After another process wrote, the next free id must be looked up again."""
        self._next_id = None
        self.clear_cache()


class PartitionDB(TinyDB):
    table_class = JournaledTable
    default_table_name = "_meta"


def snapshot(doc: Doc | None) -> Doc | None:
    """A before-image that later in-place changes cannot reach."""
    return copy.deepcopy(doc)
