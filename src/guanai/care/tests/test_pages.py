"""Care pages as each role: the visit form on a phone, lists, coverage, volunteers' own pages."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanai.care import metrics
from guanai.care.models import Activity, AidItem, CareHome, Helper, Inspection, Pairing, Visit
from guanai.care.tests.helpers import person
from guanai.registry.models import Person
from guanai.stats.periods import parse_period

VILLAGE = "990101001001"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _visit_post(person_pk, **extra):
    data = {"person": person_pk, "visit_date": timezone.localdate().isoformat(), "mode": "home", "findings": "孩子精神很好",
            "needs": "", "risk_level": "", "next_visit_on": "", "other_visitors": "",
            "aid_kind": ["cash", "goods"], "aid_description": ["", "大米"], "aid_quantity": ["", "2"],
            "aid_unit": ["", "袋"], "aid_value": ["300", "120"]}
    data.update(extra)
    return data


def test_visit_form_saves_a_visit_with_aid_rows(users, client_for):
    client = client_for("village")
    child = person(users["village"], "刘小花", VILLAGE)
    form = client.get(f"/care/visits/create/?person={child.pk}").content.decode()
    assert "刘小花" in form and 'name="aid_value"' in form and "入户" in form and "到校" in form
    next_date = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert next_date in form  # prefilled by the follow-up rule
    response = client.post("/care/visits/create/", _visit_post(child.pk))
    assert response.status_code == 302
    visit = Visit.objects.get(person=child)
    assert visit.next_visit_on.isoformat() == next_date
    assert sorted((a.kind, a.description, int(a.value_yuan)) for a in visit.aid_items.all()) == [
        ("cash", "慰问金", 300), ("goods", "大米", 120)]
    detail = client.get(response.url).content.decode()
    assert "刘小花" in detail and "大米" in detail and "慰问金" in detail


@pytest.mark.parametrize("extra,message", [  # a date as a function of today: see test_services
    (lambda: {"visit_date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "走访日期不能晚于今天"),
    ({"aid_quantity": ["", "-2"]}, "数量不能为负数"),
    ({"aid_value": ["300", ""]}, "请填写折合金额"),
])
def test_visit_form_refuses_bad_input_in_chinese_and_saves_nothing(users, client_for, extra, message):
    extra = extra() if callable(extra) else extra
    child = person(users["village"], "陈小兵", VILLAGE)
    before = (Visit.objects.count(), AidItem.objects.count())
    response = client_for("village").post("/care/visits/create/", _visit_post(child.pk, **extra))
    assert response.status_code == 200 and message in response.content.decode()
    assert (Visit.objects.count(), AidItem.objects.count()) == before
    # The rows typed come back to the form.
    assert "大米" in response.content.decode()


def test_visit_form_refuses_a_recipient_outside_scope(users, client_for):
    stranger = person(users["county"], "外村人", "990101002001")
    response = client_for("village").post("/care/visits/create/", _visit_post(stranger.pk))
    assert response.status_code == 404  # out of scope reads as missing
    assert not Visit.objects.filter(person=stranger).exists()


def test_recipient_search_by_pinyin_and_the_volunteers_own(users, client_for):
    person(users["village"], "欧阳娜娜", VILLAGE)
    found = client_for("village").get("/care/recipients/?q=oyn").content.decode()
    assert "欧阳娜娜" in found
    volunteer = users["volunteer"]
    paired = list(Person.objects.filter(pairings__helper__user=volunteer).values_list("name", flat=True))
    listing = client_for("volunteer").get("/care/recipients/").content.decode()
    assert all(name in listing for name in paired)
    assert "欧阳娜娜" not in client_for("volunteer").get("/care/recipients/?q=oyn").content.decode()


def test_volunteer_pages_show_only_their_own(users, client_for):
    volunteer = users["volunteer"]
    client = client_for("volunteer")
    mine = client.get("/care/mine/").content.decode()
    paired = set(Person.objects.filter(pairings__helper__user=volunteer).values_list("pk", flat=True))
    shown = {int(pk) for pk in re.findall(r'data-person="(\d+)"', mine)}
    assert shown == paired
    visits = client.get("/care/").content.decode()
    shown_visits = {int(pk) for pk in re.findall(r'data-visit="(\d+)"', visits)}
    assert shown_visits and shown_visits <= set(Visit.objects.filter(visitors=volunteer).values_list("pk", flat=True))
    someone_elses = Visit.objects.filter(area_id=VILLAGE).exclude(visitors=volunteer).first()
    assert client.get(f"/care/visits/{someone_elses.pk}/").status_code == 404
    for url in ("/care/due/", "/care/pairings/", "/care/coverage/", "/persons/"):
        assert client.get(url).status_code == 403, url


def test_due_list_for_a_worker(users, client_for):
    long_ago = timezone.localdate() - timedelta(days=100)
    person(users["village"], "久未走访", VILLAGE, registered=long_ago)
    body = client_for("village").get("/care/due/?status=overdue").content.decode()
    assert "久未走访" in body and "从未走访" in body
    assert "久未走访" not in client_for("township").get("/care/due/?status=soon").content.decode()


def test_coverage_by_sub_area_uses_the_metrics(users, client_for):
    month = parse_period(f"{timezone.localdate():%Y-%m}")
    body = client_for("county").get("/care/coverage/").content.decode()
    township_row = re.search(r'data-area="990101001000">.*?</tr>', body, re.S).group(0)
    due = metrics.persons_due_visit("990101001000", month)
    covered = metrics.persons_visited_in_time("990101001000", month)
    assert f'<td class="text-end">{due}</td><td class="text-end">{covered}</td>' in township_row
    assert f"{metrics.visit_coverage('990101001000', month)}%" in township_row
    assert f'>{metrics.visits("990101001000", month)}</td>' in township_row


def test_coverage_page_asks_a_fixed_number_of_queries(client_for, django_assert_max_num_queries):
    client = client_for("county")
    client.get("/care/coverage/")
    with django_assert_max_num_queries(10):  # session, user, areas and two grouped queries; not one per row (was 13)
        assert client.get("/care/coverage/?area=990101001000").status_code == 200
    for name in ("office", "leader", "city"):
        assert client_for(name).get("/care/coverage/?area=990101000000").status_code == 200
    assert client_for("township").get("/care/coverage/?area=990101000000").status_code == 404
    assert client_for("county").get("/care/coverage/?period=2026Q9").status_code == 200  # a Chinese message, no 500


def test_coverage_takes_the_period_picker_and_refuses_a_period_not_begun(client_for):
    # The page took a typed code and showed a period not begun as if it were a finding (all zeros).
    from django.utils import timezone

    from guanai.care import metrics

    client = client_for("county")
    next_year = timezone.localdate().year + 1
    page = client.get(f"/care/coverage/?period={next_year}Q1").content.decode()
    assert "尚未开始" in page and "data-period-problem" in page
    this_month = timezone.localdate().strftime("%Y-%m")
    assert f'value="{timezone.localdate().year}"' in page  # the picker, at the default (this month)
    quarter = f"{timezone.localdate().year}Q{(timezone.localdate().month - 1) // 3 + 1}"
    asked = client.get(f"/care/coverage/?period={quarter}&area=990101000000")
    assert asked.context["period"].key == quarter and "data-period-problem" not in asked.content.decode()
    total = asked.context["total"]
    assert total["due"] == metrics.persons_due_visit("990101000000", asked.context["period"])
    assert client.get(f"/care/coverage/?period={this_month}").context["period"].key == this_month


def test_pairing_pages(users, client_for):
    client = client_for("village")
    helper = Helper.objects.get(user=users["volunteer"])
    child = person(users["village"], "结对新童", VILLAGE)
    response = client.post("/care/pairings/create/", {"helper": helper.pk, "start_date": timezone.localdate().isoformat(),
                                                      "persons": [child.pk], "note": "每周陪伴"})
    assert response.status_code == 302 and Pairing.objects.filter(helper=helper, person=child).exists()
    assert "结对新童" in client.get("/care/pairings/").content.decode()
    # The unit reporter sees its unit's pairings, not the village's volunteers.
    unit_page = client_for("unit").get("/care/pairings/").content.decode()
    assert "孙老师" in unit_page and "结对新童" not in unit_page
    pairing = Pairing.objects.get(helper=helper, person=child)
    assert client.post(f"/care/pairings/{pairing.pk}/end/", {"reason": "随父母迁出"}).status_code == 302
    assert Pairing.objects.get(pk=pairing.pk).end_date == timezone.localdate()


def test_activity_pages_with_photos(users, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("unit")
    response = client.post("/care/activities/create/", {
        "title": "“六一”关爱留守儿童活动", "kind": "recreation", "held_on": timezone.localdate().isoformat(),
        "area": "990100000000", "place": "市青少年宫", "volunteers_count": "20", "participants_count": "300",
        "beneficiaries_count": "150", "consultations_count": "0", "funds_yuan": "8000", "description": "",
        "material_item": ["书包"], "material_quantity": ["150"], "material_unit": ["个"],
        "photos": [SimpleUploadedFile("合影.png", PNG, content_type="image/png")]})
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get(title="“六一”关爱留守儿童活动")
    detail = client.get(response.url).content.decode()
    assert "书包 150个" in detail and "300人次" in detail
    photo = activity.photos.get()
    image = client.get(f"/care/activities/photos/{photo.pk}/")
    assert image.status_code == 200 and image.content == PNG
    with open(photo.image.path, "rb") as on_disk:  # sealed at rest (core.uploads.SealedStorage)
        assert PNG not in on_disk.read()
    assert client_for("leader").get("/care/activities/").status_code == 200
    assert client_for("leader").get("/care/activities/create/").status_code == 403


def test_care_home_pages(users, client_for):
    client = client_for("township")
    response = client.post("/care/homes/create/", {"name": "柳林村儿童之家", "kind": "children_home", "area": VILLAGE})
    assert response.status_code == 302
    home = CareHome.objects.get(name="柳林村儿童之家")
    form = client.get(f"/care/homes/{home.pk}/inspect/").content.decode()
    assert "有场所" in form and "有档案" in form
    data = {"inspected_on": timezone.localdate().isoformat(), "notes": "图书不足"}
    data.update({f"item_{code}": "1" for code in ("site", "facilities", "rules", "staff", "activities", "funds", "records")})
    page = client.post(f"/care/homes/{home.pk}/inspect/", data).content.decode()
    assert "请选择“有图书”是否达标" in page and not Inspection.objects.filter(home=home).exists()
    data["item_books"] = "0"
    assert client.post(f"/care/homes/{home.pk}/inspect/", data).status_code == 302
    detail = client.get(f"/care/homes/{home.pk}/").content.decode()
    assert "7/8" in detail and "有图书" in detail
    assert client_for("village").get(f"/care/homes/{home.pk}/inspect/").status_code == 403
    assert client_for("village").get(f"/care/homes/{home.pk}/").status_code == 200


def test_a_long_care_home_list_pages_counts_and_prints_every_home(client_for):
    """The list stopped at its first 500 homes without a word; it is a list like the others now."""
    from guanai.areas.scoping import area_filter

    CareHome.objects.bulk_create([CareHome(name=f"第{n:03d}号儿童之家", area_id=VILLAGE) for n in range(520)])
    homes = CareHome.objects.filter(area_filter("area", "990101001000")).count()  # the township's
    client = client_for("township")
    first = client.get("/care/homes/").content.decode()
    assert len(re.findall(r'<tr data-home=', first)) == 50 and f"共 {homes} 处" in first and "下一页" in first
    printed = client.get("/care/homes/?print=1").content.decode()
    assert len(set(re.findall(r'<tr data-home="(\d+)"', printed))) == homes and f"共 {homes} 处" in printed


@pytest.mark.parametrize("username,labels", [
    ("village", ["逾期未访", "待首访", "7天内待访", "本月走访（次）", "走访覆盖率", "待办保护环节"]),
    ("township", ["逾期未访", "走访覆盖率", "下级逾期处置环节（督办）", "在办保护个案"]),
    ("county", ["走访覆盖率", "下级逾期处置环节（督办）"]),
    ("office", ["本月走访（次）", "走访覆盖率", "本年发放慰问金（元）", "本年开展活动（场）", "逾期处置环节"]),
    ("leader", ["走访覆盖率", "在办保护个案"]),
    ("volunteer", ["我的结对对象", "待走访", "本月我的走访"]),
    ("unit", ["本单位结对（进行中）", "本单位本年活动"]),
    ("admin", ["逾期未访", "在办保护个案", "逾期处置环节"]),
])
def test_home_cards_by_role(client_for, username, labels):
    body = client_for(username).get("/").content.decode()
    for label in labels:
        assert f'data-card="{label}"' in body, label


def test_home_card_figures_are_the_metrics(users, client_for):
    month = parse_period(f"{timezone.localdate():%Y-%m}")
    body = client_for("office").get("/").content.decode()
    visits = re.search(r'data-card="本月走访（次）">(\d+)<', body).group(1)
    assert int(visits) == metrics.visits("990100000000", month)
    coverage = re.search(r'data-card="走访覆盖率">([\d.]+)%<', body).group(1)
    assert float(coverage) == metrics.visit_coverage("990100000000", month)


def test_due_list_of_a_county_opens_on_the_overdue_without_counting_every_row(client_for):
    body = client_for("county").get("/care/due/").content.decode()
    statuses = re.findall(r'<tr data-person="\d+" data-status="(\w+)"', body)
    assert statuses and set(statuses) == {"overdue"}
    month = parse_period(f"{timezone.localdate():%Y-%m}")
    overdue = metrics.persons_due_visit("990101000000", month) - metrics.persons_visited_in_time("990101000000", month)
    assert f'data-status="overdue">逾期未访 <span class="badge text-bg-light">{overdue}</span>' in body
    assert client_for("county").get("/care/due/?status=first&page=2").status_code == 200


def test_activity_list_figures_are_the_metrics(client_for):
    year = parse_period(str(timezone.localdate().year))
    body = client_for("office").get("/care/activities/").content.decode()
    expected = (f"开展活动{metrics.activities('990100000000', year)}场，"
                f"参与群众{metrics.activity_participants('990100000000', year)}人次")
    assert expected in body


def test_due_list_refuses_an_area_outside_the_users_own(client_for):
    village = client_for("village")
    # The city's overdue count is the city's tallies: a village worker must not get it.
    assert village.get("/care/due/?area=990100000000").status_code == 404
    # Codes that are no area (or not even a code) are a 404 too, not a server error.
    for bad in ("990000000001", "000000000000", "abc"):
        assert village.get(f"/care/due/?area={bad}").status_code == 404
    assert village.get("/care/due/?area=990101001001").status_code == 200  # the worker's own village
    county = client_for("county").get("/care/due/?area=990101001000")
    assert county.status_code == 200


def test_a_person_id_that_is_no_number_is_ignored_not_a_server_error(client_for):
    response = client_for("unit").post("/care/activities/create/", {"title": "", "persons": ["²", "abc"]})
    assert response.status_code == 200


def test_an_over_long_companion_list_is_named_on_the_visit_form(users, client_for):
    child = person(users["village"], "长同行", VILLAGE)
    response = client_for("village").post("/care/visits/create/", _visit_post(child.pk, other_visitors="张" * 201))
    body = response.content.decode()
    assert response.status_code == 200 and 'data-field-error="other_visitors"' in body and "200" in body
    assert not Visit.objects.filter(person=child).exists()


def test_a_citys_visit_list_goes_on_with_more_newest_first_and_counts_a_month_as_the_metric(client_for):
    from guanai.stats.metrics import compute

    client = client_for("city")
    body = client.get("/care/").content.decode()
    first = [int(pk) for pk in re.findall(r'data-visit="(\d+)"', body)]
    more = re.search(r'href="\?after=([^"]+)" data-more>更多<', body)
    assert len(first) == 50 and more and "第 1" not in body  # no page numbers on a city's list
    second_body = client.get(f"/care/?after={more.group(1)}").content.decode()
    second = [int(pk) for pk in re.findall(r'data-visit="(\d+)"', second_body)]
    expected = list(Visit.objects.filter(area__code__startswith="9901").order_by("-visit_date", "-pk")
                    .values_list("pk", flat=True)[:100])
    assert first + second == expected and "回到开头" in second_body
    month = parse_period(f"{timezone.localdate():%Y-%m}")
    body = client.get(f"/care/?from={month.start}&to={month.end}").content.decode()
    assert f"共 {compute('visits', '990100000000', month)} 次" in body
