"""The care and protection metrics asked for one member unit (``unit``): what a unit's report
is prefilled with. Each counts the unit's own records only."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.care import services as care
from guanai.care.services import AidRow
from guanai.care.tests.helpers import fresh_village, person
from guanai.coordination.models import MemberUnit
from guanai.stats.metrics import METRICS, compute

pytestmark = pytest.mark.django_db
COUNTY = "990102000000"


@pytest.fixture
def world(users):
    village = fresh_village("990102001081", "单位测试村")
    unit = MemberUnit.objects.create(name="西山县测试局", area_id=COUNTY)
    other = MemberUnit.objects.create(name="西山县别的局", area_id=COUNTY)
    staff = User.objects.create_user("xs_worker", role=roles.STAFF, area_id=COUNTY)
    liaison = User.objects.create_user("xs_unit", role=roles.UNIT, area_id=COUNTY, unit=unit)
    child = person(staff, "单位测试儿童", village.code)
    return {"village": village.code, "unit": unit, "other": other, "staff": staff, "liaison": liaison, "child": child}


def test_every_unit_metric_is_zero_for_a_unit_without_records(world):
    for name, info in METRICS.items():
        if "unit" in info.params:
            assert compute(name, COUNTY, "2025Q3", unit=world["other"].pk) == 0, name


def test_activities_it_organised(world):
    w = world
    for title, units in (("送教下乡", [w["unit"]]), ("联合义诊", [w["unit"], w["other"]]), ("别家活动", [w["other"]])):
        care.create_activity(user=w["staff"], title=title, kind="clinic", held_on=date(2025, 8, 1), area_code=w["village"],
                             organisers=units, participants_count=10)
    assert compute("activities", COUNTY, "2025Q3", unit=w["unit"].pk) == 2
    assert compute("activity_participants", COUNTY, "2025Q3", unit=w["unit"].pk) == 20
    assert compute("activities", COUNTY, "2025Q3", kind="义诊", unit=w["unit"].pk) == 2
    assert compute("activities", COUNTY, "2025Q3") >= 3


def test_visits_and_aid_its_staff_took_part_in(world):
    w = world
    care.create_visit(user=w["staff"], visit_date=date(2025, 8, 3), mode="home", person=w["child"],
                      visitors=[w["liaison"]], aid=[AidRow("cash", "慰问金", value_yuan=500)])
    care.create_visit(user=w["staff"], visit_date=date(2025, 8, 4), mode="home", person=w["child"],
                      aid=[AidRow("cash", "慰问金", value_yuan=300)])
    assert compute("visits", COUNTY, "2025Q3", unit=w["unit"].pk) == 1
    assert compute("visits", COUNTY, "2025Q3") >= 2
    assert compute("aid_cash_yuan", COUNTY, "2025Q3", unit=w["unit"].pk) == 500


def test_persons_paired_with_its_staff(world):
    w = world
    helper = care.create_helper(user=w["staff"], name="单位职工", kind="unit_staff", area_code=w["village"],
                                unit=w["unit"])
    care.create_pairing(user=w["staff"], helper=helper, persons=[w["child"]], start_date=date(2025, 7, 1))
    assert compute("persons_paired", COUNTY, "2025Q3", unit=w["unit"].pk) == 1
    assert compute("pairings_started", COUNTY, "2025Q3", unit=w["unit"].pk) == 1
    assert compute("persons_paired", COUNTY, "2025Q2", unit=w["unit"].pk) == 0  # not yet paired on 30 June


def test_cases_it_reported_and_steps_its_staff_completed(world):
    from guanai.protection import services as protection

    w = world
    reported = timezone.make_aware(datetime.combine(date(2025, 8, 5), time(9)))
    case = protection.report_case(user=w["liaison"], area_code=w["village"], situation="alone",
                                  description="孩子独自在家", child_name="测试", reported_at=reported)
    assert case.reporter_unit == w["unit"]
    assert compute("cases_opened", COUNTY, "2025Q3", unit=w["unit"].pk) == 1
    assert compute("cases_opened", COUNTY, "2025Q3", unit=w["other"].pk) == 0
    w["staff"].unit = w["unit"]
    w["staff"].save(update_fields=["unit"])
    protection.complete_step(user=w["staff"], case=case, action="已联系亲属照料",
                             completed_at=reported.replace(hour=15))
    assert compute("case_steps_completed", COUNTY, "2025Q3", unit=w["unit"].pk) == 1
    assert compute("case_steps_completed", COUNTY, "2025Q3", unit=w["other"].pk) == 0
