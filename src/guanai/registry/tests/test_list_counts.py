"""The person list of a county, a city or the province reads its rows by keyset and its count
from the kept figure of the same question (persons on file by category and risk), which
agrees with the rows; a search, or an area outside one's jurisdiction, never shows a figure
the list itself would not."""

import pytest

from guanai.areas.models import Area
from guanai.registry import services

pytestmark = pytest.mark.django_db

FILTERS = [{}, {"category": "left_behind_child"}, {"risk": "red"},
           {"category": "solitary_elder", "risk": "yellow"}, {"own_area": True}]


@pytest.mark.parametrize("username", ["admin", "city", "county"])
@pytest.mark.parametrize("filters", FILTERS)
def test_a_large_areas_list_counts_the_kept_figure_which_agrees_with_its_rows(client_for, users, username, filters):
    user = users[username]
    params = {k: v for k, v in filters.items() if k != "own_area"}
    if filters.get("own_area"):
        params["area"] = user.area_id or Area.objects.get(level=2).code  # admin: a city
    response = client_for(username).get("/persons/", params)
    page = response.context["page"]
    assert getattr(page, "keyset", False), "a large area's list is read by keyset"
    expected = services.search_persons(user, area=params.get("area"), category=params.get("category"),
                                       risk=params.get("risk")).count()
    assert expected > 0 or params.get("risk")
    assert f"共 {expected} 人" in response.content.decode()


def test_another_areas_figure_is_not_shown(client_for, users):
    county = users["county"]
    other = Area.objects.filter(level=3).exclude(code=county.area_id).first()
    body = client_for("county").get("/persons/", {"area": other.code}).content.decode()
    assert "共 0 人" in body


def test_a_search_is_counted_from_its_rows(client_for, users):
    response = client_for("county").get("/persons/", {"q": "王"})
    expected = services.search_persons(users["county"], "王").count()
    assert not getattr(response.context["page"], "keyset", False)
    assert f"共 {expected} 人" in response.content.decode()


@pytest.mark.parametrize("url", ["/persons/", "/persons/?category=left_behind_child", "/persons/guardianship/"])
def test_a_large_areas_list_asks_a_fixed_number_of_queries_whatever_its_rows(client_for, url,
                                                                               django_assert_max_num_queries):
    """Each row shows its village, township and county: fetched with the page, not per row."""
    client = client_for("city")
    client.get(url)  # sessions, caches
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert len(response.context["page"].object_list) >= 5


@pytest.mark.parametrize("bad,message", [("abc", "区划代码应为12位数字"), ("110000000001", "层级不连续"), ("990102000000", "不存在或不在您的管辖范围内")])
def test_an_area_filter_that_names_no_area_of_ones_own_says_so(client_for, bad, message):
    body = client_for("county").get("/persons/", {"area": bad}).content.decode()
    assert "共 0 人" in body and message in body
