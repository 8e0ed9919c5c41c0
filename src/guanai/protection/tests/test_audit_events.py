"""A mandatory report, each step done and the closure are each one audit event on the case,
with the acting user and what changed."""

import pytest

from guanai.accounts import roles
from guanai.portal import factories as f
from guanai.protection import services


pytestmark = pytest.mark.usefixtures("frozen_day")


def test_report_step_and_closure_are_one_event_each(db):
    worker = f.user(roles.VILLAGE)
    child = f.person(worker, name="罗雨桐")
    since = f.last_event_id()
    case = services.report_case(user=worker, area_code=f.VILLAGE, situation="alone", description="独自在家三天",
                                child=child)
    reported = f.only_event(case, since)
    assert (reported.action, reported.user_id) == ("create", worker.pk)
    assert reported.changes["child_id"] == [None, child.pk] and reported.changes["number"][1] == case.number
    since = f.last_event_id()
    services.complete_step(user=worker, case=case, action="已联系村委会，安排临时照料")
    step = f.only_event(case, since)
    assert step.user_id == worker.pk and step.changes["step"][0] == "emergency"
    assert "已联系村委会" in step.detail
    since = f.last_event_id()
    services.close_case(user=worker, case=case, reason="resolved")
    closed = f.only_event(case, since)
    assert closed.user_id == worker.pk and closed.changes["status"] == ["open", "closed"]
