"""The year's accounting in every document: leavers, 期限前, exemptions as decisions."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from trainer.cli import main
from trainer.service import Service

TODAY = date(2026, 12, 1)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(path).pages))


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """市民税課: one who finished, a September retiree who did nothing, a transfer out of 利用事務
    who did one course, an approved exemption and a revoked one."""
    folder = tmp_path_factory.mktemp("year") / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.add_division("160", "市民税課", "課長", "山田 一郎")
    svc.add_division("510", "総務課", "課長", "佐藤 二郎")
    people = [("000001", "修了 花子"), ("141543", "退職 太郎"), ("341724", "異動 次郎"), ("000004", "免除 三郎")]
    for sid, name in [*people, ("000005", "取消 四郎")]:
        svc.add_staff(sid, name, "カナ", "160", "主事", "正規職員", "利用事務", "2015-04-01")
    for requirement in ("intro", "rules", "flow", "security", "checkpoint"):
        svc.record("000001", requirement, date(2026, 10, 15))
    svc.record("341724", "intro", date(2026, 7, 20))
    svc.retire("141543", date(2026, 9, 30))
    svc.transfer("341724", "510", date(2026, 10, 1), duty="関係事務")
    svc.exempt("000004", "all", "other_body", "人事課長 佐藤 一郎", evidence="R8-人-0012", effective="2026-06-01")
    svc.exempt("000005", "all", "long_leave", "人事課長 佐藤 一郎", evidence="R8-人-0013")
    svc.revoke_exemption("000005", "all", "休業の予定がなくなった")
    svc.close()
    return folder


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("TRAINER_TODAY", TODAY.isoformat())
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_status_accounts_for_everyone_in_scope_on_any_day(
    city: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, monkeypatch, "status", "--db", city, "--format", "json")
    data = json.loads(out)
    assert code == 0
    totals = data["totals"]
    assert totals["in_scope"] == 3 and totals["left"] == 2
    assert sum(totals[k] for k in ("completed", "exempt", "overdue", "in_progress", "not_started")) == 3
    assert data["year"]["in_scope_any_day"] == 5
    left = {x["staff_id"]: x for x in data["year"]["left_scope"]}
    assert left["141543"]["left_on"] == "2026-09-30" and left["141543"]["reason"] == "retired"
    assert left["141543"]["outstanding"] == ["intro", "rules", "flow", "security", "checkpoint"]
    assert left["341724"]["reason"] == "transferred" and "intro" not in left["341724"]["outstanding"]
    assert left["341724"]["division"] == "160"  # the division they left keeps them
    division = next(d for d in data["divisions"] if d["code"] == "160")
    assert division["exempt"] == 1 and division["rate"] == pytest.approx(100 / 3, abs=0.1)  # 免除 ≠ 修了
    code, out, _ = run(capsys, monkeypatch, "staff", "show", "141543", "--db", city)
    assert "年度途中の離脱 — 退職" in out and "未修了のまま離脱: 入門編" in out


def test_the_roster_lists_completers_the_open_exemptions_and_leavers_apart(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, monkeypatch, "report", "roster", "--db", city, "--division", "160", "-o", tmp_path)
    assert code == 0, err
    text = pdf_text(Path(out.split()[0]))
    assert "修了者（1人）" in text and "未修了者（1人）" in text and "免除（1人）" in text
    assert "年度途中の離脱者（2人）" in text
    leavers = text[text.index("年度途中の離脱者（2人）") :]
    assert "退職太郎" in leavers and "令和8年9月30日退職。未修了:入門編" in leavers
    assert "異動次郎" in leavers and "異動（総務課・関係事務）" in leavers
    assert "取消四郎" in text[text.index("未修了者（1人）") : text.index("免除（1人）")]  # revoked: owes again


def test_the_audit_lists_leavers_and_exemptions_as_decisions(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "report", "audit", "--db", city, "-o", tmp_path / "audit.pdf")
    assert code == 0, err
    text = pdf_text(tmp_path / "audit.pdf")
    assert "年度内の対象者5人（基準日に対象3人、年度途中の離脱2人）" in text
    assert "5.年度途中の離脱者（2人）" in text and "退職太郎" in text
    assert "うち年度途中の離脱者2人退職1人、異動1人、事務区分の変更0人" in text  # the reconciliation
    assert "人事課長佐藤一郎（令和8年12月1日）" in text and "R8-人-0012" in text
    assert "取り消し:休業の予定がなくなった" in text


def test_the_export_has_a_row_for_each_leaver_with_the_day_and_reason(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "export", tmp_path / "out.csv", "--db", city)
    assert code == 0, err
    rows = list(csv.DictReader((tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()))
    retiree = next(r for r in rows if r["職員番号"] == "141543")
    assert retiree["全体の状態"] == "離脱" and retiree["離脱日"] == "令和8年9月30日" and retiree["離脱の理由"] == "退職"
    assert len(rows) == 5


def test_the_overdue_list_names_the_leavers_who_still_owed(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "report", "overdue", "--db", city, "-o", tmp_path / "o.pdf")
    assert code == 0, err
    text = pdf_text(tmp_path / "o.pdf")
    assert "年度途中の離脱（未修了）2人" in text
    leavers = text[text.index("年度途中の離脱者（未修了のまま") :]
    assert "退職太郎" in leavers and "令和8年9月30日退職" in leavers and "異動次郎" in leavers
    # What they left undone reads 未修了, never the days that were left (they will not take it here).
    assert "未修了" in leavers.split("）", 1)[1] and "あと" not in leavers
