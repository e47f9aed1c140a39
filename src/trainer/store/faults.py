"""A fault of the disk or the folder (full, read-only, not ours, broken) as a message, not a traceback.

Every public operation of the store runs inside :func:`reported`: an :class:`OSError` from a
write, an fsync, a rename or a read becomes a :class:`~trainer.errors.StoreError` that says what
was being done, on which file, why (in words), what state the register is in, and what to do.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from trainer.errors import StoreError

FULL = {errno.ENOSPC, errno.EDQUOT}
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}

_WHY = {
    errno.ENOSPC: "ディスクの空きがありません",
    errno.EDQUOT: "ディスクの使用量の上限（クォータ）に達しました",
    errno.EROFS: "読み取り専用の場所です",
    errno.EACCES: "権限がありません",
    errno.EPERM: "権限がありません",
    errno.EFBIG: "ファイルがファイルシステムの上限より大きくなります",
    errno.EIO: "ディスクの読み書きに失敗しました（装置の故障のおそれがあります）",
    errno.ENOENT: "ファイルがありません",
}


def why(e: OSError) -> str:
    """The cause of an OS error, in words."""
    words = _WHY.get(e.errno or 0) or e.strerror or str(e)
    return f"{words}（{errno.errorcode.get(e.errno or 0, e.errno)}）" if e.errno else words


def what_to_do(e: OSError) -> str:
    if e.errno in FULL:
        return "ディスクの空きを作ってから、もう一度実行してください"
    if e.errno in READ_ONLY:
        return "フォルダとファイルの書き込み権限（所有者）を確認してください。読むだけのコマンドは使えます"
    if e.errno == errno.EFBIG:
        return "ファイルの大きさの上限がもっと大きいディスク（ファイルシステム）に移してください"
    if e.errno == errno.EIO:
        return "ディスクを点検してください。backups/ のバックアップを別のディスクにもコピーしておくと安全です"
    return "ディスクとフォルダの状態を確認してから、もう一度実行してください"


def store_error(e: OSError, doing: str, state: str = "") -> StoreError:
    """``doing`` failed because of ``e``; ``state`` says what that left (what is safe, what is not)."""
    where = f": {e.filename}" if e.filename and str(e.filename) not in doing else ""
    message = f"{doing}に失敗しました{where}: {why(e)}"
    return StoreError(message + (f"。{state}" if state else ""), what_to_do(e))


@contextmanager
def reported(doing: str, state: str = "") -> Iterator[None]:
    """Turn an :class:`OSError` inside into a :class:`StoreError` (a TrainerError passes as it is)."""
    try:
        yield
    except OSError as e:
        raise store_error(e, doing, state) from e
