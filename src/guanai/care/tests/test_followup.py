"""Follow-up rules: first visits in working days (core.workdays), intervals by
category and risk, due/overdue lists and coverage counted by hand."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from guanai.areas.models import Area
from guanai.care import followup, metrics, services
from guanai.care.tests.helpers import fresh_village, person
from guanai.registry.models import Person
from guanai.stats.metrics import compute
from guanai.stats.periods import Period, parse_period

NATIONAL_DAY_EVE = date(2026, 9, 29)


def _one(user, name, village, registered, categories=("left_behind_child",)):
    return person(user, name, village.code, categories=categories, registered=registered)


def _status(p: Person, day: date) -> str | None:
    return followup.annotate_status(Person.objects.filter(pk=p.pk), day).get().followup_status


def test_first_visit_within_five_working_days_across_the_holiday(users):
    village = fresh_village()
    child = _one(users["township"], "国庆童", village, NATIONAL_DAY_EVE)
    # Registered the day before the holiday: due on 12 October, not on 4 October.
    assert _status(child, date(2026, 10, 8)) == followup.FIRST
    assert _status(child, date(2026, 10, 12)) == followup.FIRST
    assert _status(child, date(2026, 10, 13)) == followup.OVERDUE
    child.last_visit = None
    assert followup.due_date(child, ["left_behind_child"], date(2026, 10, 13)) == date(2026, 10, 12)


def test_monthly_and_weekly_intervals(users, settings, frozen_day):
    village = fresh_village()
    today = timezone.localdate()
    user = users["township"]
    long_ago = today - timedelta(days=200)
    monthly = _one(user, "按月童", village, long_ago)
    services.create_visit(user=user, person=monthly, visit_date=today - timedelta(days=30), mode="home")
    late = _one(user, "逾期老人", village, long_ago, categories=("solitary_elder",))
    services.create_visit(user=user, person=late, visit_date=today - timedelta(days=31), mode="phone")
    soon = _one(user, "将到期童", village, long_ago)
    services.create_visit(user=user, person=soon, visit_date=today - timedelta(days=25), mode="home")
    red = _one(user, "高风险童", village, long_ago)
    services.create_visit(user=user, person=red, visit_date=today - timedelta(days=8), mode="home", risk_level="red")
    untracked = _one(user, "残疾人甲", village, long_ago, categories=("disabled_person",))

    assert _status(monthly, today) == followup.SOON  # due today: on the list, not late
    assert _status(late, today) == followup.OVERDUE
    assert _status(soon, today) == followup.SOON
    assert _status(red, today) == followup.OVERDUE  # weekly for high risk
    assert _status(untracked, today) is None
    persons = Person.objects.filter(area=village)
    assert followup.status_counts(persons, today) == {"overdue": 2, "first": 0, "soon": 2}
    due = list(followup.due_persons(persons, today))
    assert [p.name for p in due] == ["逾期老人", "高风险童", "按月童", "将到期童"]  # overdue first, longest unvisited first

    # The intervals are configuration.
    settings.GUANAI_FOLLOWUP_RULES = {"categories": {"solitary_elder": {"days": 60}}, "risk": {}}
    assert _status(late, today) == followup.SOON  # not late any more; the date planned at the visit still reminds
    assert _status(red, today) is None  # no risk rule, and left-behind children are no longer listed
    # The counts above the list count what the list shows (the planned date included).
    listed = [p.followup_status for p in followup.due_persons(persons, today)]
    counts = followup.status_counts(persons, today)
    assert counts[followup.SOON] == listed.count(followup.SOON) >= 1
    assert counts == {status: listed.count(status) for status in followup.STATUS_LABELS}


def test_coverage_counts_equal_a_hand_count(users, frozen_day):
    # Frozen: "10 days ago" and "45 days ago" against this month's period depend on the day of the month.
    village = fresh_village()
    user = users["township"]
    today = timezone.localdate()
    long_ago = today - timedelta(days=120)
    visited = [_one(user, f"按期{i}", village, long_ago) for i in range(3)]
    for p in visited:
        services.create_visit(user=user, person=p, visit_date=today - timedelta(days=10), mode="home")
    _one(user, "未访童", village, long_ago)
    stale = _one(user, "久未访童", village, long_ago)
    services.create_visit(user=user, person=stale, visit_date=today - timedelta(days=45), mode="home")
    _one(user, "新建档童", village, today)  # first-visit window still open: not yet due
    exited = _one(user, "已退出童", village, long_ago)
    Person.objects.filter(pk=exited.pk).update(status=Person.EXITED, exit_date=today - timedelta(days=5))

    month = parse_period(f"{today:%Y-%m}")
    assert metrics.persons_due_visit(village.code, month) == 5
    assert metrics.persons_visited_in_time(village.code, month) == 3
    assert metrics.visit_coverage(village.code, month) == 60.0
    assert compute("visit_coverage", village.code, month.key) == 60.0
    # Overdue is due minus visited in time: the same two as the due list's own condition.
    assert metrics.persons_overdue_visit(village.code, month) == 2
    assert Person.objects.filter(area=village).filter(followup.overdue_q(today)).count() == 2
    # As of an earlier day the exited child was still on file and had never been visited.
    earlier = today - timedelta(days=20)
    as_of = Period(earlier, earlier, earlier.isoformat())
    assert metrics.persons_due_visit(village.code, as_of) == 6
    assert metrics.persons_visited_in_time(village.code, as_of) == 1  # only the visit 45 days ago counted then


def test_coverage_rolls_up_to_the_township(users):
    today = timezone.localdate()
    month = parse_period(f"{today:%Y-%m}")
    township = "990101001000"
    children = list(Area.objects.filter(parent_id=township).values_list("code", flat=True))
    assert metrics.persons_due_visit(township, month) == sum(metrics.persons_due_visit(c, month) for c in children)
    assert metrics.persons_visited_in_time(township, month) == sum(
        metrics.persons_visited_in_time(c, month) for c in children)


@pytest.mark.parametrize("categories,risk,expected", [
    (["left_behind_child"], "", 30), (["solitary_elder"], "green", 30), (["left_behind_child"], "red", 7),
    (["disabled_person"], "", None),
])
def test_suggested_next_visit(categories, risk, expected):
    day = date(2026, 5, 6)
    suggested = followup.suggest_next_visit(categories, risk, day)
    assert suggested == (day + timedelta(days=expected) if expected else None)


@pytest.mark.parametrize("days_on", [0, 3, 10, 40])
def test_due_soon_is_the_rule_spelled_out_and_no_other_status(users, days_on):
    """with_status(SOON) asks "neither overdue nor first" in a shorter form than negating both
    (the nightly refresh counts it over a province). On the demo, today and on later days when
    many persons change status, it picks the persons the rule spelled out picks, the due list's
    own labels (annotate_status) agree, and no person is also overdue or first."""
    day = timezone.localdate() + timedelta(days=days_on)
    persons = Person.objects.filter(area__code__startswith="9901")
    spelled = followup._with_next_planned(persons, day).filter(
        followup.on_file_q(day) & followup.tracked_q() & ~followup.overdue_q(day) & ~followup.first_pending_q(day)
        & followup._soon_q(day, "next_planned"))
    by_status = {status: set(followup.with_status(persons, day, status).values_list("pk", flat=True))
                 for status in followup.STATUS_LABELS}
    soon = by_status[followup.SOON]
    assert soon == set(spelled.values_list("pk", flat=True))
    labelled = set(followup.annotate_status(persons, day).filter(followup_status=followup.SOON)
                   .values_list("pk", flat=True))
    assert soon == labelled
    assert not soon & (by_status[followup.OVERDUE] | by_status[followup.FIRST])
    if days_on == 0:
        assert soon and by_status[followup.OVERDUE]  # the demo has persons of each today
