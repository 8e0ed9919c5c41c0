"""Who did it: services name their user; work run by the worker is recorded as done by the
user who started the job; bulk writes are one event per object; a service write is one event."""

import pytest

from guanai.audit.models import AuditEvent
from guanai.audit.services import ObjectRef, audit, audited, record_many
from guanai.coordination.models import MemberUnit
from guanai.core import jobs


def _after(last: int):
    return AuditEvent.objects.filter(pk__gt=last).order_by("id")


def _last() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def unit_job_runner():
    """A job kind that writes through the model (the signals' path), as a job's step may."""
    @jobs.runner("test_make_unit")
    def make_unit(job, progress):
        unit = MemberUnit.objects.create(name=job.params["name"], area_id="990100000000")
        return {"unit": unit.pk}

    yield
    jobs._RUNNERS.pop("test_make_unit")


def test_a_job_run_by_the_worker_is_recorded_as_done_by_who_started_it(users, unit_job_runner,
                                                                       django_capture_on_commit_callbacks):
    last = _last()
    with django_capture_on_commit_callbacks(execute=True):  # the worker (immediate backend) runs it on commit
        job = jobs.start_job("test_make_unit", "测试", users["office"], {"name": "示范市审计局"})
    job.refresh_from_db()
    assert job.status == job.DONE, job.message
    [event] = _after(last).filter(object_type="coordination.memberunit")
    assert (event.action, event.user_id, event.object_id) == ("create", users["office"].pk, str(job.result["unit"]))
    assert jobs.job_user() is None  # the job's user is not carried past its run


def test_a_service_write_is_one_event_and_the_signals_stay_silent(users):
    @audited
    def rename(*, user, unit, name):
        before = {"name": unit.name}
        unit.name = name
        unit.save()
        audit(AuditEvent.UPDATE, user=user, obj=unit, before=before, after={"name": unit.name}, reason="更名")

    unit = MemberUnit.objects.create(name="示范市科技局", area_id="990100000000")
    last = _last()
    rename(user=users["admin"], unit=unit, name="示范市科学技术局")
    [event] = _after(last)
    assert (event.user_id, event.object_id, event.detail) == (users["admin"].pk, str(unit.pk), "更名")
    assert event.changes == {"name": ["示范市科技局", "示范市科学技术局"]}
    # Outside a service (the admin, a shell) the signals still record the write.
    unit.name = "示范市科技局"
    unit.save()
    [safety_net] = _after(event.pk)
    assert safety_net.changes == {"name": ["示范市科学技术局", "示范市科技局"]}


def test_record_many_writes_one_event_per_object_with_its_changes(users):
    units = [MemberUnit.objects.create(name=n, area_id="990100000000") for n in ("甲局", "乙局")]
    last = _last()
    count = record_many(users["admin"], AuditEvent.UPDATE, [
        (units[0], {"name": ("甲局", "甲委")}),
        (ObjectRef("coordination.memberunit", units[1].pk, "乙局"), None),
    ], detail="批量")
    events = list(_after(last))
    assert count == 2 and [e.object_id for e in events] == [str(u.pk) for u in units]
    assert all(e.user_id == users["admin"].pk and e.username == "admin" and e.detail == "批量" for e in events)
    assert events[0].changes == {"name": ["甲局", "甲委"]} and events[1].changes == {}
    assert events[0].at is not None
