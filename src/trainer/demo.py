"""A realistic, invented demo city: divisions, staff of every employment type, progress.

Pure: it builds model objects from a seed; the service stores them. Every name is invented.
The city has the divisions of the memo this product grew from (保険年金課, 障害福祉課 …) and,
for large cities, the same 利用事務 divisions in each ward (区).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from trainer.calendar import fy_end, fy_start
from trainer.model import (
    ALL_REQUIREMENTS,
    Assignment,
    Catalog,
    Concurrent,
    Division,
    Duty,
    Exemption,
    ExemptionKind,
    Leave,
    LeaveKind,
    Period,
    Progress,
    Record,
    Staff,
)
from trainer.progress import Task
from trainer.rules import last_day_in_scope, window_dates

# (code, name, duty of most of its staff)
BASE_DIVISIONS: tuple[tuple[str, str, Duty], ...] = (
    ("110", "市民課", Duty.RIYO),
    ("120", "保険年金課", Duty.RIYO),
    ("130", "障害福祉課", Duty.RIYO),
    ("140", "子育て支援課", Duty.RIYO),
    ("150", "保護課", Duty.RIYO),
    ("160", "市民税課", Duty.RIYO),
    ("170", "資産税課", Duty.RIYO),
    ("180", "納税課", Duty.RIYO),
    ("190", "住宅管理課", Duty.RIYO),
    ("200", "健康推進課", Duty.RIYO),
    ("210", "介護保険課", Duty.RIYO),
    ("220", "高齢福祉課", Duty.RIYO),
    ("510", "総務課", Duty.KANKEI),
    ("520", "人事課", Duty.KANKEI),
    ("530", "会計課", Duty.KANKEI),
    ("610", "企画政策課", Duty.NONE),
    ("620", "道路課", Duty.NONE),
)
WARDS = ("中央区", "北区", "南区", "東区", "西区", "青葉区", "緑区", "港区", "泉区", "若葉区",
         "花見川区", "美浜区", "稲毛区", "宮前区", "高津区", "中原区")  # fmt: skip

SURNAMES = (
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("阿部", "アベ"), ("遠藤", "エンドウ"), ("菅原", "スガワラ"),
    ("千葉", "チバ"), ("及川", "オイカワ"), ("熊谷", "クマガイ"), ("今野", "コンノ"), ("𠮷田", "ヨシダ"),
    ("髙橋", "タカハシ"), ("山﨑", "ヤマザキ"), ("德永", "トクナガ"), ("濵田", "ハマダ"), ("渡邉", "ワタナベ"),
    ("齋藤", "サイトウ"), ("大槻", "オオツキ"), ("志賀", "シガ"), ("阿部", "アベ"), ("武山", "タケヤマ"),
)  # fmt: skip
GIVEN_NAMES = (
    ("陽菜", "ヒナ"), ("結衣", "ユイ"), ("美咲", "ミサキ"), ("さくら", "サクラ"), ("葵", "アオイ"),
    ("恵子", "ケイコ"), ("由美", "ユミ"), ("真由美", "マユミ"), ("久美子", "クミコ"), ("直子", "ナオコ"),
    ("翔太", "ショウタ"), ("大輔", "ダイスケ"), ("健太", "ケンタ"), ("拓也", "タクヤ"), ("蓮", "レン"),
    ("誠", "マコト"), ("浩二", "コウジ"), ("隆", "タカシ"), ("聡", "サトシ"), ("和也", "カズヤ"),
    ("光", "ヒカル"), ("悠人", "ユウト"), ("智子", "トモコ"), ("純一", "ジュンイチ"), ("彩", "アヤ"),
)  # fmt: skip
EMPLOYMENT = (("正規職員", 55), ("再任用職員", 5), ("任期付職員", 3), ("会計年度任用職員", 32), ("臨時職員", 5))
TITLES = {
    "正規職員": ("主事", "主事", "主任", "主査", "係長", "課長補佐"),
    "再任用職員": ("主任", "専門員"),
    "任期付職員": ("専門員", "主任"),
    "会計年度任用職員": ("事務補助員", "事務補助員", "相談員", "徴収嘱託員"),
    "臨時職員": ("臨時事務員",),
}
EXEMPTION_NOTES = {
    "other_body": "出向元で本年度修了",
    "long_leave": "受講期間のほぼ全部を休業",
    "equivalent": "採用時研修で同じ内容を修了",
    "other": "所属長の申出による",
}


@dataclass
class DemoCity:
    divisions: list[Division] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    no_progress: set[str] = field(default_factory=set)  # people who never did anything
    during_leave: set[str] = field(default_factory=set)  # people with a completion dated in a leave


def _divisions(rng: random.Random, staff_count: int) -> tuple[list[Division], dict[str, Duty]]:
    riyo = [b for b in BASE_DIVISIONS if b[2] is Duty.RIYO]
    wards = min(len(WARDS), max(0, (staff_count // 70 - len(BASE_DIVISIONS)) // len(riyo) + 1))
    if staff_count < 1500:
        wards = 0
    divisions, duty = [], {}
    for code, name, d in BASE_DIVISIONS:
        divisions.append(Division(code, name, "課長", _person_name(rng)[0]))
        duty[code] = d
    for w in range(wards):
        for code, name, d in riyo:
            ward_code = f"{w + 1:02d}{code}"
            divisions.append(Division(ward_code, f"{WARDS[w]} {name}", "課長", _person_name(rng)[0]))
            duty[ward_code] = d
    return divisions, duty


def _person_name(rng: random.Random) -> tuple[str, str]:
    surname, surname_kana = rng.choice(SURNAMES)
    given, given_kana = rng.choice(GIVEN_NAMES)
    return f"{surname} {given}", f"{surname_kana} {given_kana}"


def _pick_employment(rng: random.Random) -> str:
    return rng.choices([e for e, _ in EMPLOYMENT], weights=[w for _, w in EMPLOYMENT])[0]


def build_demo(
    catalog: Catalog,
    staff_count: int = 300,
    seed: int = 1,
    fiscal_year: int = 2026,
    today: date | None = None,
    years: int = 2,
    task: Task | None = None,
) -> DemoCity:
    """Invent a city of ``staff_count`` people with progress in the last ``years`` fiscal years.

    Progress in a year is spread over each window as of ``today`` (or the year's end for a
    past year), so a past year ends with a few overdue people and the current one is half-way.
    """
    task = task or Task()
    rng = random.Random(seed)
    today = today or date.today()
    city = DemoCity()
    city.divisions, duty_of = _divisions(rng, staff_count)
    codes = [d.code for d in city.divisions]
    weights = [8 if duty_of[c] is Duty.RIYO else 4 for c in codes]
    first_fy = fiscal_year - years + 1
    start = fy_start(fiscal_year)
    for i in range(staff_count):
        if i % 5000 == 0:
            task.check()
            task.report(i, staff_count, "職員を作成中")
        city.staff.append(_person(rng, i, codes, weights, duty_of, fiscal_year, first_fy, start, today))
    _year_cases(city, duty_of, fiscal_year, today)
    for fy in range(first_fy, fiscal_year + 1):
        task.check()
        as_of = min(today, fy_end(fy))
        if as_of < fy_start(fy):
            continue
        _progress(rng, city, catalog, fy, as_of)
    task.report(staff_count, staff_count, "完了")
    return city


def _year_cases(city: DemoCity, duty_of: dict[str, Duty], fy: int, today: date) -> None:
    """Make sure the city shows each case of the year's accounting: a retiree of September 30th
    who did nothing, and a transfer out of 利用事務 on October 1st (when the year is that far)."""
    if today < date(fy, 10, 1):
        return
    outside = next((code for code, duty in duty_of.items() if duty is Duty.KANKEI), None)
    riyo = [
        i
        for i, s in enumerate(city.staff)
        if s.retired is None and not s.leaves and len(s.assignments) == 1 and s.current.duty is Duty.RIYO
    ]
    if len(riyo) < 4 or outside is None:
        return
    retiree, mover = riyo[len(riyo) // 3], riyo[2 * len(riyo) // 3]
    city.staff[retiree] = replace(city.staff[retiree], retired=date(fy, 9, 30))
    person = city.staff[mover]
    moved = Assignment(date(fy, 10, 1), outside, person.current.title, Duty.KANKEI)
    city.staff[mover] = replace(person, assignments=(*person.assignments, moved))
    city.no_progress.add(city.staff[retiree].staff_id)
    _people_cases(city, riyo, duty_of, fy)


def _people_cases(city: DemoCity, riyo: list[int], duty_of: dict[str, Duty], fy: int) -> None:
    """A 会計年度任用職員 appointed again after a gap (再採用), a 兼務 in another 利用事務 division,
    and someone on leave whose completion is dated in it (shown with a 注意)."""
    start = fy_start(fy)
    rehire = next((i for i in riyo if city.staff[i].employment == "会計年度任用職員"), riyo[1])
    person = city.staff[rehire]
    again = date(fy, 10, 1)
    city.staff[rehire] = replace(
        person,
        employment="会計年度任用職員",
        earlier=(Period(start, date(fy, 8, 31)),),
        hired=again,
        assignments=(
            Assignment(start, person.current.division, person.current.title, Duty.RIYO),
            Assignment(again, person.current.division, person.current.title, Duty.RIYO),
        ),
    )
    concurrent = next(i for i in reversed(riyo) if i != rehire and city.staff[i].employment == "正規職員")
    person = city.staff[concurrent]
    other = next(c for c, d in duty_of.items() if d is Duty.RIYO and c != person.current.division)
    city.staff[concurrent] = replace(person, concurrent=(Concurrent(other, start, None, "兼務 主任"),))
    on_leave = next((s for s in city.staff if s.leaves and s.leaves[0].start <= date(fy, 7, 1)), None)
    if on_leave is not None:
        city.during_leave.add(on_leave.staff_id)


def _person(
    rng: random.Random,
    i: int,
    codes: list[str],
    weights: list[int],
    duty_of: dict[str, Duty],
    fy: int,
    first_fy: int,
    start: date,
    today: date,
) -> Staff:
    staff_id = f"{(i * 7919 + 1207) % 1000000:06d}" if i < 1000000 else str(i)
    name, kana = _person_name(rng)
    employment = _pick_employment(rng)
    division = rng.choices(codes, weights=weights)[0]
    title = rng.choice(TITLES[employment])
    roll = rng.random()
    long_ago = fy_start(first_fy) - timedelta(days=rng.randint(0, 365 * 20))
    if employment in ("会計年度任用職員", "臨時職員"):
        hired = start if roll < 0.3 else fy_start(first_fy)  # appointed year by year
        if roll < 0.08 and date(fy, 10, 1) <= today:
            hired = date(fy, 10, 1)  # a mid-year hire
    else:
        hired = long_ago
    assignments = [Assignment(hired, division, title, duty_of[division])]
    if hired < start and rng.random() < 0.12:  # moved on April 1st
        previous = rng.choices(codes, weights=weights)[0]
        assignments = [
            Assignment(hired, previous, title, duty_of[previous]),
            Assignment(start, division, title, duty_of[division]),
        ]
    transfer_day = date(fy, 9, 15)
    if transfer_day <= today and rng.random() < 0.02:  # a mid-year transfer
        target = rng.choices(codes, weights=weights)[0]
        if target != assignments[-1].division:
            assignments.append(Assignment(transfer_day, target, title, duty_of[target]))
    leaves: list[Leave] = []
    roll = rng.random()
    if roll < 0.015:
        leave_start = date(fy, rng.choice((5, 6, 8)), 1)
        if leave_start <= today:
            leaves.append(Leave(LeaveKind.IKUKYU, leave_start, date(fy + 1, 3, 31)))
    elif roll < 0.025:
        leave_start = date(fy, 10, 1)
        if leave_start <= today:
            leaves.append(Leave(LeaveKind.BYOKYU, leave_start, date(fy, 12, 20)))
    elif roll < 0.03:
        leaves.append(Leave(LeaveKind.KYUSHOKU, date(fy, 4, 1), None))
    retired = None
    if rng.random() < 0.005 and date(fy, 9, 30) <= today:
        retired = date(fy, 9, 30)
    return Staff(staff_id, name, kana, employment, hired, tuple(assignments), tuple(leaves), retired)


def _progress(rng: random.Random, city: DemoCity, catalog: Catalog, fy: int, as_of: date) -> None:
    """Progress of everyone who did 利用事務 in the year, up to their last day in scope; a few
    approved exemptions (one of them later revoked)."""
    sheet_day: dict[str, date] = {}
    heads = {d.code: f"{d.name}{d.head_title} {d.head_name}" for d in city.divisions}
    year_start = fy_start(fy)
    exemptions: list[Exemption] = []
    for person in city.staff:
        found = last_day_in_scope(person, (Duty.RIYO,), year_start, as_of)
        if found is None or person.staff_id in city.no_progress:
            continue
        until, index = found
        assignment = person.assignments[index]
        if until == as_of and catalog.exemption_kinds and rng.random() < 0.015:
            approver = heads[assignment.division]
            exemptions.append(
                _exemption(rng, catalog.exemption_kinds, person, fy, as_of, approver, len(exemptions) + 1)
            )
            continue
        if person.staff_id in city.during_leave and person.leaves:  # a completion dated in the leave
            leave = person.leaves[0]
            day = max(leave.start, window_dates(next(iter(catalog)), fy)[0])
            if day <= until and (leave.end is None or day <= leave.end):
                city.records.append(
                    Record(person.staff_id, fy, next(iter(catalog)).id, Progress.COMPLETED, 100, day, "demo")
                )
        diligence = rng.random()
        for requirement in catalog:
            first, last = window_dates(requirement, fy)
            begin = max(first, person.hired)
            if until < begin:
                continue
            elapsed = min(1.0, ((until - begin).days + 1) / max(1, (last - begin).days + 1))
            chance = 0.1 + 0.88 * elapsed**0.8
            if requirement.kind == "checklist":
                day = sheet_day.setdefault(
                    assignment.division, begin + timedelta(days=rng.randint(0, max(0, (last - begin).days)))
                )
                if day <= until and diligence < 0.97:
                    city.records.append(
                        Record(person.staff_id, fy, requirement.id, Progress.COMPLETED, 100, day, "demo")
                    )
                continue
            span = max(0, (min(until, last) - begin).days)
            if diligence < chance:
                day = begin + timedelta(days=rng.randint(0, span))
                city.records.append(Record(person.staff_id, fy, requirement.id, Progress.COMPLETED, 100, day, "demo"))
            elif rng.random() < 0.5:
                day = begin + timedelta(days=rng.randint(0, span))
                pct = rng.choice((10, 25, 40, 50, 60, 75, 90))
                city.records.append(Record(person.staff_id, fy, requirement.id, Progress.IN_PROGRESS, pct, day, "demo"))
    if len(exemptions) >= 2:  # one decision taken back: it stays on record, revoked
        taken_back = exemptions[0]
        revoked_on = min(as_of, taken_back.on + timedelta(days=30))
        if revoked_on > taken_back.on:
            exemptions[0] = replace(
                taken_back, revoked_on=revoked_on, revoked_reason="根拠の修了証が本年度のものでなかったため"
            )
    city.exemptions += exemptions


def _exemption(
    rng: random.Random, kinds: tuple[ExemptionKind, ...], person: Staff, fy: int, as_of: date, approver: str, no: int
) -> Exemption:
    kind = rng.choice(kinds)
    decided = max(person.hired, fy_start(fy)) + timedelta(days=rng.randint(20, 120))
    decided = min(decided, as_of)
    note = EXEMPTION_NOTES.get(kind.id, "")
    return Exemption(
        person.staff_id,
        fy,
        ALL_REQUIREMENTS,
        kind.label + (f"：{note}" if note else ""),
        decided,
        no,
        kind.id,
        approver,
        decided,
        f"R{fy - 2018}-{person.current.division}-{rng.randint(1, 400):04d}",
    )
