"""Places that share a name: a list spanning several townships (or counties) says which."""

from django.template import Context, Template
from django.test import RequestFactory

from guanai.areas.models import Area


def _villages():
    # The demo has a 和平社区 under the 城关镇 of 东城区 and of 西山县.
    return [Area.objects.select_related("parent__parent").get(code=code) for code in ("990101001001", "990102001001")]


def test_two_villages_of_one_name_are_told_apart_by_where_they_are(db):
    east, west = _villages()
    assert east.name == west.name == "和平社区"
    assert east.place(None) == ("和平社区", "东城区城关镇")  # everywhere: county and township
    assert east.place("990100000000") == ("和平社区", "东城区城关镇")  # a city spans counties
    assert west.place("990100000000") == ("和平社区", "西山县城关镇")
    assert east.place("990101000000") == ("和平社区", "城关镇")  # a county spans townships
    assert east.place("990101001000") == ("和平社区", "")  # a township's lists: one township
    assert east.place("990101001001") == ("和平社区", "")


def test_the_place_as_one_text_for_a_file(db):
    east, _west = _villages()
    assert east.place_label(None) == "和平社区（东城区城关镇）"
    assert east.place_label("990101000000") == "和平社区（城关镇）"
    assert east.place_label("990101001000") == "和平社区"


def test_the_place_tag_shows_it_beside_the_name_for_the_viewer(db, users):
    east, _west = _villages()
    template = Template("{% load areas %}{% place area %}")
    request = RequestFactory().get("/")
    for username, expected in (("city", "和平社区<span class=\"place-parent\">（东城区城关镇）</span>"),
                               ("county", "和平社区<span class=\"place-parent\">（城关镇）</span>"),
                               ("township", "和平社区")):
        request.user = users[username]
        assert template.render(Context({"request": request, "area": east})) == expected


def test_a_county_worker_sees_the_township_in_the_person_list(client_for):
    page = client_for("county").get("/persons/").content.decode()
    assert 'class="place-parent">（城关镇）' in page
    assert "place-parent" not in client_for("village").get("/persons/").content.decode()
