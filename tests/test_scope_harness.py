"""Walk every URL pattern as every role, inside and outside the user's area,
and fail on a leak, a 500, or a page that declares no access rule."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from guanai.accounts.access import declared_roles, is_public, may_use
from guanai.areas.models import Area
from guanai.coordination.models import MemberUnit

from .scope_cases import CASES, must_not_show

SKIP_PREFIXES = ("admin/",)  # Django's admin site: staff only, tested on its own
ROLES = ["admin", "office", "unit", "city", "county", "township", "village", "volunteer", "leader"]


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry.callback, list(entry.pattern.converters)


def all_patterns():
    return [p for p in _walk(get_resolver().url_patterns) if not p[0].startswith(SKIP_PREFIXES)]


@pytest.fixture
def world(users):
    # Records no one but the admin may see, and one only county and city level may see.
    foreign_city = Area.objects.create(code="990200000000", name="外地市", level=2, parent_id="990000000000")
    Area.objects.create(code="990201000000", name="外地县", level=3, parent=foreign_city)
    Area.objects.create(code="990201001000", name="外地镇", level=4, parent_id="990201000000")
    foreign_village = Area.objects.create(code="990201001001", name="泄露检测村", level=5, parent_id="990201001000")
    MemberUnit.objects.create(name="泄露检测单位", area=foreign_city)
    Area.objects.create(code="990101002099", name="邻镇检测村", level=5, parent_id="990101002000")
    from guanai.registry.services import create_person

    foreign_person = create_person(user=None, area_code="990201001001", data={"name": "泄露检测人"},
                                   categories=["left_behind_child"], id_number="11010519491231002X")
    from guanai.registry.models import ScreeningCampaign

    ScreeningCampaign.objects.create(name="泄露检测排查", area_id="990200000000", start_date="2026-01-01",
                                     end_date="2026-03-31", categories=["left_behind_child"])
    create_person(user=None, area_code="990101002099", data={"name": "邻镇检测人"}, categories=["solitary_elder"])
    from guanai.archive.services import store_document

    store_document("foreign.txt", "泄露检测档案正文：走访慰问泄露检测对象12户。".encode(), area="990201001001",
                   title="泄露检测档案")
    store_document("neighbour.txt", "邻镇检测档案正文：走访慰问邻镇检测对象7户。".encode(), area="990101002099",
                   title="邻镇检测档案")
    from guanai.briefings.models import Briefing

    Briefing.objects.create(kind="jianbao", area_id="990200000000", period_key="2026Q1", title="泄露检测简报",
                            office_name="外地市办公室", status="published", issue_year=2026, issue_number=1)
    from guanai.registry.models import Person

    from .care_scope import build_world

    care_markers = build_world({"990201001001": foreign_person,
                                "990101002099": Person.objects.get(name="邻镇检测人")},
                               {"990201001001": MemberUnit.objects.get(name="泄露检测单位")})
    return {
        "users": users,
        "foreign_village": foreign_village,
        "foreign_person": foreign_person,
        "markers": care_markers + [("990201001001", "泄露检测村"), ("990200000000", "泄露检测单位"), ("990101002099", "邻镇检测村"),
                    ("990201001001", "泄露检测人"), ("990101002099", "邻镇检测人"), ("990201001001", "0002X"),
                    ("990200000000", "泄露检测排查"),
                    ("990200000000", "泄露检测简报"),
                    ("990201001001", "泄露检测档案"), ("990101002099", "邻镇检测档案")],
    }




def test_every_page_declares_who_may_use_it():
    undeclared = [route for route, _name, callback, _params in all_patterns()
                  if not is_public(callback) and declared_roles(callback) is None]
    assert undeclared == [], f"pages without roles_required/allowed_roles: {undeclared}"


def test_every_parameterised_page_has_a_scope_case():
    missing = [name for route, name, _cb, params in all_patterns() if params and name not in CASES]
    assert missing == [], f"Some URLs are untested! add them to tests/scope_cases.py: {missing}"


@pytest.mark.parametrize("username", ROLES)
def test_no_page_leaks_outside_scope(username, world, client_for):
    from django.urls import reverse

    user = world["users"][username]
    client = client_for(username)
    forbidden_markers = must_not_show(user, world)
    checked = 0
    for route, name, callback, params in all_patterns():
        if is_public(callback):
            continue
        allowed = may_use(user, callback)
        targets = []
        if params:
            inside, outside = CASES[name](user, world)
            if inside is not None:
                targets.append(("inside", reverse(name, kwargs=inside)))
            if outside is not None:
                targets.append(("outside", reverse(name, kwargs=outside)))
        else:
            targets.append(("inside", reverse(name)))
        for where, url in targets:
            response = client.get(url)
            if response.status_code == 405 and params:
                # A POST-only action on a record: scope must hold for the POST too.
                response = client.post(url)
            checked += 1
            status = response.status_code
            assert status != 500, f"{username} {url}: server error"
            if not allowed:
                assert status == 403, f"{username} may not use {url} but got {status}"
                continue
            if where == "outside":
                assert status == 404, f"{username} reached out-of-scope {url}: {status}"
            else:
                assert status in (200, 302, 405), f"{username} {url}: {status}"
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            for marker in forbidden_markers:
                assert marker not in body, f"{username} saw out-of-scope '{marker}' at {url}"
    assert checked >= len([p for p in all_patterns() if not is_public(p[2])])


def test_out_of_scope_answer_is_chinese(world, client_for):
    response = client_for("village").get("/areas/990201001001/")
    assert response.status_code == 404 and "不在您的管辖范围内" in response.content.decode()
    response = client_for("volunteer").get("/areas/import/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()
