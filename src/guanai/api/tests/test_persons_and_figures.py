"""A person's full record (audited, ETag) and its edit with If-Match; figures by name, the same
numbers the pages show."""

from django.utils import timezone

from guanai.areas.models import Area
from guanai.areas.scoping import scope_queryset
from guanai.audit.models import AuditEvent
from guanai.registry.models import Person
from guanai.stats.metrics import METRICS
from guanai.stats.periods import last_complete_quarter


def _child(user):
    return scope_queryset(Person.objects.filter(child_profile__isnull=False), user).order_by("pk").first()


def test_full_record_is_audited_masked_and_carries_its_version(users, api_for):
    person = _child(users["county"])
    response = api_for("county").get(f"/api/v1/persons/{person.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert response["ETag"] == f'"{person.version}"'
    assert data["id_number"] == person.id_number_masked
    assert data["child_profile"] is not None and isinstance(data["guardians"], list)
    assert AuditEvent.objects.filter(action=AuditEvent.VIEW, object_type="registry.person",
                                     object_id=str(person.pk), user=users["county"]).exists()


def test_reveal_id_only_for_roles_that_may(users, api_for):
    person = scope_queryset(Person.objects.exclude(id_number_encrypted=""), users["village"]).first()
    full = api_for("village").get(f"/api/v1/persons/{person.pk}/?reveal_id=1").json()["id_number"]
    assert len(full) == 18 and "*" not in full
    assert AuditEvent.objects.filter(detail="查看完整身份证号", object_id=str(person.pk)).exists()


def test_edit_with_if_match_and_conflicts(users, api_for):
    client = api_for("village")
    person = scope_queryset(Person.objects.all(), users["village"]).order_by("pk").first()
    etag = client.get(f"/api/v1/persons/{person.pk}/")["ETag"]
    missing = client.patch(f"/api/v1/persons/{person.pk}/", {"address": "新地址1号"}, format="json")
    assert missing.status_code == 428
    saved = client.patch(f"/api/v1/persons/{person.pk}/", {"address": "新地址1号"}, format="json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200, saved.content.decode()
    assert saved.json()["address"] == "新地址1号" and saved["ETag"] != etag
    # The same stale ETag again: somebody (here: we) saved in between.
    stale = client.patch(f"/api/v1/persons/{person.pk}/", {"address": "旧页面的修改"}, format="json",
                         HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and "已被他人修改" in stale.json()["detail"]
    person.refresh_from_db()
    assert person.address == "新地址1号"
    bad = client.patch(f"/api/v1/persons/{person.pk}/", {"phone": "12"}, format="json", HTTP_IF_MATCH=saved["ETag"])
    assert bad.status_code == 400 and "phone" in bad.json()["errors"]
    wrong_type = client.patch(f"/api/v1/persons/{person.pk}/", {"birth_date": 5}, format="json",
                              HTTP_IF_MATCH=saved["ETag"])
    assert wrong_type.status_code == 400 and "birth_date" in wrong_type.json()["errors"]
    assert api_for("volunteer").patch(f"/api/v1/persons/{person.pk}/", {}, format="json").status_code in (403, 404)


def test_metric_list_and_unknown_metric(api_for):
    client = api_for("county")
    listed = client.get("/api/v1/metrics/").json()
    names = {m["name"] for m in listed}
    assert names == set(METRICS) and all(m["label"] and "unit" in m for m in listed)
    assert client.get("/api/v1/metrics/no_such_metric/?period=2026").status_code == 404
    bad = client.get("/api/v1/metrics/visits/?period=2026Q9")
    assert bad.status_code == 400 and "period" in bad.json()["errors"]


def test_visit_coverage_is_the_number_the_dashboard_shows(users, api_for):
    from guanai.dashboards.boards import build_board

    county = users["county"]
    period = last_complete_quarter(timezone.localdate())
    response = api_for("county").get(f"/api/v1/metrics/visit_coverage/?area={county.area_id}&period={period.key}")
    assert response.status_code == 200
    data = response.json()
    assert {k: data[k] for k in ("name", "area", "period")} == {
        "name": "visit_coverage", "area": county.area_id, "period": period.key}
    assert data["label"] == METRICS["visit_coverage"].label and data["unit"] == METRICS["visit_coverage"].unit
    board = build_board(county, Area.objects.get(pk=county.area_id), period)
    shown = next(h.figure.value for h in board.headlines if h.figure.name == "visit_coverage")
    assert data["value"] == shown


def test_figure_with_a_category(users, api_for):
    from guanai.stats.metrics import compute

    county = users["county"]
    response = api_for("county").get(
        f"/api/v1/metrics/persons_registered/?area={county.area_id}&period=2026&category=left_behind_child")
    assert response.json()["value"] == compute("persons_registered", county.area_id, "2026",
                                               category="left_behind_child")


def test_statistics_table_as_json_is_the_page_table(users, api_for):
    from guanai.dashboards.tables import build, table_specs

    county = users["county"]
    client = api_for("county")
    slugs = [t["slug"] for t in client.get("/api/v1/tables/").json()]
    assert set(slugs) == set(table_specs())
    data = client.get(f"/api/v1/tables/care/?area={county.area_id}&period=2026").json()
    built = build(table_specs()["care"], Area.objects.get(pk=county.area_id), last_period("2026"))
    assert [r["cells"] for r in data["rows"]] == [r.cells for r in built.rows]
    assert data["total"]["cells"] == built.total.cells and data["period"] == "2026"
    assert client.get("/api/v1/tables/care/?area=990102000000").status_code == 404
    assert client.get("/api/v1/tables/nope/").status_code == 404
    assert api_for("volunteer").get("/api/v1/tables/").status_code == 403


def test_a_table_of_a_period_before_any_records_carries_the_pages_notice(users, api_for):
    code = users["county"].area_id
    before = api_for("county").get(f"/api/v1/tables/registry/?area={code}&period=2020").json()
    assert "没有在册人员：所选期间早于最早的建档记录" in before["notice"]
    assert api_for("county").get(f"/api/v1/tables/registry/?area={code}&period=2026").json()["notice"] == ""


def last_period(key):
    from guanai.stats.periods import parse_period

    return parse_period(key)


def test_briefing_facts_carry_their_provenance(users, api_for):
    from guanai.briefings.models import Briefing

    briefing = Briefing.objects.filter(area__code__startswith="9901", facts__isnull=False).first()
    assert briefing is not None
    data = api_for("city").get(f"/api/v1/briefings/{briefing.pk}/").json()
    fact = data["facts"][0]
    assert {"metric", "area_code", "period_key", "params", "value"} <= set(fact)


def test_archive_search(api_for):
    response = api_for("county").get("/api/v1/documents/search/?q=走访")
    assert response.status_code == 200
    data = response.json()
    assert {"query", "total", "page", "results"} <= set(data)
    assert api_for("county").get("/api/v1/documents/search/?page=99999999999999999999").status_code == 200


def test_a_visit_and_a_case_read_in_full_are_audited_as_on_their_pages(users, api_for):
    """The API read visits without an audit event (their page records one) and recorded the case's
    itself: both now read through the pages' selectors, which record who saw what."""
    from guanai.care.models import Visit
    from guanai.protection.models import Case

    visit = scope_queryset(Visit.objects.all(), users["township"]).order_by("pk").first()
    case = scope_queryset(Case.objects.all(), users["township"]).order_by("pk").first()
    client = api_for("township")
    for url, obj, object_type in ((f"/api/v1/visits/{visit.pk}/", visit, "care.visit"),
                                  (f"/api/v1/cases/{case.pk}/", case, "protection.case")):
        assert client.get(url).status_code == 200
        assert AuditEvent.objects.filter(action=AuditEvent.VIEW, object_type=object_type, object_id=str(obj.pk),
                                         user=users["township"]).exists(), url
    outside = Visit.objects.exclude(pk__in=scope_queryset(Visit.objects.all(), users["township"])).first()
    assert outside is not None  # the demo has visits in other townships
    assert client.get(f"/api/v1/visits/{outside.pk}/").status_code == 404
