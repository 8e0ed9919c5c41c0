"""Factories for tests: records made through the real services in an area tree of their own
(real-looking codes of 贵州省黔东南州凯里市, apart from the demo city's 99…), with Chinese
names, so a test says what it needs instead of leaning on the demo city's shape.

Every date is taken from ``timezone.localdate()``: under ``time_machine.travel`` the
records are the same whatever day the suite runs."""

from __future__ import annotations

import itertools
from datetime import date

from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.areas.models import Area
from guanai.registry import services as registry
from guanai.registry.models import Person
from guanai.textproc import idcard

# 贵州省 › 黔东南苗族侗族自治州 › 凯里市 › 湾溪街道 › 村/社区 (codes shaped as GB/T 2260 and the
# statistical division codes are).
AREA_TREE = [
    ("520000000000", "贵州省", 1),
    ("522600000000", "黔东南苗族侗族自治州", 2),
    ("522601000000", "凯里市", 3),
    ("522601104000", "湾溪街道", 4),
]
VILLAGES = {"522601104201": "大坪村", "522601104202": "平良村", "522601104203": "白午村"}
VILLAGE = "522601104201"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = ["秀英", "桂兰", "建国", "志强", "子涵", "梓轩", "欣怡", "浩然", "雨桐", "明轩", "思远", "佳怡"]
_serial = itertools.count(1)


def area(code: str = VILLAGE) -> Area:
    """The area ``code`` of the factories' tree (a village of VILLAGES or one of AREA_TREE), with its parents."""
    parent = None
    for tree_code, name, level in AREA_TREE:
        parent, _created = Area.objects.get_or_create(code=tree_code, defaults={
            "name": name, "level": level, "parent": parent})
        if tree_code == code:
            return parent
    village, _created = Area.objects.get_or_create(code=code, defaults={
        "name": VILLAGES.get(code, f"{code[-3:]}村"), "level": 5, "parent": parent})
    return village


def chinese_name(n: int | None = None) -> str:
    n = next(_serial) if n is None else n
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def user(role: str = roles.VILLAGE, *, area_code: str = VILLAGE, username: str | None = None, **fields) -> User:
    """An account of ``role`` over ``area_code`` (created with its areas)."""
    n = next(_serial)
    area(VILLAGE)  # the tree down to a village, whatever level the account serves
    account = User.objects.create(username=username or f"factory-{role}-{n}", role=role, area=area(area_code),
                                  first_name=chinese_name(n), **fields)
    account.set_unusable_password()
    account.save(update_fields=["password"])
    return account


def birth_date(age: int, *, on: date | None = None) -> date:
    """A birth date that makes a person ``age`` years old on ``on`` (today by default)."""
    on = on or timezone.localdate()
    return date(on.year - age, 1, 1)  # 1 January: the birthday has come by any day of the year


def id_number(born: date, *, area_code: str = VILLAGE, female: bool = False, serial: int | None = None) -> str:
    """A valid 18-digit ID number (check digit included) born on ``born`` in the area's county."""
    serial = (next(_serial) if serial is None else serial) % 500
    sequence = f"{serial:02d}{(2 * (serial % 5)) + (0 if female else 1)}"[-3:]
    first17 = f"{area_code[:6]}{born:%Y%m%d}{sequence}"
    return first17 + idcard.check_digit(first17)


def person(by: User | None = None, *, area_code: str = VILLAGE, name: str | None = None, age: int = 10,
           categories=("left_behind_child",), with_id: bool = False, **data) -> Person:
    """A person filed through ``registry.services.create_person`` by ``by`` (a village worker
    of the area, made when not given)."""
    by = by or user(roles.VILLAGE, area_code=area_code)
    born = data.pop("birth_date", None) or birth_date(age)
    return registry.create_person(
        user=by, area_code=area_code, data={"name": name or chinese_name(), "birth_date": born, **data},
        categories=list(categories), id_number=id_number(born, area_code=area_code) if with_id else None)


def last_event_id() -> int:
    """The newest audit event's id (0 when none): what a test compares the events of a write against."""
    from guanai.audit.models import AuditEvent

    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def only_event(obj, since: int):
    """The one audit event of ``obj`` after event ``since``: a service write is exactly one event."""
    from guanai.audit.models import AuditEvent

    events = list(AuditEvent.objects.filter(pk__gt=since, object_type=obj._meta.label_lower, object_id=str(obj.pk)))
    assert len(events) == 1, [(e.action, e.changes, e.detail) for e in events]
    return events[0]
