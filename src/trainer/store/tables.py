"""TinyDB over in-memory tables that write through the journal.

TinyDB's own ``Table`` rebuilds the whole table dict twice on every write (O(n)) and its
``JSONStorage`` rewrites the whole file. Here each partition (a JSON file in TinyDB's format) is
held in memory as :class:`TableData` (documents by id, plus a unique-key index), and
:class:`JournaledTable` hands TinyDB's update functions a view that touches only the documents
they change. Every touched document is reported to the open transaction, which journals the
changes on commit or restores the before-images on rollback.

No trap for callers: a table handle finds its partition's current data on every call, so a
handle kept across a reload (another process checkpointed) writes into what the register holds
now; the next free id is kept with the data, not in the handle; documents a TinyDB table
hands out are copies, and documents handed in are copied, so changing one in memory can never
bypass the journal; ``truncate`` costs one step per document. :class:`TableData`'s own lookups
(``get``, ``where_first``, ``docs``) return the stored documents themselves, for the register
to decode or copy: they are never to be changed in place.
"""

from __future__ import annotations

import copy
import operator
import threading
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from trainer.store.codec import duplicate_key
from trainer.store.sections import Section

Doc = dict[str, Any]
# touch(table, data, doc_id, copy): remember the document's before-image (a deep copy if ``copy``)
Touch = Callable[[str, "TableData", str, bool], None]


class TableData:
    """One table's documents (by string id) and its unique key index (built when first used).

    A table may start *unread*: its :class:`~trainer.store.sections.Section` of the partition
    file's bytes, plus the documents changed since (the journal's, this process's). Looking up
    one document by id or by its first key field then parses only the lines that hold it; the
    first use that needs every document (``docs``, ``index``) parses the table and applies the
    changes, after which it is an ordinary table.
    """

    def __init__(
        self, name: str, key_fields: tuple[str, ...], docs: dict[str, Doc], section: Section | None = None
    ) -> None:
        self.name = name
        self.key_fields = key_fields
        self._docs: dict[str, Doc] | None = docs if section is None else None
        self._section = section
        self._changed: dict[str, Doc | None] = {}  # while unread: documents put (None: removed) since
        # While unread, every step runs under this lock: a reader in one thread parsing the table
        # whole and a writer in another putting a document can never lose the document.
        self._unread_lock = threading.RLock()
        self._index: dict[tuple[Any, ...], str] | None = None
        self._next_id: int | None = None
        self._getter: Callable[[Doc], tuple[Any, ...]]
        self._field: Callable[[Doc], Any] | None = None  # one key field: itemgetter of it
        if not key_fields:
            self._getter = _no_key
        elif len(key_fields) > 1:
            self._getter = operator.itemgetter(*key_fields)  # a tuple of them
        else:
            one = self._field = operator.itemgetter(key_fields[0])
            self._getter = lambda doc: (one(doc),)

    @property
    def docs(self) -> dict[str, Doc]:
        """Every document by id (an unread table is parsed whole now)."""
        docs = self._docs
        if docs is None:
            with self._unread_lock:
                if self._docs is None:
                    assert self._section is not None
                    parsed = self._section.all()
                    for doc_id, doc in self._changed.items():
                        if doc is None:
                            parsed.pop(doc_id, None)
                        else:
                            parsed[doc_id] = doc
                    self._docs, self._section, self._changed = parsed, None, {}
                docs = self._docs
        return docs

    @property
    def read(self) -> bool:
        """Whether every document is in memory (not only the lines looked up so far)."""
        return self._docs is not None

    @property
    def empty(self) -> bool:
        with self._unread_lock:
            return self._empty()

    def _empty(self) -> bool:
        if self._docs is not None:
            return not self._docs
        assert self._section is not None
        if any(doc is not None for doc in self._changed.values()):
            return False
        if self._section.empty:
            return True
        return bool(self._changed) and not self.docs  # removals only: whether any line is left

    def few(self, lookups: int = 1) -> bool:
        """Whether ``lookups`` more lookups of an unread table still cost less than parsing it.

        A lookup scans the table's bytes (about a sixteenth of what parsing them costs): after
        ``SCANS`` of them the table is parsed whole, so a command that looks up many people pays
        at most about a quarter more than if it had parsed the table first."""
        return self._section is not None and self._section.scans + lookups <= SCANS

    def _scan(self) -> Section | None:
        """The unread table's bytes for one more lookup, or None once it is read (or now parsed)."""
        if self._docs is None and not self.few():
            self.docs  # noqa: B018  (parsed whole: further lookups use the index)
        return self._section

    def get(self, doc_id: str) -> Doc | None:
        """The document with this id, or None (an unread table parses only its line)."""
        if self._docs is not None:
            return self._docs.get(doc_id)
        with self._unread_lock:
            return self._get(doc_id)

    def _get(self, doc_id: str) -> Doc | None:
        if self._docs is None:
            if doc_id in self._changed:
                return self._changed[doc_id]
            assert self._section is not None
            known = self._section.known(doc_id)
            if known is not None:
                return known
        section = self._scan()
        return self.docs.get(doc_id) if section is None else section.by_id(doc_id)

    def lend(self, doc_id: str) -> Doc:
        """The document itself, to be changed in place inside a transaction (KeyError if none)."""
        with self._unread_lock:
            if self._docs is not None:
                return self._docs[doc_id]
            doc = self._get(doc_id)
            if doc is None:
                raise KeyError(doc_id)
            if self._docs is None:  # (the lookup may have parsed the table)
                self._changed[doc_id] = doc  # changed in place: kept when the table is parsed whole
            return doc

    def where_first(self, value: Any) -> dict[str, Doc]:
        """Every document whose first key field equals ``value``, by id (e.g. one person's records)."""
        with self._unread_lock:
            return self._where_first(value)

    def _where_first(self, value: Any) -> dict[str, Doc]:
        first = self.key_fields[0]
        known = self._section.known_matching(first, value) if self._section is not None else None
        section = self._section if known is not None else self._scan() if isinstance(value, str) else None
        if section is None:
            if self._field is not None:  # one key field: the index has it
                doc_id = self.index.get((value,))
                return {} if doc_id is None else {doc_id: self.docs[doc_id]}
            return {i: d for i, d in self.docs.items() if d.get(first) == value}
        found = {i: d for i, d in (known or section.matching(first, value)).items() if i not in self._changed}
        found.update((i, d) for i, d in self._changed.items() if d is not None and d.get(first) == value)
        return found

    @property
    def index(self) -> dict[tuple[Any, ...], str]:
        """The id of each document by its key (two documents under one key: damage, refused)."""
        if self._index is None:
            docs = self.docs
            try:  # every key read in C (a register's first lookup reads every document's key)
                keys = zip(map(self._field, docs.values())) if self._field else map(self._getter, docs.values())
                index = dict(zip(keys, docs.keys(), strict=True))
            except (KeyError, TypeError):  # a document without a key field: one at a time
                key_of = self.key_of
                index = {key_of(doc): doc_id for doc_id, doc in docs.items()}
            if len(index) < len(docs):
                self.refuse_duplicates()
            self._index = index
        return self._index

    def refuse_duplicates(self) -> None:
        """Raise if two documents have the same complete key (documents without one are let be)."""
        if not self.key_fields:
            return
        seen: dict[tuple[Any, ...], list[str]] = {}
        for doc_id, doc in self.docs.items():
            key = self.key_of(doc)
            if None not in key:
                seen.setdefault(key, []).append(doc_id)
        twice = next(((key, ids) for key, ids in seen.items() if len(ids) > 1), None)
        if twice is not None:
            raise duplicate_key(self.name, twice[0], twice[1])

    def key_of(self, doc: Doc) -> tuple[Any, ...]:
        """The document's key fields as a tuple (``None`` for a missing one)."""
        try:
            return self._getter(doc)
        except (KeyError, TypeError):
            return tuple(doc.get(f) for f in self.key_fields)

    def allocate_id(self) -> int:
        """The id for a new document (one more than any there is or was handed out since)."""
        with self._unread_lock:
            if self._next_id is None:
                if self._docs is not None:
                    self._next_id = max(map(int, self._docs), default=0) + 1
                else:
                    assert self._section is not None
                    self._next_id = max(self._section.last_id(), *map(int, self._changed), 0) + 1
            self._next_id += 1
            return self._next_id - 1

    def restart_ids(self) -> None:
        """After a truncate, ids start again from 1 (as TinyDB's do)."""
        self._next_id = None

    def set(self, doc_id: str, doc: Doc | None) -> None:
        """Put (or with ``None`` remove) a document, keeping the index right."""
        if self._docs is None:
            with self._unread_lock:
                if self._docs is None:
                    self._changed[doc_id] = doc
                    if doc is not None and self._next_id is not None and int(doc_id) >= self._next_id:
                        self._next_id = int(doc_id) + 1
                    return
        old = self._docs.get(doc_id)
        if doc is None:
            self._docs.pop(doc_id, None)
        else:
            self._docs[doc_id] = doc
            if self._next_id is not None and int(doc_id) >= self._next_id:
                self._next_id = int(doc_id) + 1
        if self._index is None:
            return
        key = self.key_of(doc) if doc is not None else None
        if old is not None:
            old_key = self.key_of(old)
            if old_key != key and self._index.get(old_key) == doc_id:
                del self._index[old_key]
        if key is not None:
            self._index[key] = doc_id

    def find(self, *key: Any) -> str | None:
        """The id of the document with this key (an unread table parses only the candidates' lines)."""
        if self._docs is None and key and isinstance(key[0], str) and self.few():
            found = [doc_id for doc_id, doc in self.where_first(key[0]).items() if self.key_of(doc) == key]
            if len(found) > 1:
                raise duplicate_key(self.name, key, found)
            return found[0] if found else None
        return self.index.get(key)

    def rekey(self, doc_id: str, old_key: tuple[Any, ...]) -> None:
        """A document was changed in place (TinyDB's update): move its index entry."""
        if self._index is None:
            return
        if self._index.get(old_key) == doc_id:
            del self._index[old_key]
        doc = self.docs.get(doc_id)
        if doc is not None:
            self._index[self.key_of(doc)] = doc_id


SCANS = 4  # lookups of an unread table before it is parsed whole (see TableData.few)


def _no_key(doc: Doc) -> tuple[Any, ...]:
    return ()


class _IdView(MutableMapping[int, Doc]):
    """What TinyDB's update functions see: int ids over a :class:`TableData`, touch-tracked.

    A document handed out by ``view[id]`` may be changed in place, so its before-image is a deep
    copy; a document replaced by ``view[id] = doc`` keeps the old object untouched as its
    before-image, with no copy.
    """

    def __init__(self, data: TableData, touch: Touch, owned: bool = False) -> None:
        self._data = data
        self._touch = touch
        self._owned = owned  # documents handed in belong to the table (else they are copied)
        self._lent: dict[str, tuple[Any, ...]] = {}

    def __getitem__(self, doc_id: int) -> Doc:
        key = str(doc_id)
        doc = self._data.lend(key)
        if key not in self._lent:
            self._touch(self._data.name, self._data, key, True)
            self._lent[key] = self._data.key_of(doc)
        return doc

    def __setitem__(self, doc_id: int, doc: Doc) -> None:
        key = str(doc_id)
        self._touch(self._data.name, self._data, key, False)
        self._data.set(key, doc if self._owned else detached(doc))
        self._lent.pop(key, None)

    def __delitem__(self, doc_id: int) -> None:
        key = str(doc_id)
        if self._data.get(key) is None:
            raise KeyError(doc_id)
        self._touch(self._data.name, self._data, key, False)
        self._data.set(key, None)
        self._lent.pop(key, None)

    def __contains__(self, doc_id: object) -> bool:
        return self._data.get(str(doc_id)) is not None

    def __iter__(self) -> Iterator[int]:
        return iter([int(k) for k in self._data.docs])

    def __len__(self) -> int:
        return len(self._data.docs)

    def clear(self) -> None:
        """Remove every document, one step each (MutableMapping's would rebuild the ids per document)."""
        for key in list(self._data.docs):
            self._touch(self._data.name, self._data, key, False)
            self._data.set(key, None)
        self._lent.clear()

    def rekey_lent(self) -> None:
        for key, old_key in self._lent.items():
            self._data.rekey(key, old_key)


class PartitionStorage(Storage):
    """A TinyDB storage whose tables live in memory; the journal makes them durable.

    ``tables`` finds the partition's tables as the register holds them now (they are replaced
    when it reloads after another process's checkpoint).
    """

    def __init__(self, tables: Callable[[], dict[str, TableData]], touch: Touch) -> None:
        self.tables = tables
        self.touch = touch

    def read(self) -> dict[str, dict[str, Doc]]:
        return {name: data.docs for name, data in self.tables().items()}

    def write(self, data: dict[str, dict[str, Doc]]) -> None:
        raise NotImplementedError("partitions are written through JournaledTable only")


class JournaledTable(Table):
    """A TinyDB table whose reads and writes cost what they touch, not the table's size."""

    def _data(self) -> TableData:
        storage: PartitionStorage = self._storage  # type: ignore[assignment]  # TinyDB: Storage; ours always this
        return storage.tables()[self.name]

    # TinyDB types these two hooks over dict[..., Mapping] (dict is invariant): ours are dicts of
    # dicts, and TinyDB's own updaters use only the mapping protocol of what they are handed.
    def _read_table(self) -> dict[str, Doc]:  # type: ignore[override]
        return self._data().docs

    def _get_next_id(self) -> int:
        return self._data().allocate_id()

    def _update_table(  # type: ignore[override]
        self, updater: Callable[[MutableMapping[int, Doc]], None], owned: bool = False
    ) -> None:
        storage: PartitionStorage = self._storage  # type: ignore[assignment]  # TinyDB: Storage; ours always this
        view = _IdView(self._data(), storage.touch, owned)
        updater(view)
        view.rekey_lent()
        self.clear_cache()

    def truncate(self) -> None:
        super().truncate()
        self._data().restart_ids()

    # Documents handed out are copies: changing one cannot reach the register behind the journal.
    def __iter__(self) -> Iterator[Document]:
        for doc in super().__iter__():
            yield Document(detached(doc), doc.doc_id)

    def search(self, cond: Any) -> list[Document]:
        return [Document(detached(doc), doc.doc_id) for doc in super().search(cond)]

    def get(self, *args: Any, **kwargs: Any) -> Any:
        found = super().get(*args, **kwargs)
        if isinstance(found, list):
            return [Document(detached(doc), doc.doc_id) for doc in found]
        return None if found is None else Document(detached(found), found.doc_id)

    def replace_many(self, docs: dict[int, Doc]) -> None:
        """Replace whole documents by id in one update; the table takes them over (no copying)."""

        def updater(table: MutableMapping[int, Doc]) -> None:
            for doc_id, doc in docs.items():
                if doc_id not in table:
                    raise KeyError(doc_id)
                table[doc_id] = doc

        self._update_table(updater, owned=True)

    def insert_owned(self, docs: list[Doc]) -> None:
        """Insert new documents; the table takes them over (no copying: they were built for it)."""

        def updater(table: MutableMapping[int, Doc]) -> None:
            for doc in docs:
                table[self._get_next_id()] = doc

        self._update_table(updater, owned=True)

    def put_by_id(self, doc_id: int, doc: Doc | None) -> None:
        """Put a whole document under its id (a copy), or with None remove it: a change undone."""

        def updater(table: MutableMapping[int, Doc]) -> None:
            if doc is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = doc

        self._update_table(updater)


class PartitionDB(TinyDB):
    table_class = JournaledTable
    default_table_name = "_meta"


def snapshot(doc: Doc | None) -> Doc | None:
    """A before-image that later in-place changes cannot reach."""
    return copy.deepcopy(doc)


def detached(doc: Any) -> Any:
    """A deep copy of a JSON value (an order of magnitude quicker than ``copy.deepcopy``)."""
    return orjson.loads(orjson.dumps(doc))
