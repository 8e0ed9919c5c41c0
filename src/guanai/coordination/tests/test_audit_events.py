"""A coordination service write is one audit event (the model signals stay silent while a
service runs), with the acting user, the object and the fields before and after."""

import pytest

from guanai.audit.models import AuditEvent
from guanai.coordination import services

from .conftest import at

pytestmark = pytest.mark.django_db


def _events(obj):
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id"))


def test_setting_up_a_conference_and_its_units_is_one_event_per_write(conference, county_office, units):
    [created] = _events(conference)
    assert (created.action, created.user_id) == ("create", county_office.pk)
    unit = units[1]
    before = len(_events(unit))
    services.update_unit(acting_user=county_office, unit=unit, name="西山县教育和体育局", is_lead=False,
                         contact_name="王老师", contact_phone="13912345678")
    events = _events(unit)
    assert len(events) == before + 1
    assert events[-1].user_id == county_office.pk and events[-1].changes["name"] == ["西山县教育局", "西山县教育和体育局"]


def test_a_report_saved_through_the_workflow_is_one_event(report_form, units):
    from guanai.coordination import workflow

    liaison = units[0].liaison
    report = workflow.start_report(acting_user=liaison, form=report_form, unit=units[0], period_key="2025Q3",
                                   at=at("2025-10-10 10:00:00"))
    assert [(e.action, e.user_id) for e in _events(report)] == [("create", liaison.pk)]
