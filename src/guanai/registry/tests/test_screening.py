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
    # A county's page counts its unreported villages; a township's names them.
    assert progress.unreported == 10 and progress.missing is None
    town = screening.campaign_progress(campaign, users["county"], by_town["990101001000"].area)
    assert (town.villages, town.reported, len(town.missing)) == (4, 1, 3)
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


def _report_two(campaign, users):
    screening.submit_report(user=users["village"], campaign=campaign, village_code="990101001001",
                            households_checked=298, counts={"left_behind_child": 12, "solitary_elder": 3})
    screening.submit_report(user=users["county"], campaign=campaign, village_code="990101002001",
                            households_checked=100, counts={"left_behind_child": 5, "solitary_elder": 0})


def _rows(body: str) -> list[str]:
    return re.findall(r'<tr data-area="(\d+)">', body)


def test_a_city_drills_down_from_counties_to_a_village_keeping_the_round(users, client_for):
    """Issue 14: a city's page read and named its ~2,000 villages (67-120 ms at a province). It shows
    its counties, each a link to its townships, then villages, then a village's own report; every
    level's rows add up to its totals, and the totals are the screening metrics of the area."""
    from guanai.stats.metrics import compute

    campaign = screening.create_campaign(user=users["city"], name="全市排查", area_code="990100000000",
                                         start_date=date(2026, 9, 1), end_date=date(2026, 9, 30),
                                         categories=["left_behind_child", "solitary_elder"])
    _report_two(campaign, users)
    client = client_for("city")
    url = f"/persons/screening/{campaign.pk}/"
    city = client.get(url)
    body = city.content.decode()
    assert _rows(body) == ["990101000000", "990102000000", "990103000000"]
    assert {code[6:] for code in re.findall(r'href="\?area=(\d{12})"', body)} == {"000000"}  # counties only
    assert 'href="?area=990101000000"' in body and re.search(r'data-card="已上报">2/36<', body)
    assert "data-unreported" in body
    period = screening.campaign_period(campaign)
    for code, path in (("990100000000", ""), ("990101000000", "?area=990101000000"),
                       ("990101001000", "?area=990101001000"), ("990101001001", "?area=990101001001")):
        progress = client.get(url + path).context["progress"]
        assert progress.area.code == code
        assert progress.villages == compute("screening_reports_due", code, period, campaign=campaign.pk)
        assert progress.reported == compute("screening_reports_in", code, period, campaign=campaign.pk)
        assert progress.households == compute("screening_households", code, period, campaign=campaign.pk)
        assert progress.totals == {c: compute("screening_found", code, period, category=c, campaign=campaign.pk)
                                   for c in campaign.categories}
        if progress.rows:
            assert sum(r.villages for r in progress.rows) == progress.villages
            assert sum(r.reported for r in progress.rows) == progress.reported
            assert sum(r.households for r in progress.rows) == progress.households
            assert [sum(col) for col in zip(*(r.ordered for r in progress.rows))] == [
                progress.totals[c] for c in campaign.categories]
    county = client.get(url + "?area=990101000000").content.decode()
    assert _rows(county) == ["990101001000", "990101002000", "990101003000"] and "data-up" in county
    township = client.get(url + "?area=990101001000").content.decode()
    assert len(_rows(township)) == 4 and "未上报" in township and "尚未上报（3）" in township
    village = client.get(url + "?area=990101001001").content.decode()
    assert not _rows(village) and re.search(r'data-card="农村留守儿童">12<', village) and "已上报排查结果" in village
    # This round's own figures: the dashboards' (every round running in the period) hold the demo's too.
    assert compute("screening_found", "990100000000", period, campaign=campaign.pk) == 20
    assert compute("screening_found", "990100000000", period) >= 20


@pytest.mark.parametrize("username,area", [
    ("county", "990102000000"),  # another county of the city: outside the user's scope
    ("county", "990101001001001"),  # past a village
    ("county", "abc"),
    ("village", "990101001002"),  # a neighbouring village
    ("township", "990101000000"),  # above the user's own part
])
def test_an_area_outside_the_users_part_of_the_round_is_a_404(users, client_for, username, area):
    campaign = screening.create_campaign(user=users["city"], name="全市排查", area_code="990100000000",
                                         start_date=date(2026, 9, 1), end_date=date(2026, 9, 30),
                                         categories=["left_behind_child"])
    assert client_for(username).get(f"/persons/screening/{campaign.pk}/?area={area}").status_code == 404


def test_a_round_over_one_township_cannot_be_drilled_into_another(users, client_for):
    campaign = screening.create_campaign(user=users["county"], name="城关镇排查", area_code="990101001000",
                                         start_date=date(2026, 9, 1), end_date=date(2026, 9, 30),
                                         categories=["left_behind_child"])
    client = client_for("county")
    other = client.get(f"/persons/screening/{campaign.pk}/?area=990101002000")
    assert other.status_code == 404
    page = client.get(f"/persons/screening/{campaign.pk}/").content.decode()
    assert len(_rows(page)) == 4 and "返回上级" not in page
