"""Walk every URL pattern as every role, inside and outside the user's area,
and fail on a leak, a 500, or a page that declares no access rule."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from guanai.accounts.access import declared_roles, is_public, may_use
from guanai.areas.models import Area
from guanai.coordination.models import MemberUnit

from .scope_cases import CASES, QUERY_CASES, must_not_show

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
                                   categories=["left_behind_child"], id_number="11010520151231012X")
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
    from guanai.registry.models import Person, ScreeningReport

    # A city-wide screening round (every role's area lies under it) with the reports of a
    # village in another county and of the neighbouring township's village.
    city_round = ScreeningCampaign.objects.create(name="全市检测排查", area_id="990100000000", start_date="2026-01-01",
                                                  end_date="2026-03-31", categories=["left_behind_child"])
    for village, note in (("990102001002", "外县排查说明"), ("990101002099", "邻镇排查说明")):
        ScreeningReport.objects.create(campaign=city_round, village_id=village, households_checked=231,
                                       counts={"left_behind_child": 4}, note=note)

    # The demo volunteer's pairing with a child of their own village that ended yesterday:
    # it no longer grants them the child.
    from datetime import timedelta

    from django.utils import timezone

    from guanai.care.models import Helper, Pairing

    ended_child = create_person(user=None, area_code="990101001001", data={"name": "结束结对检测童"},
                                categories=["left_behind_child"])
    today = timezone.localdate()
    Pairing.objects.create(helper=Helper.objects.get(user=users["volunteer"]), person=ended_child,
                           area_id="990101001001", start_date=today - timedelta(days=60),
                           end_date=today - timedelta(days=1), note="已结束的结对")

    # A household of the foreign village with its head not on file and a guardian (issue 15.6).
    from guanai.registry.models import Guardian, Household, HouseholdMember

    foreign_household = Household.objects.create(area=foreign_village, head_name="泄露检测户主")
    head = HouseholdMember.objects.create(household=foreign_household, is_head=True, name="泄露检测户主")
    Guardian.objects.create(child=foreign_person, member=head, relation="grandparent",
                            guardianship_type="both_parents_away")

    from .care_scope import build_world

    care_markers = build_world({"990201001001": foreign_person,
                                "990101002099": Person.objects.get(name="邻镇检测人")},
                               {"990201001001": MemberUnit.objects.get(name="泄露检测单位")})
    from .oversight_scope import build_world as build_oversight_world

    care_markers += build_oversight_world(MemberUnit.objects.get(name="泄露检测单位"))

    from .coordination_scope import build_world as build_coordination

    coordination_markers = build_coordination(MemberUnit.objects.get(name="泄露检测单位"))
    return {
        "users": users,
        "foreign_village": foreign_village,
        "foreign_person": foreign_person,
        "foreign_household": foreign_household,
        "city_round": city_round,
        "ended_child": ended_child,
        "not_for_volunteer": ["结束结对检测童"],
        "markers": care_markers + coordination_markers + [("990201001001", "泄露检测村"), ("990200000000", "泄露检测单位"), ("990101002099", "邻镇检测村"),
                    ("990201001001", "泄露检测人"), ("990201001001", "泄露检测户主"), ("990101002099", "邻镇检测人"), ("990201001001", "1012X"),
                    ("990200000000", "泄露检测排查"),
                    ("990102001002", "外县排查说明"), ("990101002099", "邻镇排查说明"),
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
            posted = False
            if response.status_code == 405 and params:
                # A POST-only action on a record: scope must hold for the POST too.
                response, posted = client.post(url), True
            checked += 1
            _assert_in_scope(response, username, url, where, allowed, forbidden_markers, posted=posted)
    assert checked >= len([p for p in all_patterns() if not is_public(p[2])])


def _assert_in_scope(response, username, url, where, allowed, forbidden_markers, posted=False):
    """No 500; refused when the role may not use the page; a 404 out of scope; no marker seen."""
    status = response.status_code
    assert status != 500, f"{username} {url}: server error"
    if not allowed:
        assert status == 403, f"{username} may not use {url} but got {status}"
        return
    if where == "outside":
        assert status == 404, f"{username} reached out-of-scope {url}: {status}"
    else:
        # An empty POST to an action in scope may be refused as bad input (a 400), never a 404.
        assert status in ((200, 302, 405, 400) if posted else (200, 302, 405)), f"{username} {url}: {status}"
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    for marker in forbidden_markers:
        assert marker not in body, f"{username} saw out-of-scope '{marker}' at {url}"


def test_out_of_scope_answer_is_chinese(world, client_for):
    response = client_for("village").get("/areas/990201001001/")
    assert response.status_code == 404 and "不在您的管辖范围内" in response.content.decode()
    response = client_for("volunteer").get("/areas/import/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()


@pytest.mark.parametrize("username", ROLES)
def test_query_parameters_stay_in_scope(username, world, client_for):
    """Pages that take an area or a record from the query string: the same rules as the URL's."""
    from django.urls import resolve

    user = world["users"][username]
    client = client_for(username)
    forbidden_markers = must_not_show(user, world)
    for _name, case in QUERY_CASES.items():
        inside, outside = case(user, world)
        for where, url, data in (("inside", *inside), ("outside", *outside)):
            if url is None:
                continue
            allowed = may_use(user, resolve(url.split("?")[0]).func)
            for response in (client.get(url), client.post(url, data)):
                _assert_in_scope(response, username, url, where, allowed, forbidden_markers)


def test_a_volunteer_posting_a_risk_level_or_cash_is_refused(world, client_for):
    """Issue 15.12 (DESIGN §2): a volunteer records visits and goods for their pairings; the
    visit form offers them neither a risk level nor cash, and a hand-made POST is refused."""
    from django.utils import timezone

    from guanai.care.models import AidItem, Visit
    from guanai.registry.models import Person

    client = client_for("volunteer")
    paired = Person.objects.filter(pairings__helper__user=world["users"]["volunteer"]).first()
    url = f"/care/visits/create/?person={paired.pk}"
    form = client.get(url).content.decode()
    assert 'name="risk_level"' not in form and "慰问金" not in form.split("<form", 1)[1].split("</form>")[0].replace(
        "慰问金由儿童主任或工作人员登记", "")
    base = {"person": str(paired.pk), "visit_date": timezone.localdate().isoformat(), "mode": "home",
            "findings": "志愿者走访"}
    before = (Visit.objects.count(), AidItem.objects.count(), paired.current_risk)
    body = client.post(url, {**base, "risk_level": "red"}).content.decode()
    assert "志愿者不能调整风险等级" in body
    body = client.post(url, {**base, "aid_kind": "cash", "aid_description": "", "aid_quantity": "", "aid_unit": "",
                             "aid_value": "300"}).content.decode()
    assert "志愿者不能登记现金救助" in body
    paired.refresh_from_db()
    assert (Visit.objects.count(), AidItem.objects.count(), paired.current_risk) == before
    # The assessment page is not theirs either.
    assert client.post(f"/persons/{paired.pk}/assess/", {"assessed_on": timezone.localdate().isoformat()}).status_code == 403
