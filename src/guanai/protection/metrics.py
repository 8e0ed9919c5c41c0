"""Protection's figures: mandatory reports and their cases. Registered with
``stats.metrics`` when the app is ready (ProtectionConfig.ready). "Open" and "late"
are states at the period's end, or now when the period is not over."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from guanai.areas.scoping import area_filter
from guanai.stats.metrics import records_metric
from guanai.stats.periods import Period

from .models import Case, CaseStep


def _cutoff(period: Period):
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    return min(end, timezone.now())


def _period_bounds(period: Period):
    return (timezone.make_aware(datetime.combine(period.start, time.min)),
            timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min)))


def _cases(area: str, situation: str | None = None):
    qs = Case.objects.filter(area_filter("area", area))
    return qs.filter(situation=situation) if situation else qs


@records_metric("cases_opened", "受理强制报告", "件", ("situation", "unit"))
def cases_opened(area: str, period: Period, situation: str | None = None, unit: int | None = None):
    """Reports received in the period; with ``unit``, those a member unit made."""
    start, end = _period_bounds(period)
    qs = _cases(area, situation).filter(reported_at__gte=start, reported_at__lt=end)
    return qs.filter(reporter_unit=unit) if unit else qs


@records_metric("case_steps_completed", "完成处置环节", "个", ("situation", "unit"))
def case_steps_completed(area: str, period: Period, situation: str | None = None, unit: int | None = None):
    """Handling steps done in the period; with ``unit``, those done by a member unit's staff."""
    start, end = _period_bounds(period)
    qs = CaseStep.objects.filter(area_filter("area", area), completed_at__gte=start, completed_at__lt=end)
    if situation:
        qs = qs.filter(case__situation=situation)
    return qs.filter(completed_by__unit=unit) if unit else qs


@records_metric("cases_closed", "保护个案结案", "件", ("situation",))
def cases_closed(area: str, period: Period, situation: str | None = None):
    start, end = _period_bounds(period)
    return _cases(area, situation).filter(closed_at__gte=start, closed_at__lt=end)


@records_metric("cases_open", "在办保护个案", "件", ("situation",))
def cases_open(area: str, period: Period, situation: str | None = None):
    return _cases(area, situation).filter(Case.open_at_q(_cutoff(period)))


@records_metric("case_steps_late", "逾期处置环节", "个", ("situation",))
def case_steps_late(area: str, period: Period, situation: str | None = None):
    """Steps past their time limit and not done, of cases still open, at the period's end (or now)."""
    qs = CaseStep.objects.filter(area_filter("area", area)).filter(CaseStep.late_at_q(_cutoff(period)))
    if situation:
        qs = qs.filter(case__situation=situation)
    return qs
