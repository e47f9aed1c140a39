"""The command palette: every action of the app under a prefixed Japanese name, and every person
(by 職員番号, 氏名 or カナ) and division, opened from there."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, Hit, Hits, Provider
from textual.widgets.option_list import Option

from trainer.text import search_key

if TYPE_CHECKING:
    from trainer.tui.app import TrainerApp

COMMANDS = (
    ("画面: ダッシュボード", "show_tab('dashboard')", "年度の状況・期限・所属別"),
    ("職員: 検索", "search", "職員番号・氏名・カナで探す"),
    ("職員: 一括記録", "bulk", "選んだ人をまとめて修了にする"),
    ("職員: 期限超過だけ表示", "only_overdue", "期限を過ぎた人だけに絞る"),
    ("チェックシート: 所属の修了を記録", "checkpoint", "項目を見て、確認した人と確認日を記録"),
    ("取込: ファイルを取り込む", "show_tab('import')", "職員名簿・受講状況・チェックシート"),
    ("レポート: 修了者名簿", "show_tab('reports')", "所属ごとの名簿（PDF）"),
    ("レポート: 監査用報告", "show_tab('reports')", "年度の監査用 PDF"),
    ("署名: 所属長の確認を記録", "show_tab('reports')", "名簿コードで署名を記録"),
    ("変更: 最後の変更を元に戻す", "undo", "何を戻すか確かめてから元に戻す"),
    ("年度: 前の年度", "year(-1)", "前の年度を表示"),
    ("年度: 次の年度", "year(1)", "次の年度を表示"),
    ("表示: ライト／ダーク", "toggle_theme", "配色を切り替える"),
    ("ヘルプ: キー操作", "help", "キーの一覧"),
    ("アプリ: 終了", "quit", "trainer を終える"),
)
MOST_PEOPLE = 20  # hits per search: the palette is for opening one person, the list for browsing


class TrainerCommands(Provider):
    async def discover(self) -> Hits:
        for name, action, help_text in COMMANDS:
            yield Hit(1.0, name, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action), help=help_text)


class PeopleCommands(Provider):
    """Every person the staff list holds (outside scope too) and every division."""

    async def search(self, query: str) -> Hits:
        app: TrainerApp = self.app  # type: ignore[assignment]
        key = search_key(query)
        if not key or app.service is None:
            return
        found = 0
        for row in app.staff_rows():
            if key not in row.key:
                continue
            score = 1.0 if row.staff_id == key else 0.9 if row.staff_id.startswith(key) else 0.7
            yield Hit(
                score,
                f"職員: {row.staff_id} {row.name}（{row.kana}）",
                partial(app.open_staff, row.staff_id),
                help=f"{row.division} {row.division_name}・{row.state_label}"
                + (f"・{row.outside}" if row.outside else ""),
            )
            found += 1
            if found >= MOST_PEOPLE:
                break
        for division in app.service.divisions():
            if key in search_key(f"{division.code} {division.name}"):
                yield Hit(
                    0.95 if division.code == key else 0.8,
                    f"所属: {division.code} {division.name}",
                    partial(app.show_division, division.code),
                    help="職員の一覧をこの所属で表示",
                )


class TrainerPalette(CommandPalette):
    """Textual's palette, in Japanese (its own words are English)."""

    BINDINGS = [Binding("escape", "escape", "閉じる", id="palette.close", tooltip="コマンドパレットを閉じる")]

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """Textual's, saying 「見つかりません」 instead of "No matches found"."""
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text("見つかりません", style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)
