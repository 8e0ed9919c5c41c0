"""Issue 15, point 13: a county's due list counted its overdue only (待首访 and 近期待访 had no
count while a village's had), and the county home showed 0 成员单位 (the units sit at city level)."""

import re

from guanai.areas.models import Area

COUNTY = "990101000000"


def _badges(body: str) -> dict[str, int]:
    return {status: int(n) for status, n in re.findall(
        r'data-status="(\w+)">[^<]*<span class="badge text-bg-light">(\d+)</span>', body)}


def test_a_countys_due_list_counts_every_tab_as_its_townships_do(client_for):
    county = _badges(client_for("county").get("/care/due/").content.decode())
    assert set(county) == {"overdue", "first", "soon"}
    townships = [_badges(client_for("county").get(f"/care/due/?area={t.code}").content.decode())
                 for t in Area.objects.filter(parent_id=COUNTY)]
    for status in ("overdue", "first", "soon"):
        assert county[status] == sum(t[status] for t in townships), status
    assert county["soon"] > 0 and county["overdue"] > 0


def test_a_new_child_counts_as_first_visit_pending_in_the_county_at_once(users, client_for,
                                                                          django_capture_on_commit_callbacks):
    from .helpers import person

    before = _badges(client_for("county").get("/care/due/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):  # the tallies follow the commit
        person(users["village"], "新登记童", "990101001001")
    after = _badges(client_for("county").get("/care/due/").content.decode())
    assert after["first"] == before["first"] + 1


def test_the_county_home_counts_the_units_serving_it(client_for):
    body = client_for("county").get("/").content.decode()
    assert re.search(r'data-card="成员单位">(\d+)<', body).group(1) == "10"


def test_a_townships_due_list_counts_from_the_tallies_equal_a_fresh_count_and_follow_a_write(
        users, client_for, django_capture_on_commit_callbacks):
    """The township's badges are read from its kept tallies: they equal a fresh count of its persons
    by the list's own conditions, before and after a registration, and page over that many rows."""
    from django.utils import timezone

    from guanai.areas.scoping import area_filter
    from guanai.care import followup
    from guanai.registry.models import Person

    from .helpers import person

    township = users["township"].area_id

    def fresh():
        return followup.status_counts(Person.objects.filter(area_filter("area", township)), timezone.localdate())

    before = _badges(client_for("township").get("/care/due/").content.decode())
    assert before == fresh()
    with django_capture_on_commit_callbacks(execute=True):
        person(users["village"], "乡镇新登记", "990101001001")
    after = _badges(client_for("township").get("/care/due/").content.decode())
    assert after == fresh() and after["first"] == before["first"] + 1
    page = client_for("township").get("/care/due/?status=first").context["page"]
    assert page.paginator.count == after["first"]


def test_a_townships_due_list_counts_nothing_again_and_states_each_condition_once(client_for):
    """Issue 14: the township's list paid a second count of its persons (the paginator's "超过N"
    mark, though the metrics had given the count) and a query naming every condition three times
    over (57 subqueries, 31 ms of planning at a province). Its rows are the rows of the three tabs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("township")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/care/due/")
    assert response.status_code == 200
    person_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "registry_person"' in q["sql"]]
    assert not [sql for sql in person_queries if "COUNT(" in sql]
    listing = [sql for sql in person_queries if "last_visit" in sql]
    assert len(listing) == 1 and listing[0].count("SELECT") < 40
    shown = {row.pk: row.followup_status for row in response.context["page"]}
    tabs = {}
    for status in ("overdue", "first", "soon"):
        tabs |= {row.pk: row.followup_status for row in client.get(f"/care/due/?status={status}").context["page"]}
    assert shown and set(shown.values()) <= {"overdue", "first", "soon"}
    assert all(tabs.get(pk, status) == status for pk, status in shown.items())


def test_the_admins_due_list_counts_every_area_as_a_fresh_count_does(client_for):
    """Above a township the badges are the current figures (compute, the kept tallies when fresh):
    the admin's, of every top area together, equal a count of all persons by the list's conditions."""
    from django.utils import timezone

    from guanai.care import followup
    from guanai.registry.models import Person

    shown = _badges(client_for("admin").get("/care/due/").content.decode())
    assert shown == followup.status_counts(Person.objects.all(), timezone.localdate())
