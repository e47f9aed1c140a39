"""The manifest: which partition files the register has, and what each must hold.

It is kept in the journal's header (written atomically with each new journal, at the end of a
checkpoint): for each partition, the journal generation the file includes and the SHA-256 of its
bytes. A checkpoint writes an intent line in the journal (the new digest) before it replaces a
file, so after a crash at any step every file matches the header or an intent.

On load, a listed file that is missing, a file whose digest is neither the listed one nor an
intended one, and a partition file the manifest does not know are refused, never read as an
empty year. A register written before manifests (``files`` is None) is read as before and gets
a manifest from its next checkpoint, made on its first writable open.
"""

from __future__ import annotations

from pathlib import Path

from trainer.store.layout import digest, partition_files

FileEntry = tuple[int, str]  # (generation the file includes, SHA-256)


class Manifest:
    def __init__(self, folder: Path, files: dict[str, FileEntry] | None = None) -> None:
        self.folder = folder
        self.files = files  # None: a register from before manifests
        self.intents: dict[str, set[str]] = {}  # digests an unfinished checkpoint may have written
        self.on_disk: dict[str, FileEntry] = dict(files or {})  # what each file we read or wrote holds

    def known(self) -> set[str]:
        """The partitions whose files exist (or, before manifests, the files there are)."""
        if self.files is None:
            return {p.stem for p in partition_files(self.folder) if p.exists()}
        return set(self.files) | set(self.intents)

    def intend(self, name: str, sha: str) -> None:
        self.intents.setdefault(name, set()).add(sha)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def missing(self, name: str) -> str:
        gen = self.files[name][0] if self.files and name in self.files else "?"
        return f"{self.path(name)} がありません（第{gen}世代まで書いたファイルです）。空の年度として読むことはしません"

    def unknown(self, name: str) -> str:
        return (
            f"{self.path(name)} はこのデータベースのファイルの一覧（マニフェスト）にありません"
            "（外から置かれたか、別のデータベースのファイルです）"
        )

    def file_problems(self) -> list[tuple[str, str]]:
        """(partition, problem) for every listed file that is missing and every unknown one."""
        if self.files is None:
            return []
        found = [(name, self.missing(name)) for name in sorted(self.files) if not self.path(name).exists()]
        known = self.known()
        found += [(p.stem, self.unknown(p.stem)) for p in partition_files(self.folder) if p.stem not in known]
        return found

    def problem(self, name: str, data: bytes | None, sha: str | None = None) -> str | None:
        """What is wrong with the file of ``name`` holding ``data`` (None: absent), if anything
        (``sha``: the data's digest, when the caller has it already)."""
        if self.files is None:
            return None
        listed = self.files.get(name)
        if data is None:
            return self.missing(name) if listed is not None else None
        allowed = ({listed[1]} if listed else set()) | self.intents.get(name, set())
        if (sha or digest(data)) in allowed:
            return None
        if listed is None and name not in self.intents:
            return self.unknown(name)
        return (
            f"{self.path(name)} の内容が、trainer が最後に書いたときと違います"
            "（書き換えられたか、別のファイルと差し替えられています。trainer verify で違いを確かめられます）"
        )
