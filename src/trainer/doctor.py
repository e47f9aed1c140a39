"""trainer doctor: is this machine ready to print reports, and is this register healthy?

Each check gives one line: OK, 注意 (works, but something should be done) or 要対応 (reports or
writes are blocked until it is done), with what to do. The machine is checked even when there is
no register. Nothing here writes to the register: it is opened for inspection (as ``verify``
opens it) through the service, with a short lock wait.
"""

from __future__ import annotations

import os
import platform
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from trainer.errors import LockTimeoutError, TrainerError
from trainer.paths import shown_path
from trainer.reports import fonts
from trainer.settings import Settings

OK, WARN, BLOCKS = "OK", "注意", "要対応"

# What trainer needs at run time, as the user knows them (distribution names).
LIBRARIES = (
    "textual",
    "weasyprint",
    "tinydb",
    "jinja2",
    "pyyaml",
    "platformdirs",
    "filelock",
    "openpyxl",
    "orjson",
    "pypdf",
    "fonttools",
    "jpholiday",
)
PANGO_MIN = (1, 44)  # WeasyPrint's own requirement
BACKUP_DAYS = 30  # a backup older than this is worth a fresh one
JOURNAL_WARN_BYTES = 64 * 1024 * 1024  # a journal this big means its checkpoints keep failing
LOCK_WAIT = 5.0


@dataclass(frozen=True)
class Check:
    status: str  # OK, WARN or BLOCKS
    what: str
    todo: str = ""

    def __str__(self) -> str:
        line = f"[{self.status}] {self.what}"
        return f"{line}\n    → {self.todo}" if self.todo else line


@dataclass(frozen=True)
class Diagnosis:
    machine: list[Check]
    register: list[Check]
    db: Path

    @property
    def blocked(self) -> bool:
        return any(c.status == BLOCKS for c in self.machine + self.register)

    def counts(self) -> dict[str, int]:
        checks = self.machine + self.register
        return {status: sum(c.status == status for c in checks) for status in (BLOCKS, WARN, OK)}


# ---------------------------------------------------------------------------- the machine
def check_python() -> Check:
    version = platform.python_version()
    where = f"{platform.system()} {platform.machine()}"
    return Check(OK, f"Python {version}（{where}）")  # (trainer needs 3.11 or newer to start at all)


def check_libraries() -> Check:
    found, missing = [], []
    for name in ("trainer", *LIBRARIES):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return Check(
            BLOCKS,
            f"ライブラリがありません: {'、'.join(missing)}",
            "入れ直してください（scripts/setup、または uv tool install / pipx install で trainer を入れ直す）",
        )
    return Check(OK, "ライブラリ: " + "、".join(found))


def check_pango() -> list[Check]:
    """Pango (WeasyPrint's text engine) and HarfBuzz's subsetter, as WeasyPrint loaded them."""
    try:
        from weasyprint.text import ffi
    except OSError as e:  # a missing shared library: WeasyPrint cannot start at all
        return [
            Check(
                BLOCKS,
                f"WeasyPrint が Pango などのライブラリを読み込めません（PDF を作れません）: {e}",
                "Debian/Ubuntu: scripts/setup（libpango-1.0-0 libpangoft2-1.0-0）。"
                "Windows: WeasyPrint の説明どおり GTK3 の実行環境を入れ、WEASYPRINT_DLL_DIRECTORIES に"
                "その bin フォルダを指定。macOS: brew install pango",
            )
        ]
    raw = int(ffi.pango.pango_version())
    version = (raw // 10000, raw // 100 % 100, raw % 100)
    shown = ".".join(map(str, version))
    checks = []
    if version[:2] < PANGO_MIN:
        checks.append(
            Check(
                BLOCKS,
                f"Pango {shown} は古すぎます（WeasyPrint には 1.44 以上が必要）",
                "OS の Pango を新しくしてください（Debian 12 は 1.50）",
            )
        )
    else:
        checks.append(Check(OK, f"Pango {shown}（WeasyPrint には 1.44 以上が必要）"))
    if getattr(ffi, "harfbuzz_subset", None) is None:
        checks.append(
            Check(
                WARN,
                "HarfBuzz のフォント切り出し（libharfbuzz-subset）がありません: 日本語の PDF の作成が遅くなります"
                "（200人の名簿で 0.3秒が 8秒ほどに）",
                "Debian/Ubuntu: apt-get install libharfbuzz-subset0（scripts/setup が入れます）",
            )
        )
    else:
        checks.append(Check(OK, "HarfBuzz のフォント切り出し（libharfbuzz-subset）があります"))
    return checks


def _font_in_use(templates: Path, font: Path | None) -> fonts.Font | None:
    """The font a report would be printed with (see :mod:`trainer.reports.fonts`)."""
    city = fonts.city_font_file(templates, font)
    if city is not None:
        path, source = city
        return fonts.Font(path.name, path, source, fonts.missing_rare_kanji(path))
    if sys.platform in ("win32", "darwin"):
        return fonts.best_system_font()
    return fonts.fontconfig_font()


def check_font(templates: Path, font: Path | None = None) -> Check:
    """The font in use and whether its character map has the rare surname kanji."""
    from fontTools.ttLib import TTLibError

    rare = " ".join(fonts.RARE_KANJI)
    try:
        found = _font_in_use(templates, font)
    except OSError as e:
        return Check(BLOCKS, f"フォントを読めません: {e}", "TRAINER_FONT や fonts/ のフォントを確かめてください")
    except TTLibError as e:  # a file that is not a font
        return Check(
            BLOCKS,
            f"フォントのファイルとして読めません: {e}",
            "TRAINER_FONT や fonts/ に .ttf・.otf・.ttc のフォントを置いてください",
        )
    if found is None:
        return Check(
            BLOCKS,
            "日本語のフォントが見つかりません（PDF の文字が□になります）",
            "Debian/Ubuntu: scripts/setup（fonts-noto-cjk）。Windows: BIZ UDゴシック か 游ゴシック。"
            "macOS: ヒラギノ角ゴシック。または TRAINER_FONT にフォントのファイルを指定",
        )
    where = f"{found.name}（{shown_path(found.path)}、{found.source}）"
    if found.complete:
        return Check(OK, f"フォント: {where} は {rare} をすべて描けます")
    lacking = " ".join(found.missing)
    return Check(
        WARN,
        f"フォント: {where} には {lacking} がありません: この字の名前は代わりのフォントで印刷するか、□になります",
        "下の試し刷りを確かめてください。Noto Sans CJK JP（fonts-noto-cjk）などこの字を持つフォントを入れるか、"
        "TRAINER_FONT で指定してください",
    )


def check_printing(templates: Path, font: Path | None = None) -> Check:
    """Print the rare kanji to a tiny PDF the way reports are printed: any missing glyph fails."""
    from trainer.reports import render

    html = f"<html><body><p>{' '.join(fonts.RARE_KANJI)} 田中 花子</p></body></html>"
    try:
        data = render.pdf_bytes(templates, html, font)
    except TrainerError as e:
        return Check(BLOCKS, f"PDF の試し刷りに失敗しました: {e.message}", e.hint or "上の行を確かめてください")
    if not data.startswith(b"%PDF"):
        return Check(BLOCKS, "PDF の試し刷りが PDF になりませんでした", "WeasyPrint を入れ直してください")
    return Check(OK, f"PDF の試し刷り: {' '.join(fonts.RARE_KANJI)} を含む PDF を作れました（{len(data):,}バイト）")


def check_machine(templates: Path | None = None, font: Path | None = None) -> list[Check]:
    from trainer.reports.render import ReportError, templates_dir

    checks = [check_python(), check_libraries(), *check_pango()]
    if any(c.status == BLOCKS for c in checks[2:]):
        return checks  # without Pango nothing can be printed: the font checks would only repeat it
    try:
        folder = templates_dir(templates)
    except ReportError as e:
        return [*checks, Check(BLOCKS, e.message, e.hint)]
    return [*checks, check_font(folder, font), check_printing(folder, font)]


# ---------------------------------------------------------------------------- the register
def _private(folder: Path) -> Iterator[Path]:
    """Files and folders of the register that others may read (POSIX only)."""
    for path in [folder, *folder.iterdir()]:
        if path.is_symlink():
            continue
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            yield path


def check_permissions(folder: Path, read_only: bool) -> list[Check]:
    checks = []
    if read_only:
        checks.append(
            Check(
                BLOCKS,
                f"{shown_path(folder)} には書き込めません（読み取り専用か、権限がありません）: 記録・取込はできません",
                "書き込み権限のある人に頼むか、書き込める場所にコピーしてください（読むだけのコマンドは使えます）",
            )
        )
    else:
        checks.append(Check(OK, "データベースのフォルダに書き込めます"))
    if os.name != "nt":  # POSIX modes mean nothing on Windows (see trainer.store.files)
        open_to_others = list(_private(folder))
        if open_to_others:
            names = "、".join(p.name for p in open_to_others[:5])
            checks.append(
                Check(
                    WARN,
                    f"ほかの利用者も読めるファイルがあります: {names}（職員の名前が入っています）",
                    f"chmod -R go-rwx {folder}",
                )
            )
    return checks


def check_lock(holder: str | None) -> Check:
    if holder is None:
        return Check(OK, "ロック: いま書き込んでいる人はいません")
    return Check(
        WARN,
        f"ロック: {holder} が書き込み中です（その間、ほかの書き込みは待ちます）",
        "その作業が終わるのを待ってください。終わっているはずなら、その PC で trainer を閉じてください",
    )


def check_journal(folder: Path) -> Check:
    size = (folder / "journal.jsonl").stat().st_size
    shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"
    if size > JOURNAL_WARN_BYTES:
        return Check(
            WARN,
            f"ジャーナル: {shown}（まとめ書き（チェックポイント）が進んでいないようです）",
            "ディスクの空きと書き込み権限を確かめてから、trainer backup を実行してください",
        )
    return Check(OK, f"ジャーナル: {shown}")


def check_backups(backups: list[Path], now: datetime) -> Check:
    if not backups:
        return Check(WARN, "バックアップがまだありません", "trainer backup で作ってください")
    newest = backups[0]
    made = datetime.fromtimestamp(newest.stat().st_mtime)
    days = (now - made).days
    when = f"{made:%Y-%m-%d %H:%M}（{days}日前）"
    if days > BACKUP_DAYS:
        return Check(
            WARN,
            f"最後のバックアップ: {when}、{newest.name}",
            "trainer backup で新しいものを作り、backups/ を別の場所にもコピーしてください",
        )
    return Check(OK, f"最後のバックアップ: {when}、{newest.name}")


def check_register(db: Path, catalog: Path | None, now: Callable[[], datetime] = datetime.now) -> list[Check]:
    """The register's health through the service; a register that is not there is said so."""
    from trainer.service import Service

    if not db.exists():
        return [
            Check(
                OK,
                f"データベース {shown_path(db)} はありません（この PC の点検だけをしました）",
                "",
            )
        ]
    try:
        svc = Service.open(db, catalog, create=False, inspect=True, lock_timeout=LOCK_WAIT)
    except LockTimeoutError as e:
        return [Check(WARN, f"データベースを開けません（ほかの人が書き込み中）: {e.message}", e.hint)]
    except TrainerError as e:
        return [Check(BLOCKS, f"データベースを開けません: {e.message}", e.hint)]
    try:
        svc.catalog  # noqa: B018  (read when first used: a broken catalog is named here, not at the next record)
    except TrainerError as e:
        svc.close()
        return [Check(BLOCKS, f"研修カタログを読めません: {e.message}", e.hint)]
    try:
        folder = svc.register.folder
        checks = check_permissions(folder, svc.register.db.read_only)
        checks.append(check_lock(svc.lock_holder()))
        checks.append(check_journal(folder))
        checks.append(check_backups(svc.register.db.backups(), now()))
        result = svc.verify()
        if result.ok:
            checks.append(
                Check(
                    OK,
                    f"検証: 変更履歴 {result.entries}件のつながりが正しく、データベースは履歴と一致し、"
                    f"署名済みの名簿 {result.signoffs}件は名簿コードと一致します",
                )
            )
        else:
            first = "; ".join(str(f) for f in result.findings[:3])
            checks.append(
                Check(
                    BLOCKS,
                    f"検証: 問題が {len(result.findings)}件 あります（{first}）",
                    "trainer verify で一覧を見て、trainer backup --list のバックアップから戻すか、"
                    "管理者に相談してください",
                )
            )
        return checks
    finally:
        svc.close()


def diagnose(settings: Settings, templates: Path | None = None) -> Diagnosis:
    """The machine and the register the settings name (``templates``: ``doctor --reports``)."""
    machine = check_machine(templates or settings.templates, settings.font)
    return Diagnosis(machine, check_register(settings.db, settings.catalog), settings.db)
