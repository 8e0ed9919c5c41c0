"""What the kept aggregates keep (``keep``, ``keep_monthly``: called by the apps defining the
metrics) and the groundwork both kinds of kept rows (stats.tallies: today's and flows;
stats.month_ends: past month ends) are computed with: the per-village forms asked for kept keys
(``values_at``) and the walk up the levels."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from time import monotonic

from django.conf import settings

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.core import clock
from guanai.core.db import read_in_threads

from .metrics import GROUPED, METRICS
from .periods import Period

# key -> (metric name, parameters): current values kept per village.
TALLIES: dict[str, tuple[str, dict]] = {}
# metric name -> kept per village and month (no parameters: the figure of all records).
MONTHLY: set[str] = set()
# metric name -> kept per village and standard period (month, quarter, half, year), for a figure
# that does not add up over months (distinct persons visited): no parameters.
PERIODIC: set[str] = set()
# (metric, sorted params) -> key, for answering compute's questions
BY_QUESTION: dict[tuple, str] = {}
# Kept states read at the period's end or today, whichever is first (``as_of``): any period not
# over yet asks today's value. The others (children turning 16 within N days of the period's
# end) are kept for today's day only.
AS_OF_TODAY: set[str] = set()
# Kept from the township up, not per village: the national table's forty columns for each of two
# categories would be two million village rows at a province (a village's table is counted, its
# villages' rows of a township's table in one grouped query). No month ends: a past table is counted.
BY_TOWNSHIP: set[str] = set()
# Keys whose value moves with the date alone (ages, visit deadlines): the nightly refresh of a
# complete set recomputes only these. The others change only with records, and every write
# refreshes its villages' rows. Dated unless ``keep`` is told otherwise: a key wrongly left
# dated costs a little time each night, one wrongly left undated would go stale.
DATED: set[str] = set()

# Records are filed in villages; a township or anything above reads its own row (the sum of its
# villages'); a village's figures are counted from its records.
LARGEST_COUNTED = 12  # prefix length of a village


# Other apps' kept data that follow the records the same way (registry's duplicate groups): each
# callback(villages) runs inside ``_write``'s transaction, ``villages`` the refreshed villages or
# None after a full refresh. Registered by the app (its AppConfig.ready), since stats knows no app.
AFTER_REFRESH: list[Callable[[list[str] | None], None]] = []


def after_refresh(callback: Callable[[list[str] | None], None]) -> Callable[[list[str] | None], None]:
    """Call ``callback(villages or None)`` in the transaction of every refresh of the kept figures."""
    if callback not in AFTER_REFRESH:
        AFTER_REFRESH.append(callback)
    return callback


def keep(name: str, *, as_of_today: bool = True, aliases: tuple[dict, ...] = (), by_township: bool = False,
         dated: bool = True, **params) -> str:
    """Keep metric ``name`` with ``params`` per village (called by the app defining the metric).
    ``as_of_today``: the metric reads its state at ``min(period end, today)``, so any running
    period asks today's value. ``aliases``: other parameter sets meaning the same (a default).
    ``by_township``: kept per township and up only, today's value only (``BY_TOWNSHIP``).
    ``dated=False``: the value changes only when records do, never with the date (``DATED``)."""
    key = name + "".join(f":{value}" for _k, value in sorted(params.items()))
    TALLIES[key] = (name, params)
    for variant in (params, *aliases):
        BY_QUESTION[(name, tuple(sorted(variant.items())))] = key
    if as_of_today:
        AS_OF_TODAY.add(key)
    if by_township:
        BY_TOWNSHIP.add(key)
    if dated:
        DATED.add(key)
    else:
        DATED.discard(key)
    return key


def village_keys() -> list[str]:
    """The keys kept per village (the others from the township up)."""
    return [key for key in TALLIES if key not in BY_TOWNSHIP]


def keep_monthly(name: str) -> None:
    """Keep metric ``name`` (a count or sum of dated records filed in villages) per village and month."""
    MONTHLY.add(name)


def keep_by_period(name: str) -> None:
    """Keep metric ``name`` (no parameters; its ``@by_period`` form registered) per village and
    standard period: a distinct count, which months do not add up to."""
    MONTHLY.discard(name)
    PERIODIC.add(name)


def today_period() -> Period:
    today = clock.today()
    return Period(today, today, today.isoformat())


ALL_TIME = Period(date(1900, 1, 1), date(2999, 12, 31), "all")

COMPLETE = "_complete"  # a row on each top area: a complete refresh finished, at its updated_at


def values_at(scopes: list[str], period: Period, keys: list[str], villages: list[str]) -> dict[tuple[str, str], int]:
    """{(village, key): value} of every village of ``scopes`` for ``period``: each key's
    per-village form (``@by_village``) asked once per scope, a grouped form once for all the
    values of its first parameter (every category) when all of them are asked (the nightly
    refresh asks three age bands of forty columns: each by itself). Absent: 0."""
    values: dict[tuple[str, str], int] = {}
    asked = set(keys)
    grouped_done: set[str] = set()
    for key in keys:
        name, params = TALLIES[key]
        info = METRICS[name]
        form = info.by_village
        if form is not None and getattr(form, "grouped", False) and list(params) == [info.params[0]]:
            family = {TALLIES[k][1][info.params[0]]: k for k in TALLIES
                      if TALLIES[k][0] == name and list(TALLIES[k][1]) == [info.params[0]]}
            if asked.issuperset(family.values()):
                # Every value of the first parameter (every category) in one query per scope.
                if name not in grouped_done:
                    grouped_done.add(name)
                    for scope in scopes:
                        for (village, value), n in form(scope, period, **{info.params[0]: GROUPED}).items():
                            if value in family:
                                values[(village, family[value])] = n
                continue
        for scope in scopes:
            if form is not None:
                for village, value in form(scope, period, **params).items():
                    values[(village, key)] = value
            else:  # no grouped form: each village counted (slow; every kept metric should have one)
                for village in villages:
                    if village.startswith(codes.prefix_of(scope)):
                        values[(village, key)] = info.func(village, period, **params)
    return values


# Seconds each read of a refresh took the last time in this process: the longest are started first,
# so the threads finish together.
_last_seconds: dict[str, float] = {}


def reads_in_parallel(reads: dict[str, Callable[[], object]]) -> dict[str, object]:
    """{name: its result} of the named ``reads`` (read-only counts of a refresh), spread over
    GUANAI_METRIC_WORKERS connections (``core.db.read_in_threads``: one after another inside a
    transaction), the longest last time first."""
    names = sorted(reads, key=lambda name: -_last_seconds.get(name, 0.0))

    def timed(name):
        def read():
            started = monotonic()
            try:
                return reads[name]()
            finally:
                _last_seconds[name] = monotonic() - started
        return read

    return dict(zip(names, read_in_threads([timed(name) for name in names], settings.GUANAI_METRIC_WORKERS)))


def value_reads(scopes: list[str], period: Period, keys: list[str], villages: list[str]) -> dict[str, Callable]:
    """A read per metric of ``values_at`` for ``keys`` (a metric's keys asked together: its grouped
    form needs them all), for ``reads_in_parallel``."""
    by_metric: dict[str, list[str]] = {}
    for key in keys:
        by_metric.setdefault(TALLIES[key][0], []).append(key)
    return {f"values:{name}": functools.partial(values_at, scopes, period, metric_keys, villages)
            for name, metric_keys in by_metric.items()}


def values_in_parallel(scopes: list[str], period: Period, keys: list[str], villages: list[str]) -> dict:
    """``values_at``, its metrics counted on several connections at once (``reads_in_parallel``)."""
    values: dict[tuple[str, str], int] = {}
    for answer in reads_in_parallel(value_reads(scopes, period, keys, villages)).values():
        values.update(answer)
    return values


def roots() -> list[str]:
    return list(Area.objects.filter(parent__isnull=True).values_list("code", flat=True))


def all_villages() -> list[str]:
    return list(Area.objects.filter(level=codes.VILLAGE).values_list("code", flat=True))


def levels_up(villages: list[str] | None):
    """The levels above the villages, from the townships up, for a roll-up: (level, the filter
    of its children's rows, the areas of that level whose rows are replaced: None for all).
    ``villages`` None: every area; else only the areas above them."""
    changed = None if villages is None else set(villages)
    for level in (codes.TOWNSHIP, codes.COUNTY, codes.CITY, codes.PROVINCE):
        children = {"area__level": level + 1}
        if changed is not None:
            changed = set(Area.objects.filter(pk__in=changed).exclude(parent=None).values_list("parent_id", flat=True))
            if not changed:
                return
            children["area__parent__in"] = changed
        yield level, children, changed


