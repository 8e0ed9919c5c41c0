"""Every care service records one audit event per record it writes, with its user, the
object and the fields; a quick risk judgement on a visit is the person's own event."""

from datetime import date

import pytest

from guanai.accounts import roles
from guanai.care import services
from guanai.care.models import Helper
from guanai.portal import factories as f


@pytest.fixture
def staff(db):
    return f.user(roles.STAFF, area_code="522601104000")

pytestmark = pytest.mark.usefixtures("frozen_day")


def _helper(w):
    return services.create_helper(user=w, name="爱心妈妈陈芳", kind=Helper.CARING_PARENT, area_code=f.VILLAGE)


def _pairing(w):
    return services.create_pairing(user=w, helper=_helper(w), persons=[f.person(w)], start_date=date(2026, 6, 1))[0]


def _home(u):
    return services.create_care_home(user=u, name="大坪村儿童之家", kind="children_home", area_code=f.VILLAGE)


CASES = [
    ("create_helper", "village_worker", lambda w: None, lambda w, c: _helper(w), "create", {"name": [None, "爱心妈妈陈芳"]}),
    ("create_pairing", "village_worker", lambda w: None, lambda w, c: _pairing(w), "create",
     {"start_date": [None, "2026-06-01"]}),
    ("end_pairing", "village_worker", _pairing,
     lambda w, p: services.end_pairing(user=w, pairing=p, end_date=date(2026, 6, 30), reason="父母返乡"),
     "update", {"end_date": [None, "2026-06-30"], "end_reason": ["", "父母返乡"]}),
    ("create_visit", "village_worker", lambda w: f.person(w),
     lambda w, p: services.create_visit(user=w, visit_date=date(2026, 6, 30), mode="home", person=p,
                                        aid=[{"kind": "cash", "value_yuan": "200"}]),
     "create", {"mode": [None, "home"], "visit_date": [None, "2026-06-30"]}),
    ("create_activity", "village_worker", lambda w: None,
     lambda w, c: services.create_activity(user=w, title="暑期安全教育", kind="publicity", held_on=date(2026, 6, 20),
                                           area_code=f.VILLAGE, participants_count=30),
     "create", {"title": [None, "暑期安全教育"], "participants_count": [None, 30]}),
    ("create_care_home", "staff", lambda u: None, lambda u, c: _home(u), "create", {"name": [None, "大坪村儿童之家"]}),
    ("record_inspection", "staff", _home,
     lambda u, home: services.record_inspection(user=u, home=home, inspected_on=date(2026, 6, 30),
                                                results={code: True for code, _l in services.checklist()}),
     "create", {"passed": [None, 8], "total": [None, 8]}),
]


@pytest.mark.parametrize("name, who, setup, call, action, expected", CASES, ids=[c[0] for c in CASES])
def test_a_care_service_write_is_one_event(request, name, who, setup, call, action, expected):
    user = request.getfixturevalue(who)
    context = setup(user)
    since = f.last_event_id()
    obj = call(user, context)
    event = f.only_event(obj, since)
    assert (event.action, event.user_id) == (action, user.pk)
    assert expected.items() <= event.changes.items(), event.changes


def test_a_quick_risk_judgement_is_the_persons_event_beside_the_visits(village_worker):
    child = f.person(village_worker)
    since = f.last_event_id()
    visit = services.create_visit(user=village_worker, visit_date=date(2026, 6, 30), mode="phone", person=child,
                                  risk_level="orange")
    assert f.only_event(visit, since).user_id == village_worker.pk
    risk = f.only_event(child, since)
    assert risk.user_id == village_worker.pk and risk.changes["current_risk"] == ["", "orange"]
