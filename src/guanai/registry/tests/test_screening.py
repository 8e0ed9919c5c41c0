import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from guanai.registry import screening
from guanai.registry.models import ScreeningReport


@pytest.fixture
def campaign(users):
    return screening.create_campaign(user=users["city"], name="2026年秋季摸底排查", area_code="990101000000",
                                     start_date=date(2026, 9, 1), end_date=date(2026, 9, 30),
                                     categories=["left_behind_child", "solitary_elder"])


def test_progress_shows_reported_villages_and_totals_by_area(campaign, users):
    screening.submit_report(user=users["village"], campaign=campaign, village_code="990101001001",
                            households_checked=298, counts={"left_behind_child": 12, "solitary_elder": 3})
    screening.submit_report(user=users["county"], campaign=campaign, village_code="990101002001",
                            households_checked=100, counts={"left_behind_child": 5, "solitary_elder": 0})
    progress = screening.campaign_progress(campaign, users["county"])
    assert (progress.villages, progress.reported, progress.households) == (12, 2, 398)
    assert progress.totals == {"left_behind_child": 17, "solitary_elder": 3}
    by_town = {row.area.code: row for row in progress.rows}
    assert by_town["990101001000"].reported == 1 and by_town["990101001000"].ordered == [12, 3]
    assert len(progress.missing) == 10
    # A village worker sees their own part only.
    mine = screening.campaign_progress(campaign, users["village"])
    assert mine.villages == 1 and mine.totals == {"left_behind_child": 12, "solitary_elder": 3}


def test_resubmitting_replaces_the_village_report(campaign, users):
    for n in (4, 6):
        screening.submit_report(user=users["village"], campaign=campaign, village_code="990101001001",
                                households_checked=10, counts={"left_behind_child": n})
    assert ScreeningReport.objects.get(campaign=campaign).counts == {"left_behind_child": 6, "solitary_elder": 0}


@pytest.mark.parametrize("village,households,counts,message", [
    ("990102001001", 1, {}, "排查范围"),
    ("990101001002", 1, {}, "管辖范围"),
    ("990101001001", -1, {}, "负数"),
])
def test_bad_reports_are_refused(campaign, users, village, households, counts, message):
    with pytest.raises(ValidationError) as err:
        screening.submit_report(user=users["village"], campaign=campaign, village_code=village,
                                households_checked=households, counts=counts)
    assert message in str(err.value)
    assert not ScreeningReport.objects.filter(campaign=campaign).exists()


def test_village_worker_reports_through_the_page(campaign, client_for):
    client = client_for("village")
    response = client.post(f"/persons/screening/{campaign.pk}/report/",
                           {"households_checked": "86", "count_left_behind_child": "7", "count_solitary_elder": "2"})
    assert response.status_code == 302
    page = client_for("county").get(response.url).content.decode()
    assert re.search(r'data-card="已上报">1/12<', page)
    assert 'data-card="农村留守儿童">7<' in page
    bad = client.post(f"/persons/screening/{campaign.pk}/report/", {"households_checked": "abc"})
    assert "排查户数应为整数" in bad.content.decode()


def test_campaign_create_page(client_for):
    response = client_for("county").post("/persons/screening/create/", {
        "name": "冬季排查", "area": "990101000000", "start_date": "2026-12-01", "end_date": "2026-11-01",
        "categories": ["left_behind_child"]})
    assert "截止日期不能早于开始日期" in response.content.decode()
