"""Demo persons for every village: left-behind children, children in difficulty,
elderly people and disabled people, in roughly the proportions of real briefings,
with child profiles, guardians and risk assessments."""

from __future__ import annotations

import zlib
from bisect import bisect
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from guanai.core.demo import CITY_CODE, DemoContext, demo_step, insert_rows
from guanai.textproc.idcard import check_char, weighted_sum
from guanai.textproc.pinyin import PinyinKeyCache

from . import categories as cat
from . import crypto
from .models import ChildProfile, ElderProfile, Person, PersonCategory, RiskAssessment

# Persons per village by scale: children, children in difficulty, elders, disabled.
PER_VILLAGE = {
    "small": (14, 3, 8, 2),
    "city": (36, 4, 14, 3),  # 960 villages → about 35,000 left-behind children
    "province": (25, 3, 11, 4),  # 23,040 villages → about 1,000,000 persons
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = ["子涵", "欣怡", "浩然", "梓轩", "雨泽", "一诺", "思远", "佳怡", "俊杰", "诗涵", "宇航", "梦瑶", "明轩", "若曦",
          "秀英", "桂兰", "建国", "玉兰", "德华", "淑珍", "国强", "凤英", "志明", "春梅", "文博", "嘉怡", "天佑", "可馨"]
_WORKPLACES = ["广东省深圳市", "浙江省杭州市", "江苏省苏州市", "福建省厦门市", "上海市", "北京市", "广东省东莞市"]


class _IdNumbers:
    """A demo person's ID number: the county's code, the birth date, an order from the person's
    sequence number (odd for men) and the check digit, whose weighted sum is summed part by part
    (each county's and each birth date's part once: a province files a million numbers)."""

    def __init__(self):
        self.regions: dict[str, int] = {}
        self.births: dict[date, tuple[str, int]] = {}
        self.parts: dict[str, int] = {}  # years (digits 7-10) and months with days (11-14)
        self.orders = [(f"{n:03d}", weighted_sum(f"{n:03d}", 14)) for n in range(1000)]

    def __call__(self, region: str, birth: date, seq: int, sex: str) -> str:
        order, order_sum = self.orders[(seq % 499) * 2 + (1 if sex == "男" else 0)]
        region_sum = self.regions.get(region)
        if region_sum is None:
            region_sum = self.regions[region] = weighted_sum(region)
        day = self.births.get(birth)
        if day is None:
            year, month_day = f"{birth.year:04d}", f"{birth.month:02d}{birth.day:02d}"
            if year not in self.parts:
                self.parts[year] = weighted_sum(year, 6)
            if month_day not in self.parts:
                self.parts[month_day] = weighted_sum(month_day, 10)
            day = self.births[birth] = (year + month_day, self.parts[year] + self.parts[month_day])
        return f"{region}{day[0]}{order}{check_char(region_sum + day[1] + order_sum)}"


def registration_offsets() -> dict[int, int]:
    """Days before the load day each person was filed, by id mod 30: most a year or more ago,
    some during the year, a few days ago (first visit due). Care's demo visits start from them."""
    return {k: (365 + 2 * k if k < 27 else {27: 200, 28: 40, 29: 2}[k]) for k in range(30)}


@demo_step(30, bulk=True)
def build_persons(ctx: DemoContext) -> None:
    """人员档案"""
    rng, today = ctx.rng, ctx.today
    n_children, n_difficulty, n_elders, n_disabled = PER_VILLAGE[ctx.scale]
    pinyin = PinyinKeyCache()
    id_number = _IdNumbers()
    choice, randint = rng.choice, rng.randint
    elder_categories = [cat.EMPTY_NEST_ELDER, cat.SOLITARY_ELDER, cat.DISABLED_ELDER]
    next_id = (Person.objects.aggregate(n=Max("id"))["n"] or 0) + 1
    seq = 0
    # One list per person: [id, name, sex, birth, age in days, area, number, phone, address, category, kind];
    # the rows are written (and what depends on chance drawn) batch by batch, as they always were.
    batch: list[list] = []

    def add(area, category: str, age_range: tuple[int, int], kind: str):
        nonlocal seq, next_id
        seq += 1
        sex = choice(["男", "女"])
        name = choice(_SURNAMES) + choice(_GIVEN)
        days = randint(age_range[0] * 365 + 10, age_range[1] * 365 + 300)
        birth = today - timedelta(days=days)
        phone = f"1{choice('3578')}{randint(100000000, 999999999)}"
        address = f"{area.name}{randint(1, 12)}组{randint(1, 60)}号"
        batch.append([next_id, name, sex, birth, days, area.code, id_number(area.code[:6], birth, seq, sex), phone,
                      address, category, kind])
        next_id += 1

    for village in ctx.areas.get(5, []):
        for _ in range(n_children):
            add(village, cat.LEFT_BEHIND_CHILD, (2, 15), "child")
        for _ in range(n_difficulty):
            add(village, cat.CHILD_IN_DIFFICULTY, (3, 17), "difficulty")
        for _ in range(n_elders):
            add(village, choice(elder_categories), (60, 92), "elder")
        for _ in range(n_disabled):
            add(village, cat.DISABLED_PERSON, (20, 59), "")
        if len(batch) >= 20000:
            _flush(ctx, batch, pinyin)
    _flush(ctx, batch, pinyin)
    with connection.cursor() as cursor:  # PostgreSQL's sequence after explicit ids (SQLite needs nothing)
        for sql in connection.ops.sequence_reset_sql(no_style(), [Person]):
            cursor.execute(sql)


_PERSON_COLUMNS = ["id", "name", "sex", "ethnicity", "birth_date", "area", "id_number_encrypted", "id_number_hash",
                   "id_suffix_hash", "id_number_masked", "phone", "address", "pinyin_full", "pinyin_initials",
                   "current_risk", "created_at"]
_CHILD_COLUMNS = ["person", "schooling", "boarding", "father_name", "father_workplace", "mother_name",
                  "mother_workplace", "both_parents_away", "one_parent_incapable", "guardian_name",
                  "guardian_relation", "guardian_age", "guardianship_rating", "assistance"]
_DIMENSIONS = [key for key, _label in RiskAssessment.DIMENSIONS]
_ASSESSMENT_COLUMNS = ["person", "assessed_on", *_DIMENSIONS, "flags", "level"]


def _cumulative(weights: list[int]) -> tuple[list[int], float]:
    return list(accumulate(weights)), float(sum(weights))


# rng.choices(population, weights)[0], drawn as it draws (one random() against the running sums).
_RATINGS = (["good", "fair", "insufficient", "parent_incapable", "none"], *_cumulative([50, 35, 10, 3, 2]))
_SCORES = ([0, 1, 2, 3], *_cumulative([60, 25, 12, 3]))


def _weighted(random, table) -> object:
    population, cumulative, total = table
    return population[bisect(cumulative, random() * total, 0, len(population) - 1)]


def _flush(ctx: DemoContext, batch: list, pinyin) -> None:
    if not batch:
        return
    from .services import risk_level

    rng, today = ctx.rng, ctx.today
    choice, randint, random = rng.choice, rng.randint, rng.random
    numbers = [p[6] for p in batch]
    encrypted, hashes = crypto.encrypt_many(numbers), crypto.hash_many(numbers)
    suffix = crypto.suffix_hasher()
    filed = [timezone.make_aware(datetime.combine(today - timedelta(days=days), time(10)))
             for _k, days in sorted(registration_offsets().items())]
    persons, categories, children, elders, assessments = [], [], [], [], []
    for (pk, name, sex, birth, days, area, number, phone, address, category, kind), secret, hashed in zip(
            batch, encrypted, hashes):
        categories.append((pk, category, choice(["poverty", "disability", "no_guardianship"]) if kind == "difficulty"
                           else ""))
        risk = ""
        if kind in ("child", "difficulty"):
            rating = _weighted(random, _RATINGS)
            age = days // 365
            schooling = "kindergarten" if age < 6 else "primary" if age < 12 else "junior" if age < 15 else "senior"
            boarding = age >= 12 and random() < 0.4
            father = name[0] + choice(["建军", "国华", "志强", "海涛"])
            father_workplace = choice(_WORKPLACES)
            mother = choice(_SURNAMES) + choice(["丽", "芳", "娟", "霞"])
            mother_workplace = choice(_WORKPLACES)
            both_away = random() < 0.8
            guardian = name[0] + choice(["德胜", "秀兰", "长福", "桂英"])
            relation = choice(["祖父", "祖母", "外祖父", "外祖母"])
            guardian_age = randint(55, 78)
            # A coherent national form: a child is left behind because both parents are away or one
            # is away and the other cannot guard; a child rated 无人监护 has no entrusted guardian.
            if rating == "none":
                guardian = relation = ""
                guardian_age = None
            children.append((pk, schooling, boarding, father, father_workplace, mother, mother_workplace, both_away,
                             not both_away, guardian, relation, guardian_age, rating, _assistance(hashed)))
            if random() < 0.5:
                scores = {k: _weighted(random, _SCORES) for k in _DIMENSIONS}
                flags = ("no_guardian",) if rating == "none" else ()
                risk = risk_level(scores, list(flags))
                assessments.append((pk, today - timedelta(days=randint(1, 300)), *scores.values(), flags, risk))
        if kind == "elder":
            elders.append((pk, choice(["alone", "spouse", "children"]), randint(0, 4),
                           choice(["full", "full", "partial", "none"]), choice(["日常照料", "精神慰藉", "紧急救助", "医疗保健"])))
        full, initials = pinyin(name)
        persons.append((pk, name, sex, "汉族", birth, area, secret, hashed, suffix(number),
                        f"{number[:6]}********{number[-4:]}", phone, address, full, initials, risk, filed[pk % 30]))
    # Persons go in with their current risk (drawn above), then what points at them.
    insert_rows(Person, _PERSON_COLUMNS, persons)
    insert_rows(PersonCategory, ["person", "category", "subtype"], categories)
    insert_rows(ChildProfile, _CHILD_COLUMNS, children)
    insert_rows(ElderProfile, ["person", "living", "children_count", "self_care", "needs"], elders)
    insert_rows(RiskAssessment, _ASSESSMENT_COLUMNS, assessments)
    batch.clear()


def _assistance(id_number_hash: str) -> str:
    """Aid received, drawn from the ID's keyed hash so the demo's random sequence stays as it was."""
    n = zlib.crc32(id_number_hash.encode()) % 100
    return "低保" if n < 10 else "低保、医疗救助" if n < 14 else "临时救助" if n < 17 else "住房救助" if n < 19 else ""


@demo_step(35, bulk=True)
def build_screening(ctx: DemoContext) -> None:
    """摸底排查"""
    from .models import ScreeningCampaign, ScreeningReport

    rng = ctx.rng
    start = ctx.today - timedelta(days=75)
    campaign = ScreeningCampaign.objects.create(
        name=f"{start.year}年留守儿童和困境老人摸底排查", area_id=CITY_CODE, start_date=start,
        end_date=start + timedelta(days=30), categories=[cat.LEFT_BEHIND_CHILD, cat.SOLITARY_ELDER],
        created_by=ctx.users.get("city"))
    villages = [v for v in ctx.areas.get(5, []) if v.code.startswith("9901")]
    # Most villages have reported; a few are late, as in real rounds.
    ScreeningReport.objects.bulk_create([
        ScreeningReport(campaign=campaign, village=v, households_checked=rng.randint(150, 420),
                        counts={cat.LEFT_BEHIND_CHILD: rng.randint(5, 40), cat.SOLITARY_ELDER: rng.randint(1, 12)})
        for v in villages if rng.random() < 0.85
    ], batch_size=2000)
