"""Metric names and period keys as a reader reads them: {{ name|metric_label }} gives the
registered metric's Chinese label, {{ key|period_label }} 2026年第三季度 for 2026Q3."""

from django import template

from guanai.stats.metrics import METRICS
from guanai.stats.periods import PeriodError, parse_period

register = template.Library()


@register.filter
def metric_label(name):
    info = METRICS.get(name or "")
    return info.label if info else name


@register.filter
def period_label(key):
    try:
        return parse_period(key).label
    except (PeriodError, ValueError, TypeError):
        return key
