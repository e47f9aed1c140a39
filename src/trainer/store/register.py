"""The register as model objects: the one API the service layer uses to read and write."""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from trainer.model import Division, Exemption, Record, Staff
from trainer.store import codec
from trainer.store.database import MAIN, SIGNOFFS, Database, year_partition
from trainer.store.lock import DEFAULT_TIMEOUT
from trainer.store.tables import detached

T = TypeVar("T")


class Register:
    """Divisions, staff, records, exemptions and settings, stored in a :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def open(
        cls,
        folder: Path,
        create: bool = True,
        lock_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
        inspect: bool = False,
    ) -> Register:
        """``inspect`` (verify): open even when a file differs from the manifest, to report it."""
        return cls(Database.open(folder, create=create, lock_timeout=lock_timeout, clock=clock, inspect=inspect))

    @property
    def folder(self) -> Path:
        return self.db.folder

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    def refresh(self) -> None:
        self.db.refresh()

    def close(self) -> None:
        self.db.close()

    # ----------------------------------------------------------------- generic
    def _all(self, partition: str, table: str, decode: Callable[[dict[str, Any]], T]) -> list[T]:
        return [decode(doc) for doc in self.db.data(partition, table).docs.values()]

    def _get(self, partition: str, table: str, decode: Callable[[dict[str, Any]], T], *key: Any) -> T | None:
        data = self.db.data(partition, table)
        doc_id = data.find(*key)
        doc = None if doc_id is None else data.get(doc_id)
        return None if doc is None else decode(doc)

    def _put_many(self, partition: str, table: str, docs: Iterable[dict[str, Any]]) -> int:
        """Insert or replace documents by their key; returns how many changed."""
        data = self.db.data(partition, table)
        tinytable = self.db.table(partition, table)
        new: dict[tuple[Any, ...], dict[str, Any]] = {}
        changed: dict[int, dict[str, Any]] = {}
        for doc in docs:
            key = data.key_of(doc)
            doc_id = data.find(*key)
            if doc_id is None:
                new[key] = doc  # the last of two with one key wins, as it would one by one
            elif data.get(doc_id) != doc:
                changed[int(doc_id)] = doc
        if changed:
            tinytable.replace_many(changed)
        if new:
            tinytable.insert_owned(list(new.values()))
        return len(changed) + len(new)

    def document(self, partition: str, table: str, doc_id: str) -> dict[str, Any] | None:
        """A document by its id as the change log names it (a copy), or None."""
        doc = self.db.data(partition, table).get(doc_id)
        return None if doc is None else detached(doc)

    def document_id(self, partition: str, table: str, doc: dict[str, Any]) -> str | None:
        """The id of the document that has ``doc``'s key now, if any."""
        data = self.db.data(partition, table)
        return data.find(*data.key_of(doc))

    def put_document(self, partition: str, table: str, doc_id: str, doc: dict[str, Any] | None) -> None:
        """Put a document back exactly as the change log holds it, under its id (None: remove it).

        Inside a transaction: undoing a change writes the documents' earlier images this way."""

        self.db.table(partition, table).put_by_id(int(doc_id), doc)

    # ---------------------------------------------------------------- settings
    def setting(self, key: str, default: Any = None) -> Any:
        """A setting's value (a copy: changing it changes nothing until :meth:`put_setting`)."""
        data = self.db.data(MAIN, "settings")
        doc_id = data.find(key)
        doc = None if doc_id is None else data.get(doc_id)
        return default if doc is None else detached(doc["value"])

    def setting_as_stored(self, key: str) -> Any:
        """A setting's stored value itself, not a copy: for a caller that only compares it by
        identity (a write replaces the document, so a new object means a new value) and never
        changes it. None when there is none."""
        data = self.db.data(MAIN, "settings")
        doc_id = data.find(key)
        doc = None if doc_id is None else data.get(doc_id)
        return None if doc is None else doc["value"]

    def put_setting(self, key: str, value: Any) -> None:
        self._put_many(MAIN, "settings", [{"key": key, "value": value}])

    # ------------------------------------------------------- the year's catalog
    def year_catalog(self, fiscal_year: int) -> dict[str, Any] | None:
        """The catalog frozen for ``fiscal_year`` (``{"catalog", "frozen_at", "how"}``), if any."""
        doc: dict[str, Any] | None = self.setting(f"catalog/{fiscal_year}")
        return doc

    def put_year_catalog(self, fiscal_year: int, doc: dict[str, Any]) -> None:
        self.put_setting(f"catalog/{fiscal_year}", doc)

    # --------------------------------------------------------------- divisions
    def divisions(self) -> list[Division]:
        return sorted(self._all(MAIN, "divisions", codec.division_from_doc), key=lambda d: d.code)

    def division(self, code: str) -> Division | None:
        return self._get(MAIN, "divisions", codec.division_from_doc, code)

    def divisions_with(self, codes: Collection[str]) -> dict[str, Division]:
        """The divisions with these codes, by code (a code with none is left out): a few are
        looked up one by one (only their lines are read), more from the whole table."""
        if self.db.data(MAIN, "divisions").few(len(codes)):
            found = {code: self.division(code) for code in codes}
            return {code: d for code, d in found.items() if d is not None}
        return {d.code: d for d in self.divisions() if d.code in codes}

    def put_divisions(self, divisions: Iterable[Division]) -> int:
        return self._put_many(MAIN, "divisions", (codec.division_to_doc(d) for d in divisions))

    # ------------------------------------------------------------------- staff
    def all_staff(self, ever_in: str | None = None) -> list[Staff]:
        """Everyone; with ``ever_in``, only people assigned to that division at some time (their
        main post or a concurrent one)."""
        data = self.db.data(MAIN, "staff")
        everyone = data.docs
        if len(set(map(operator.itemgetter("staff_id"), everyone.values()))) < len(everyone):
            data.refuse_duplicates()  # two people under one 職員番号: damage, refused and named
        docs: Iterable[dict[str, Any]] = everyone.values()
        if ever_in is not None:
            docs = [
                d
                for d in docs
                if any(a["division"] == ever_in for a in d["assignments"])
                or any(c["division"] == ever_in for c in d.get("concurrent", ()))
            ]
        return [codec.staff_from_doc(doc) for doc in docs]

    def staff(self, staff_id: str) -> Staff | None:
        return self._get(MAIN, "staff", codec.staff_from_doc, staff_id)

    def staff_ids(self) -> list[str]:
        return [key[0] for key in self.db.data(MAIN, "staff").index]

    def put_staff(self, people: Iterable[Staff]) -> int:
        return self._put_many(MAIN, "staff", (codec.staff_to_doc(s) for s in people))

    # ----------------------------------------------------------------- records
    def records(self, fiscal_year: int, of: set[str] | None = None) -> dict[str, dict[str, Record]]:
        """Records of the year by staff id, then requirement id (only of the ``of`` staff, if given)."""
        data = self.db.data(year_partition(fiscal_year), "records")
        docs: Iterable[dict[str, Any]]
        if of is not None and data.few(len(of)):  # a few people: only their lines
            docs = [d for staff_id in of for d in data.where_first(staff_id).values()]
        else:
            docs = data.docs.values()
            if of is not None:
                docs = [d for d in docs if d["staff_id"] in of]
        return codec.records_by_staff(docs, fiscal_year)

    def record(self, fiscal_year: int, staff_id: str, requirement: str) -> Record | None:
        data = self.db.data(year_partition(fiscal_year), "records")
        doc_id = data.find(staff_id, requirement)
        doc = None if doc_id is None else data.get(doc_id)
        return None if doc is None else codec.record_from_doc(doc, fiscal_year)

    def put_records(self, records: Iterable[Record]) -> int:
        by_year: dict[int, list[dict[str, Any]]] = {}
        for r in records:
            by_year.setdefault(r.fiscal_year, []).append(codec.record_to_doc(r))
        return sum(self._put_many(year_partition(fy), "records", docs) for fy, docs in by_year.items())

    # -------------------------------------------------------------- exemptions
    def exemptions(self, fiscal_year: int) -> dict[str, list[Exemption]]:
        result: dict[str, list[Exemption]] = {}
        for doc in self.db.data(year_partition(fiscal_year), "exemptions").docs.values():
            e = codec.exemption_from_doc(doc, fiscal_year)
            result.setdefault(e.staff_id, []).append(e)
        return result

    def exemptions_of(self, fiscal_year: int, staff_id: str) -> list[Exemption]:
        """One person's exemptions of the year, revoked ones too, in the order they were numbered."""
        data = self.db.data(year_partition(fiscal_year), "exemptions")
        found = [codec.exemption_from_doc(doc, fiscal_year) for doc in data.where_first(staff_id).values()]
        return sorted(found, key=lambda e: e.no)

    def next_exemption_no(self, fiscal_year: int) -> int:
        """The number the year's next exemption gets (one more than the highest)."""
        docs = self.db.data(year_partition(fiscal_year), "exemptions").docs.values()
        return max((int(d.get("no") or 0) for d in docs), default=0) + 1

    def unnumbered_exemptions(self, fiscal_year: int) -> list[Exemption]:
        """Exemptions recorded before they were numbered (a register from before schema 3)."""
        docs = self.db.data(year_partition(fiscal_year), "exemptions").docs
        return [codec.exemption_from_doc(docs[i], fiscal_year) for i in sorted(docs, key=int) if not docs[i].get("no")]

    def replace_exemption(self, old: Exemption, new: Exemption) -> None:
        """Put ``new`` in place of ``old`` (the same document; its key may change)."""
        data = self.db.data(year_partition(old.fiscal_year), "exemptions")
        doc_id = data.find(old.staff_id, old.requirement, old.no or None)
        if doc_id is None:
            raise KeyError((old.staff_id, old.requirement, old.no))
        self.db.table(year_partition(old.fiscal_year), "exemptions").replace_many(
            {int(doc_id): codec.exemption_to_doc(new)}
        )

    def put_exemptions(self, exemptions: Iterable[Exemption]) -> int:
        by_year: dict[int, list[dict[str, Any]]] = {}
        for e in exemptions:
            by_year.setdefault(e.fiscal_year, []).append(codec.exemption_to_doc(e))
        return sum(self._put_many(year_partition(fy), "exemptions", docs) for fy, docs in by_year.items())

    # ---------------------------------------------------------------- sign-offs
    def signoff(self, code: str) -> dict[str, Any] | None:
        """A sign-off by its code (a copy: changing it changes nothing until :meth:`put_signoff`)."""
        data = self.db.data(SIGNOFFS, "signoffs")
        doc_id = data.find(code)
        doc = None if doc_id is None else data.get(doc_id)
        return None if doc is None else detached(doc)

    def signoffs(self) -> list[dict[str, Any]]:
        """Every sign-off (copies)."""
        docs: list[dict[str, Any]] = detached(list(self.db.data(SIGNOFFS, "signoffs").docs.values()))
        return docs

    def put_signoff(self, doc: dict[str, Any]) -> None:
        self._put_many(SIGNOFFS, "signoffs", [doc])

    def signoff_index(self) -> dict[str, dict[str, Any]]:
        """The sign-off in force per "fiscal year/division" (small; kept in main.json)."""
        return self.setting("signoff_index", {}) or {}

    def put_signoff_index(self, index: dict[str, dict[str, Any]]) -> None:
        self.put_setting("signoff_index", index)

    def fiscal_years(self) -> list[int]:
        return sorted(int(name[2:]) for name in self.db.year_partitions())

    def clear(self) -> None:
        """Remove every document (inside a transaction; back up first)."""
        years = [year_partition(fy) for fy in self.fiscal_years()]
        for partition, tables in [(MAIN, ("divisions", "staff")), *[(p, ("records", "exemptions")) for p in years]]:
            for table in tables:
                self.db.table(partition, table).truncate()

    def is_empty(self) -> bool:
        return self.db.data(MAIN, "staff").empty and self.db.data(MAIN, "divisions").empty
