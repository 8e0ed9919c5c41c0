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
from contextlib import contextmanager
from contextvars import ContextVar
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
    # ``(area, period) -> {value of params[0]: figure}`` in one query (absent values are 0):
    # the same count for every category at once, which a briefing asks one by one.
    grouped: Callable | None = None
    # Metrics this one is computed from, with the same parameters (coverage from the due and
    # in-time counts): prefetch asks those instead.
    built_from: tuple[str, ...] = ()


METRICS: dict[str, MetricInfo] = {}


def metric(name: str, label: str, unit: str, params: tuple[str, ...] = (), built_from: tuple[str, ...] = ()):
    def decorate(func):
        METRICS[name] = MetricInfo(name, label, unit, func, params, built_from=built_from)
        return func

    return decorate


def grouped_by(name: str):
    """Register the grouped form of metric ``name`` (by its first parameter). It must build
    on the same queryset as the metric; a test holds each grouped value equal to the metric's."""
    def decorate(func):
        info = METRICS[name]
        METRICS[name] = MetricInfo(info.name, info.label, info.unit, info.func, info.params, func, info.built_from)
        return func

    return decorate


_memo: ContextVar[dict | None] = ContextVar("metric_memo", default=None)


@contextmanager
def memoized():
    """Within this block ``compute`` answers each question once: a briefing, a recompute
    or a fact-check asks the same counts for several figures (and coverage is built
    from two counts the briefing also shows). Leave it before the records change."""
    if _memo.get() is not None:  # nested: the outer block's memo serves
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def compute(name: str, area: str, period: Period | str, **params):
    info = METRICS[name]
    if isinstance(period, str):
        period = parse_period(period)
    unknown = set(params) - set(info.params)
    if unknown:
        raise TypeError(f"metric {name} takes no parameters {unknown}")
    params = given_params(params)
    memo = _memo.get()
    key = _memo_key(name, area, period, params) if memo is not None else None
    if key is not None and key in memo:
        return memo[key]
    if key is not None and info.grouped is not None and list(params) == [info.params[0]]:
        # Inside a memo the grouped query answers this and every sibling question at once.
        group_key = _memo_key(name, area, period, GROUPED)
        if group_key not in memo:
            memo[group_key] = info.grouped(area, period)
        value = memo[key] = _plain(memo[group_key].get(params[info.params[0]], 0))
        return value
    value = info.func(area, period, **params)
    value = _plain(value)
    if key is not None:
        memo[key] = value
    return value


GROUPED = "*"  # in place of a question's parameters: the metric's grouped form


def given_params(params: dict) -> dict:
    """The parameters actually given: None and "" mean "not given" (all categories ...)."""
    return {k: v for k, v in params.items() if v not in (None, "")}


def _memo_key(name: str, area: str, period: Period, params) -> tuple:
    return (name, area, period.key, params if params == GROUPED else tuple(sorted(params.items())))


def prefetch(questions: list[tuple[str, str, Period, dict | str]]) -> None:
    """Answer ``questions`` (name, area, period, params or GROUPED) into the current memo,
    asked on several database connections at once (``settings.GUANAI_METRIC_WORKERS``):
    a province's briefing rests on a dozen counts over a million records each.

    Other connections cannot see an open transaction's writes, so inside one (a test,
    a request run atomically) nothing is prefetched and each figure is asked when needed.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.db import connection

    memo = _memo.get()
    workers = int(getattr(settings, "GUANAI_METRIC_WORKERS", 1))
    if memo is None or workers < 2 or connection.in_atomic_block:
        return
    todo = {}
    for name, area, period, params in _underlying(questions):
        key = _memo_key(name, area, period, params)
        if key not in memo and (params != GROUPED or METRICS[name].grouped):
            todo[key] = (name, area, period, params)
    with ThreadPoolExecutor(max_workers=min(workers, len(todo) or 1)) as pool:
        for key, value in zip(todo, pool.map(_answer_on_own_connection, todo.values())):
            memo[key] = value


def _underlying(questions):
    """The questions the database is asked for ``questions`` inside a memo: a derived
    metric's parts, and a metric's grouped form for any one value of its grouping parameter."""
    for name, area, period, params in questions:
        info = METRICS.get(name)
        if info is None:
            continue
        if params != GROUPED:
            params = given_params(params)
            if info.built_from:
                yield from _underlying([(part, area, period, params) for part in info.built_from])
                continue
            if info.grouped is not None and list(params) == [info.params[0]]:
                params = GROUPED
        yield name, area, period, params


def _answer_on_own_connection(question) -> object:
    from django.db import connections

    name, area, period, params = question
    try:
        if params == GROUPED:
            return METRICS[name].grouped(area, period)
        return compute(name, area, period, **params)
    finally:
        connections.close_all()  # this thread's own connections


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def _count_by(queryset, field: str) -> dict:
    """{value of ``field``: number of rows} of ``queryset`` in one GROUP BY query."""
    from django.db.models import Count

    return {value: n for value, n in queryset.order_by().values_list(field).annotate(n=Count("pk"))
            .values_list(field, "n") if value is not None}


# --- registry -------------------------------------------------------------------

def _day_start(day):
    """The first instant of ``day`` in the current time zone: ``created_at < _day_start(d + 1)``
    is ``created_at__date <= d`` without a per-row date conversion, so it uses the index."""
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.min))


def _persons_on_file(area: str, period: Period, category: str | None = None):
    from datetime import timedelta

    from guanai.registry.models import Person

    qs = Person.objects.filter(area_filter("area", area),
                               created_at__lt=_day_start(period.end + timedelta(days=1))).filter(
        Q(status=Person.ACTIVE) | Q(exit_date__gt=period.end))
    if category:
        qs = qs.filter(categories__category=category)
    return qs


@metric("persons_registered", "在册人员", "人", ("category",))
def persons_registered(area: str, period: Period, category: str | None = None) -> int:
    """Persons on file at the end of the period (registered by then, not exited by then)."""
    return _persons_on_file(area, period, category).count()


@grouped_by("persons_registered")
def persons_registered_by_category(area: str, period: Period) -> dict[str, int]:
    return _count_by(_persons_on_file(area, period), "categories__category")


@metric("persons_new", "新增建档", "人", ("category",))
def persons_new(area: str, period: Period, category: str | None = None) -> int:
    from guanai.registry.models import Person

    from datetime import timedelta

    qs = Person.objects.filter(area_filter("area", area), created_at__gte=_day_start(period.start),
                               created_at__lt=_day_start(period.end + timedelta(days=1)))
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
    return _persons_on_file(area, period, category).filter(current_risk=level).count()


# --- care -----------------------------------------------------------------------
# Visits, aid, follow-up coverage and activities (guanai.care). Coverage and the
# due counts are states "as of" the period's last day, or today when it is not over.

def _as_of(period: Period):
    from django.utils import timezone

    return min(period.end, timezone.localdate())


def _person_in_category(category: str, person_ref: str = "person", household_ref: str | None = "household"):
    """Exists: the referenced person (or a member of the referenced household) has ``category``."""
    from django.db.models import Exists, OuterRef

    from guanai.registry.models import PersonCategory

    match = Q(person=OuterRef(person_ref))
    if household_ref:
        match |= Q(person__household=OuterRef(household_ref))
    return Exists(PersonCategory.objects.filter(match, category=category))


def _visits(area: str, period: Period, category: str | None = None):
    from guanai.care.models import Visit

    qs = Visit.objects.filter(area_filter("area", area), visit_date__gte=period.start, visit_date__lte=period.end)
    if category:
        qs = qs.filter(_person_in_category(category))
    return qs


@metric("visits", "走访慰问", "次", ("category",))
def visits(area: str, period: Period, category: str | None = None) -> int:
    """Visits dated in the period (to a person, or a household with a person of the category)."""
    return _visits(area, period, category).count()


def _persons_of(area: str, category: str | None = None):
    from django.db.models import Exists, OuterRef

    from guanai.registry.models import Person, PersonCategory

    qs = Person.objects.filter(area_filter("area", area))
    if category:
        qs = qs.filter(Exists(PersonCategory.objects.filter(person=OuterRef("pk"), category=category)))
    return qs


def _visited_persons(area: str, period: Period, category: str | None = None):
    visits_ = _visits(area, period)
    return _persons_of(area, category).filter(
        Q(pk__in=visits_.filter(person__isnull=False).values("person_id"))
        | Q(household__in=visits_.filter(household__isnull=False).values("household_id")))


@metric("persons_visited", "走访对象", "人", ("category",))
def persons_visited(area: str, period: Period, category: str | None = None) -> int:
    """Distinct persons visited in the period, in person or through a visit to their household."""
    return _visited_persons(area, period, category).count()


@grouped_by("persons_visited")
def persons_visited_by_category(area: str, period: Period) -> dict[str, int]:
    return _count_by(_visited_persons(area, period), "categories__category")


@metric("persons_due_visit", "应走访人数", "人", ("category",))
def persons_due_visit(area: str, period: Period, category: str | None = None) -> int:
    """Persons under a follow-up rule whose first-visit deadline had passed (care.followup)."""
    from guanai.care import followup

    return _persons_of(area, category).filter(followup.should_be_visited_q(_as_of(period))).count()


@metric("persons_visited_in_time", "按期走访人数", "人", ("category",))
def persons_visited_in_time(area: str, period: Period, category: str | None = None) -> int:
    """Of the persons due, those visited within the interval their rules allow."""
    from guanai.care import followup

    day = _as_of(period)
    return _persons_of(area, category).filter(followup.should_be_visited_q(day)).filter(
        followup.covered_q(day)).count()


def _percent(covered: int, due: int) -> float:
    return round(100 * covered / due, 1) if due else 0.0


@metric("visit_coverage", "走访覆盖率", "%", ("category",),
        built_from=("persons_visited_in_time", "persons_due_visit"))
def visit_coverage(area: str, period: Period, category: str | None = None) -> float:
    """Visited within the interval / should have been visited, in percent (0 when nobody was due)."""
    return _percent(compute("persons_visited_in_time", area, period, category=category),
                    compute("persons_due_visit", area, period, category=category))


def _child_code(area: str):
    """(expression: the child-area code of a record's area_id, its length) for a GROUP BY
    over the children of ``area``; None below the township (a village has no children)."""
    from django.db.models.functions import Substr

    from guanai.areas import codes

    child_len = {2: 4, 4: 6, 6: 9, 9: 12}.get(len(codes.prefix_of(area)))
    return None if child_len is None else Substr("area_id", 1, child_len)


def visit_coverage_by_child(area: str, period: Period, category: str | None = None) -> dict[str, dict]:
    """For each child area of ``area``: {"due", "covered", "coverage", "visits"} in two grouped
    queries. Each entry equals persons_due_visit, persons_visited_in_time, visit_coverage and
    visits of that child."""
    from django.db.models import Count

    from guanai.care import followup

    child = _child_code(area)
    if child is None:
        return {}
    day = _as_of(period)
    rows = (_persons_of(area, category).filter(followup.should_be_visited_q(day))
            .annotate(child=child).values("child")
            .annotate(due=Count("pk"), covered=Count("pk", filter=followup.covered_q(day))))
    result = {row["child"].ljust(12, "0"): {"due": row["due"], "covered": row["covered"],
                                            "coverage": _percent(row["covered"], row["due"]), "visits": 0}
              for row in rows}
    visit_rows = _visits(area, period, category).order_by().annotate(child=child).values("child").annotate(n=Count("pk"))
    for row in visit_rows:
        entry = result.setdefault(row["child"].ljust(12, "0"), {"due": 0, "covered": 0, "coverage": 0.0})
        entry["visits"] = row["n"]
    return result


@metric("persons_overdue_visit", "逾期未走访", "人", ("category",),
        built_from=("persons_due_visit", "persons_visited_in_time"))
def persons_overdue_visit(area: str, period: Period, category: str | None = None) -> int:
    """Persons due a visit and not visited within their interval, at the period's end (or today):
    followup.overdue_q is "should be visited and not covered", so due minus those visited in time."""
    return (compute("persons_due_visit", area, period, category=category)
            - compute("persons_visited_in_time", area, period, category=category))


def _aid(area: str, period: Period, kind: str, category: str | None = None):
    from guanai.care.models import AidItem

    qs = AidItem.objects.filter(area_filter("area", area), kind=kind, given_on__gte=period.start,
                                given_on__lte=period.end)
    if category:
        qs = qs.filter(_person_in_category(category, "visit__person", "visit__household"))
    return qs


@metric("aid_cash_yuan", "发放慰问金", "元", ("category",))
def aid_cash_yuan(area: str, period: Period, category: str | None = None) -> Decimal:
    return _aid(area, period, "cash", category).aggregate(n=Sum("value_yuan"))["n"] or Decimal(0)


@metric("aid_goods_value_yuan", "发放物资折款", "元", ("kind", "category"))
def aid_goods_value_yuan(area: str, period: Period, kind: str | None = None, category: str | None = None) -> Decimal:
    """Value of goods handed out at visits; ``kind`` is the item as written (大米, 食用油 ...)."""
    qs = _aid(area, period, "goods", category)
    if kind:
        qs = qs.filter(description=kind)
    return qs.aggregate(n=Sum("value_yuan"))["n"] or Decimal(0)


def _activities(area: str, period: Period, kind: str | None = None):
    from guanai.care.models import Activity

    qs = Activity.objects.filter(area_filter("area", area), held_on__gte=period.start, held_on__lte=period.end)
    if kind:
        by_label = {str(label): code for code, label in Activity.KIND_CHOICES}
        qs = qs.filter(kind=by_label.get(kind, kind))
    return qs


@metric("activities", "开展活动", "场", ("kind",))
def activities(area: str, period: Period, kind: str | None = None) -> int:
    return _activities(area, period, kind).count()


@metric("activity_participants", "活动参与群众", "人次", ("kind",))
def activity_participants(area: str, period: Period, kind: str | None = None) -> int:
    return _activities(area, period, kind).aggregate(n=Sum("participants_count"))["n"] or 0


@metric("activity_beneficiaries", "活动受益人数", "人", ("kind",))
def activity_beneficiaries(area: str, period: Period, kind: str | None = None) -> int:
    return _activities(area, period, kind).aggregate(n=Sum("beneficiaries_count"))["n"] or 0


@metric("activity_volunteers", "活动参与志愿者", "人次", ("kind",))
def activity_volunteers(area: str, period: Period, kind: str | None = None) -> int:
    return _activities(area, period, kind).aggregate(n=Sum("volunteers_count"))["n"] or 0


@metric("activity_consultations", "活动咨询人数", "人次", ("kind",))
def activity_consultations(area: str, period: Period, kind: str | None = None) -> int:
    return _activities(area, period, kind).aggregate(n=Sum("consultations_count"))["n"] or 0


@metric("activity_funds_yuan", "活动投入资金", "元", ("kind",))
def activity_funds_yuan(area: str, period: Period, kind: str | None = None) -> Decimal:
    return _activities(area, period, kind).aggregate(n=Sum("funds_yuan"))["n"] or Decimal(0)


# --- protection -----------------------------------------------------------------
# Mandatory reports and their cases (guanai.protection). "Open" and "late" are
# states at the period's end, or now when the period is not over.

def _cutoff(period: Period):
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    return min(end, timezone.now())


def _period_bounds(period: Period):
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    return (timezone.make_aware(datetime.combine(period.start, time.min)),
            timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min)))


def _cases(area: str, situation: str | None = None):
    from guanai.protection.models import Case

    qs = Case.objects.filter(area_filter("area", area))
    return qs.filter(situation=situation) if situation else qs


@metric("cases_opened", "受理强制报告", "件", ("situation",))
def cases_opened(area: str, period: Period, situation: str | None = None) -> int:
    start, end = _period_bounds(period)
    return _cases(area, situation).filter(reported_at__gte=start, reported_at__lt=end).count()


@metric("cases_closed", "保护个案结案", "件", ("situation",))
def cases_closed(area: str, period: Period, situation: str | None = None) -> int:
    start, end = _period_bounds(period)
    return _cases(area, situation).filter(closed_at__gte=start, closed_at__lt=end).count()


@metric("cases_open", "在办保护个案", "件", ("situation",))
def cases_open(area: str, period: Period, situation: str | None = None) -> int:
    from guanai.protection.models import Case

    return _cases(area, situation).filter(Case.open_at_q(_cutoff(period))).count()


@metric("case_steps_late", "逾期处置环节", "个", ("situation",))
def case_steps_late(area: str, period: Period, situation: str | None = None) -> int:
    """Steps past their time limit and not done, of cases still open, at the period's end (or now)."""
    from guanai.protection.models import CaseStep

    qs = CaseStep.objects.filter(area_filter("area", area)).filter(CaseStep.late_at_q(_cutoff(period)))
    if situation:
        qs = qs.filter(case__situation=situation)
    return qs.count()


@metric("children_aging_out", "即将年满16周岁的留守儿童", "人", ("within_days",))
def children_aging_out(area: str, period: Period, within_days: int = 90) -> int:
    """Left-behind children on file who turn 16 within ``within_days`` after the period's end."""
    from guanai.registry.services import sixteenth_birthday_cutoff

    cutoff = sixteenth_birthday_cutoff(period.end, within_days)
    return _persons_on_file(area, period, "left_behind_child").filter(birth_date__lte=cutoff).count()
