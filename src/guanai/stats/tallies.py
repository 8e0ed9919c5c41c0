"""Kept aggregates: figures per village, summed for any large area (dashboards, tables and home
pages of a county, a city or a province read a few thousand rows instead of a million records).

Three kinds, all filled only from the metric functions' own per-village forms (``@by_village``,
``@by_month`` in stats.metrics), so a kept figure and its metric cannot differ by definition:

- ``AreaTally``: a metric's current value (as of today) per village, under a key naming the metric
  and its parameters ("persons_registered:left_behind_child");
- ``MonthEndTally``: the same states (those read at the period's end, ``as_of_today``) at the end
  of each of the last 13 months that are over and of each quarter before, back 36 months
  (``months_to_keep``), per village: the per-village form asked with a period ending on the
  month's last day;
- ``MonthTally``: a figure that adds up over months (visits, aid) per village and month; and, under
  the period's key in place of the month ("2026-09", "2026Q3", "2026S1", "2026"), a figure that
  does not (distinct persons visited: ``keep_by_period``) per village and standard period, filled
  from the metric's ``@by_period`` form.

``compute`` asks ``kept_answer`` first: for an area above the village (each area's own rows hold
the sum of its villages'), a current state (a period not over yet) is the area's tally, a past
period's state (a period over, ending on a month's last day: a year, a half, a quarter, a month)
its snapshot at the end of that month, a flow over whole months the sum of its months, and a
distinct count of a standard period its row for that period. Anything else (a period ending
mid-month, older than the kept months, a village) is counted.

``refresh_villages`` recomputes the villages a write touched, in the write's own transaction (the
registry's and care's signals and services through ``refresh_after_write``), their month ends
from the month of the earliest day the write can change a state at (``since``: a visit's date, a
person's registration; unknown: every kept month); ``refresh_all`` recomputes today's figures in
one grouped query per key (after a bulk load, and each new day, since "due" and "turning 16" move
with the date) and keeps the month ends not kept yet (the month just over, on the first refresh
of a new month). Marks (``_complete`` rows on the top areas, per month for the month ends) say
what is kept; an import's ``invalidate_tallies`` takes them away and figures are counted until
the next ``refresh_all``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from guanai.core import clock
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.core.db import delete_rows, raw_rows, refresh_planner_statistics, upsert_rows
from guanai.tasks import task

from . import metrics as metrics_module
from .kept_keys import (  # noqa: F401  (keep, keep_monthly, after_refresh ...: the apps' entry points)
    AFTER_REFRESH, ALL_TIME, AS_OF_TODAY, BY_QUESTION, BY_TOWNSHIP, COMPLETE, DATED, LARGEST_COUNTED, MONTHLY, PERIODIC,
    TALLIES, after_refresh, all_villages, keep, keep_by_period, keep_monthly, levels_up, reads_in_parallel, roots,
    today_period, value_reads, values_at, village_keys)
from .metrics import METRICS, month_key, remembered
from .models import AreaTally, MonthEndTally, MonthTally
from .month_ends import (  # noqa: F401
    area_month_end, fill_month_ends, kept_months_now, months_to_keep, refresh_month_ends, scopes_over, snapshot_keys)
from .periods import Period, PeriodError, parse_period


def _township_rows(values: dict[tuple[str, str], int], townships: Iterable[str],
                   keys: Iterable[str] | None = None) -> list[tuple[str, str, int]]:
    """(township, key, value) of every key kept by township (of ``keys``: None, all), summed from
    per-village ``values`` (zeros too: the roll-up sums complete rows)."""
    sums: dict[tuple[str, str], int] = {}
    for (village, key), n in values.items():
        if key in BY_TOWNSHIP:
            township = codes.parent_code(village)
            sums[(township, key)] = sums.get((township, key), 0) + n
    kept = sorted(BY_TOWNSHIP if keys is None else BY_TOWNSHIP.intersection(keys))
    return [(township, key, sums.get((township, key), 0)) for township in sorted(townships) for key in kept]


def _village_rows(values: dict[tuple[str, str], int], villages: list[str],
                  keys: Iterable[str] | None = None) -> list[tuple[str, str, int]]:
    """(village, key, value) of every key kept per village (of ``keys``: None, all; zeros too)."""
    wanted = None if keys is None else set(keys)
    kept = [key for key in village_keys() if wanted is None or key in wanted]
    return [(village, key, values.get((village, key), 0)) for village in villages for key in kept]


def _large(area: str | None) -> bool:
    return area is None or len(codes.prefix_of(area)) < LARGEST_COUNTED


def _whole_months(period: Period) -> list[str] | None:
    """The months a period covers exactly, or None when it starts or ends inside a month."""
    if period.start.day != 1 or (period.end + timedelta(days=1)).day != 1:
        return None
    months, day = [], period.start
    while day <= period.end:
        months.append(month_key(day))
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def _standard_key(period: Period) -> str | None:
    """The period's key when it is a standard period (a month, quarter, half or year, as
    ``parse_period`` makes it), else None (a day, a span of its own)."""
    try:
        standard = parse_period(period.key)
    except PeriodError:
        return None
    return period.key if (standard.start, standard.end, standard.key) == (period.start, period.end, period.key) else None


def kept_answer(info, area: str, period: Period, params: dict):
    """The figure of a large area from the kept aggregates, or None (count it)."""
    if not _large(area) or not TALLIES:
        return None
    if info.name in PERIODIC and not params and info.by_period is not None:
        key = _standard_key(period)
        if key is None or not tallies_fresh():
            return None
        return int(_area_months(area).get((info.name, key), 0))
    # Only a metric with its per-village form registered is kept (a replaced one is counted).
    if info.name in MONTHLY and not params and info.by_month is not None:
        months = _whole_months(period)
        if months is None or not tallies_fresh():
            return None
        by_month = _area_months(area)
        value = sum((by_month.get((info.name, m), Decimal(0)) for m in months), Decimal(0))
        return int(value) if info.unit != "元" else value
    key = BY_QUESTION.get((info.name, tuple(sorted(params.items()))))
    if key is None or info.by_village is None:
        return None
    today = clock.today()
    if period.end < today:
        return _past_answer(area, period, key)
    if (period.end != today and key not in AS_OF_TODAY) or not tallies_fresh():
        return None
    return _area_values(area).get(key, 0)


def _past_answer(area: str, period: Period, key: str):
    """A state at the end of a period that is over: the area's snapshot at the end of that
    month, when the period ends on a month's last day and that month is kept; else None."""
    if not area or key not in AS_OF_TODAY or key in BY_TOWNSHIP or (period.end + timedelta(days=1)).day != 1:
        return None
    values = area_month_end(area, month_key(period.end))
    return None if values is None else values.get(key, 0)


def _area_values(area: str) -> dict[str, int]:
    """Every kept current value of ``area`` (its own row per key), once per memo."""
    return remembered(("tallies", area), lambda: dict(
        AreaTally.objects.filter(area_id=area).values_list("key", "value")))


def _area_months(area: str) -> dict[tuple[str, str], Decimal]:
    """Every kept month of ``area`` by (key, month), once per memo."""
    return remembered(("months", area), lambda: {
        (key, month): value for key, month, value in
        MonthTally.objects.filter(area_id=area).values_list("key", "month", "value")})


def tallies_fresh() -> bool:
    """Whether the kept current values are complete and today's: a full refresh ran today (each
    write since refreshed its villages in the same way). Until then figures are counted."""
    def produce():
        midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        return AreaTally.objects.filter(key=COMPLETE, updated_at__gte=midnight).exists()

    return remembered(("tallies_fresh",), produce)


def tallies_complete() -> bool:
    """Whether a full refresh ran, on any day, and no import took its marks away since: kept data
    that does not move with the date (the registry's duplicate groups) is then right, each write
    since having refreshed its villages."""
    return remembered(("tallies_complete",), lambda: AreaTally.objects.filter(key=COMPLETE).exists())


REFRESH_ALL_ABOVE = 200  # villages: more than this, refresh_all is quicker than one by one


def invalidate_tallies() -> None:
    """Take the marks of a complete refresh away (in the writer's transaction): until the next
    ``refresh_all`` every figure, of today and of past month ends, is counted from the records."""
    AreaTally.objects.filter(key=COMPLETE).delete()
    delete_rows(MonthEndTally.objects.filter(area_id__in=roots(), key=COMPLETE))


def refresh_villages(village_codes: Iterable[str] | dict[str, date | None], since: date | None = None) -> None:
    """Recompute the kept figures of these villages (each metric counted per village): today's,
    and each kept month end from the month of ``since`` on (None: every kept month). Given a
    dict, each village's own ``since``."""
    changes = dict(village_codes) if isinstance(village_codes, dict) else dict.fromkeys(village_codes, since)
    villages = sorted(c for c in changes if c and codes.level_of(c) == codes.VILLAGE)
    if not villages:
        return
    if len(villages) > REFRESH_ALL_ABOVE:
        # The kept month ends from the earliest changed month on are recomputed too (their marks
        # taken away: fill_month_ends keeps them again); new persons only (today) change none.
        first = min(month_key(changes[village]) if changes[village] else "" for village in villages)
        delete_rows(MonthEndTally.objects.filter(area_id__in=roots(), key=COMPLETE, month__gte=first))
        refresh_planner_statistics()  # so many villages changed: a bulk load, whose new rows the planner must know
        refresh_all()
        return
    period = today_period()
    # The same per-village forms as refresh_all, each asked once per scope: the villages, or the
    # township of several (an import into 200 villages asked every form of each village, about
    # 9,000 queries inside its transaction); never above a township, whose query costs a
    # village's. Then the townships' whole for the keys kept from there up.
    scopes = scopes_over(villages, most=1, highest=codes.TOWNSHIP)
    rows = _village_rows(values_at(scopes, period, village_keys(), villages), villages)
    townships = sorted({codes.parent_code(code) for code in villages})
    rows += _township_rows(values_at(townships, period, sorted(BY_TOWNSHIP), villages), townships)
    _write(villages, rows, _month_rows(scopes, villages) + _period_rows(scopes, villages))
    refresh_month_ends({village: changes[village] for village in villages})


def refresh_all(*, month_ends: bool = True, dated_only: bool = False) -> None:
    """Recompute every kept figure of today: one grouped query per key over all villages; then
    keep the month ends not kept yet (``fill_month_ends``; ``month_ends=False``: leave them to
    ``fill_month_ends_task``, past periods being counted until then). ``dated_only``: only the
    keys that move with the date alone (``DATED``: ages, deadlines); the others, the rows by month
    and period and the duplicate groups move only with the records, which every write keeps (the
    nightly refresh of a complete set)."""
    # No ANALYZE here: the bulk loads that change what the planner should know (the demo, an
    # import into many villages) run it themselves; the nightly refresh spent about a tenth of its
    # time at a province re-reading every table for the same statistics.
    period = today_period()
    villages, tops = all_villages(), roots()
    keys = [key for key in TALLIES if key in DATED] if dated_only else list(TALLIES)
    village_set = set(villages)
    # Every count is a read of its own, all of them spread over several connections at once.
    value_part = value_reads(tops, period, keys, villages)
    row_part = {} if dated_only else {
        **{f"months:{name}": functools.partial(_month_rows, tops, village_set, [name]) for name in MONTHLY},
        **{f"periods:{name}": functools.partial(_period_rows, tops, village_set, [name]) for name in PERIODIC}}
    answers = reads_in_parallel(value_part | row_part)
    values: dict[tuple[str, str], int] = {}
    for name in value_part:
        values.update(answers[name])
    months = [row for name in sorted(row_part) for row in answers[name]]  # in one order, as _month_rows'
    rows = _village_rows(values, villages, keys)
    rows += _township_rows(values, Area.objects.filter(level=codes.TOWNSHIP).values_list("code", flat=True), keys)
    if dated_only:
        _write(None, rows, None, keys=keys)
    else:
        _write(None, rows, months)
    if month_ends:
        fill_month_ends()


def _month_rows(scopes: Iterable[str], villages: Iterable[str],
                names: Iterable[str] | None = None) -> list[tuple[str, str, str, int]]:
    """(village, metric, month, value) of every figure kept by month (``MONTHLY``; ``names``: of
    these metrics), each metric's ``@by_month`` form asked once per scope over all time, for the
    ``villages`` among them."""
    wanted, rows = set(villages), []
    for name in sorted(MONTHLY if names is None else names):
        for scope in scopes:
            rows += [(village, name, month, value) for (village, month), value
                     in METRICS[name].by_month(scope, ALL_TIME).items() if value and village in wanted]
    return rows


def _period_rows(scopes: Iterable[str], villages: Iterable[str],
                 names: Iterable[str] | None = None) -> list[tuple[str, str, str, int]]:
    """(village, metric, period key, value) of every figure kept by period (``PERIODIC``; ``names``:
    of these metrics), each metric's ``@by_period`` form asked once per scope, for the ``villages``
    among them: a village's every period is recomputed (a visit moved, a person moved or merged
    ...), a village being small."""
    wanted, rows = set(villages), []
    for name in sorted(PERIODIC if names is None else names):
        form = METRICS[name].by_period
        if form is None:
            continue
        for scope in scopes:
            rows += [(village, name, key, value) for (village, key), value in form(scope).items()
                     if value and village in wanted]
    return rows


def _write(villages: list[str] | None, rows: list[tuple], months: list[tuple] | None,
           keys: list[str] | None = None) -> None:
    """Replace the kept rows of ``villages`` (None: all) and of the areas above them, in one
    transaction: ``rows`` of (village, key, value), ``months`` of (village, key, month, value);
    ``months`` None: the rows by month and period, and what follows a refresh (the duplicate
    groups), stay as they are; ``keys``: ``rows`` hold only these keys (None: every kept key),
    the others stay as they are."""
    with transaction.atomic():
        stale = AreaTally.objects.filter(area__level=codes.VILLAGE).exclude(key__in=[*village_keys(), COMPLETE])
        delete_rows(stale if villages is None else stale.filter(area_id__in=villages))
        # Only what changed is written: a province keeps about two million village rows, nearly all
        # the same from one day to the next, and rewriting them all took most of a full refresh
        # (on PostgreSQL leaving a dead copy of each row behind). Upsert, not delete-then-insert:
        # two workers refreshing the same village at once (two imports into one village) would
        # both insert and one would fail. Rows go in one order (sorted villages, fixed keys), so
        # concurrent refreshes cannot deadlock.
        changed_rows, changed_months, gone = _difference(villages, rows, months, keys=keys)
        for start in range(0, len(gone), 10_000):
            delete_rows(MonthTally.objects.filter(pk__in=gone[start:start + 10_000]))
        _upsert_tallies(changed_rows)
        _upsert_months(changed_months)
        _roll_up(villages, months=months is not None, keys=keys)
        for callback in AFTER_REFRESH if months is not None else ():
            callback(villages)
    if villages is None:  # the mark of a complete refresh, last
        AreaTally.objects.bulk_create([AreaTally(area_id=top, key=COMPLETE, value=1) for top in roots()],
                                      update_conflicts=True, unique_fields=["key", "area"],
                                      update_fields=["value", "updated_at"])


def _difference(villages: list[str] | None, rows: list[tuple], months: list[tuple] | None,
                chunk: int = 2000, keys: list[str] | None = None) -> tuple[list[tuple], list[tuple], list[int]]:
    """What ``_write`` must write of ``rows`` and ``months`` (the village rows that differ from the
    stored ones; rows of larger areas, all) and the pks of stored month rows no longer wanted
    (``months`` None: none; they are not compared). The stored rows are read ``chunk`` villages
    at a time: all of a province's at once doubled a refresh's memory; ``keys``: only those
    keys' stored rows are read (None: all)."""
    new_rows: dict[str, list[tuple]] = {}
    for row in rows:
        new_rows.setdefault(row[0], []).append(row)
    new_months: dict[str, list[tuple]] = {}
    for row in months or ():
        new_months.setdefault(row[0], []).append(row)
    in_order = sorted(villages if villages is not None else all_villages())
    changed_rows, changed_months, gone = [], [], []
    for start in range(0, len(in_order), chunk):
        part = in_order[start:start + chunk]
        stored_rows = AreaTally.objects.filter(area_id__in=part)
        if keys is not None:
            stored_rows = stored_rows.filter(key__in=keys)
        stored = {(area, key): value for area, key, value in
                  raw_rows(stored_rows.order_by().values_list("area_id", "key", "value"))}
        stored_months = {} if months is None else {
            (area, key, month): (pk, value) for pk, area, key, month, value in
            raw_rows(MonthTally.objects.filter(area_id__in=part).order_by()
                     .values_list("pk", "area_id", "key", "month", "value"))}
        wanted = set()
        for village in part:
            changed_rows += [row for row in new_rows.pop(village, ()) if stored.get(row[:2]) != int(row[2])]
            for row in new_months.pop(village, ()):
                wanted.add(row[:3])
                hit = stored_months.get(row[:3])
                if hit is None or not _same_value(hit[1], row[3]):
                    changed_months.append(row)
        gone += [pk for place, (pk, _value) in stored_months.items() if place not in wanted]
    for area_rows in new_rows.values():  # townships and above (their own kept keys): written as given
        changed_rows += area_rows
    for area_months in new_months.values():
        changed_months += area_months
    return changed_rows, changed_months, gone


def _same_value(stored, fresh) -> bool:
    """Whether a stored kept value, as the driver reads it (``raw_rows``), is the fresh one: a
    decimal column reads as Decimal on PostgreSQL and, on SQLite, as an int or as the float its
    written text became (``0.10`` as 0.1, which no Decimal but 0.1000000000000000055... equals)."""
    return stored == fresh or (isinstance(stored, float) and stored == float(fresh))


def _upsert_tallies(rows: list[tuple[str, str, int]]) -> None:
    """(area, key, value) rows of AreaTally, stamped now."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    upsert_rows(AreaTally, ["area_id", "key", "value", "updated_at"], ["key", "area_id"],
            [(area, key, int(value), now) for area, key, value in rows])


def _upsert_months(rows: list[tuple[str, str, str, object]]) -> None:
    """(area, key, month, value) rows of MonthTally."""
    upsert_rows(MonthTally, ["area_id", "key", "month", "value"], ["key", "area_id", "month"],
            [(area, key, month, connection.ops.adapt_decimalfield_value(Decimal(value), 18, 2))
             for area, key, month, value in rows])


def _roll_up(villages: list[str] | None, *, months: bool = True, keys: list[str] | None = None) -> None:
    """Each area above the villages keeps the sum of its children's rows, level by level from
    the townships up, so a province's figure is one row, not twenty thousand (``months``: the
    rows by month and period too; ``keys``: only these keys' rows, None: all)."""
    for level, children, parents in levels_up(villages):
        state = (AreaTally.objects.filter(**children, key__in=list(TALLIES) if keys is None else keys).order_by()
                 .values_list("area__parent", "key").annotate(n=Sum("value")).values_list("area__parent", "key", "n"))
        _upsert_tallies([(parent, key, n or 0) for parent, key, n in state if parent])
        if not months:
            continue
        flows = (MonthTally.objects.filter(**children).order_by().values_list("area__parent", "key", "month")
                 .annotate(n=Sum("value")).values_list("area__parent", "key", "month", "n"))
        flows = [(parent, key, month, n) for parent, key, month, n in flows if parent and n]
        above = MonthTally.objects.filter(area__level=level)
        delete_rows(above if parents is None else above.filter(area_id__in=parents))
        _upsert_months(flows)


_batch: ContextVar[dict | None] = ContextVar("tally_batch", default=None)
_ALL = object()  # in a batch: a village whose every kept month end is recomputed


def refresh_after_write(village_codes: Iterable[str], since: date | None = None) -> None:
    """Refresh these villages after a write, inside the writer's transaction: the kept rows commit
    (or roll back) together with the records, so no reader ever sees one without the other.
    ``since``: the earliest day the write can change a state at (a visit's date; a person's
    registration), so only the kept month ends from its month on are recomputed; None: all.
    Within ``batched()`` the villages are refreshed once, at its end."""
    codes_ = {c for c in village_codes if c}
    batch = _batch.get()
    if batch is not None:
        for code in codes_:
            before = batch.get(code, since if since is not None else _ALL)
            batch[code] = _ALL if _ALL in (before, since) or since is None else min(before, since)
    elif codes_:
        refresh_villages(codes_, since)


@contextmanager
def batched():
    """Refresh the villages of several writes (a visit and its aid items) once, at the end."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set({})
    try:
        yield
        villages = _batch.get()
    finally:
        _batch.reset(token)
    refresh_villages({code: None if since is _ALL else since for code, since in villages.items()})


@task()
def refresh_all_task() -> None:
    """The refresh of a new day (``ensure_fresh``): of a complete set (no import took its marks
    away since the last full refresh) only the figures that move with the date (DATED); else everything."""
    refresh_all(dated_only=tallies_complete())


@task()
def fill_month_ends_task() -> None:
    fill_month_ends()


_refresh_requested_on: date | None = None


def ensure_fresh() -> None:
    """Figures that depend on the date (children turning 16) go stale overnight: the
    first dashboard of a new day asks the worker to recompute every village."""
    global _refresh_requested_on
    today = clock.today()
    if _refresh_requested_on == today:  # this process asked already: no query
        return
    newest = AreaTally.objects.exclude(key=COMPLETE).order_by("-updated_at").values_list("pk", "updated_at").first()
    if newest is not None and timezone.localdate(newest[1]) < today:
        # Of several processes seeing stale tallies at once, the one whose conditional
        # update moves the newest row to today asks the worker; the others see it moved.
        if AreaTally.objects.filter(pk=newest[0], updated_at=newest[1]).update(updated_at=timezone.now()):
            refresh_all_task.enqueue()
    _refresh_requested_on = today


def current_figure(name: str, area: str | None, **params):
    """Metric ``name``'s value today for ``area`` (None: every top area together, the admin's), asked
    of ``compute`` like any dashboard's figure: a large area's from its kept row (within a memo one
    query for all its keys), a village's counted. A home card shows this, so its number is the
    dashboards', tables' and briefings' for the same question (today, as a day period)."""
    period = today_period()
    if area:
        return metrics_module.compute(name, area, period, **params)
    return sum(metrics_module.compute(name, top, period, **params) for top in roots())


def tally(area: str | None, key: str) -> int:
    """The kept row itself: the current value of ``key`` for ``area`` (None: every top area
    together), the area's own row, which holds the sum of its villages. Pages ask
    ``current_figure`` (``compute``), which reads these rows when they are fresh."""
    if area is None:
        rows = AreaTally.objects.filter(key=key, area__parent__isnull=True)
        return rows.aggregate(n=Sum("value"))["n"] or 0
    return AreaTally.objects.filter(key=key, area_id=area).values_list("value", flat=True).first() or 0


metrics_module.kept_answer = kept_answer
