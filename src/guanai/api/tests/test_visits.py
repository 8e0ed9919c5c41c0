"""The visits contract the offline form builds on: create (idempotent), list, detail."""

from datetime import timedelta

from django.utils import timezone

from guanai.areas.scoping import scope_queryset
from guanai.audit.models import AuditEvent
from guanai.care.models import AidItem, Visit
from guanai.registry.models import Person
from guanai.registry.services import create_person


def _own_person(user):
    return scope_queryset(Person.objects.filter(status=Person.ACTIVE), user).order_by("pk").first()


def _body(recipient, **extra):
    body = {"person": recipient.pk, "household": None, "visit_date": str(timezone.localdate()), "mode": "home",
            "findings": "孩子在家，情况良好", "needs": "", "risk_level": "", "next_visit_on": None,
            "aid_items": [{"kind": "cash", "description": "", "quantity": None, "unit": "", "value_yuan": "100.00"}]}
    body.update(extra)
    return body


def test_create_visit_with_aid_as_village_worker(users, api_for):
    client = api_for("village")
    person = _own_person(users["village"])
    response = client.post("/api/v1/visits/", _body(person), format="json")
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    visit = Visit.objects.get(pk=data["id"])
    assert visit.person == person and visit.created_by == users["village"]
    assert data["aid_items"][0]["value_yuan"] == "100.00" and data["aid_items"][0]["kind_label"] == "现金"
    assert data["village"]["code"] == person.area_id
    # Audited as the page's save is (signals record every create).
    assert AuditEvent.objects.filter(action=AuditEvent.CREATE, object_type="care.visit",
                                     object_id=str(visit.pk)).exists()


def test_replayed_create_returns_the_first_answer_and_saves_once(users, api_for):
    client = api_for("village")
    person = _own_person(users["village"])
    before = Visit.objects.count()
    first = client.post("/api/v1/visits/", _body(person), format="json", HTTP_IDEMPOTENCY_KEY="phone-queue-1")
    again = client.post("/api/v1/visits/", _body(person), format="json", HTTP_IDEMPOTENCY_KEY="phone-queue-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Visit.objects.count() == before + 1
    # Another key is another visit.
    third = client.post("/api/v1/visits/", _body(person), format="json", HTTP_IDEMPOTENCY_KEY="phone-queue-2")
    assert third.status_code == 201 and Visit.objects.count() == before + 2


def test_a_failed_create_frees_its_key(users, api_for):
    client = api_for("village")
    person = _own_person(users["village"])
    bad = client.post("/api/v1/visits/", _body(person, mode="flying"), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert bad.status_code == 400
    assert bad.json()["errors"]["mode"] == ["请选择走访方式：入户、电话、视频或到校"]
    good = client.post("/api/v1/visits/", _body(person), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert good.status_code == 201


def test_bad_input_gets_chinese_field_errors_and_writes_nothing(users, api_for):
    client = api_for("village")
    person = _own_person(users["village"])
    before = (Visit.objects.count(), AidItem.objects.count())
    future = str(timezone.localdate() + timedelta(days=3))
    cases = [
        (_body(person, visit_date="昨天"), "visit_date"),
        (_body(person, visit_date=future), "visit_date"),
        (_body(person, person="abc"), "person"),
        (_body(person, aid_items=[{"kind": "goods", "description": "大米", "quantity": "2", "value_yuan": None}]),
         "aid_items"),
        (_body(person, aid_items="很多"), "aid_items"),
        (_body(person, person=None), "person"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/visits/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        data = response.json()
        assert field in data["errors"], data
        assert any("\u4e00" <= ch <= "\u9fff" for ch in data["detail"]), data
    assert (Visit.objects.count(), AidItem.objects.count()) == before


def test_a_person_of_another_village_is_not_found(users, api_for):
    stranger = create_person(user=None, area_code="990102001002", data={"name": "外村儿童"},
                             categories=["left_behind_child"])
    before = Visit.objects.count()
    response = api_for("village").post("/api/v1/visits/", _body(stranger), format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == "走访对象不存在或不在您的管辖或结对范围内"
    assert "外村儿童" not in response.content.decode()
    assert Visit.objects.count() == before


def test_list_and_detail_are_scoped(users, api_for):
    client = api_for("village")
    person = _own_person(users["village"])
    created = client.post("/api/v1/visits/", _body(person), format="json").json()
    page = client.get("/api/v1/visits/?page_size=5").json()
    assert set(page) == {"next", "previous", "results"} and len(page["results"]) <= 5
    assert page["results"][0]["id"] == created["id"]  # newest first
    seen, url = [], "/api/v1/visits/?page_size=50"
    while url:
        data = client.get(url).json()
        seen += [row["id"] for row in data["results"]]
        url = data["next"]
    assert sorted(seen) == sorted(scope_queryset(Visit.objects.all(), users["village"]).values_list("pk", flat=True))
    assert client.get(f"/api/v1/visits/{created['id']}/").json()["findings"] == "孩子在家，情况良好"
    foreign = Visit.objects.exclude(area_id=users["village"].area_id).first()
    assert foreign is not None  # the demo has visits in other villages
    assert client.get(f"/api/v1/visits/{foreign.pk}/").status_code == 404


def test_persons_list_shape(users, api_for):
    data = api_for("county").get("/api/v1/persons/?page_size=3").json()
    row = data["results"][0]
    assert {"id", "name", "category", "village", "id_number", "household"} <= set(row)
    assert set(row["village"]) == {"code", "name"} and row["village"]["code"].startswith("990101")
    assert "*" in row["id_number"] or row["id_number"] == ""


def test_session_needs_csrf_header_for_writes(users, client_for):
    from django.test import Client

    person = _own_person(users["village"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["village"])
    assert client.get("/api/v1/persons/").status_code == 200
    refused = client.post("/api/v1/visits/", _body(person), content_type="application/json")
    assert refused.status_code == 403
    client.get("/care/visits/new/")
    token = client.cookies["csrftoken"].value
    saved = client.post("/api/v1/visits/", _body(person), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert saved.status_code == 201


def test_no_token_wrong_token_and_wrong_role(users, api_for):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/visits/").status_code == 401
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
    response = wrong.get("/api/v1/visits/")
    assert response.status_code == 401 and response.json()["detail"] == "令牌无效或已过期，请重新获取令牌"
    assert api_for("leader").get("/api/v1/visits/").status_code == 403
