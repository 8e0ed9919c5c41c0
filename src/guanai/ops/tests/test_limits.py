"""A request's limits hold even when library code swallows the limit's exception."""

import time

import pytest

from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from guanai.ops.middleware import RequestLimitsMiddleware


def _view_that_swallows_everything(request):
    # What WeasyPrint does around a font or an image: ``except Exception`` and carry on.
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            sum(range(10_000))
        except Exception:  # noqa: BLE001 - the point of the test
            pass
    return HttpResponse("半成品")


@override_settings(GUANAI_REQUEST_TIMEOUT=0.3)
def test_a_swallowed_time_limit_still_ends_in_the_chinese_503():
    response = RequestLimitsMiddleware(_view_that_swallows_everything)(RequestFactory().get("/"))
    assert response.status_code == 503
    body = response.content.decode()
    assert "半成品" not in body and "处理时间超过了上限" in body
    assert response["Retry-After"] == "30"


@override_settings(GUANAI_REQUEST_TIMEOUT=5)
def test_a_request_within_its_limits_is_untouched():
    response = RequestLimitsMiddleware(lambda request: HttpResponse("好"))(RequestFactory().get("/"))
    assert response.status_code == 200 and response.content.decode() == "好"


def _job_that_swallows_everything(job, progress):
    from django.db import transaction

    from guanai.areas.models import Area
    from guanai.core import jobs

    with transaction.atomic():  # as the import: its writes in its own transaction
        Area.objects.create(code="990199999999", name="半成品村", level=Area.objects.get(code="990101001001").level)
        _view_that_swallows_everything(None)
        jobs.refuse_if_limited()
    return {"created": 1}


def _job_that_swallows_and_writes_nothing(job, progress):
    _view_that_swallows_everything(None)
    return {"rows": ["半成品"]}


def _run_past_its_time_limit(func, user):
    """Run ``func`` as a job of the worker with a 0.3 s time limit (the watchdog and the probe
    installed as `guanai worker` installs them); the job row afterwards."""
    from guanai.core import jobs
    from guanai.ops import limits

    jobs.runner("swallowing_test_job")(func)
    jobs.watch_limits(limits.sent_to_current)
    try:
        job = jobs.Job.objects.create(kind="swallowing_test_job", label="测试", user=user, params={})
        limits.work_started(0.3, timeout_exc=jobs.JobOverLimit)
        try:
            jobs.run_job.call(job.pk)
        finally:
            limits.work_finished()
    finally:
        jobs.watch_limits(jobs._no_limits)
        jobs._RUNNERS.pop("swallowing_test_job")
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_job_whose_limit_was_swallowed_fails_and_keeps_nothing(users, settings):
    """The worker's side of the same class: a job that carried on after its time limit is
    not accepted as done, and what it wrote is rolled back."""
    from guanai.areas.models import Area
    from guanai.core import jobs

    settings.GUANAI_JOB_TIMEOUT = 0.3
    job = _run_past_its_time_limit(_job_that_swallows_everything, users["admin"])
    assert job.status == jobs.Job.FAILED and "处理时间超过上限" in job.message
    assert not Area.objects.filter(code="990199999999").exists()


@pytest.mark.django_db
def test_a_job_that_carried_on_past_its_limit_is_not_recorded_as_done(users, settings):
    from guanai.core import jobs

    settings.GUANAI_JOB_TIMEOUT = 0.3
    job = _run_past_its_time_limit(_job_that_swallows_and_writes_nothing, users["admin"])
    assert job.status == jobs.Job.FAILED and "处理时间超过上限" in job.message and not job.result
