"""Demo persons for every village: left-behind children, children in difficulty,
elderly people and disabled people, in roughly the proportions of real briefings,
with child profiles, guardians and risk assessments."""

from __future__ import annotations

import zlib
from datetime import date, timedelta

from guanai.core.demo import CITY_CODE, DemoContext, bulk_insert, demo_step
from guanai.textproc.idcard import check_digit
from guanai.textproc.pinyin import pinyin_keys

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


def _id_number(region: str, birth: date, seq: int, sex: str) -> str:
    order = (seq % 499) * 2 + (1 if sex == "男" else 0)  # odd digit for men
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)


@demo_step(30, bulk=True)
def build_persons(ctx: DemoContext) -> None:
    """人员档案"""
    rng, today = ctx.rng, ctx.today
    n_children, n_difficulty, n_elders, n_disabled = PER_VILLAGE[ctx.scale]
    pinyin_cache: dict[str, tuple[str, str]] = {}
    seq = 0
    batch_people: list[tuple[Person, list[str], dict]] = []

    def add(area, category: str, age_range: tuple[int, int], extra: dict):
        nonlocal seq
        seq += 1
        sex = rng.choice(["男", "女"])
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        if name not in pinyin_cache:
            pinyin_cache[name] = pinyin_keys(name)
        birth = today - timedelta(days=rng.randint(age_range[0] * 365 + 10, age_range[1] * 365 + 300))
        number = _id_number(area.code[:6], birth, seq, sex)
        person = Person(
            name=name, sex=sex, ethnicity="汉族", birth_date=birth, area_id=area.code,
            id_number_encrypted=crypto.encrypt(number), id_number_hash=crypto.lookup_hash(number),
            id_suffix_hash=crypto.suffix_hash(number),
            id_number_masked=f"{number[:6]}********{number[-4:]}",
            phone=f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
            address=f"{area.name}{rng.randint(1, 12)}组{rng.randint(1, 60)}号",
            pinyin_full=pinyin_cache[name][0], pinyin_initials=pinyin_cache[name][1],
        )
        batch_people.append((person, [category], extra))

    for village in ctx.areas.get(5, []):
        for _ in range(n_children):
            add(village, cat.LEFT_BEHIND_CHILD, (2, 15), {"child": True})
        for _ in range(n_difficulty):
            add(village, cat.CHILD_IN_DIFFICULTY, (3, 17), {"child": True, "difficulty": True})
        for _ in range(n_elders):
            add(village, rng.choice([cat.EMPTY_NEST_ELDER, cat.SOLITARY_ELDER, cat.DISABLED_ELDER]), (60, 92), {"elder": True})
        for _ in range(n_disabled):
            add(village, cat.DISABLED_PERSON, (20, 59), {})
        if len(batch_people) >= 20000:
            _flush(ctx, batch_people)
    _flush(ctx, batch_people)


def _flush(ctx: DemoContext, batch: list) -> None:
    if not batch:
        return
    rng, today = ctx.rng, ctx.today
    categories, children, elders, assessments = [], [], [], []
    for person, cats, extra in batch:
        for code in cats:
            categories.append(PersonCategory(person=person, category=code,
                                             subtype=rng.choice(["poverty", "disability", "no_guardianship"]) if extra.get("difficulty") else ""))
        if extra.get("child"):
            rating = rng.choices(["good", "fair", "insufficient", "parent_incapable", "none"], [50, 35, 10, 3, 2])[0]
            age = (today - person.birth_date).days // 365
            schooling = "kindergarten" if age < 6 else "primary" if age < 12 else "junior" if age < 15 else "senior"
            profile = ChildProfile(
                person=person, schooling=schooling, boarding=age >= 12 and rng.random() < 0.4,
                father_name=person.name[0] + rng.choice(["建军", "国华", "志强", "海涛"]),
                father_workplace=rng.choice(_WORKPLACES), mother_name=rng.choice(_SURNAMES) + rng.choice(["丽", "芳", "娟", "霞"]),
                mother_workplace=rng.choice(_WORKPLACES), both_parents_away=rng.random() < 0.8,
                guardian_name=person.name[0] + rng.choice(["德胜", "秀兰", "长福", "桂英"]),
                guardian_relation=rng.choice(["祖父", "祖母", "外祖父", "外祖母"]), guardian_age=rng.randint(55, 78),
                guardianship_rating=rating, assistance=_assistance(person))
            # A coherent national form: a child is left behind because both parents are away or one
            # is away and the other cannot guard; a child rated 无人监护 has no entrusted guardian.
            profile.one_parent_incapable = not profile.both_parents_away
            if rating == "none":
                profile.guardian_name = profile.guardian_relation = ""
                profile.guardian_age = None
            children.append(profile)
            if rng.random() < 0.5:
                scores = {k: rng.choices([0, 1, 2, 3], [60, 25, 12, 3])[0] for k, _l in RiskAssessment.DIMENSIONS}
                flags = ["no_guardian"] if rating == "none" else []
                from .services import risk_level

                assessments.append(RiskAssessment(person=person, assessed_on=today - timedelta(days=rng.randint(1, 300)),
                                                  flags=flags, level=risk_level(scores, flags), **scores))
                person.current_risk = assessments[-1].level
        if extra.get("elder"):
            elders.append(ElderProfile(person=person, living=rng.choice(["alone", "spouse", "children"]),
                                       children_count=rng.randint(0, 4), self_care=rng.choice(["full", "full", "partial", "none"]),
                                       needs=rng.choice(["日常照料", "精神慰藉", "紧急救助", "医疗保健"])))
    # Persons go in with their current risk (read above), then what points at them.
    bulk_insert(Person, [p for p, _c, _e in batch])
    bulk_insert(PersonCategory, categories)
    bulk_insert(ChildProfile, children)
    bulk_insert(ElderProfile, elders)
    bulk_insert(RiskAssessment, assessments)
    batch.clear()


def _assistance(person: Person) -> str:
    """Aid received, drawn from the ID's keyed hash so the demo's random sequence stays as it was."""
    n = zlib.crc32(person.id_number_hash.encode()) % 100
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
