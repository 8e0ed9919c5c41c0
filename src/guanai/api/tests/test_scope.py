"""Every list endpoint walked as every role: nothing outside the user's scope (areas.scoping's
scope_queryset) is returned, and everything the pages would list is."""

import pytest

from guanai.api.resources import RESOURCES
from guanai.areas.scoping import scope_queryset
from guanai.care.models import Visit
from guanai.registry.models import Person

ROLES = ["office", "unit", "city", "county", "township", "village", "volunteer", "leader"]


def _walk(client, url):
    ids, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        data = response.json()
        assert set(data) == {"next", "previous", "results"}
        ids += [row.get("id", row.get("code")) for row in data["results"]]
        url, pages = data["next"], pages + 1
        assert pages < 500
    return ids


@pytest.mark.parametrize("username", ROLES)
def test_every_list_returns_only_records_in_scope(username, users, api_for):
    user = users[username]
    client = api_for(username)
    walked = 0
    lists = [(res.name, res.roles, res.queryset) for res in RESOURCES]
    lists += [("persons", ("admin", "staff", "village", "volunteer"),
               lambda u: scope_queryset(Person.objects.filter(status=Person.ACTIVE), u)),
              ("visits", ("admin", "staff", "village", "volunteer"), lambda u: scope_queryset(Visit.objects.all(), u))]
    for name, allowed, queryset in lists:
        url = f"/api/v1/{name}/?page_size=200"
        if user.role not in allowed:
            assert client.get(url).status_code == 403, name
            continue
        ids = _walk(client, url)
        expected = set(queryset(user).values_list("pk", flat=True))
        # The raw scope of the model: nothing outside it, whatever the resource adds.
        model = queryset(user).model
        scoped = set(scope_queryset(model.objects.all(), user).values_list("pk", flat=True))
        if name == "screening-campaigns":  # a village sees the rounds of the areas above it too (as the page)
            scoped = expected
        assert len(ids) == len(set(ids)), f"{name}: a record listed twice"
        assert set(ids) <= scoped, f"{username} got out-of-scope {name}: {set(ids) - scoped}"
        assert set(ids) == expected, f"{username} {name}: the list differs from the page's"
        walked += 1
    assert walked >= 3


def test_volunteer_sees_only_paired_persons(users, api_for):
    from guanai.care.services import my_recipients

    ids = _walk(api_for("volunteer"), "/api/v1/persons/?page_size=200")
    assert ids and set(ids) == set(my_recipients(users["volunteer"]).values_list("pk", flat=True))


def test_out_of_scope_area_in_query_is_404(users, api_for):
    client = api_for("village")
    for url in ("/api/v1/persons/?area=990102000000", "/api/v1/visits/?area=990102000000",
                "/api/v1/metrics/persons_registered/?area=990102000000&period=2026",
                "/api/v1/activities/?area=990201001001"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "不存在" in response.json()["detail"]
    bad = client.get("/api/v1/persons/?area=abc")
    assert bad.status_code == 400 and "area" in bad.json()["errors"]


def test_out_of_scope_ids_in_paths_are_404(users, api_for):
    client = api_for("village")
    foreign = Person.objects.exclude(area_id=users["village"].area_id).first()
    for url in (f"/api/v1/persons/{foreign.pk}/", "/api/v1/persons/999999999/", "/api/v1/areas/990102000000/",
                f"/api/v1/visits/{2**62}/", f"/api/v1/visits/{2**70}/", f"/api/v1/cases/{10**30}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["detail"] == "记录不存在或您无权查看"
        assert foreign.name not in response.content.decode()


def test_leader_never_gets_personal_records(api_for):
    client = api_for("leader")
    for url in ("/api/v1/persons/", "/api/v1/visits/", "/api/v1/cases/", "/api/v1/pairings/"):
        assert client.get(url).status_code == 403, url
    # Aggregates, yes.
    assert client.get("/api/v1/metrics/persons_registered/?period=2026").status_code == 200


def test_huge_or_bad_page_size_and_cursor(api_for):
    client = api_for("county")
    data = client.get(f"/api/v1/persons/?page_size={10**30}").json()
    assert len(data["results"]) <= 200
    assert len(client.get("/api/v1/persons/?page_size=-5").json()["results"]) == 50
    assert len(client.get("/api/v1/persons/?page_size=abc").json()["results"]) == 50
    response = client.get("/api/v1/persons/?cursor=!!!notacursor")
    assert response.status_code == 404 and response.json()["detail"] == "翻页游标无效"


def test_a_nul_in_any_query_parameter_is_a_chinese_400_not_a_server_error(users):
    """Schemathesis found /api/v1/documents/?q=%00 a 500 on PostgreSQL (text cannot hold NUL)."""
    from django.test import Client

    client = Client()
    client.force_login(users["admin"])
    for url in ("/api/v1/documents/?q=%00", "/api/v1/persons/?q=a%00b", "/api/v1/documents/search/?q=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "控制字符" in response.content.decode()
