"""Arguments the briefing and factcheck commands share (a leading underscore keeps
Django from taking this module for a command)."""

from django.core.management.base import CommandError

from guanai.areas.models import Area
from guanai.areas.scoping import area_problem
from guanai.stats.periods import Period, PeriodError, parse_period


def area_and_period(area: str, period: str) -> tuple[Area, Period]:
    """The area and period named on the command line, or a CommandError in Chinese."""
    place, problem = area_problem(None, area)  # the command line is the system: every area
    if problem:
        raise CommandError(problem)
    try:
        return place, parse_period(period)
    except PeriodError as exc:
        raise CommandError(str(exc)) from None
