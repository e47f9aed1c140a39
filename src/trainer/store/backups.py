"""Backups of the register (zip files in ``backups/``) and restoring one, crash-safely.

A backup is every data file of the folder at one moment, taken under the writer lock: the
partition files, the journal (with the manifest in its header), the change log and any damaged
bytes a repair kept. It is written to a temp file, fsynced and renamed, so a backup either exists
whole or not at all; the newest :data:`KEEP_BACKUPS` are kept.

A restore first backs up the current state, then stages the chosen zip as
``restore.pending.zip`` (the redo log) and replaces the files from it; a crash in between is
completed by the next open.
"""

from __future__ import annotations

import builtins
import os
import re
from datetime import datetime
from pathlib import Path

import orjson

from trainer.errors import StoreError
from trainer.store.files import (
    BINARY,
    PRIVATE_FILE,
    FdWriter,
    atomic_write,
    fsync_dir,
    make_private_dir,
)
from trainer.store.layout import is_partition_name, partition_files

KEEP_BACKUPS = 30
JOURNAL = "journal.jsonl"
CHANGELOG = "changelog.jsonl"
STAGED = "restore.pending.zip"
_DAMAGED = re.compile(r"^(journal|changelog)\.damaged-[0-9-]+\.bin$")


def is_data_file(name: str) -> bool:
    """A file a backup holds and a restore may write (never the lock, never a path)."""
    if name in (JOURNAL, CHANGELOG) or _DAMAGED.match(name):
        return True
    return name.endswith(".json") and is_partition_name(name[:-5])


class Backups:
    """The ``backups/`` folder of a register. Call with the register's lock held."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.dir = folder / "backups"

    def list(self) -> list[Path]:
        """Backups, newest first."""
        if not self.dir.is_dir():
            return []
        return sorted(self.dir.glob("*.zip"), reverse=True)

    def restore_hint(self) -> str:
        """What to do about a damaged file: restore the newest backup, named."""
        newest = self.list()[:1]
        if newest:
            return f"ファイルは変更していません。trainer restore {newest[0]} で直前のバックアップに戻せます"
        return "ファイルは変更していません。バックアップから戻すか、管理者に相談してください"

    def make(self, reason: str) -> Path:
        """Copy every data file into a new zip; keep the newest :data:`KEEP_BACKUPS`."""
        import zipfile  # (only backups and restores use it: every command opens the register)

        make_private_dir(self.dir)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in reason)[:40]
        target = self.dir / f"{stamp}-{safe}.zip"
        tmp = target.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | BINARY, PRIVATE_FILE)
        try:
            try:
                with FdWriter(fd) as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
                    for path in sorted(self.folder.iterdir()):
                        if is_data_file(path.name):
                            z.write(path, path.name)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(self.dir)
        for old in self.list()[KEEP_BACKUPS:]:
            old.unlink()
        return target

    def leftovers(self) -> builtins.list[Path]:  # "list" alone is the method above
        """Temp files of backups a dead process was writing."""
        return sorted(self.dir.glob("*.tmp")) if self.dir.is_dir() else []

    def stage(self, content: bytes) -> None:
        """Keep the backup to restore as the redo log of the restore (private, whole or absent)."""
        atomic_write(self.folder / STAGED, content)

    def finish_pending(self, names: builtins.list[str] | None = None) -> bool:
        """Complete a staged restore (idempotent: the staged zip is the redo log); True if there was one."""
        staged = self.folder / STAGED
        if not staged.exists():
            return False
        import zipfile

        names = names or check_backup(staged)
        with zipfile.ZipFile(staged) as z:
            for path in [*partition_files(self.folder), self.folder / CHANGELOG]:  # files the backup lacks go
                if path.name not in names and path.exists():
                    path.unlink()
            for name in names:
                atomic_write(self.folder / name, z.read(name))
        staged.unlink()
        fsync_dir(self.folder)
        return True


def check_backup(source: Path) -> list[str]:
    """The data files of a backup zip, after checking that it is one and that its JSON parses."""
    import zipfile

    try:
        with zipfile.ZipFile(source) as z:
            names = [n for n in z.namelist() if is_data_file(n)]
            if "main.json" not in names or JOURNAL not in names:
                raise StoreError(
                    f"{source} は trainer のバックアップではありません（main.json か journal.jsonl がありません）"
                )
            for name in names:
                if name.endswith(".json"):
                    orjson.loads(z.read(name))
            return names
    except (zipfile.BadZipFile, orjson.JSONDecodeError, OSError) as e:
        raise StoreError(f"バックアップを読めません: {source}: {e}", "別のバックアップを指定してください") from e
