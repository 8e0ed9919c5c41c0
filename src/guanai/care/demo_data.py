"""Demo care work for the twelve months before the load day: helpers and pairings
(the ``volunteer`` account paired with children of 990101001001), visits with aid,
activities with their counts, care homes with inspections.

Volume goes in as rows (``core.demo.insert_rows``: COPY on PostgreSQL). The demo county
990101 is visited about monthly, as the rules ask; elsewhere visits are sparser, so
coverage differs by area.
"""

from __future__ import annotations

from bisect import bisect
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Min

from guanai.core.demo import CITY_CODE, DemoContext, bulk_insert, demo_step, insert_rows
from guanai.registry.demo_data import registration_offsets
from guanai.registry.models import Person

from . import followup
from .models import (Activity, ActivityMaterial, AidItem, CareHome, Helper, Inspection, Pairing, Visit)

HOME_VILLAGE = "990101001001"
HOME_COUNTY = "990101"
# Mean days between visits outside the demo county, by scale (a missed round now and then makes
# the gaps about 9 % longer). Province: 54 days, about six visits a year for each of its 806,000
# persons followed outside the demo county, five million visits in all.
SPARSE_INTERVAL = {"small": 45, "city": 100, "province": 54}

_FINDINGS = [
    "孩子身体健康，学习正常，祖父母照料较好。", "与外出务工父母每周视频通话，情绪稳定。", "居住环境较差，已协调村里帮助修缮。",
    "老人身体尚可，独自生活，需定期上门。", "孩子成绩有所下降，已与班主任沟通。", "家中取暖设施不足，需要棉被。",
    "监护人年事已高，照料能力有限。", "老人患慢性病，按时服药，叮嘱注意安全。", "孩子性格内向，建议心理辅导。",
]
_NEEDS = ["", "", "学习用品", "冬季取暖", "心理疏导", "医疗救助", "生活物资", "课业辅导"]
_GOODS = [("大米", "袋", (60, 120)), ("面粉", "袋", (40, 80)), ("食用油", "桶", (50, 110)), ("棉被", "床", (150, 300)),
          ("学习用品", "套", (50, 150)), ("牛奶", "箱", (40, 70))]
_VISITORS_TEXT = ["村儿童主任", "村妇联主席", "驻村干部", "镇民政办工作人员", "网格员"]


@demo_step(40, bulk=True)
def build_care(ctx: DemoContext) -> None:
    """走访慰问、结对帮扶、活动与爱心家园"""
    _helpers_and_pairings(ctx)
    _visits(ctx)
    _activities(ctx)
    _care_homes(ctx)


def _helpers_and_pairings(ctx: DemoContext) -> None:
    rng, today = ctx.rng, ctx.today
    volunteer = ctx.users.get("volunteer")
    helpers = [Helper(name="李娜", kind=Helper.CARING_PARENT, phone="13800001111", area_id=HOME_VILLAGE, user=volunteer)]
    unit = ctx.units[1] if len(ctx.units) > 1 else None
    helpers.append(Helper(name="孙老师", kind=Helper.UNIT_STAFF, phone="13800002222", area_id=CITY_CODE, unit=unit))
    townships = [a for a in ctx.areas.get(4, []) if a.code.startswith("9901")]
    for township in townships:
        helpers.append(Helper(name=f"{township.name}驻村干部{rng.choice('王李张刘陈')}{rng.choice(['伟', '芳', '军', '磊'])}",
                              kind=Helper.CADRE, area_id=township.code))
    Helper.objects.bulk_create(helpers)

    children = list(Person.objects.filter(area_id=HOME_VILLAGE, categories__category="left_behind_child")
                    .order_by("pk")[:4])
    start = today - timedelta(days=300)
    pairings = [Pairing(helper=helpers[0], person=p, area_id=p.area_id, start_date=start, note="每月走访、课业辅导")
                for p in children]
    unit_children = list(Person.objects.filter(area_id="990101001002", categories__category="left_behind_child")
                         .order_by("pk")[:3])
    pairings += [Pairing(helper=helpers[1], person=p, area_id=p.area_id, start_date=today - timedelta(days=250),
                         note="爱心助学") for p in unit_children]
    # Each cadre's township's first three active persons, read in one pass over the city's.
    firsts: dict[str, list] = {helper.area_id[:9]: [] for helper in helpers[2:]}
    for pk, area in (Person.objects.filter(area__gte="990100000000", area__lt="990199999999~", status=Person.ACTIVE)
                     .order_by("pk").values_list("pk", "area_id").iterator(chunk_size=10000)):
        found = firsts.get(area[:9])
        if found is not None and len(found) < 3 and area < f"{area[:9]}999":
            found.append((pk, area))
    for helper in helpers[2:]:
        for pk, area in firsts[helper.area_id[:9]]:
            begun = today - timedelta(days=rng.randint(30, 360))
            ended = begun + timedelta(days=180) if rng.random() < 0.15 and begun + timedelta(days=180) < today else None
            pairings.append(Pairing(helper=helper, person_id=pk, area_id=area, start_date=begun, end_date=ended,
                                    end_reason="工作调动" if ended else "", note="结对帮扶"))
    Pairing.objects.bulk_create(pairings, batch_size=2000)


def _visit_dates(rng, first: date, last: date, interval: int, jitter: int) -> list[int]:
    """The days (ordinals) of a person's visits from ``first`` to ``last``."""
    randint, random = rng.randint, rng.random
    days = []
    day, last = first.toordinal() + randint(0, max(1, interval // 2)), last.toordinal()
    while day <= last:
        days.append(day)
        day += max(1, interval + randint(-jitter, jitter))
        if random() < 0.12:  # a missed round now and then, as in real work
            day += randint(interval // 2, interval)
    return days


# Visits are written from this many persons at a time (a province's five million would not
# sit in memory at once).
_PERSONS_PER_WRITE = 50_000
_VISIT_COLUMNS = ["id", "visit_date", "mode", "person", "area", "other_visitors", "findings", "needs", "next_visit_on",
                  "created_by"]
_AID_COLUMNS = ["id", "visit", "kind", "description", "quantity", "unit", "value_yuan", "area", "given_on"]
# rng.choices(modes, [60, 25, 5, 10])[0], drawn as it draws (one random() against the running sums).
_MODES, _MODE_SUMS = ["home", "phone", "video", "school"], [60, 85, 90, 100]


def _next_id(model) -> int:
    return (model.objects.aggregate(n=Max("id"))["n"] or 0) + 1


def _visits(ctx: DemoContext) -> None:
    rng, today = ctx.rng, ctx.today
    choice, random = rng.choice, rng.random
    cfg = followup.rules()
    tracked_categories = set(cfg["categories"])
    volunteer = ctx.users.get("volunteer")
    village_user = ctx.users.get("village")
    offsets = registration_offsets()  # when each person was filed (registry's demo dated them)
    paired = set(Pairing.objects.filter(helper__user=volunteer).values_list("person_id", flat=True)) if volunteer else set()
    year_ago = today - timedelta(days=364)
    yesterday = today - timedelta(days=1)
    next_visit, next_aid = _next_id(Visit), _next_id(AidItem)
    through = Visit.visitors.through
    links = []
    dates: dict[int, date] = {}  # ordinal → date, for the few hundred days of the year

    def day_of(ordinal: int) -> date:
        found = dates.get(ordinal)
        if found is None:
            found = dates[ordinal] = date.fromordinal(ordinal)
        return found

    demo_persons = Person.objects.filter(area__gte="990000000000", area__lt="999999999999~")
    tracked = (demo_persons.filter(status=Person.ACTIVE, categories__category__in=tracked_categories)
               .values_list("pk", "area_id", "current_risk").distinct().order_by("pk"))
    bounds = demo_persons.aggregate(low=Min("pk"), high=Max("pk"))
    low = bounds["low"] or 0
    while low <= (bounds["high"] or -1):
        visits, aid = [], []
        for pk, area, risk in tracked.filter(pk__gte=low, pk__lt=low + _PERSONS_PER_WRITE):
            first = max(today - timedelta(days=offsets[pk % 30]), year_ago)
            dense = area.startswith(HOME_COUNTY) or ctx.scale == "small"
            if risk == "red" and dense:
                interval, jitter = 8, 3
            elif dense:
                interval, jitter = 27, 9
            else:
                interval, jitter = SPARSE_INTERVAL[ctx.scale], 30
            follow = 7 if risk == "red" else 30
            for ordinal in _visit_dates(rng, first, yesterday, interval, jitter):
                day = day_of(ordinal)
                visit_id, next_visit = next_visit, next_visit + 1
                other, created_by = choice(_VISITORS_TEXT), None
                if pk in paired and random() < 0.6:
                    links.append((visit_id, volunteer.pk))
                    other = ""
                elif area == HOME_VILLAGE and village_user is not None:
                    links.append((visit_id, village_user.pk))
                    created_by = village_user.pk
                visits.append((visit_id, day, _MODES[bisect(_MODE_SUMS, random() * 100.0, 0, 3)], pk, area, other,
                               choice(_FINDINGS), choice(_NEEDS), day_of(ordinal + follow), created_by))
                for kind, description, quantity, unit, value in _aid_for(rng, day):
                    aid.append((next_aid, visit_id, kind, description, quantity, unit, value, area, day))
                    next_aid += 1
        insert_rows(Visit, _VISIT_COLUMNS, visits)
        insert_rows(AidItem, _AID_COLUMNS, aid)
        low += _PERSONS_PER_WRITE
    bulk_insert(through, [through(visit_id=v, user_id=u) for v, u in links])
    with connection.cursor() as cursor:  # PostgreSQL sequences after explicit ids (SQLite needs nothing)
        for sql in connection.ops.sequence_reset_sql(no_style(), [Visit, AidItem]):
            cursor.execute(sql)


def _aid_for(rng, day: date) -> list[tuple]:
    """(kind, description, quantity, unit, value) of the aid brought at a visit, if any."""
    items = []
    roll = rng.random()
    if roll < 0.18:
        items.append((AidItem.CASH, "慰问金", None, "元", Decimal(rng.randint(2, 10) * 100)))
    if 0.12 < roll < 0.32:
        name, unit, (low, high) = rng.choice(_GOODS)
        quantity = rng.randint(1, 2)
        items.append((AidItem.GOODS, name, Decimal(quantity), unit, Decimal(quantity * rng.randint(low, high))))
    if day.month == 9 and roll < 0.4:
        items.append((AidItem.GOODS, "月饼", Decimal(1), "盒", Decimal(rng.randint(40, 90))))
    return items


_ACTIVITY_PLANS = [
    # kind, title, place, materials
    ("condolence", "“情暖留守 爱伴成长”节日慰问", "村委会", [("慰问品", 30, "份")]),
    ("publicity", "未成年人保护法宣传", "镇中心小学", [("宣传册", 800, "份"), ("宣传单", 1200, "张")]),
    ("clinic", "“健康进万家”义诊", "村卫生室", [("常用药品", 120, "盒")]),
    ("training", "儿童主任业务培训", "镇政府会议室", [("培训手册", 40, "本")]),
    ("recreation", "“快乐暑假”亲子文体活动", "儿童之家", [("文具", 60, "套")]),
    ("pairing", "爱心家长结对仪式", "村委会", []),
    ("donation", "爱心图书捐赠", "村小学", [("图书", 500, "册"), ("书包", 50, "个")]),
]


def _activities(ctx: DemoContext) -> None:
    rng, today = ctx.rng, ctx.today
    units = ctx.units
    townships = [a for a in ctx.areas.get(4, []) if a.code.startswith("9901")]
    villages_by_township: dict[str, list] = {}
    for village in ctx.areas.get(5, []):
        villages_by_township.setdefault(village.code[:9], []).append(village)
    activities = []
    for month_back in range(12):
        month_day = today - timedelta(days=30 * month_back + 5)
        for township in townships:
            kind, title, place, materials = rng.choice(_ACTIVITY_PLANS)
            villages = villages_by_township.get(township.code[:9], [])
            area = rng.choice(villages) if villages and rng.random() < 0.6 else township
            held = month_day - timedelta(days=rng.randint(0, 20))
            activity = Activity(
                title=f"{township.name}{title}", kind=kind, held_on=held, place=place, area_id=area.code,
                volunteers_count=rng.randint(3, 30), participants_count=rng.randint(20, 400),
                beneficiaries_count=rng.randint(10, 150),
                consultations_count=rng.randint(30, 300) if kind in ("clinic", "publicity") else 0,
                funds_yuan=Decimal(rng.randint(5, 200) * 100), description=f"{title}，共同关爱农村留守儿童和困难群众。")
            activities.append((activity, materials, rng.sample(units, k=min(len(units), rng.randint(1, 2)))))
        # A city-level event each month, with the unit of the ``unit`` account among the organisers.
        kind, title, place, materials = _ACTIVITY_PLANS[(month_back + 1) % len(_ACTIVITY_PLANS)]
        activities.append((Activity(title=f"全市{title}", kind=kind, held_on=month_day, place="市青少年活动中心",
                                    area_id=CITY_CODE, volunteers_count=rng.randint(20, 80),
                                    participants_count=rng.randint(300, 2000), beneficiaries_count=rng.randint(100, 800),
                                    consultations_count=rng.randint(100, 600) if kind in ("clinic", "publicity") else 0,
                                    funds_yuan=Decimal(rng.randint(50, 300) * 100)),
                           materials, units[:2]))
    Activity.objects.bulk_create([a for a, _m, _u in activities], batch_size=2000)
    ActivityMaterial.objects.bulk_create([
        ActivityMaterial(activity=a, item=item, quantity=Decimal(quantity), unit=unit)
        for a, materials, _u in activities for item, quantity, unit in materials], batch_size=5000)
    through = Activity.organisers.through
    through.objects.bulk_create([through(activity_id=a.pk, memberunit_id=u.pk) for a, _m, us in activities for u in us],
                                batch_size=5000)
    # Named beneficiaries for the activities held in the demo village.
    home_children = list(Person.objects.filter(area_id=HOME_VILLAGE).order_by("pk").values_list("pk", flat=True)[:10])
    benefit = Activity.beneficiaries.through
    benefit.objects.bulk_create([benefit(activity_id=a.pk, person_id=pk) for a, _m, _u in activities
                                 if a.area_id == HOME_VILLAGE for pk in home_children[:rng.randint(3, 10)]])


def _care_homes(ctx: DemoContext) -> None:
    from .services import checklist

    rng, today = ctx.rng, ctx.today
    units = {u.name: u for u in ctx.units}
    women = next((u for name, u in units.items() if "妇女" in name), None)
    education = next((u for name, u in units.items() if "教育" in name), None)
    civil = next((u for name, u in units.items() if "民政" in name), None)
    homes = [
        CareHome(name="前进社区儿童之家", kind=CareHome.CHILDREN_HOME, area_id=HOME_VILLAGE, sponsor_unit=women,
                 address="前进社区党群服务中心二楼", opened_on=today - timedelta(days=900), manager="张秀英", phone="13900001111"),
        CareHome(name="河口镇爱心家园", kind=CareHome.LOVE_HOME, area_id="990101002000", sponsor_unit=civil,
                 address="河口镇政府东侧", opened_on=today - timedelta(days=600), manager="王建华"),
        CareHome(name="西山县城关镇儿童之家", kind=CareHome.CHILDREN_HOME, area_id="990102001002", sponsor_unit=education,
                 address="城关镇中心小学旁", opened_on=today - timedelta(days=400), manager="刘春梅"),
    ]
    CareHome.objects.bulk_create(homes)
    inspector = ctx.users.get("township")
    items = checklist()
    inspections = []
    for home in homes:
        for quarter in range(4):
            rows = [{"code": code, "label": label, "ok": rng.random() < 0.85 + 0.04 * quarter} for code, label in items]
            inspections.append(Inspection(home=home, inspected_on=today - timedelta(days=20 + 90 * quarter),
                                          inspector=inspector, results=rows, passed=sum(r["ok"] for r in rows),
                                          total=len(rows), area_id=home.area_id,
                                          notes="" if all(r["ok"] for r in rows) else "部分项目未达标，限期一个月整改。"))
    Inspection.objects.bulk_create(inspections)
