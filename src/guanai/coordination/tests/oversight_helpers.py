"""Test data of supervision, assessment and projects, made through the real services."""

from datetime import timedelta

from django.utils import timezone

from guanai.core import clock
from guanai.coordination import oversight_supervision as supervision
from guanai.coordination.models import MemberUnit

CITY = "990100000000"
COUNTY = "990101000000"
TOWNSHIP = "990101001000"  # the township account's
OTHER_TOWNSHIP = "990101002000"
FOREIGN_CITY_UNIT_AREA = "990200000000"


def demo_scheme(subject: str):
    """The demo's assessment of last year (the demo dates itself by clock.today(), Beijing time)."""
    from guanai.coordination.models import AssessmentScheme

    return AssessmentScheme.objects.get(area_id=CITY, year=clock.today().year - 1, subject=subject)


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def unit(suffix: str) -> MemberUnit:
    return MemberUnit.objects.get(area_id=CITY, name__endswith=suffix)


def make_round(office, *, title="第四季度关爱服务专项督导", started=-10, **extra):
    args = {"title": title, "area_code": CITY, "started_on": days(started), "ended_on": days(started + 2),
            "methods": ["documents", "site_visit"]}
    args.update(extra)
    return supervision.create_round(acting_user=office, **args)


def make_item(office, supervision_round, *, deadline=5, problem="留守儿童档案更新不及时", **responsible):
    if not responsible:
        responsible = {"responsible_unit": unit("教育局")}
    return supervision.add_item(acting_user=office, supervision=supervision_round, problem=problem,
                                measure="逐一核对，按月更新", deadline=days(deadline), **responsible)


def foreign_city() -> str:
    """Another city, its county and a township (not in the small demo): outside everyone's scope but the admin's."""
    from guanai.areas.models import Area

    Area.objects.get_or_create(code="990200000000", defaults={"name": "外地市", "level": 2, "parent_id": "990000000000"})
    Area.objects.get_or_create(code="990201000000", defaults={"name": "外地县", "level": 3, "parent_id": "990200000000"})
    Area.objects.get_or_create(code="990201001000", defaults={"name": "外地镇", "level": 4, "parent_id": "990201000000"})
    return "990201001000"


def fresh(obj):
    obj.refresh_from_db()
    return obj
