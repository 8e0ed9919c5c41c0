"""The dashboard and table pages as users meet them, bad input included: a period in the future
or before any records, an area outside one's scope in any parameter, a drill-down past a village,
a code that is no area: a Chinese message or a 404, never a server error."""

import re

import pytest
from django.utils import timezone

from guanai.stats.metrics import compute
from guanai.stats.periods import parse_period

pytestmark = pytest.mark.django_db
CITY, COUNTY, TOWNSHIP, VILLAGE = "990100000000", "990101000000", "990101001000", "990101001001"
OTHER_COUNTY = "990102000000"


@pytest.mark.parametrize("username,kind", [("admin", "area"), ("office", "area"), ("city", "area"), ("county", "area"),
                                            ("township", "area"), ("village", "village"), ("leader", "area")])
def test_every_role_with_figures_has_a_board_on_its_home_and_under_stats(client_for, username, kind):
    client = client_for(username)
    for url in ("/", "/stats/"):
        body = client.get(url).content.decode()
        assert f'data-board="{kind}"' in body and "data-chart=" in body and "application/json" in body, url
        assert "<script>" not in body  # data blocks only: the CSP allows no inline script
    assert client.get("/stats/tables/").status_code == 200


@pytest.mark.parametrize("username", ["unit", "volunteer"])
def test_unit_reporters_and_volunteers_see_no_area_figures(client_for, username):
    client = client_for(username)
    assert 'data-board=' not in client.get("/").content.decode()
    for url in ("/stats/", "/stats/tables/", f"/stats/area/{VILLAGE}/", f"/stats/tables/care/{VILLAGE}/"):
        assert client.get(url).status_code == 403, url


def test_the_period_is_picked_or_written(client_for):
    client = client_for("county")
    last_year = timezone.localdate().year - 1
    picked = client.get(f"/stats/?period_year={last_year}&period_part=Q3").content.decode()
    written = client.get(f"/stats/?period={last_year}年三季度").content.decode()
    for body in (picked, written):
        assert f'data-period="{last_year}Q3"' in body and f"{last_year}年第三季度" in body
        assert f"/stats/area/{TOWNSHIP}/?period={last_year}Q3" in body  # the drill-down keeps it
    assert 'data-shortcut="本月"' in picked and 'data-shortcut="上年"' in picked


def test_a_future_period_is_refused_in_chinese(client_for):
    response = client_for("county").get("/stats/?period=2099年第一季度")
    body = response.content.decode()
    assert response.status_code == 200 and "尚未开始" in body
    assert f'data-period="{timezone.localdate().year}"' in body  # this year shown instead


def test_a_period_before_any_records_says_so(client_for):
    body = client_for("county").get("/stats/?period=2001年").content.decode()
    assert "没有在册人员" in body and "早于最早的建档记录" in body


def test_unreadable_period_is_a_chinese_message(client_for):
    body = client_for("county").get("/stats/?period=去年秋天").content.decode()
    assert "无法识别的期间“去年秋天”" in body


@pytest.mark.parametrize("url", [f"/stats/area/{OTHER_COUNTY}/", f"/stats/area/{CITY}/", "/stats/area/990101001001001/",
                                 "/stats/area/abc/", "/stats/area/990101001099/", f"/stats/tables/care/{OTHER_COUNTY}/",
                                 f"/stats/tables/care/{OTHER_COUNTY}/xlsx/", f"/stats/tables/no-such-table/{COUNTY}/",
                                 "/stats/tables/no-such-table/"])
def test_areas_outside_scope_and_codes_that_are_no_area_are_404(client_for, url):
    response = client_for("county").get(url)
    assert response.status_code == 404 and "不存在" in response.content.decode()


def test_a_village_has_nothing_to_drill_into(client_for):
    body = client_for("county").get(f"/stats/area/{VILLAGE}/").content.decode()
    assert "没有下级区划可以展开" in body and "data-sub-areas" not in body
    body = client_for("county").get(f"/stats/tables/care/{VILLAGE}/").content.decode()
    assert "没有下级区划可以分列" in body


def test_the_leaders_board_links_no_lists_of_persons(client_for):
    page = client_for("leader").get(f"/stats/area/{COUNTY}/").content.decode()
    body = page[page.index('<section class="dashboard'):page.index("</section>")]
    assert "/persons/" not in body and "/care/due/" not in body and "/care/visits/" not in body


def test_the_board_shows_the_same_number_as_the_metric(client_for):
    period = parse_period(str(timezone.localdate().year - 1))
    body = client_for("city").get(f"/stats/area/{COUNTY}/?period={period.key}").content.decode()
    shown = re.search(r'data-figure="走访慰问（次）">(\d+)<', body).group(1)
    assert int(shown) == compute("visits", COUNTY, period)
