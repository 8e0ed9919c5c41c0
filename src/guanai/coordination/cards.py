"""Home cards of the joint conference: a unit's reminders, the office's rates and late units.

The rates are the metric functions' (coordination.metrics) for the latest report period
whose deadline is over; the late units are the reports those metrics count as late.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from guanai.accounts import roles
from guanai.areas.scoping import user_role
from guanai.core.home import home_card
from guanai.stats.metrics import compute, memoized
from guanai.textproc.numbers import format_percent

from . import schedule
from .metrics import late_reports
from .models import ReportForm, UnitReport
from .workflow import reports_for, reviewable_by


def reminders(user, today) -> list[dict]:
    """The unit's reports still owed for recent periods: before the deadline (待报送) and from
    the day after it (逾期), while entry is open; and those returned for correction."""
    if user.unit_id is None or user.unit.conference_id is None:
        return []
    unit = user.unit
    items = []
    forms = ReportForm.objects.filter(conference_id=unit.conference_id, active=True)
    reports = {(r.form_id, r.period_key): r for r in UnitReport.objects.filter(unit=unit, form__in=forms)}
    for form in forms:
        for period in schedule.recent_periods(form, today):
            if today <= period.end or not unit.member_on(period.end):
                continue
            report = reports.get((form.pk, period.key))
            if report is not None and report.first_submitted_at is not None:
                continue
            if schedule.entry_closed_reason(form, period, report, today):
                continue
            due_on = schedule.deadline(form, period)
            items.append({"form": form, "period": period, "due_on": due_on, "report": report,
                          "late": today > due_on,
                          "workdays_left": schedule.workdays_between(today, due_on) if today <= due_on else 0,
                          "workdays_late": schedule.workdays_between(due_on, today) if today > due_on else 0})
    return items


def _late_line(expected, today, list_url: str) -> dict:
    days = expected.workdays_late(today)
    return {"text": expected.unit.name,
            "url": reverse("coordination:report_detail", args=[expected.report.pk]) if expected.report else list_url,
            "note": expected.lateness_label + (f"，逾期{days}个工作日" if days else "")}


@home_card(60)
def coordination_cards(user):
    role = user_role(user)
    today = timezone.localdate()
    mine = reverse("coordination:report_list")
    if role == roles.UNIT:
        cards = []
        for item in reminders(user, today):
            label = f"{item['period'].label}{item['form'].name}"
            if item["late"]:
                value = f"已逾期{item['workdays_late']}个工作日"
                cards.append({"label": f"逾期未报：{label}", "value": value, "url": mine, "tone": "danger"})
            else:
                value = f"{item['due_on'].month}月{item['due_on'].day}日截止"
                cards.append({"label": f"待报送：{label}（还剩{item['workdays_left']}个工作日）", "value": value,
                              "url": mine, "tone": "warning"})
        returned = reports_for(user).filter(status=UnitReport.RETURNED).count()
        if returned:
            cards.append({"label": "退回待修改的报表", "value": returned, "url": f"{mine}?status=returned",
                          "tone": "danger"})
        return cards
    if role not in (roles.OFFICE, roles.LEADER, roles.ADMIN) or not user.area_id:
        return []
    with memoized():  # the rates and the late list rest on one list of due reports
        return _office_cards(user, role, today, mine)


def _office_cards(user, role, today, mine) -> list[dict]:
    period = schedule.latest_due_period(user.area_id, today=today)
    if period is None:
        return []
    code = user.area_id
    url = f"{mine}?period={period.key}"
    late = late_reports(code, period)
    cards = [
        {"label": f"成员单位报送率（{period.label}）",
         "value": format_percent(compute("unit_reporting_rate", code, period)), "url": url},
        {"label": f"成员单位按时报送率（{period.label}）",
         "value": format_percent(compute("unit_on_time_rate", code, period)), "url": url},
        {"label": f"未按时报送（{period.label}）", "value": compute("unit_reports_late", code, period),
         "url": f"{url}&show=late", "tone": "danger" if late else "",
         "lines": [_late_line(e, today, f"{url}&show=late") for e in late]},
    ]
    if role in (roles.OFFICE, roles.ADMIN):
        waiting = reviewable_by(user).filter(status__in=UnitReport.AWAITING_REVIEW).count()
        cards.append({"label": "待审核的成员单位报表", "value": waiting, "url": f"{mine}?status=waiting"})
    return cards
