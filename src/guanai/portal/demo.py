"""Loading the demo city 示范市 (codes beginning 99): the areas, member units and one
account per role (the steps below), then every app's ``@demo_step`` in order.

Never loaded on a real installation: its accounts share a published password.
"""

from __future__ import annotations

import random
import time
from contextlib import ExitStack
from datetime import date

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from guanai.core import clock
from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.coordination.models import MemberUnit
from guanai.core.db import refresh_planner_statistics
from guanai.core.demo import (CITY_CODE, DEMO_PASSWORD, PROVINCE_CODE, SCALES, DemoContext, demo_step,
                              indexes_deferred, is_bulk, steps)

_COUNTY_NAMES = ["东城区", "西山县", "南湖县", "北岭县", "清河县", "青山县", "长乐县", "永安县", "安平县", "丰宁县"]
_TOWNSHIP_STEMS = ["城关", "河口", "石桥", "柳林", "桃园", "大坪", "新华", "白沙", "黄岗", "龙泉", "高峰", "马家"]
_VILLAGE_STEMS = ["前进", "和平", "红星", "建设", "光明", "团结", "胜利", "幸福", "向阳", "东风", "民主", "太平",
                  "新民", "兴隆", "永红", "五星", "长青", "金山", "银河", "杨柳", "枣林", "梨园", "竹园", "李庄"]
_CITY_NAMES = ["示范市", "安和市", "宁远市", "平川市", "兴安市", "长宁市", "德阳市", "临江市", "白云市", "南山市",
               "北原市", "东海市"]
UNIT_NAMES = ["民政局", "教育局", "公安局", "司法局", "财政局", "人力资源和社会保障局", "卫生健康委员会",
              "妇女联合会", "共青团市委", "残疾人联合会"]


def demo_loaded() -> bool:
    return Area.objects.filter(code=CITY_CODE).exists()


def load_demo(scale: str = "small", *, today: date | None = None, seed: int = 2026, log=print) -> DemoContext:
    if scale not in SCALES:
        raise ValueError(f"未知的演示规模“{scale}”，可选：{'、'.join(SCALES)}")
    autodiscover_modules("demo_data")  # every app's steps (<app>/demo_data.py) register themselves
    ctx = DemoContext(scale=scale, today=today or clock.today(), rng=random.Random(seed))
    started = time.perf_counter()
    with transaction.atomic(), ExitStack() as deferred:
        bulk = False
        for step in steps():
            if is_bulk(step) != bulk:  # entering or leaving a run of bulk steps
                if bulk:
                    log(f"演示数据：重建索引（{time.perf_counter() - started:.0f} 秒）")
                    deferred.close()
                    refresh_planner_statistics()  # the later steps' queries plan on the new rows
                else:
                    deferred.enter_context(indexes_deferred())
                bulk = is_bulk(step)
            log(f"演示数据：{step.__doc__.strip().splitlines()[0] if step.__doc__ else step.__name__}"
                f"（{time.perf_counter() - started:.0f} 秒）")
            step(ctx)
        deferred.close()
    refresh_planner_statistics()
    log(f"演示数据：完成（{time.perf_counter() - started:.0f} 秒）")
    return ctx


@demo_step(10)
def build_areas(ctx: DemoContext) -> None:
    """行政区划"""
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
