"""The one place figures are computed. Every page, export, API call and briefing
asks these functions, so the same question gets the same number everywhere.

A metric is a plain function ``(area: str, period: Period, **params) -> int | float``
registered with ``@metric(name, label, unit)``. ``area`` is a 12-digit code; the
metric counts records in that area's subtree (through ``areas.scoping.area_filter``).
Callers check that the user may see the area (``areas.scoping.may_see_area``)
before asking. ``compute(name, area, period, **params)`` recomputes any fact by
its provenance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from guanai.areas.scoping import area_filter

from .periods import Period, parse_period


@dataclass(frozen=True)
class MetricInfo:
    name: str
    label: str  # Chinese, as a briefing names the figure
    unit: str  # 人, 户, 次, 元, %, 个 ...
    func: Callable
    params: tuple[str, ...] = ()  # optional keyword parameters it accepts, e.g. ("category",)


METRICS: dict[str, MetricInfo] = {}


def metric(name: str, label: str, unit: str, params: tuple[str, ...] = ()):
    def decorate(func):
        METRICS[name] = MetricInfo(name, label, unit, func, params)
        return func

    return decorate


def compute(name: str, area: str, period: Period | str, **params):
    info = METRICS[name]
    if isinstance(period, str):
        period = parse_period(period)
    unknown = set(params) - set(info.params)
    if unknown:
        raise TypeError(f"metric {name} takes no parameters {unknown}")
    value = info.func(area, period, **{k: v for k, v in params.items() if v not in (None, "")})
    return float(value) if isinstance(value, Decimal) else value


# --- registry -------------------------------------------------------------------

def _persons_on_file(area: str, period: Period, category: str | None = None):
    from guanai.registry.models import Person

    qs = Person.objects.filter(area_filter("area", area), created_at__date__lte=period.end).filter(
        Q(status=Person.ACTIVE) | Q(exit_date__gt=period.end))
    if category:
        qs = qs.filter(categories__category=category)
    return qs


@metric("persons_registered", "在册人员", "人", ("category",))
def persons_registered(area: str, period: Period, category: str | None = None) -> int:
    """Persons on file at the end of the period (registered by then, not exited by then)."""
    return _persons_on_file(area, period, category).count()


@metric("persons_new", "新增建档", "人", ("category",))
def persons_new(area: str, period: Period, category: str | None = None) -> int:
    from guanai.registry.models import Person

    qs = Person.objects.filter(area_filter("area", area), created_at__date__gte=period.start,
                               created_at__date__lte=period.end)
    if category:
        qs = qs.filter(categories__category=category)
    return qs.count()


@metric("persons_exited", "退出管理", "人", ("category",))
def persons_exited(area: str, period: Period, category: str | None = None) -> int:
    from guanai.registry.models import Person

    qs = Person.objects.filter(area_filter("area", area), status=Person.EXITED,
                               exit_date__gte=period.start, exit_date__lte=period.end)
    if category:
        qs = qs.filter(categories__category=category)
    return qs.count()


@metric("children_without_guardianship", "缺乏有效监护的儿童", "人")
def children_without_guardianship(area: str, period: Period) -> int:
    weak = ["none", "parent_incapable", "insufficient"]
    return _persons_on_file(area, period).filter(child_profile__guardianship_rating__in=weak).count()


@metric("screening_households", "摸底排查户数", "户")
def screening_households(area: str, period: Period) -> int:
    from guanai.registry.models import ScreeningReport

    return ScreeningReport.objects.filter(
        area_filter("village", area), campaign__start_date__lte=period.end, campaign__end_date__gte=period.start,
    ).aggregate(n=Sum("households_checked"))["n"] or 0


@metric("screening_found", "摸底排查发现", "人", ("category",))
def screening_found(area: str, period: Period, category: str | None = None) -> int:
    from guanai.registry.models import ScreeningReport

    reports = ScreeningReport.objects.filter(
        area_filter("village", area), campaign__start_date__lte=period.end, campaign__end_date__gte=period.start,
    ).values_list("counts", flat=True)
    return sum(int(n) for counts in reports for key, n in counts.items() if category in (None, key))


@metric("persons_at_risk", "风险人员", "人", ("level", "category"))
def persons_at_risk(area: str, period: Period, level: str = "red", category: str | None = None) -> int:
    """Persons on file whose current assessment (as of today) has the given level."""
    return _persons_on_file(area, period, category).filter(
        assessments__is_current=True, assessments__level=level).distinct().count()
