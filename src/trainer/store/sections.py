"""One table of a partition file read a document at a time, without parsing the rest.

A partition file (see :mod:`trainer.store.layout`) holds one document per line, ids in
ascending order, each table between a ``"name": {`` line and a ``}`` line. Once the whole file
has matched the manifest's digest, its bytes are what the register wrote, so a command that
needs one person (``staff show``, one ``record``) can pick that person's lines out of the bytes
instead of parsing 200,000 documents: a document by its id, or every document whose first key
field has a value (found by the value's JSON text, then parsed and compared, so a match in
another field is dropped). :class:`~trainer.store.tables.TableData` parses the whole table on
the first use that needs every document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from trainer.errors import CorruptDatabaseError

PREFIX = b'{\n"_meta": {"1": '
SUFFIX = b"\n}\n"
Doc = dict[str, Any]


class Section:
    """The documents of one table in a partition file's bytes (``data[start:end]``)."""

    __slots__ = ("_ids", "_matches", "_parsed", "data", "end", "path", "scans", "start", "verify")

    def __init__(self, data: bytes, start: int, end: int, path: str = "") -> None:
        self.data = data
        self.path = path  # the file, for a message
        self.start = start  # just after the table's "{": the first document line begins with "\n"
        self.end = end  # the "\n" before the table's closing "}"
        self._parsed: dict[int, tuple[str, Doc]] = {}  # line start -> (id, document)
        self._ids: dict[str, Doc] = {}  # the documents parsed so far, by id
        self._matches: dict[tuple[str, Any], dict[str, Doc]] = {}  # (field, value) -> what matching found
        self.scans = 0  # how many lookups read the bytes (the rest were answered from the above)
        # Hashes the file's bytes against the manifest before the table is parsed whole, when the
        # digest was taken on trust from the file's unchanged times (checked.py): what a
        # checkpoint writes again is never bytes nobody hashed.
        self.verify: Callable[[], None] | None = None

    @property
    def empty(self) -> bool:
        return self.end <= self.start

    def all(self) -> dict[str, Doc]:
        """Every document by id (the whole table parsed)."""
        if self.verify is not None:
            self.verify()
        if self.empty:
            return {}
        try:
            docs = orjson.loads(b"{" + self.data[self.start : self.end] + b"}")
        except orjson.JSONDecodeError as e:
            raise self._damage(f"JSON として読めません: {e}") from e
        if not isinstance(docs, dict) or not all(isinstance(d, dict) for d in docs.values()):
            raise self._damage("文書でない値があります")
        return docs

    def _damage(self, what: str) -> CorruptDatabaseError:
        # (only reachable if the bytes changed after they matched the manifest's digest)
        return CorruptDatabaseError(
            f"データベースのファイルが壊れています（{what}）: {self.path}", "trainer verify で確かめてください"
        )

    def known(self, doc_id: str) -> Doc | None:
        """The document with this id if a lookup has parsed its line already (None: not known)."""
        return self._ids.get(doc_id)

    def known_matching(self, field: str, value: Any) -> dict[str, Doc] | None:
        """What :meth:`matching` found for this field and value before (None: not asked yet)."""
        return self._matches.get((field, value))

    def by_id(self, doc_id: str) -> Doc | None:
        """The document with this id, or None."""
        if doc_id in self._ids:
            return self._ids[doc_id]
        self.scans += 1
        at = self.data.find(b'\n"%s": ' % doc_id.encode(), self.start, self.end)
        return None if at < 0 else self._line(at + 1)[1]

    def matching(self, field: str, value: Any) -> dict[str, Doc]:
        """Every document whose ``field`` equals ``value`` (a string), by id.

        The lines are found by ``"field":"value"``, the JSON text the register writes for it (orjson,
        which puts no space after the colon, wrote every line of a file that matched the manifest):
        a longer text is found twice as fast as the value alone. A match elsewhere in a line (in a
        nested document) is parsed and dropped; one inside a string cannot occur (its quotes are
        escaped there)."""
        known = self._matches.get((field, value))
        if known is not None:
            return dict(known)
        self.scans += 1
        needle = orjson.dumps(field) + b":" + orjson.dumps(value)
        found: dict[str, Doc] = {}
        at = self.data.find(needle, self.start, self.end)
        while at >= 0:
            line = self.data.rfind(b"\n", self.start, at) + 1
            doc_id, doc = self._line(line)
            if doc.get(field) == value:
                found[doc_id] = doc
            after = self.data.find(b"\n", at, self.end)
            at = -1 if after < 0 else self.data.find(needle, after, self.end)
        self._matches[(field, value)] = dict(found)
        return found

    def last_id(self) -> int:
        """The highest id (the last line: ids are in ascending order), 0 for an empty table."""
        if self.empty:
            return 0
        return int(self._line(self.data.rfind(b"\n", self.start, self.end) + 1)[0])

    def _line(self, start: int) -> tuple[str, Doc]:
        parsed = self._parsed.get(start)
        if parsed is None:
            end = self.data.find(b"\n", start, self.end)
            line = self.data[start : self.end if end < 0 else end].rstrip(b",")
            try:
                one = orjson.loads(b"{" + line + b"}")
            except orjson.JSONDecodeError as e:
                raise self._damage(f"{start} バイト目の行が JSON として読めません: {e}") from e
            if not isinstance(one, dict) or len(one) != 1 or not isinstance(next(iter(one.values())), dict):
                raise self._damage(f"{start} バイト目の行が一つの文書ではありません")
            ((doc_id, doc),) = one.items()
            parsed = self._parsed[start] = (doc_id, doc)
            self._ids[doc_id] = doc
        return parsed


def split_tables(data: bytes, names: list[str], path: str = "") -> tuple[dict[str, Any], dict[str, Section]] | None:
    """The ``_meta`` document and each table's section, or None when the bytes are not in the
    one-document-per-line layout the register writes (an older file: parse it whole)."""
    if not data.startswith(PREFIX) or not data.endswith(SUFFIX):
        return None
    meta_end = data.find(b"\n", len(PREFIX))
    line = data[len(PREFIX) : meta_end].rstrip(b",")  # {...}} : the _meta document, then its table's "}"
    if meta_end < 0 or not line.endswith(b"}}"):
        return None
    try:
        meta = orjson.loads(line[:-1])
    except orjson.JSONDecodeError:
        return None
    if not isinstance(meta, dict):
        return None
    spans = meta.get("tables")
    sections = _placed(data, names, spans, path) if isinstance(spans, dict) else _scanned(data, names, meta_end, path)
    return None if sections is None else (meta, sections)


def _placed(data: bytes, names: list[str], spans: dict[str, Any], path: str) -> dict[str, Section] | None:
    """The sections where ``_meta`` says they are (each checked: its header before, its close after)."""
    sections: dict[str, Section] = {}
    for name in names:
        span = spans.get(name)
        if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)):
            return None
        start, end = span
        header = b'\n"%s": {' % name.encode()
        close = b"}" if start == end else b"\n}"
        if not (0 < start <= end and data.endswith(header, 0, start) and data.startswith(close, end)):
            return None
        sections[name] = Section(data, start, end, path)
    return sections


def _scanned(data: bytes, names: list[str], at: int, path: str) -> dict[str, Section] | None:
    """The sections found by reading the file for each table's header and close (a file written
    before ``_meta`` said where they are)."""
    sections: dict[str, Section] = {}
    for name in names:
        header = b'\n"%s": {' % name.encode()
        if not data.startswith(header, at):
            return None
        start = at + len(header)
        if data.startswith(b"}", start):  # an empty table: "name": {}
            sections[name] = Section(data, start, start, path)
            at = start + 1
        else:
            close = data.find(b"\n}", start)
            if close < 0:
                return None
            sections[name] = Section(data, start, close, path)
            at = close + 2
        if data.startswith(b",", at):
            at += 1
    return sections if at == len(data) - len(SUFFIX) else None
