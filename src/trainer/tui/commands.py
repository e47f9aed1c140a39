"""The command palette: every action of the app under a prefixed Japanese name."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

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
    ("年度: 前の年度", "year(-1)", "前の年度を表示"),
    ("年度: 次の年度", "year(1)", "次の年度を表示"),
    ("表示: ライト／ダーク", "toggle_theme", "配色を切り替える"),
    ("ヘルプ: キー操作", "help", "キーの一覧"),
    ("アプリ: 終了", "quit", "trainer を終える"),
)


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
