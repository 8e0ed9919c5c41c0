"""What the care pages share: the page size and this month's period."""

from __future__ import annotations

from django.utils import timezone

from guanai.stats.periods import parse_period


PAGE_SIZE = 50


def _month_period():
    today = timezone.localdate()
    return parse_period(f"{today:%Y-%m}")
