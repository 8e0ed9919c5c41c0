"""One-time form tokens: a repeat of a submitted form saves nothing and lands where the first did."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from guanai.care.models import AidItem, Visit
from guanai.care.tests.helpers import person
from guanai.core.idempotency import REPLAYED, claim
from guanai.core.models import IdempotencyKey

VILLAGE = "990101001001"

# Every page whose form creates something (the scope harness's URL names).
CREATE_VIEWS = {
    "registry:create", "registry:assess", "registry:profile", "registry:household", "registry:screening_create",
    "registry:screening_report", "registry:import", "registry:import_commit", "registry:transfer_create",
    "care:visit_create", "care:pairing_create", "care:helper_create", "care:activity_create", "care:home_create",
    "care:home_inspect", "protection:report", "protection:complete", "protection:close", "briefings:compose",
    "briefings:publish", "areas:import", "oversight:round_create", "oversight:item_create",
    "oversight:scheme_create", "oversight:indicator_create", "oversight:project_create", "oversight:project_progress",
}


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([0-9a-f]{32})"', html).group(1)


def _open_visit_form(users, client_for, name: str):
    """A village worker's new child and the visit form opened for them: (client, child, form token)."""
    client = client_for("village")
    child = person(users["village"], name, VILLAGE)
    return client, child, _token(client.get(f"/care/visits/create/?person={child.pk}").content.decode())


def _post(child, token, **extra):
    data = {"form_token": token, "person": child.pk, "visit_date": timezone.localdate().isoformat(), "mode": "home",
            "findings": "一次", "aid_kind": ["cash"], "aid_description": [""], "aid_quantity": [""],
            "aid_unit": [""], "aid_value": ["500"]}
    data.update(extra)
    return data


def test_the_same_form_sent_twice_saves_once(users, client_for):
    client, child, token = _open_visit_form(users, client_for, "单次童")
    first = client.post("/care/visits/create/", _post(child, token))
    second = client.post("/care/visits/create/", _post(child, token), follow=True)
    assert first.status_code == 302
    assert second.redirect_chain[0][0] == first.url
    assert REPLAYED in second.content.decode()
    assert Visit.objects.filter(person=child).count() == 1
    assert AidItem.objects.filter(visit__person=child).count() == 1


def test_a_form_that_came_back_with_errors_can_be_sent_again(users, client_for):
    client, child, token = _open_visit_form(users, client_for, "再交童")
    refused = client.post("/care/visits/create/", _post(child, token, aid_value=["-5"]))
    assert refused.status_code == 200 and not Visit.objects.filter(person=child).exists()
    saved = client.post("/care/visits/create/", _post(child, token))
    assert saved.status_code == 302 and Visit.objects.filter(person=child).count() == 1


def test_tokens_are_per_user_and_kept_in_the_database(users):
    entry, mine = claim(users["village"], "k" * 32, "/care/visits/create/")
    again, mine_again = claim(users["village"], "k" * 32, "/care/visits/create/")
    other, theirs = claim(users["county"], "k" * 32, "/care/visits/create/")
    assert (mine, mine_again, theirs) == (True, False, True)
    assert again.pk == entry.pk and other.pk != entry.pk
    assert IdempotencyKey.objects.filter(key="k" * 32).count() == 2


def _named_views():
    def walk(patterns, namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.callback

    return dict(walk(get_resolver().url_patterns))


def test_every_create_view_takes_a_token_once():
    views = _named_views()
    missing = sorted(name for name in CREATE_VIEWS if not getattr(views.get(name), "once_per_token", False))
    assert missing == [], f"create views without @once_per_token: {missing}"


@pytest.mark.parametrize("username,url", [
    ("village", "/persons/create/"), ("village", "/care/visits/create/"), ("village", "/care/helpers/create/"),
    ("village", "/care/pairings/create/"), ("village", "/care/activities/create/"), ("county", "/care/homes/create/"),
    ("village", "/protection/report/"), ("county", "/persons/screening/create/"), ("village", "/persons/import/"),
    ("office", "/briefings/new/"), ("admin", "/areas/import/"),
])
def test_create_forms_carry_a_fresh_token(client_for, username, url):
    client = client_for(username)
    first, second = (_token(client.get(url).content.decode()) for _ in range(2))
    assert first != second


# A POST that nginx re-sends to the other web process (deploy/nginx.conf.in: a write with its
# one-time token in the address, put there by static/guanai/site.js) arrives again byte for
# byte when the first process saved it and died before answering.

def test_a_resent_visit_saves_once_and_answers_like_the_first(users, client_for):
    client, child, token = _open_visit_form(users, client_for, "重发童")
    address, data = f"/care/visits/create/?form_token={token}", _post(child, token)
    first = client.post(address, data)
    again = client.post(address, data)
    assert first.status_code == again.status_code == 302
    assert again.url == first.url
    assert Visit.objects.filter(person=child).count() == 1
    assert AidItem.objects.filter(visit__person=child).count() == 1


def test_the_token_in_the_address_alone_is_enough(users, client_for):
    client, child, token = _open_visit_form(users, client_for, "地址童")
    data = {k: v for k, v in _post(child, token).items() if k != "form_token"}
    first = client.post(f"/care/visits/create/?form_token={token}", data)
    again = client.post(f"/care/visits/create/?form_token={token}", data)
    assert first.status_code == again.status_code == 302 and again.url == first.url
    assert Visit.objects.filter(person=child).count() == 1


def test_a_resent_briefing_compose_starts_one_job(users, client_for, django_capture_on_commit_callbacks):
    from guanai.core.models import Job
    from guanai.stats.periods import last_complete_quarter

    client = client_for("county")
    token = _token(client.get("/briefings/new/").content.decode())
    data = {"form_token": token, "area": "990101000000", "period": last_complete_quarter(timezone.localdate()).key,
            "kind": "jianbao"}
    before = Job.objects.filter(kind="briefing_compose").count()
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(f"/briefings/new/?form_token={token}", data)
        again = client.post(f"/briefings/new/?form_token={token}", data)
    assert first.status_code == again.status_code == 302 and "/jobs/" in first.url
    assert again.url == first.url
    assert Job.objects.filter(kind="briefing_compose").count() == before + 1
