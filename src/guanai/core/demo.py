"""The demo city 示范市 (codes beginning 99): areas, member units and one account
per role. Each later capability adds its records with ``@demo_step(order)``;
a step takes the DemoContext and returns nothing.

Never loaded on a real installation: its accounts share a published password.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

DEMO_PASSWORD = "demo-guanai-2026"
PROVINCE_CODE = "990000000000"
CITY_CODE = "990100000000"

SCALES = {
    # counties per city, townships per county, villages per township, cities
    "small": {"cities": 1, "counties": 3, "townships": 3, "villages": 4},
    "city": {"cities": 1, "counties": 8, "townships": 10, "villages": 12},
    "province": {"cities": 12, "counties": 8, "townships": 10, "villages": 24},
}

_COUNTY_NAMES = ["东城区", "西山县", "南湖县", "北岭县", "清河县", "青山县", "长乐县", "永安县", "安平县", "丰宁县"]
_TOWNSHIP_STEMS = ["城关", "河口", "石桥", "柳林", "桃园", "大坪", "新华", "白沙", "黄岗", "龙泉", "高峰", "马家"]
_VILLAGE_STEMS = ["前进", "和平", "红星", "建设", "光明", "团结", "胜利", "幸福", "向阳", "东风", "民主", "太平",
                  "新民", "兴隆", "永红", "五星", "长青", "金山", "银河", "杨柳", "枣林", "梨园", "竹园", "李庄"]
_CITY_NAMES = ["示范市", "安和市", "宁远市", "平川市", "兴安市", "长宁市", "德阳市", "临江市", "白云市", "南山市",
               "北原市", "东海市"]
UNIT_NAMES = ["民政局", "教育局", "公安局", "司法局", "财政局", "人力资源和社会保障局", "卫生健康委员会",
              "妇女联合会", "共青团市委", "残疾人联合会"]


@dataclass
class DemoContext:
    scale: str
    today: date
    rng: random.Random
    areas: dict[int, list] = field(default_factory=dict)  # level -> [Area]
    users: dict[str, object] = field(default_factory=dict)
    units: list = field(default_factory=list)


_STEPS: list[tuple[int, object]] = []


def demo_step(order: int):
    def decorate(func):
        _STEPS.append((order, func))
        _STEPS.sort(key=lambda item: item[0])
        return func

    return decorate


def demo_loaded() -> bool:
    from guanai.areas.models import Area

    return Area.objects.filter(code=CITY_CODE).exists()


def load_demo(scale: str = "small", *, today: date | None = None, seed: int = 2026, log=print) -> DemoContext:
    if scale not in SCALES:
        raise ValueError(f"未知的演示规模“{scale}”，可选：{'、'.join(SCALES)}")
    _import_steps()
    ctx = DemoContext(scale=scale, today=today or date.today(), rng=random.Random(seed))
    with transaction.atomic():
        for _order, step in _STEPS:
            log(f"演示数据：{step.__doc__.strip().splitlines()[0] if step.__doc__ else step.__name__}")
            step(ctx)
    from .db import refresh_planner_statistics

    refresh_planner_statistics()
    return ctx


def _import_steps() -> None:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("guanai."):
            try:
                __import__(f"{config.name}.demo_data")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo_data":
                    raise


@demo_step(10)
def build_areas(ctx: DemoContext) -> None:
    """行政区划"""
    from guanai.areas import codes
    from guanai.areas.models import Area

    shape = SCALES[ctx.scale]
    rows = [Area(code=PROVINCE_CODE, name="示范省", level=codes.PROVINCE, parent=None)]
    for c in range(1, shape["cities"] + 1):
        city = f"99{c:02d}00000000"
        rows.append(Area(code=city, name=_CITY_NAMES[(c - 1) % len(_CITY_NAMES)], level=codes.CITY, parent_id=PROVINCE_CODE))
        for k in range(1, shape["counties"] + 1):
            county = f"99{c:02d}{k:02d}000000"
            rows.append(Area(code=county, name=_COUNTY_NAMES[(k - 1) % len(_COUNTY_NAMES)], level=codes.COUNTY, parent_id=city))
            for t in range(1, shape["townships"] + 1):
                township = f"{county[:6]}{t:03d}000"
                stem = _TOWNSHIP_STEMS[(t - 1) % len(_TOWNSHIP_STEMS)]
                rows.append(Area(code=township, name=f"{stem}镇", level=codes.TOWNSHIP, parent_id=county))
                for v in range(1, shape["villages"] + 1):
                    kind = "社区" if v == 1 else "村"
                    name = f"{_VILLAGE_STEMS[(v - 1 + t) % len(_VILLAGE_STEMS)]}{kind}"
                    rows.append(Area(code=f"{township[:9]}{v:03d}", name=name, level=codes.VILLAGE, parent_id=township))
    Area.objects.bulk_create(rows, batch_size=2000)
    for area in rows:
        ctx.areas.setdefault(area.level, []).append(area)


@demo_step(20)
def build_units_and_users(ctx: DemoContext) -> None:
    """成员单位与演示账号"""
    from guanai.accounts import roles
    from guanai.accounts.models import User
    from guanai.coordination.models import MemberUnit

    for index, name in enumerate(UNIT_NAMES):
        ctx.units.append(MemberUnit.objects.create(name=f"示范市{name}", area_id=CITY_CODE, is_lead=index == 0))
    county = "990101000000"
    township = "990101001000"
    village = "990101001001"
    accounts = [
        # username, family name, given name, role, area, unit
        ("admin", "管", "理员", roles.ADMIN, None, None),
        ("office", "王", "静", roles.OFFICE, CITY_CODE, None),
        ("unit", "赵", "敏", roles.UNIT, CITY_CODE, ctx.units[1]),
        ("city", "刘", "洋", roles.STAFF, CITY_CODE, None),
        ("county", "陈", "刚", roles.STAFF, county, None),
        ("township", "杨", "丽", roles.STAFF, township, None),
        ("village", "张", "秀英", roles.VILLAGE, village, None),
        ("volunteer", "李", "娜", roles.VOLUNTEER, village, None),
        ("leader", "周", "建国", roles.LEADER, CITY_CODE, None),
    ]
    for username, last, first, role, area, unit in accounts:
        user = User(username=username, last_name=last, first_name=first, role=role, area_id=area, unit=unit,
                    is_staff=role == roles.ADMIN, is_superuser=role == roles.ADMIN)
        user.set_password(DEMO_PASSWORD)
        user.save()
        ctx.users[username] = user
