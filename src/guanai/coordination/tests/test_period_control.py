"""The report form's periods are picked from the period control or written as officials write
them (issue 15, point 4): the deadline form refused 2026年第三季度 (at most 8 characters)."""

import pytest
from django.test import Client
from django.urls import reverse

from guanai.coordination.models import DeadlineOverride

pytestmark = pytest.mark.django_db


def test_a_deadline_is_set_for_a_period_picked_or_written(report_form, county_office):
    client = Client()
    client.force_login(county_office)
    url = reverse("coordination:deadline_set", args=[report_form.pk])
    page = client.get(url).content.decode()
    assert 'name="period_key_year"' in page and 'name="period_key_part"' in page
    client.post(url, {"period_key_year": "2026", "period_key_part": "Q2", "due_on": "2026-07-20", "reason": "汛期延后"})
    client.post(url, {"period_key": "2026年三季度", "due_on": "2026-10-23", "reason": "国庆顺延"})
    assert set(DeadlineOverride.objects.filter(form=report_form).values_list("period_key", flat=True)) >= {
        "2026Q2", "2026Q3"}
    response = client.post(url, {"period_key": "2026年9月", "due_on": "2026-10-23", "reason": "月报"})
    assert "本报表为季度报表" in response.content.decode()  # the service's own check, named in Chinese
