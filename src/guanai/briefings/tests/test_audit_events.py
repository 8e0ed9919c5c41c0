"""A briefing's edit and its publication are one audit event each, with the user and what changed."""

from datetime import date

import pytest

from guanai.audit.models import AuditEvent
from guanai.briefings import services
from guanai.briefings.models import Briefing

from .conftest import COUNTY

pytestmark = pytest.mark.django_db


def _events(briefing, since):
    return list(AuditEvent.objects.filter(pk__gt=since, object_type="briefings.briefing", object_id=str(briefing.pk)))


def test_an_edit_and_the_publication_are_one_event_each(users):
    office = users["office"]
    draft = Briefing.objects.create(kind="jianbao", area_id=COUNTY, period_key="2026Q1", title="测试简报",
                                    office_name="测试办公室", body=[{"type": "p", "runs": [{"t": "测试正文。"}]}])
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    services.save_edit(draft, user=office, body_html="<p>新的正文。</p>", meta={"title": "第一季度工作简报"})
    [edited] = _events(draft, since)
    assert edited.user_id == office.pk and edited.changes["title"] == ["测试简报", "第一季度工作简报"]
    assert edited.changes["body"] == ["", "已修改"]
    since = edited.pk
    services.publish(draft, user=office, issued_on=date(2026, 4, 2))
    [published] = _events(draft, since)
    assert published.user_id == office.pk and published.changes["status"][1] == Briefing.PUBLISHED
    assert published.changes["issued_on"][1] == "2026-04-02"
