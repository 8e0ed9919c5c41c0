"""The national table's columns as metrics: each column counts the children it names, at the
period's end, and a gap in the registry falls out of the columns (so the table's checks show it)."""

from datetime import date, timedelta

import pytest

from django.utils import timezone
from guanai.registry import services
from guanai.registry.models import ChildProfile
from guanai.stats.metrics import compute
from guanai.stats.periods import parse_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_day")]  # periods and ages on FROZEN_DAY
VILLAGE = "990101001001"


def _child(name, birth, sex="女", **profile):
    person = services.create_person(user=None, area_code=VILLAGE, data={"name": name, "sex": sex, "birth_date": birth},
                                    categories=["left_behind_child"])
    ChildProfile.objects.update_or_create(person=person, defaults=profile)
    return person


def test_columns_count_the_children_they_name():
    period = parse_period(str(timezone.localdate().year))
    before = {key: compute("left_behind_children", VILLAGE, period, column=key)
              for key in ("age_0_5", "age_6_13", "age_14_up", "female", "school_dropout", "unguarded", "rating_none",
                          "aid_dibao", "aided", "boarding")}
    # The year runs: ages are today's, as the children on file are (sixth birthday today).
    today = timezone.localdate()
    six = date(today.year - 6, today.month, today.day)
    _child("测甲", six, schooling="dropout", guardianship_rating="none", guardian_name="", assistance="低保、医疗救助")
    _child("测乙", six + timedelta(days=1), schooling="kindergarten", guardian_name="李秀兰", guardianship_rating="good",
           boarding=True)
    after = {key: compute("left_behind_children", VILLAGE, period, column=key) for key in before}
    changed = {key: after[key] - before[key] for key in before}
    assert changed == {"age_0_5": 1, "age_6_13": 1, "age_14_up": 0, "female": 2, "school_dropout": 1, "unguarded": 1,
                       "rating_none": 1, "aid_dibao": 1, "aided": 1, "boarding": 1}


def test_a_child_without_birth_date_or_profile_is_in_no_band():
    period = parse_period(str(timezone.localdate().year))
    total = compute("left_behind_children", VILLAGE, period)
    bands = sum(compute("left_behind_children", VILLAGE, period, column=c) for c in ("age_0_5", "age_6_13", "age_14_up"))
    services.create_person(user=None, area_code=VILLAGE, data={"name": "测丙"}, categories=["left_behind_child"])
    assert compute("left_behind_children", VILLAGE, period) == total + 1
    assert sum(compute("left_behind_children", VILLAGE, period, column=c)
               for c in ("age_0_5", "age_6_13", "age_14_up")) == bands


def test_the_total_is_the_registry_count_and_an_unknown_column_is_refused():
    period = parse_period(str(timezone.localdate().year))
    assert compute("left_behind_children", VILLAGE, period) == compute(
        "persons_registered", VILLAGE, period, category="left_behind_child")
    assert compute("children_in_difficulty", VILLAGE, period) == compute(
        "persons_registered", VILLAGE, period, category="child_in_difficulty")
    with pytest.raises(ValueError):
        compute("left_behind_children", VILLAGE, period, column="no_such_column")


def test_screening_progress_counts_villages_owed_and_reported():
    from guanai.areas.models import Area
    from guanai.registry.models import ScreeningCampaign

    campaign = ScreeningCampaign.objects.order_by("-start_date").first()
    period = parse_period(f"{campaign.start_date.year}-{campaign.start_date.month:02d}")
    township = "990101001000"
    villages = Area.objects.filter(parent_id=township).count()
    due, reported = compute("screening_reports_due", township, period), compute("screening_reports_in", township, period)
    assert due == villages * ScreeningCampaign.objects.filter(
        start_date__lte=period.end, end_date__gte=period.start).count()
    assert 0 < reported <= due
