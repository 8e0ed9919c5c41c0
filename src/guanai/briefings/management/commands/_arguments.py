"""Arguments the briefing and factcheck commands share (a leading underscore keeps
Django from taking this module for a command)."""

from django.core.management.base import CommandError

from guanai.areas.codes import AreaCodeError, level_of
from guanai.areas.models import Area
from guanai.stats.periods import Period, PeriodError, parse_period


def area_and_period(area: str, period: str) -> tuple[Area, Period]:
    """The area and period named on the command line, or a CommandError in Chinese."""
    try:
        level_of(area)
    except AreaCodeError as exc:
        raise CommandError(str(exc)) from None
    place = Area.objects.filter(pk=area).first()
    if place is None:
        raise CommandError(f"区划代码“{area}”不存在")
    try:
        return place, parse_period(period)
    except PeriodError as exc:
        raise CommandError(str(exc)) from None
