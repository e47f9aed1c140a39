"""People as cities have them, through the CLI: rehires, a retirement cancelled, concurrent posts."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from trainer.cli import main
from trainer.service import Service

TODAY = date(2026, 12, 1)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    folder = tmp_path / "register"
    svc = Service.open(folder, today=lambda: TODAY)
    svc.add_division("160", "市民税課", "課長", "山田 一郎")
    svc.add_division("120", "保険年金課", "課長", "佐藤 二郎")
    svc.add_staff(
        "500001", "任用 花子", "ニンヨウ ハナコ", "160", "事務補助員", "会計年度任用職員", "利用事務", "2026-04-01"
    )
    svc.add_staff("500002", "兼務 太郎", "ケンム タロウ", "160", "主査", "正規職員", "利用事務", "2010-04-01")
    svc.close()
    return folder


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: object) -> tuple[int, str, str]:
    monkeypatch.setenv("TRAINER_TODAY", TODAY.isoformat())
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_reappointment_after_a_gap_keeps_the_earlier_period(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, monkeypatch, "staff", "retire", "500001", "--on", "2026-08-31", "--db", db)[0] == 0
    code, _, err = run(
        capsys, monkeypatch, "staff", "add", "500001", "--name", "任用 花子", "--kana", "ﾆﾝﾖｳ",
        "--division", "160", "--employment", "会計年度任用職員", "--hired", "2026-10-01", "--db", db,
    )  # fmt: skip
    assert code == 1 and "trainer staff rehire" in err  # the hint names a command that works
    code, out, err = run(capsys, monkeypatch, "staff", "rehire", "500001", "--on", "2026-10-01", "--db", db)
    assert code == 0, err
    assert "前の在職 令和8年4月1日〜令和8年8月31日" in out
    _, out, _ = run(capsys, monkeypatch, "staff", "show", "500001", "--format", "json", "--db", db)
    data = json.loads(out)
    assert data["earlier_periods"] == [{"start": "2026-04-01", "end": "2026-08-31"}]
    assert data["hired"] == "2026-10-01" and data["retired"] is None and data["state"] != "left"
    _, out, _ = run(capsys, monkeypatch, "log", "--staff", "500001", "--format", "json", "--db", db)
    assert json.loads(out)[0]["action"] == "rehire"


def test_a_retirement_recorded_by_mistake_is_cancelled_and_logged(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, monkeypatch, "staff", "retire", "500002", "--on", "2026-11-30", "--db", db)[0] == 0
    code, out, _ = run(capsys, monkeypatch, "staff", "retire", "500002", "--cancel", "--db", db)
    assert code == 0 and "取り消しました" in out
    _, out, _ = run(capsys, monkeypatch, "staff", "list", "--format", "json", "--db", db)
    assert "500002" in {p["staff_id"] for p in json.loads(out)}
    _, out, _ = run(capsys, monkeypatch, "log", "--staff", "500002", "--format", "json", "--db", db)
    assert [e["action"] for e in json.loads(out)[:2]] == ["retire_cancel", "retire"]
    code, _, err = run(capsys, monkeypatch, "staff", "retire", "500002", "--cancel", "--db", db)
    assert code == 1 and "取り消す退職の記録はありません" in err


def test_a_concurrent_post_lists_the_person_on_both_rosters_counted_once(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "staff", "concurrent", "500002", "120", "--from", "2026-04-01", "--db", db)
    assert code == 0, err
    _, out, _ = run(capsys, monkeypatch, "status", "--format", "json", "--db", db)
    data = json.loads(out)
    assert data["totals"]["in_scope"] == 2  # counted once
    assert {d["code"]: d["in_scope"] for d in data["divisions"]} == {"160": 2}
    code, out, err = run(capsys, monkeypatch, "report", "roster", "--division", "120", "-o", tmp_path, "--db", db)
    assert code == 0, err
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(out.split()[0]).pages))
    assert "兼務太郎" in text and "兼務（本務市民税課）" in text and "対象0人" in text
    code, out, _ = run(capsys, monkeypatch, "report", "roster", "--division", "160", "-o", tmp_path / "b", "--db", db)
    assert "兼務太郎" in "".join(p.extract_text() for p in PdfReader(out.split()[0]).pages).replace(" ", "")
    code, _, err = run(capsys, monkeypatch, "staff", "concurrent", "500002", "160", "--from", "2026-04-01", "--db", db)
    assert code == 1 and "本務" in err


def test_staff_show_names_every_division_of_the_persons_history(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It looks up only the person's own divisions (not every division of the city): each is named."""
    svc = Service.open(db, today=lambda: TODAY)
    svc.add_division("130", "企画政策課")
    svc.transfer("500002", "130", "2026-10-01", duty="なし")  # leaves the scope mid-year
    svc.concurrent_post("500002", "120", "2026-04-01", title="主査")
    svc.close()
    code, out, err = run(capsys, monkeypatch, "staff", "show", "500002", "--db", db)
    assert code == 0, err
    assert "市民税課（160）" in out and "企画政策課（130）" in out and "保険年金課（120）" in out
    assert "異動（企画政策課・なし）" in out
    code, out, _ = run(capsys, monkeypatch, "staff", "show", "500002", "--format", "json", "--db", db)
    assert json.loads(out)["division_name"] == "企画政策課"
