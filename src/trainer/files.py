"""Files the user names: what an operating-system error means in words, and where an output goes.

Outputs (exports, reports, the list of an import's problems) are written whole or not at all:
a temporary file beside the target, fsynced, then renamed over it
(:func:`trainer.store.files.atomic_write`). A full disk, a file-size limit, a missing or read-only
folder becomes a :class:`~trainer.errors.FileError` naming the file and what to do; the old file,
if there was one, is left as it was, and no temporary file stays behind.

Where an output goes (:func:`output_file`): a file in a folder that exists. A missing folder is
refused (a mistyped path never creates folders); an existing folder given where a file is wanted
gets the file inside it under its usual name when it has one (``report audit -o 監査/``), and is
refused otherwise (``export 監査/``). :func:`output_folder` is for outputs that are a folder (the
rosters): it is made when missing.

A report's ``-o`` (:func:`report_output`) takes a file for one document and a folder for several:
one document goes to a file named with the format's extension (``-o r120.pdf``), or under its
usual name into a folder that exists (or, for a roster, is made); several documents go into a
folder, made when missing. What cannot be told apart is refused with what to type instead: a
name without an extension that is no folder (for one document other than a roster), a file name
(or an existing file) for several documents, an extension that is not the format's.
"""

from __future__ import annotations

import errno
from pathlib import Path

from trainer.errors import FileError
from trainer.store.files import atomic_write, make_private_dir

_REASONS = {
    errno.ENOSPC: ("ディスクの空きがありません", "空きを作るか、別のドライブ・フォルダに書き出してください"),
    errno.EDQUOT: (
        "ディスクの割り当て（クォータ）を超えました",
        "不要なファイルを消すか、別の場所に書き出してください",
    ),
    errno.EFBIG: (
        "ファイルが大きすぎます（ファイルシステムかこのプロセスの上限を超えました）",
        "所属などで絞り込むか、大きなファイルを置ける場所に書き出してください",
    ),
    errno.EACCES: ("書き込む（読む）権限がありません", "権限のあるフォルダを指定するか、管理者に相談してください"),
    errno.EPERM: ("操作が許可されていません", "権限のあるフォルダを指定するか、管理者に相談してください"),
    errno.EROFS: ("読み取り専用の場所です", "書き込めるフォルダを指定してください"),
    errno.ENOENT: ("ファイルかフォルダがありません", "パスを確認してください"),
    errno.ENOTDIR: ("途中にフォルダでないものがあります", "パスを確認してください"),
    errno.EISDIR: ("フォルダです", "ファイルを指定してください"),
    errno.ENAMETOOLONG: ("名前が長すぎます", "短い名前にしてください"),
    errno.EIO: ("入出力エラーです（ディスクや接続先の不調）", "ディスクやネットワークの状態を確かめてください"),
}


def reason(error: OSError) -> tuple[str, str]:
    """(what went wrong, what to do) for an OSError, in Japanese."""
    found = _REASONS.get(error.errno or 0)
    if found is not None:
        return found
    return (error.strerror or str(error), "パスと空き容量、権限を確かめてください")


def input_file(path: Path, what: str = "ファイル") -> Path:
    """A file to read: refused when it is missing or a folder."""
    if path.is_dir():
        raise FileError(f"{what} {path} はフォルダです", f"読み込む{what}を指定してください")
    if not path.exists():
        raise FileError(f"{what}がありません: {path}", "パスを確認してください")
    return path


def read_bytes(path: Path, what: str = "ファイル") -> bytes:
    """The whole file, or a FileError saying why it cannot be read."""
    input_file(path, what)
    try:
        return path.read_bytes()
    except OSError as e:
        why, hint = reason(e)
        raise FileError(f"{what} {path} を読めません: {why}", hint) from e


def output_file(path: Path, usual_name: str | None = None) -> Path:
    """Where a file is written: ``path``, or ``path/usual_name`` when ``path`` is a folder."""
    path = Path(path)
    if path.is_dir():
        if usual_name is None:
            raise FileError(
                f"{path} はフォルダです", f"書き出すファイルの名前まで指定してください（例: {path / '受講状況.xlsx'}）"
            )
        path = path / usual_name
        if path.is_dir():
            raise FileError(f"{path} はフォルダです", "別の名前か場所を指定してください")
    folder = path.parent
    if not folder.exists():
        raise FileError(
            f"書き出す先のフォルダ {folder} がありません", "先にフォルダを作るか、あるフォルダを指定してください"
        )
    if not folder.is_dir():
        raise FileError(f"{folder} はフォルダではありません", "書き出す先のフォルダを確かめてください")
    return path


def output_folder(path: Path) -> Path:
    """A folder to write files into, made (with its parents, owner-only whatever the umask:
    rosters name people) when missing."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FileError(
            f"{path} はフォルダではありません（同じ名前のファイルがあります）", "別のフォルダを指定してください"
        )
    try:
        make_private_dir(path)
    except OSError as e:
        why, hint = reason(e)
        raise FileError(f"フォルダ {path} を作れません: {why}", hint) from e
    return path


# Extensions that make a name a file's: given where several files go, it is refused.
FILE_SUFFIXES = frozenset({".pdf", ".html", ".htm", ".csv", ".xlsx", ".xls", ".txt", ".json", ".zip"})


def report_output(
    given: Path | str, usual_name: str, several: bool = False, folder_made: bool = False
) -> tuple[Path, bool]:
    """Where a report goes, from what ``-o`` said: (the path, whether it is a folder).

    ``usual_name``: the file's name in a folder (its extension is the format's); ``several``:
    more than one file is written (a folder, made when missing); ``folder_made``: one document
    that has always gone into a folder (a roster) may make it, as ``-o 名簿`` always did.
    """
    text = str(given)
    path = Path(text)
    slash = text.endswith(("/", "\\"))
    suffix = Path(usual_name).suffix
    if several:
        if path.is_file() or (not path.exists() and path.suffix.lower() in FILE_SUFFIXES and not slash):
            raise FileError(
                f"{path} はファイル{'です' if path.is_file() else 'の名前です'}が、書き出すファイルは複数あります",
                f"フォルダを指定してください（例: {path.with_suffix('')}/）",
            )
        return output_folder(path), True
    if path.is_dir() or slash or (folder_made and not path.exists() and not path.suffix):
        if not path.is_dir() and not folder_made:
            raise FileError(
                f"書き出す先のフォルダ {path} がありません", "先にフォルダを作るか、あるフォルダを指定してください"
            )
        return output_folder(path) / usual_name, False
    accepted = {suffix, ".htm"} if suffix == ".html" else {suffix}
    if path.suffix.lower() not in accepted:
        if path.suffix.lower() in FILE_SUFFIXES:
            other = path.suffix.lstrip(".").lower()
            raise FileError(
                f"{path} の拡張子 {path.suffix} は、書き出す形式（{suffix}）と違います",
                f"名前を {path.with_suffix(suffix).name} にするか、形式を --format {other} にしてください",
            )
        if path.exists():
            raise FileError(
                f"{path} はフォルダではありません（同じ名前のファイルがあります）",
                f"フォルダか、{suffix} で終わるファイル名を指定してください",
            )
        raise FileError(
            f"{path} がファイルの名前かフォルダの名前か分かりません（拡張子がなく、その名前のフォルダもありません）",
            f"ファイルなら {path.name}{suffix} のように拡張子を付け、フォルダなら先に作るか {path}/ と書いてください",
        )
    return output_file(path), False


def write_file(path: Path, data: bytes | str | list[bytes], usual_name: str | None = None) -> Path:
    """Write ``data`` (bytes, text as UTF-8, or chunks) whole to :func:`output_file` (``path``,
    ``usual_name``); returns where it went."""
    target = output_file(path, usual_name)
    try:
        atomic_write(target, data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as e:
        why, hint = reason(e)
        raise FileError(f"{target} を書き出せません: {why}（書きかけのファイルは残していません）", hint) from e
    return target
