"""Which partition files were hashed already, and what their metadata was then.

Every command holds each file it relies on against the manifest's SHA-256; hashing 27 MB of a
year's records costs more than answering a question about one person. As ``make`` and ``git``
do, a file whose size, inode, modification and change times are what they were when its bytes
were last hashed has not been written since: its digest is taken as it was. Any write through
the file system changes the change time (which no program can set back), so an edit, a cut, a
copy from elsewhere or a restore is hashed again and refused if it differs. A file written less
than two seconds before it was hashed is not noted (a second write within the clock's tick could
leave the same times). ``trainer verify`` hashes every byte whatever this says, and a table is
hashed before it is parsed whole (so a checkpoint never writes again bytes nobody hashed).
On Windows, where the change time is the creation time, every file is hashed.

This is a derived file (``cache/files.checked``, see :mod:`trainer.store.derived`): deleting it
changes nothing but the time; a damaged one is not used.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from trainer.store.derived import DerivedFile

RACY_NS = 2_000_000_000  # a file younger than this when hashed is hashed again next time


def stamp(st: os.stat_result) -> list[int]:
    """What changes whenever a file is written: its size, inode, modification and change times."""
    return [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


class CheckedFiles:
    """The digests of the register's files as last hashed, by partition name."""

    def __init__(self, folder: Path) -> None:
        self.file = DerivedFile(folder, "files.checked", "files-checked")
        self._entries: dict[str, list[object]] | None = None

    def _read(self) -> dict[str, list[object]]:
        if self._entries is None:
            body = self.file.read() or {}
            self._entries = {k: v for k, v in body.items() if isinstance(v, list) and len(v) == 5}
        return self._entries

    def digest(self, name: str, st: os.stat_result) -> str | None:
        """The file's digest as last hashed, if its metadata ``st`` says it was not written since."""
        if os.name == "nt":  # (st_ctime is the creation time there: an edit in place keeps it)
            return None
        entry = self._read().get(name)
        if entry is None:
            return None
        sha = entry[0]
        return sha if isinstance(sha, str) and entry[1:] == stamp(st) else None

    def note(self, name: str, path: Path, sha: str, st: os.stat_result) -> str | None:
        """Remember that the file, as ``st`` found it before it was read, hashed to ``sha``. Nothing
        is noted for a file written just now or changed since ``st``. Returns what could not be
        written, if anything (the next command then hashes the file again)."""
        if os.name == "nt":
            return None
        try:
            now = path.stat()
        except OSError:
            return None
        if stamp(now) != stamp(st) or time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
            return None
        entries = self._read()
        entry: list[object] = [sha, *stamp(st)]
        if entries.get(name) == entry:
            return None
        entries[name] = entry
        try:
            self.file.write(dict(entries))
        except OSError as e:
            return (
                f"ファイルの確認結果（{self.file.path}）を書けませんでした（{e.strerror}）。"
                "次回もファイル全体を確かめます"
            )
        return None
