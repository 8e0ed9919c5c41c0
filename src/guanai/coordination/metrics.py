"""The joint conference's figures (DESIGN §7): the member units' reports of an area's
conferences for a period, as metric functions every page, export and briefing asks.

``area`` is a conference's area (a city's figures include its counties' conferences);
a report counts for ``period`` when its report period ends within it and its deadline
day is over (coordination.schedule). Units that left their conference before the
report period ended are on neither side of a rate.
"""

from __future__ import annotations

from guanai.stats.metrics import compute, metric, percent, remembered
from guanai.stats.periods import Period

from .schedule import Expected, expected_reports


def due_reports(area: str, period: Period) -> list[Expected]:
    """The due reports the counts below are taken from (asked once within ``stats.metrics.memoized``):
    the late list of a page or a briefing reads these, so it agrees with the figures beside it."""
    return remembered(("unit_reports", area, period.key), lambda: expected_reports(area, period))


def late_reports(area: str, period: Period) -> list[Expected]:
    """The due reports not submitted on time (late or missing): what ``unit_reports_late`` counts."""
    return [e for e in due_reports(area, period) if not e.on_time]


@metric("unit_reports_due", "成员单位应报送报表", "份")
def unit_reports_due(area: str, period: Period) -> int:
    return len(due_reports(area, period))


@metric("unit_reports_submitted", "成员单位已报送报表", "份")
def unit_reports_submitted(area: str, period: Period) -> int:
    return sum(e.submitted for e in due_reports(area, period))


@metric("unit_reports_on_time", "成员单位按时报送报表", "份")
def unit_reports_on_time(area: str, period: Period) -> int:
    return sum(e.on_time for e in due_reports(area, period))


@metric("unit_reports_late", "成员单位未按时报送报表", "份", built_from=("unit_reports_due", "unit_reports_on_time"))
def unit_reports_late(area: str, period: Period) -> int:
    """Due − on time: reports submitted after their deadline, and reports not submitted at all."""
    return compute("unit_reports_due", area, period) - compute("unit_reports_on_time", area, period)


@metric("unit_reports_approved", "成员单位报表已审核", "份")
def unit_reports_approved(area: str, period: Period) -> int:
    return sum(e.approved for e in due_reports(area, period))


@metric("unit_reporting_rate", "成员单位报送率", "%", built_from=("unit_reports_submitted", "unit_reports_due"))
def unit_reporting_rate(area: str, period: Period) -> float:
    return percent(compute("unit_reports_submitted", area, period), compute("unit_reports_due", area, period))


@metric("unit_on_time_rate", "成员单位按时报送率", "%", built_from=("unit_reports_on_time", "unit_reports_due"))
def unit_on_time_rate(area: str, period: Period) -> float:
    return percent(compute("unit_reports_on_time", area, period), compute("unit_reports_due", area, period))
