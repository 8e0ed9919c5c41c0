"""Dates that no form accepts any more may still be stored (older data, a database edited by
hand): every page that shows them answers, none is a 500."""

from datetime import date

import pytest
from django.utils import timezone

from guanai.care.models import Activity, CareHome, Helper, Pairing, Visit
from guanai.care.tests.helpers import person
from guanai.registry.models import Person, RiskAssessment, ScreeningCampaign

VILLAGE = "990101001001"


@pytest.fixture
def odd(users):
    far_future, far_past = date(9999, 12, 31), date(1, 1, 1)
    child = person(users["village"], "怪日童", VILLAGE)
    Person.objects.filter(pk=child.pk).update(birth_date=date(2100, 1, 1))
    elder = person(users["village"], "古日老", VILLAGE, categories=("solitary_elder",))
    Person.objects.filter(pk=elder.pk).update(birth_date=far_past)
    visits = [Visit.objects.create(visit_date=day, mode="home", person=child, area_id=VILLAGE,
                                   next_visit_on=next_day, findings="怪日走访")
              for day, next_day in ((far_future, far_future), (far_past, far_past), (timezone.localdate(), far_future))]
    RiskAssessment.objects.create(person=child, assessed_on=far_past, level="red", is_current=True)
    Person.objects.filter(pk=child.pk).update(current_risk="red")
    helper = Helper.objects.get(user=users["volunteer"])
    Pairing.objects.create(helper=helper, person=elder, area_id=VILLAGE, start_date=far_past, end_date=far_future)
    activity = Activity.objects.create(title="怪日活动", kind="publicity", held_on=far_future, area_id=VILLAGE)
    home = CareHome.objects.create(name="怪日之家", kind="children_home", area_id=VILLAGE, opened_on=far_past)
    campaign = ScreeningCampaign.objects.create(name="怪日排查", area_id="990100000000", start_date=far_past,
                                                end_date=far_future, categories=["left_behind_child"])
    return {"child": child, "elder": elder, "visits": visits, "activity": activity, "home": home,
            "campaign": campaign}


def test_pages_with_odd_stored_dates_answer(odd, client_for):
    child, elder = odd["child"], odd["elder"]
    pages = {
        "village": ["/", f"/persons/{child.pk}/", f"/persons/{elder.pk}/", f"/persons/{child.pk}/edit/",
                    "/persons/", "/persons/aging-out/", "/persons/guardianship/", "/care/", "/care/due/",
                    "/care/due/?status=overdue", f"/care/visits/{odd['visits'][0].pk}/",
                    f"/care/visits/{odd['visits'][1].pk}/", f"/care/visits/create/?person={child.pk}",
                    "/care/activities/", f"/care/activities/{odd['activity'].pk}/", "/care/homes/",
                    f"/care/homes/{odd['home'].pk}/", "/persons/screening/",
                    f"/persons/screening/{odd['campaign'].pk}/", "/care/recipients/?q=guai",
                    "/persons/export/"],
        "volunteer": ["/", "/care/mine/", "/care/", "/care/recipients/"],
        "county": ["/", "/care/due/", "/care/pairings/?show=all", "/care/pairings/"],
        "office": ["/", "/care/coverage/"],
    }
    for username, urls in pages.items():
        client = client_for(username)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302), (username, url, response.status_code)


def test_follow_up_dates_survive_the_calendars_ends():
    from guanai.care import followup

    assert followup.suggest_next_visit(["left_behind_child"], "red", date(9999, 12, 31)) == date.max
    assert followup.suggest_next_visit(["left_behind_child"], "red", date(1, 1, 1)) == date(1, 1, 8)
