"""The person pages as a village worker uses them: file a person, see the record (the sight
audited, the record's history shown), edit it with a conflict caught, keep a household. The
records are made by the factories in their own village, so nothing here leans on the demo."""

from datetime import date

import pytest
from django.test import Client

from guanai.audit.models import AuditEvent
from guanai.portal import factories as f
from guanai.registry.models import Person

pytestmark = pytest.mark.usefixtures("frozen_day")


@pytest.fixture
def client(village_worker):
    client = Client()
    client.force_login(village_worker)
    return client


def _form(**fields):
    return {"name": "吴欣怡", "sex": "女", "ethnicity": "苗族", "birth_date": "2016-05-04", "area": f.VILLAGE,
            "hukou_registered": "on", "categories": ["left_behind_child"], **fields}


def test_filing_a_person_opens_their_record(client, village_worker):
    response = client.post("/persons/create/", _form())
    person = Person.objects.get(name="吴欣怡", area_id=f.VILLAGE)
    assert response.status_code == 302 and response["Location"] == f"/persons/{person.pk}/"
    assert person.created_by == village_worker and person.birth_date == date(2016, 5, 4)


def test_a_bad_phone_is_named_on_the_form_and_nothing_is_filed(client):
    response = client.post("/persons/create/", _form(phone="12345"))
    body = response.content.decode()
    assert response.status_code == 200 and "电话号码应为7到12位数字" in body
    assert not Person.objects.filter(name="吴欣怡").exists()


def test_the_record_page_audits_the_sight_and_shows_the_history(client, village_worker):
    person = f.person(village_worker, name="杨子涵")
    before = f.last_event_id()
    body = client.get(f"/persons/{person.pk}/").content.decode()
    assert "杨子涵" in body and "新增（新建档案）" in body  # the creation event, in the record's history
    view = f.only_event(person, before)
    assert (view.action, view.user_id) == (AuditEvent.VIEW, village_worker.pk)


def test_a_record_of_another_village_is_not_found(client):
    elsewhere = f.person(name="何佳怡", area_code="522601104202")
    assert client.get(f"/persons/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/persons/{elsewhere.pk}/edit/").status_code == 404


def test_an_edit_on_a_stale_version_is_refused_and_says_so(client, village_worker):
    person = f.person(village_worker, name="梁浩然", birth_date=date(2015, 2, 3))
    form = _form(name="梁浩然", birth_date="2015-02-03", address="大坪村3组", version=person.version)
    assert client.post(f"/persons/{person.pk}/edit/", form).status_code == 302
    stale = client.post(f"/persons/{person.pk}/edit/", dict(form, address="大坪村4组"))
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    assert Person.objects.get(pk=person.pk).address == "大坪村3组"


def test_a_household_is_opened_and_a_child_added_from_the_record_page(client, village_worker):
    head = f.person(village_worker, name="罗建国", age=38, categories=["low_income"])
    child = f.person(village_worker, name="罗雨桐")
    client.post(f"/persons/{head.pk}/household/", {"action": "create"})
    client.post(f"/persons/{head.pk}/household/", {"action": "add", "member": child.pk, "relation": "child"})
    head.refresh_from_db()
    child.refresh_from_db()
    assert head.household_id and child.household_id == head.household_id and child.relation_to_head == "child"
    body = client.get(f"/persons/{head.pk}/").content.decode()
    assert "罗雨桐" in body


def test_the_records_history_names_changed_fields_in_chinese(client, village_worker):
    """A service's event names fields by key (area_id, categories, a national-form field): the
    record's history shows them as the pages do, never the key."""
    person = f.person(village_worker, name="田思远")
    from guanai.audit.services import audit

    audit(AuditEvent.UPDATE, user=village_worker, obj=person,
          before={"area_id": f.VILLAGE, "categories": [], "guardianship_rating": "", "version": 1},
          after={"area_id": "522601104202", "categories": ["left_behind_child"], "guardianship_rating": "poor",
                 "version": 2, "no_such_key": 1}, reason="测试")
    body = client.get(f"/persons/{person.pk}/").content.decode()
    history = body[body.index("记录时间线"):]
    for label in ("所在村（社区）", "人员类别", "监护情况", "其他信息"):
        assert label in history
    for key in ("area_id", "categories", "guardianship_rating", "no_such_key", "version"):
        assert key not in history
