"""The care metrics equal hand-counted records, and the demo's figures equal direct counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from guanai.care import metrics, services
from guanai.care.models import Activity, AidItem, Visit
from guanai.care.tests.helpers import fresh_village, person
from guanai.registry.models import Household
from guanai.stats.metrics import METRICS, compute
from guanai.stats.periods import Period, parse_period


@pytest.fixture
def village_records(users, frozen_day):
    """Visits and activities in a village of their own: 3 visits to 2 persons and 1 to a household,
    on FROZEN_DAY (a visit 400 days before it falls in the year before)."""
    user = users["township"]
    village = fresh_village()
    today = timezone.localdate()
    child = person(user, "甲童", village.code)
    elder = person(user, "乙老", village.code, categories=("solitary_elder",))
    household = Household.objects.create(area=village, head_name="丙")
    member = person(user, "丙童", village.code)
    member.household = household
    member.save()
    services.create_visit(user=user, person=child, visit_date=today, mode="home",
                          aid=[{"kind": "cash", "value_yuan": "500"},
                               {"kind": "goods", "description": "大米", "quantity": "2", "unit": "袋", "value_yuan": "120"}])
    services.create_visit(user=user, person=child, visit_date=today, mode="phone",
                          aid=[{"kind": "goods", "description": "棉被", "quantity": "1", "unit": "床", "value_yuan": "260"}])
    services.create_visit(user=user, person=elder, visit_date=today, mode="home",
                          aid=[{"kind": "cash", "value_yuan": "300"},
                               {"kind": "goods", "description": "大米", "quantity": "1", "unit": "袋", "value_yuan": "60"}])
    services.create_visit(user=user, household=household, visit_date=today, mode="home")
    # Last year's visit does not count this year.
    old = services.create_visit(user=user, person=elder, visit_date=today - timedelta(days=400), mode="home",
                                aid=[{"kind": "cash", "value_yuan": "1000"}])
    services.create_activity(user=user, title="义诊", kind="clinic", held_on=today, area_code=village.code,
                             volunteers_count=8, participants_count=120, beneficiaries_count=60, consultations_count=90,
                             funds_yuan="3000")
    services.create_activity(user=user, title="法治宣传", kind="publicity", held_on=today, area_code=village.code,
                             volunteers_count=5, participants_count=300, beneficiaries_count=200)
    return {"village": village.code, "old": old}


def test_visit_and_aid_metrics_equal_a_hand_count(village_records):
    code = village_records["village"]
    year = parse_period(str(timezone.localdate().year))
    assert metrics.visits(code, year) == 4
    assert metrics.visits(code, year, category="solitary_elder") == 1
    assert metrics.visits(code, year, category="left_behind_child") == 3  # two to 甲童, one to 丙童's household
    assert metrics.persons_visited(code, year) == 3
    assert metrics.persons_visited(code, year, category="left_behind_child") == 2
    assert metrics.aid_cash_yuan(code, year) == Decimal("800")
    assert metrics.aid_goods_value_yuan(code, year) == Decimal("440")
    assert metrics.aid_goods_value_yuan(code, year, kind="大米") == Decimal("180")
    assert metrics.aid_goods_value_yuan(code, year, kind="棉被", category="left_behind_child") == Decimal("260")
    assert compute("aid_cash_yuan", code, year.key, category="solitary_elder") == 300.0


def test_a_person_visited_counts_in_their_own_village_after_they_moved(village_records, users):
    # Persons visited count in the village they live in, whichever village a visit was filed in: a
    # village's figure is then part of every area above it, so an area's is the sum of its
    # villages' (a table's rows add up to its total; each village's is kept, stats.tallies). Before,
    # a visit had to lie in the asked area too: moved away, the person counted in no village, yet
    # in the city, and a sub-area asked alone said less than its row of the city's table.
    from guanai.registry.models import Person
    from guanai.registry.transfers import move_person

    code = village_records["village"]
    year = parse_period(str(timezone.localdate().year))
    child = Person.objects.get(name="甲童", area_id=code)
    elsewhere = "990102001001"  # another county
    before = metrics.persons_visited(elsewhere, year)
    move_person(user=users["admin"], person=child, to_area_code=elsewhere, reason="随父母迁居")
    assert metrics.persons_visited(code, year) == 2
    assert metrics.persons_visited(elsewhere, year) == before + 1
    assert metrics.persons_visited(elsewhere[:6] + "000000", year) >= before + 1
    by_village = metrics.persons_visited_by_village("990100000000", year)
    assert by_village[code] == 2 and by_village[elsewhere] == before + 1
    by_period = metrics.persons_visited_by_period("990100000000")
    assert by_period[(elsewhere, year.key)] == before + 1 and by_period[(code, year.key)] == 2


def test_activity_metrics_equal_a_hand_count(village_records):
    code = village_records["village"]
    year = parse_period(str(timezone.localdate().year))
    assert metrics.activities(code, year) == 2
    assert metrics.activities(code, year, kind="义诊") == metrics.activities(code, year, kind="clinic") == 1
    assert metrics.activity_participants(code, year) == 420
    assert metrics.activity_beneficiaries(code, year) == 260
    assert metrics.activity_volunteers(code, year) == 13
    assert metrics.activity_consultations(code, year) == 90
    assert metrics.activity_funds_yuan(code, year) == Decimal("3000")


def test_metrics_of_the_demo_city_equal_direct_counts(users):
    # The twelve months to today, not the calendar year: on 1 January this year has no visits yet.
    today = timezone.localdate()
    year = Period(today - timedelta(days=364), today, "last-12-months")
    city = "990100000000"
    in_city = {"area__gte": "990100000000", "area__lt": "990200000000"}
    visits = Visit.objects.filter(**in_city, visit_date__gte=year.start, visit_date__lte=year.end)
    assert metrics.visits(city, year) == visits.count() > 0
    cash = AidItem.objects.filter(**in_city, kind="cash", given_on__gte=year.start, given_on__lte=year.end)
    assert metrics.aid_cash_yuan(city, year) == cash.aggregate(n=Sum("value_yuan"))["n"]
    activities = Activity.objects.filter(**in_city, held_on__gte=year.start, held_on__lte=year.end)
    assert metrics.activity_participants(city, year) == activities.aggregate(n=Sum("participants_count"))["n"]


def test_care_metrics_are_registered_with_labels_units_and_parameters():
    expected = {"visits": "次", "persons_visited": "人", "visit_coverage": "%", "aid_cash_yuan": "元",
                "aid_goods_value_yuan": "元", "activities": "场", "activity_participants": "人次",
                "activity_beneficiaries": "人", "activity_volunteers": "人次", "cases_opened": "件",
                "cases_closed": "件", "cases_open": "件", "case_steps_late": "个"}
    for name, unit in expected.items():
        assert METRICS[name].unit == unit and METRICS[name].label
    assert "kind" in METRICS["aid_goods_value_yuan"].params
    with pytest.raises(TypeError):
        compute("visits", "990100000000", "2026", kind="大米")


def test_coverage_by_child_area_equals_the_metrics_of_each_child(users):
    month = parse_period(f"{timezone.localdate():%Y-%m}")
    by_child = metrics.visit_coverage_by_child("990101000000", month)
    assert by_child, "the demo county has persons due"
    for code, row in by_child.items():
        assert row["due"] == metrics.persons_due_visit(code, month)
        assert row["covered"] == metrics.persons_visited_in_time(code, month)
        assert row["coverage"] == metrics.visit_coverage(code, month)
        assert row["visits"] == metrics.visits(code, month)
    assert sum(r["due"] for r in by_child.values()) == metrics.persons_due_visit("990101000000", month)
    assert sum(r["visits"] for r in by_child.values()) == metrics.visits("990101000000", month)


def test_the_follow_up_tallies_are_the_metrics(users):
    from guanai.stats.tallies import refresh_villages, tally

    today = parse_period(f"{timezone.localdate():%Y-%m}")
    refresh_villages(["990101001001", "990101001002"])
    for village in ("990101001001", "990101001002"):
        assert tally(village, "persons_due_visit") == metrics.persons_due_visit(village, today)
        assert tally(village, "persons_visited_in_time") == metrics.persons_visited_in_time(village, today)
