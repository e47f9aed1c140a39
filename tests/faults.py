"""Every write, fsync and rename the store makes in a folder, counted, and one of them made to
fail (as a full or broken disk would) or the process to die right before it.

The store writes only through ``os.write``/``os.pwrite``, flushes through ``os.fsync``/
``os.fdatasync`` and renames through ``os.replace`` (looked up at call time), so patching those
sees every step. Only operations on files inside ``folder`` count (found through /proc).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

KINDS = ("write", "pwrite", "fsync", "fdatasync", "replace", "ftruncate")

needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name a descriptor")


def _fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


class FileOps:
    """Counts the store's file operations in ``folder``; ``on_op(n, kind, path)`` runs before each."""

    def __init__(self, folder: Path, on_op: Callable[[int, str, str], None] | None = None) -> None:
        self.folder = str(folder.resolve())
        self.on_op = on_op
        self.log: list[tuple[str, str]] = []

    def _inside(self, path: str) -> bool:
        """A file of the register (not ``lock``: what filelock does to it is filelock's, and
        differs between its versions)."""
        if path == os.path.join(self.folder, "lock"):
            return False
        return path == self.folder or path.startswith(self.folder + os.sep)

    def _seen(self, kind: str, path: str) -> None:
        if self._inside(path):
            self.log.append((kind, path))
            if self.on_op is not None:
                self.on_op(len(self.log), kind, path)

    @contextmanager
    def watching(self) -> Iterator[FileOps]:
        real = {kind: getattr(os, kind) for kind in KINDS if hasattr(os, kind)}

        def by_fd(kind: str) -> Callable[..., Any]:
            def wrapper(fd: int, *args: Any) -> Any:
                self._seen(kind, _fd_path(fd))
                return real[kind](fd, *args)

            return wrapper

        def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            self._seen("replace", str(Path(dst).resolve()))
            real["replace"](src, dst, *args, **kwargs)

        patched = {kind: by_fd(kind) for kind in real if kind != "replace"} | {"replace": replace}
        for kind, fn in patched.items():
            setattr(os, kind, fn)
        try:
            yield self
        finally:
            for kind, fn in real.items():
                setattr(os, kind, fn)


def count_ops(folder: Path, action: Callable[[], Any]) -> list[tuple[str, str]]:
    """The file operations ``action`` makes in ``folder``, in order."""
    ops = FileOps(folder)
    with ops.watching():
        action()
    return ops.log
