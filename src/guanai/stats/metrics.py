"""The engine every figure is computed through. Every page, export, API call and
briefing asks ``compute``, so the same question gets the same number everywhere.

A metric is a plain function ``(area: str, period: Period, **params) -> int | float``
registered with ``@metric(name, label, unit)``. ``area`` is a 12-digit code; the
metric counts records in that area's subtree (through ``areas.scoping.area_filter``).
Each app defines its metrics in ``<app>/metrics.py`` and imports that module from its
``AppConfig.ready()`` (registry, care, protection ...), so this module knows no app's
records: others reach them by name. Callers check that the user may see the area
(``areas.scoping.may_see_area``) before asking. ``compute(name, area, period, **params)``
recomputes any fact by its provenance.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, Func, Sum
from django.utils import timezone

from guanai.core.db import read_in_threads

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
    # ``(area, period, **params) -> {village code: figure}`` in one query (absent villages are 0):
    # the same count for every village of ``area`` at once, which the kept aggregates
    # (stats.tallies) are filled from. ``by_month``: ``{(village code, "YYYY-MM"): figure}`` for a
    # figure that adds up over months (visits, aid), the period's months in one query.
    by_village: Callable | None = None
    by_month: Callable | None = None
    # ``(area) -> {(village code, period key): figure}`` for a figure that neither adds up over
    # months nor is a state (distinct persons visited): every month, quarter, half and year with
    # records, in one query (``@by_period``), kept per village and period (stats.tallies).
    by_period: Callable | None = None


METRICS: dict[str, MetricInfo] = {}


def metric(name: str, label: str, unit: str, params: tuple[str, ...] = (), built_from: tuple[str, ...] = ()):
    def decorate(func):
        METRICS[name] = MetricInfo(name, label, unit, func, params, built_from=built_from)
        return func

    return decorate


def records_metric(name: str, label: str, unit: str, params: tuple[str, ...] = (), *, total: str | None = None):
    """A metric whose figure is the number of the records ``func(area, period, **params)`` returns
    (``total``: the sum of that field of them), registered with its per-village form grouped from
    the same queryset, so a table of sub-areas asks one query, not one per row. The decorated name
    is the metric (it answers the figure); the records stay reachable as ``.records``."""
    def decorate(func):
        zero = Decimal(0) if unit == "元" else 0

        def figure(area: str, period: Period, *given, **named):
            records = func(area, period, *given, **named)
            if total is None:
                return records.count()
            return records.aggregate(n=Sum(total))["n"] or zero

        def per_village(area: str, period: Period, *given, **named) -> dict:
            records = func(area, period, *given, **named)
            return count_by(records, "area_id") if total is None else sum_by(records, "area_id", total)

        figure.__name__, figure.__doc__, figure.records = func.__name__, func.__doc__, func
        metric(name, label, unit, params)(figure)
        by_village(name)(per_village)
        return figure

    return decorate


def grouped_by(name: str):
    """Register the grouped form of metric ``name`` (by its first parameter). It must build
    on the same queryset as the metric; a test holds each grouped value equal to the metric's."""
    def decorate(func):
        METRICS[name] = replace(METRICS[name], grouped=func)
        return func

    return decorate


def by_village(name: str, grouped: bool = False):
    """Register the per-village form of metric ``name``: ``(area, period, **params) -> {village:
    figure}``, built on the metric's own queryset grouped by ``area_id`` (``count_by``). The kept
    aggregates are filled from it; a test holds each village's value equal to the metric's.
    ``grouped``: given GROUPED for its first parameter it answers ``{(village, value): figure}``
    for every value at once."""
    def decorate(func):
        func.grouped = grouped
        METRICS[name] = replace(METRICS[name], by_village=func)
        return func

    return decorate


def by_month(name: str):
    """Register the per-village-and-month form of a metric that adds up over months (a count or a
    sum of dated records): ``(area, period, **params) -> {(village, "YYYY-MM"): figure}``."""
    def decorate(func):
        METRICS[name] = replace(METRICS[name], by_month=func)
        return func

    return decorate


def by_period(name: str):
    """Register the per-village-and-period form of a figure that does not add up over months
    (a count of distinct persons): ``(area) -> {(village, period key): figure}`` for every standard
    period (month, quarter, half, year: ``periods.parse_period``'s keys) in which it is not 0. Each
    value must equal the metric asked of that village and period (a test holds them equal), and
    the figure must add up over villages (each record counted in one village)."""
    def decorate(func):
        METRICS[name] = replace(METRICS[name], by_period=func)
        return func

    return decorate


# Set by stats.tallies: ``(info, area, period, params) -> figure | None``, the figure of a large
# area summed from the kept per-village aggregates, or None when they cannot answer it.
kept_answer: Callable | None = None


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


def remembered(key: tuple, produce: Callable):
    """``produce()``, computed once per ``key`` within ``memoized``: the groundwork several
    metrics share (the list of reports their counts are taken from). Outside it, every call computes."""
    memo = _memo.get()
    if memo is None:
        return produce()
    key = ("remembered", *key)
    if key not in memo:
        memo[key] = produce()
    return memo[key]


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
    if kept_answer is not None and (kept := kept_answer(info, area, period, params)) is not None:
        value = _plain(kept)
        if key is not None:
            memo[key] = value
        return value
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


def prefetch(questions: list[tuple[str, str, Period, dict | str]], *, parallel: bool = False) -> None:
    """Answer ``questions`` (name, area, period, params or GROUPED) into the current memo: those
    the kept aggregates answer from them, the same figure of several sub-areas in one grouped
    query (``_by_parent``); the rest are asked when needed, on this connection.

    ``parallel``: also ask the remaining counts over a county or more at once, on database
    connections of their own (``settings.GUANAI_METRIC_WORKERS``): a province's briefing rests on
    a dozen counts over a million records each. Not for a page: each such connection is opened for
    the call (a fresh server process, its caches cold), which costs a page more than its counts,
    mostly answered from the kept aggregates or a few milliseconds each on a warm connection.

    Other connections cannot see an open transaction's writes, so inside one (a test,
    a request run atomically) nothing is asked in parallel.
    """
    memo = _memo.get()
    if memo is None:
        return
    _by_parent(questions, memo)
    workers = int(getattr(settings, "GUANAI_METRIC_WORKERS", 1))
    if not parallel or workers < 2 or connection.in_atomic_block:
        return
    todo = {}
    for name, area, period, params in _underlying(questions, memo):
        key = _memo_key(name, area, period, params)
        # Only the counts over a county or more are worth a connection of their own; a
        # township's or a village's are asked when needed, on this one.
        if key not in memo and (params != GROUPED or METRICS[name].grouped) and _is_large(area):
            todo[key] = (name, area, period, params)
    if len(todo) < 2:
        return  # one question: asked when needed, on this connection
    workers = min(workers, len(todo))
    keys = list(todo)
    # One batch per thread, each on one connection of its own (opened once, closed at its end).
    batches = [[todo[k] for k in keys[i::workers]] for i in range(workers)]
    answers = read_in_threads([functools.partial(_answer_batch, batch) for batch in batches], workers)
    for i in range(workers):
        for key, value in zip(keys[i::workers], answers[i]):
            memo[key] = value


def _is_large(area: str) -> bool:
    from guanai.areas import codes

    return not area or len(codes.prefix_of(area)) < 9


def _sibling_form(info: MetricInfo, params: dict) -> tuple[str, str | None, tuple] | None:
    """How the per-village form answers ``params``: ("grouped", value of the first parameter,
    the other parameters) for a grouped form, ("plain", None, parameters) otherwise; None when
    the metric has no per-village form for them."""
    form = info.by_village
    if form is not None:
        first = info.params[0] if info.params else None
        if getattr(form, "grouped", False) and first in params:
            return "grouped", params[first], tuple(sorted((k, v) for k, v in params.items() if k != first))
        return "plain", None, tuple(sorted(params.items()))
    if info.by_month is not None and not params:
        return "months", None, ()
    return None


def _by_parent(questions, memo: dict) -> None:
    """The same figure asked of several sub-areas of one area (a statistics table's rows, a
    dashboard's sub-area table, a township's villages) answered by the metric's per-village form
    in one grouped query over that area: each sub-area's figure is the sum of its villages, and
    the area's own (the total row) the sum of all. A grouped per-village form answers every value
    of its first parameter (every column of a table) in that same query. Questions the kept
    aggregates answer are answered from them (no query)."""
    from guanai.areas import codes

    groups: dict[tuple, set[tuple]] = {}
    for name, area, period, params in questions:
        info = METRICS.get(name)
        if info is None or params == GROUPED or not area:
            continue
        params = given_params(params)
        for part in info.built_from or (name,):
            part_info = METRICS[part]
            key = _memo_key(part, area, period, params)
            if key in memo:
                continue
            if kept_answer is not None and (kept := kept_answer(part_info, area, period, params)) is not None:
                memo[key] = _plain(kept)
                continue
            form = _sibling_form(part_info, params)
            parent = codes.parent_code(area)
            if form is None or parent is None:
                continue
            mode, value, rest = form
            groups.setdefault((part, parent, period, mode, rest), set()).add((area, value))
    # Groups of several sub-areas first: their query answers the area above them too, which a
    # group of that area alone (its chart's bars) then finds answered.
    def breadth(group):
        return -len({area for area, _v in group[1]})

    for (name, parent, period, mode, rest), asked in sorted(groups.items(), key=breadth):
        first = METRICS[name].params[0] if mode == "grouped" else None
        asked = {(area, value) for area, value in asked if _memo_key(
            name, area, period, dict(rest) if first is None else {**dict(rest), first: value}) not in memo}
        areas = {area for area, _v in asked}
        if len(areas) >= 2:
            scope = parent  # several sub-areas: one query over the area above them
        elif mode == "grouped" and len(asked) >= 2:
            scope = next(iter(areas))  # one area, several values (a chart's bars): one query over it
        else:
            continue  # one question: asked on its own
        info = METRICS[name]
        if mode == "grouped":
            rows = info.by_village(scope, period, **{info.params[0]: GROUPED}, **dict(rest))
        elif mode == "plain":
            rows = {(village, None): n for village, n in info.by_village(scope, period, **dict(rest)).items()}
        else:
            rows = {}
            for (village, _month), n in info.by_month(scope, period).items():
                rows[(village, None)] = rows.get((village, None), 0) + n
        prefixes = {area: codes.prefix_of(area) for area in areas}
        prefixes[scope] = codes.prefix_of(scope)
        sums: dict[tuple, object] = {}
        for (village, value), n in rows.items():
            for area, prefix in prefixes.items():
                if village.startswith(prefix):
                    sums[(area, value)] = sums.get((area, value), 0) + n
        values = {value for _a, value in asked}
        for area in prefixes:
            for value in values:
                params = dict(rest) if first is None else {**dict(rest), first: value}
                memo[_memo_key(name, area, period, params)] = _plain(sums.get((area, value), 0))


def _underlying(questions, memo: dict | None = None):
    """The questions the database is asked for ``questions`` inside a memo: a derived
    metric's parts, and a metric's grouped form for any one value of its grouping parameter.
    Those the kept aggregates answer go straight into ``memo`` instead."""
    for name, area, period, params in questions:
        info = METRICS.get(name)
        if info is None:
            continue
        if params != GROUPED:
            params = given_params(params)
            if info.built_from:
                yield from _underlying([(part, area, period, params) for part in info.built_from], memo)
                continue
            if memo is not None and kept_answer is not None:
                key = _memo_key(name, area, period, params)
                if key in memo:
                    continue
                if (kept := kept_answer(info, area, period, params)) is not None:
                    memo[key] = _plain(kept)
                    continue
            if info.grouped is not None and list(params) == [info.params[0]]:
                params = GROUPED
        yield name, area, period, params


def _answer(question) -> object:
    name, area, period, params = question
    if params == GROUPED:
        return METRICS[name].grouped(area, period)
    return compute(name, area, period, **params)


def _answer_batch(questions) -> list:
    return [_answer(q) for q in questions]


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def count_by(queryset, field: str, *more: str) -> dict:
    """{value of ``field``: number of rows} of ``queryset`` in one GROUP BY query: the body
    of most grouped forms (``@grouped_by``, ``@by_village``). With more fields, keyed by the
    tuple of their values."""
    fields = (field, *more)
    rows = queryset.order_by().values_list(*fields).annotate(n=Count("pk")).values_list(*fields, "n")
    if not more:
        return {value: n for value, n in rows if value is not None}
    return {tuple(row[:-1]): row[-1] for row in rows if None not in row}


def sum_by(queryset, field: str, value: str) -> dict:
    """{value of ``field``: sum of ``value``} of ``queryset`` in one GROUP BY query."""
    rows = queryset.order_by().values_list(field).annotate(n=Sum(value)).values_list(field, "n")
    return {key: n for key, n in rows if key is not None and n is not None}


def month_key(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def as_of(period: Period):
    """The day a period's "current" figures are read at: its end, or today while it runs."""
    return min(period.end, timezone.localdate())


def percent(part: int, whole: int) -> float:
    """A rate in percent with one decimal; 0.0 when nothing was expected."""
    return round(100 * part / whole, 1) if whole else 0.0


class MonthOf(Func):
    """A date column's month as "YYYY-MM", computed by the database itself (Django's
    ExtractMonth calls back into Python for every row on SQLite)."""
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="strftime('%%Y-%%m', %(expressions)s)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')", **extra)


def _by_month(queryset, date_field: str, aggregate) -> dict:
    rows = (queryset.order_by().annotate(_month=MonthOf(date_field)).values_list("area_id", "_month")
            .annotate(n=aggregate).values_list("area_id", "_month", "n"))
    return {(area, month): n for area, month, n in rows if n is not None}


def count_by_month(queryset, date_field: str) -> dict:
    """{(area_id, "YYYY-MM"): number of rows} of ``queryset`` by the month of ``date_field``: the
    body of a per-month form (``@by_month``)."""
    return _by_month(queryset, date_field, Count("pk"))


def sum_by_month(queryset, date_field: str, value: str) -> dict:
    """{(area_id, "YYYY-MM"): sum of ``value``} of ``queryset`` by the month of ``date_field``."""

    return _by_month(queryset, date_field, Sum(value))
