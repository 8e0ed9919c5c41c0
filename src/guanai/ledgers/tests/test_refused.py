"""A ledger whose list refused a filter (a period not begun, one that cannot be read) is not
written: no file of other dates, no background job; the user is sent back to the list with the
same filters and the reason in Chinese."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import TestCase

from guanai.audit.models import AuditEvent
from guanai.core.jobs import start_job
from guanai.core.models import Job
from guanai.ledgers import base

pytestmark = pytest.mark.django_db

TOWNSHIP = "990101001000"


def _exports() -> int:
    return AuditEvent.objects.filter(action=AuditEvent.EXPORT).count()


@pytest.mark.parametrize("name,params,reason", [
    ("care.visits", {"area": TOWNSHIP, "period": "2099Q1"}, "尚未开始"),
    ("care.visits", {"period": "abc"}, "无法识别的期间“abc”"),  # the county's: it would be a job
    ("care.activities", {"period": "2099"}, "尚未开始"),
    ("care.visits", {"area": TOWNSHIP, "from": "2026-13-01"}, "起始日期“2026-13-01”无法识别"),  # was: every date
])
def test_a_refused_period_writes_no_ledger_and_starts_no_job(users, name, params, reason):
    exports, jobs = _exports(), Job.objects.count()
    with pytest.raises(base.Refused) as refused:
        base.export(name, user=users["county"], params=params)
    assert reason in str(refused.value)
    assert Job.objects.count() == jobs and _exports() == exports


def test_a_job_asked_for_a_refused_period_fails_in_chinese_without_a_file(users):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = start_job(base.JOB_KIND, "导出走访台账", users["county"],
                        {"ledger": "care.visits", "params": {"period": "2099Q1"}})
    job.refresh_from_db()
    assert job.status == Job.FAILED and "尚未开始" in job.message
    assert not (job.result or {}).get("file")


@pytest.mark.parametrize("url,back", [
    (f"/care/export/?area={TOWNSHIP}&period=2099Q1&mode=home", "/care/"),
    ("/care/export/?period=abc", "/care/"),
    ("/care/activities/export/?period=2099&kind=", "/care/activities/"),
])
def test_the_export_sends_the_user_back_to_the_list_with_the_reason(client_for, url, back):
    client = client_for("county")
    jobs = Job.objects.count()
    response = client.get(url)
    assert response.status_code == 302 and Job.objects.count() == jobs
    location = urlsplit(response["Location"])
    assert location.path == back
    assert parse_qs(location.query, keep_blank_values=True) == parse_qs(urlsplit(url).query, keep_blank_values=True)
    page = client.get(response["Location"]).content.decode()
    assert "台账未导出：" in page
    assert ("尚未开始" if "abc" not in url else "无法识别的期间“abc”") in page


def test_the_visit_list_says_an_unreadable_date_and_what_it_lists_instead(client_for):
    page = client_for("township").get("/care/?to=yesterday").content.decode()
    assert "截止日期“yesterday”无法识别，请按2026-07-01的格式填写；下面列出全部日期的走访" in page
