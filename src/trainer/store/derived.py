"""Derived files: caches computed from the register, never a source of truth.

They live in ``cache/`` in the register's folder, outside the manifest, the backups and
``verify``: deleting one changes no figure, only the time the next command takes. Each is one
header line (the format, a SHA-256 of the body) and a JSON body, written atomically and private.
A file that is missing, of another format, damaged or cut is simply not there (``None``): the
caller computes afresh and writes it again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson

from trainer.store.files import atomic_write, make_private_dir

FOLDER = "cache"


class DerivedFile:
    def __init__(self, folder: Path, name: str, kind: str) -> None:
        self.path = folder / FOLDER / name
        self.kind = kind

    def read(self) -> dict[str, Any] | None:
        """The body, or None when there is no sound file of this kind."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return None  # missing or unreadable: computed afresh (a derived file is never needed)
        header, _, body = data.partition(b"\n")
        try:
            meta = orjson.loads(header)
            if meta.get("kind") != self.kind or meta.get("sha256") != hashlib.sha256(body).hexdigest():
                return None
            found = orjson.loads(body)
        except (orjson.JSONDecodeError, AttributeError):
            return None
        return found if isinstance(found, dict) else None

    def write(self, body: dict[str, Any]) -> None:
        """Replace the file whole (temp file, fsync, rename); raises OSError when it cannot."""
        data = orjson.dumps(body)
        header = orjson.dumps({"kind": self.kind, "sha256": hashlib.sha256(data).hexdigest()})
        make_private_dir(self.path.parent)
        atomic_write(self.path, [header, b"\n", data])
