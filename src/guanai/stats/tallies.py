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
- ``MonthTally``: a figure that adds up over months (visits, aid) per village and month.

``compute`` asks ``kept_answer`` first: for an area above the village (each area's own rows hold
the sum of its villages'), a current state (a period not over yet) is the area's tally, a past
period's state (a period over, ending on a month's last day: a year, a half, a quarter, a month)
its snapshot at the end of that month, and a flow over whole months the sum of its months.
Anything else (a period ending mid-month, older than the kept months, a village) is counted.

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

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from guanai.core import clock
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.core.db import refresh_planner_statistics
from guanai.tasks import task

from . import metrics as metrics_module
from .metrics import GROUPED, METRICS, month_key, remembered
from .models import AreaTally, MonthEndTally, MonthTally
from .periods import Period, parse_period

# key -> (metric name, parameters): current values kept per village.
TALLIES: dict[str, tuple[str, dict]] = {}
# metric name -> kept per village and month (no parameters: the figure of all records).
MONTHLY: set[str] = set()
# (metric, sorted params) -> key, for answering compute's questions
_BY_QUESTION: dict[tuple, str] = {}
# Kept states read at the period's end or today, whichever is first (``as_of``): any period not
# over yet asks today's value. The others (children turning 16 within N days of the period's
# end) are kept for today's day only.
_AS_OF_TODAY: set[str] = set()
# Kept from the township up, not per village: the national table's forty columns for each of two
# categories would be two million village rows at a province (a village's table is counted, its
# villages' rows of a township's table in one grouped query). No month ends: a past table is counted.
BY_TOWNSHIP: set[str] = set()

# Records are filed in villages; a township or anything above reads its own row (the sum of its
# villages'); a village's figures are counted from its records.
LARGEST_COUNTED = 12  # prefix length of a village


# Other apps' kept data that follow the records the same way (registry's duplicate groups): each
# callback(villages) runs inside ``_write``'s transaction, ``villages`` the refreshed villages or
# None after a full refresh. Registered by the app (its AppConfig.ready), since stats knows no app.
_AFTER_REFRESH: list[Callable[[list[str] | None], None]] = []


def after_refresh(callback: Callable[[list[str] | None], None]) -> Callable[[list[str] | None], None]:
    """Call ``callback(villages or None)`` in the transaction of every refresh of the kept figures."""
    if callback not in _AFTER_REFRESH:
        _AFTER_REFRESH.append(callback)
    return callback


def keep(name: str, *, as_of_today: bool = True, aliases: tuple[dict, ...] = (), by_township: bool = False,
         **params) -> str:
    """Keep metric ``name`` with ``params`` per village (called by the app defining the metric).
    ``as_of_today``: the metric reads its state at ``min(period end, today)``, so any running
    period asks today's value. ``aliases``: other parameter sets meaning the same (a default).
    ``by_township``: kept per township and up only, today's value only (``BY_TOWNSHIP``)."""
    key = name + "".join(f":{value}" for _k, value in sorted(params.items()))
    TALLIES[key] = (name, params)
    for variant in (params, *aliases):
        _BY_QUESTION[(name, tuple(sorted(variant.items())))] = key
    if as_of_today:
        _AS_OF_TODAY.add(key)
    if by_township:
        BY_TOWNSHIP.add(key)
    return key


def village_keys() -> list[str]:
    """The keys kept per village (the others from the township up)."""
    return [key for key in TALLIES if key not in BY_TOWNSHIP]


def _township_rows(values: dict[tuple[str, str], int], townships: Iterable[str]) -> list[tuple[str, str, int]]:
    """(township, key, value) of every key kept by township, summed from per-village ``values``
    (zeros too: the roll-up sums complete rows)."""
    sums: dict[tuple[str, str], int] = {}
    for (area, key), n in values.items():
        if key in BY_TOWNSHIP:
            township = codes.parent_code(area) if codes.level_of(area) == codes.VILLAGE else area
            sums[(township, key)] = sums.get((township, key), 0) + n
    return [(township, key, sums.get((township, key), 0)) for township in sorted(townships) for key in sorted(BY_TOWNSHIP)]


def keep_monthly(name: str) -> None:
    """Keep metric ``name`` (a count or sum of dated records filed in villages) per village and month."""
    MONTHLY.add(name)


def _today_period() -> Period:
    today = timezone.localdate()
    return Period(today, today, today.isoformat())


ALL_TIME = Period(date(1900, 1, 1), date(2999, 12, 31), "all")


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


def kept_answer(info, area: str, period: Period, params: dict):
    """The figure of a large area from the kept aggregates, or None (count it)."""
    if not _large(area) or not TALLIES:
        return None
    # Only a metric with its per-village form registered is kept (a replaced one is counted).
    if info.name in MONTHLY and not params and info.by_month is not None:
        months = _whole_months(period)
        if months is None or not tallies_fresh():
            return None
        by_month = _area_months(area)
        value = sum((by_month.get((info.name, m), Decimal(0)) for m in months), Decimal(0))
        return int(value) if info.unit != "元" else value
    key = _BY_QUESTION.get((info.name, tuple(sorted(params.items()))))
    if key is None or info.by_village is None:
        return None
    today = clock.today()
    if period.end < today:
        return _past_answer(area, period, key)
    if (period.end != today and key not in _AS_OF_TODAY) or not tallies_fresh():
        return None
    return _area_values(area).get(key, 0)


def _past_answer(area: str, period: Period, key: str):
    """A state at the end of a period that is over: the area's snapshot at the end of that
    month, when the period ends on a month's last day and that month is kept; else None."""
    if not area or key not in _AS_OF_TODAY or key in BY_TOWNSHIP or (period.end + timedelta(days=1)).day != 1:
        return None
    values = _area_month_end(area, month_key(period.end))
    return None if values is None else values.get(key, 0)


def _area_month_end(area: str, month: str) -> dict[str, int] | None:
    """Every kept state of ``area`` at the end of ``month`` (its own rows; absent: 0), or None when
    that month is not kept (no ``_complete`` mark on the top areas: a write's refresh keeps a kept
    month right, an import's invalidation takes the marks away until ``refresh_all``). One
    query, once per memo."""
    def produce():
        chain = [area]  # the area and the areas above it: the top one holds the mark
        while (parent := codes.parent_code(chain[-1])) is not None:
            chain.append(parent)
        rows = (MonthEndTally.objects.filter(area_id__in=chain, month=month).filter(Q(area_id=area) | Q(key=COMPLETE))
                .values_list("area_id", "key", "value"))
        values, kept = {}, False
        for row_area, key, value in rows:
            if key == COMPLETE:
                kept = True
            elif row_area == area:
                values[key] = value
        return values if kept else None

    return remembered(("month_end", area, month), produce)


def _area_values(area: str) -> dict[str, int]:
    """Every kept current value of ``area`` (its own row per key), once per memo."""
    return remembered(("tallies", area), lambda: dict(
        AreaTally.objects.filter(area_id=area).values_list("key", "value")))


def _area_months(area: str) -> dict[tuple[str, str], Decimal]:
    """Every kept month of ``area`` by (key, month), once per memo."""
    return remembered(("months", area), lambda: {
        (key, month): value for key, month, value in
        MonthTally.objects.filter(area_id=area).values_list("key", "month", "value")})


COMPLETE = "_complete"  # a row on each top area: refresh_all finished, at its updated_at


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
    _drop(MonthEndTally.objects.filter(area_id__in=_roots(), key=COMPLETE))


def refresh_villages(village_codes: Iterable[str] | dict[str, date | None], since: date | None = None) -> None:
    """Recompute the kept figures of these villages (each metric counted per village): today's,
    and each kept month end from the month of ``since`` on (None: every kept month). Given a
    dict, each village's own ``since``."""
    changes = dict(village_codes) if isinstance(village_codes, dict) else dict.fromkeys(village_codes, since)
    villages = sorted(c for c in changes if c and codes.level_of(c) == codes.VILLAGE)
    if not villages:
        return
    if len(villages) > REFRESH_ALL_ABOVE:
        _drop(MonthEndTally.objects.filter(area_id__in=_roots(), key=COMPLETE))  # every kept month recomputed, too
        refresh_all()
        return
    period = _today_period()
    rows = []
    for code in villages:
        for key in village_keys():
            name, params = TALLIES[key]
            rows.append((code, key, METRICS[name].func(code, period, **params)))
    townships = sorted({codes.parent_code(code) for code in villages})
    rows += _township_rows(_values_at(townships, period, sorted(BY_TOWNSHIP), villages), townships)
    months = []
    for name in sorted(MONTHLY):
        for code in villages:
            months += [(village, name, month, value)
                       for (village, month), value in METRICS[name].by_month(code, ALL_TIME).items() if value]
    _write(villages, rows, months)
    _refresh_month_ends({village: changes[village] for village in villages})


def _values_at(scopes: list[str], period: Period, keys: list[str], villages: list[str]) -> dict[tuple[str, str], int]:
    """{(village, key): value} of every village of ``scopes`` for ``period``: each key's
    per-village form (``@by_village``) asked once per scope, a grouped form once for all the
    values of its first parameter (every category). Absent: 0."""
    values: dict[tuple[str, str], int] = {}
    grouped_done: set[str] = set()
    for key in keys:
        name, params = TALLIES[key]
        info = METRICS[name]
        form = info.by_village
        if form is not None and getattr(form, "grouped", False) and list(params) == [info.params[0]]:
            # Every value of the first parameter (every category) in one query per scope.
            if name not in grouped_done:
                grouped_done.add(name)
                wanted = {TALLIES[k][1][info.params[0]]: k for k in keys
                          if TALLIES[k][0] == name and list(TALLIES[k][1]) == [info.params[0]]}
                for scope in scopes:
                    for (village, value), n in form(scope, period, **{info.params[0]: GROUPED}).items():
                        if value in wanted:
                            values[(village, wanted[value])] = n
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


def refresh_all(*, month_ends: bool = True) -> None:
    """Recompute every kept figure of today: one grouped query per key over all villages; then
    keep the month ends not kept yet (``fill_month_ends``; ``month_ends=False``: leave them to
    ``fill_month_ends_task``, past periods being counted until then)."""
    # After a bulk load the planner needs fresh statistics to use the indexes below.
    refresh_planner_statistics()
    period = _today_period()
    villages = list(Area.objects.filter(level=codes.VILLAGE).values_list("code", flat=True))
    roots = list(Area.objects.filter(parent__isnull=True).values_list("code", flat=True))
    values = _values_at(roots, period, list(TALLIES), villages)
    village_set = set(villages)
    rows = [(village, key, values.get((village, key), 0)) for village in villages for key in village_keys()]
    rows += _township_rows(values, Area.objects.filter(level=codes.TOWNSHIP).values_list("code", flat=True))
    months = []
    for name in sorted(MONTHLY):
        for root in roots:
            months += [(village, name, month, value)
                       for (village, month), value in METRICS[name].by_month(root, ALL_TIME).items()
                       if value and village in village_set]
    _write(None, rows, months)
    if month_ends:
        fill_month_ends()


# --- month ends: a past period's state ---------------------------------------------------------------
# A state metric (kept with ``as_of_today``) reads its records at the period's end only, so a past
# period's value is the value at the end of its last month: kept per village for the months of
# ``months_to_keep``, filled by the same per-village forms with a period ending on
# that month's last day (so kept == counted by definition), summed up the levels like today's.

KEPT_MONTHS = 36  # how far back month ends are kept ...
EVERY_MONTH = 13  # ... every month's for the last 13 (a month, last year's same month), before that
# only a quarter's last month (the ends of the quarters, halves and years): a write touching a
# long-registered person recomputes 20 or 21 month ends, not 36 (about 40 ms each, mostly building queries).


def _snapshot_keys() -> list[str]:
    return [key for key in village_keys() if key in _AS_OF_TODAY and METRICS[TALLIES[key][0]].by_village is not None]


def months_to_keep(today: date | None = None) -> list[str]:
    """The months over (the current one is not) whose ends are kept, oldest first: each of the
    last EVERY_MONTH, and the quarters' last months back to KEPT_MONTHS."""
    day = (today or clock.today()).replace(day=1)
    months = []
    for back in range(KEPT_MONTHS):
        day = (day - timedelta(days=1)).replace(day=1)
        if back < EVERY_MONTH or day.month % 3 == 0:
            months.append(month_key(day))
    return months[::-1]


def fill_month_ends() -> None:
    """Keep every month end of the window not kept yet (the month just over, on the first refresh
    of a new month; every month after a first install or an import's invalidation), one
    transaction per month; and forget the months that left the window."""
    window = months_to_keep()
    _drop(MonthEndTally.objects.exclude(month__in=window))  # months that left the window
    kept = kept_months_now()
    missing = [month for month in window if month not in kept]
    if not missing:
        return
    villages = list(Area.objects.filter(level=codes.VILLAGE).values_list("code", flat=True))
    roots = list(Area.objects.filter(parent__isnull=True).values_list("code", flat=True))
    village_set, keys = set(villages), _snapshot_keys()
    for month in missing:
        values = _values_at(roots, parse_period(month), keys, villages)
        rows = [(village, month, key, n) for (village, key), n in values.items() if n and village in village_set]
        with transaction.atomic():
            _drop(MonthEndTally.objects.filter(month=month))
            _upsert_month_ends(rows)
            _roll_up_month_ends(None, month)
            _upsert_month_ends([(root, month, COMPLETE, 1) for root in roots])  # the mark, last


def _refresh_month_ends(changes: dict[str, date | None]) -> None:
    """Recompute the kept month ends of villages a write touched, from the month of each one's
    ``since`` on (None: all), in the write's transaction; then the areas above them."""
    kept = sorted(kept_months_now())
    keys = _snapshot_keys()
    if not kept or not keys:
        return
    by_month: dict[str, list[str]] = {}
    first_of: dict[str, list[str]] = {}
    for village, since in sorted(changes.items()):
        first = month_key(since) if since else ""
        months = [m for m in kept if m >= first]
        if months:
            first_of.setdefault(months[0], []).append(village)
            for month in months:
                by_month.setdefault(month, []).append(village)
    if not by_month:
        return
    rows = []
    for month, villages in sorted(by_month.items()):
        scopes = _scopes_over(villages)
        wanted = set(villages)
        values = _values_at(scopes, parse_period(month), keys, villages)
        rows += [(village, month, key, n) for (village, key), n in values.items() if n and village in wanted]
    with transaction.atomic():
        for first, villages in sorted(first_of.items()):
            _drop(MonthEndTally.objects.filter(area_id__in=villages, month__gte=first))
        _upsert_month_ends(sorted(rows))  # one order (village, month, key): no deadlock between writers
        _roll_up_month_ends(sorted({v for group in first_of.values() for v in group}), min(first_of))


def _scopes_over(villages: list[str], most: int = 4) -> list[str]:
    """At most ``most`` areas (unless the top areas are more) covering ``villages``, as small as
    that allows: the villages themselves, or their townships, counties ... (one grouped query
    over a township answers all its villages at once)."""
    scopes = sorted(set(villages))
    while len(scopes) > most:
        above = sorted({codes.parent_code(code) or code for code in scopes})
        if above == scopes:
            break
        scopes = above
    return scopes


def kept_months_now() -> set[str]:
    """The months whose ends are kept (marked ``_complete`` on the top areas: read through the
    areas' index, not a scan of every row of every month)."""
    return set(MonthEndTally.objects.filter(area_id__in=_roots(), key=COMPLETE).values_list("month", flat=True))


def _roots() -> list[str]:
    return list(Area.objects.filter(parent__isnull=True).values_list("code", flat=True))


def _roll_up_month_ends(villages: list[str] | None, month: str) -> None:
    """Each area above the villages keeps the sum of its children's month ends: ``villages``
    None, every area for ``month``; else the areas above ``villages``, for ``month`` and after."""
    months = {"month": month} if villages is None else {"month__gte": month}
    for level, children, parents in _levels_up(villages):
        sums = (MonthEndTally.objects.filter(**children, **months).exclude(key=COMPLETE).order_by()
                .values_list("area__parent", "month", "key").annotate(n=Sum("value"))
                .values_list("area__parent", "month", "key", "n"))
        # In one order (area, month, key), so two writers refreshing one township cannot deadlock.
        sums = sorted((parent, m, key, n) for parent, m, key, n in sums if parent and n)
        above = MonthEndTally.objects.filter(area__level=level, **months).exclude(key=COMPLETE)
        _drop(above if parents is None else above.filter(area_id__in=parents))
        _upsert_month_ends(sums)


def _upsert_month_ends(rows: list[tuple[str, str, str, int]]) -> None:
    """(area, month, key, value) rows of MonthEndTally."""
    _upsert(MonthEndTally, ["area_id", "month", "key", "value"], ["area_id", "month", "key"],
            [(area, month, key, int(value)) for area, month, key, value in rows])


def _write(villages: list[str] | None, rows: list[tuple], months: list[tuple]) -> None:
    """Replace the kept rows of ``villages`` (None: all) and of the areas above them, in one
    transaction: ``rows`` of (village, key, value), ``months`` of (village, key, month, value)."""
    with transaction.atomic():
        stale = AreaTally.objects.filter(area__level=codes.VILLAGE).exclude(key__in=[*village_keys(), COMPLETE])
        month_rows = MonthTally.objects.filter(area__level=codes.VILLAGE)
        if villages is not None:
            stale = stale.filter(area_id__in=villages)
            month_rows = month_rows.filter(area_id__in=villages)
        _drop(stale)
        _drop(month_rows)
        # Upsert, not delete-then-insert: two workers refreshing the same village at once
        # (two imports into one village) would both insert and one would fail. Rows go in one
        # order (sorted villages, fixed keys), so concurrent refreshes cannot deadlock.
        _upsert_tallies(rows)
        _upsert_months(months)
        _roll_up(villages)
        for callback in _AFTER_REFRESH:
            callback(villages)
    if villages is None:  # the mark of a complete refresh, last
        AreaTally.objects.bulk_create([AreaTally(area_id=root, key=COMPLETE, value=1) for root in
                                       Area.objects.filter(parent__isnull=True).values_list("code", flat=True)],
                                      update_conflicts=True, unique_fields=["key", "area"],
                                      update_fields=["value", "updated_at"])


def _upsert(model, columns: list[str], unique: list[str], rows: list[tuple]) -> None:
    """INSERT ... ON CONFLICT (unique) DO UPDATE, in batches, on SQLite and PostgreSQL alike: a
    refresh writes tens of thousands of rows (a province: hundreds of thousands), which
    ``bulk_create`` would first build as model instances and prepare field by field."""
    if not rows:
        return
    table, quote = model._meta.db_table, connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in unique)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    conflict = f"ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column (unnest): four parameters a batch, not four per row, which the
            # driver would otherwise find one by one in the statement's text (most of a
            # province's refresh).
            arrays = ", ".join(f"%s::{model._meta.get_field(c).db_type(connection)}[]" for c in columns)
            for start in range(0, len(rows), 50_000):
                batch = rows[start:start + 50_000]
                cursor.execute(f"INSERT INTO {quote(table)} ({names}) SELECT * FROM unnest({arrays}) {conflict}",
                               [list(column) for column in zip(*batch)])
            return
        step = connection.features.max_query_params // len(columns) if connection.features.max_query_params else 2000
        step = min(step, 2000)
        for start in range(0, len(rows), step):
            batch = rows[start:start + step]
            cursor.execute(f"INSERT INTO {quote(table)} ({names}) VALUES {', '.join([one] * len(batch))} {conflict}",
                           [value for row in batch for value in row])


def _upsert_tallies(rows: list[tuple[str, str, int]]) -> None:
    """(area, key, value) rows of AreaTally, stamped now."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _upsert(AreaTally, ["area_id", "key", "value", "updated_at"], ["key", "area_id"],
            [(area, key, int(value), now) for area, key, value in rows])


def _upsert_months(rows: list[tuple[str, str, str, object]]) -> None:
    """(area, key, month, value) rows of MonthTally."""
    _upsert(MonthTally, ["area_id", "key", "month", "value"], ["key", "area_id", "month"],
            [(area, key, month, connection.ops.adapt_decimalfield_value(Decimal(value), 18, 2))
             for area, key, month, value in rows])


def _drop(rows) -> None:
    """Delete kept rows in one DELETE statement. ``QuerySet.delete()`` would fetch every row and
    send a signal per row (the audit trail's safety net then records each as a deleted record:
    35,000 audit events and two minutes for one refresh of a city). Kept rows are derived from
    the records, which are audited themselves; nothing refers to them."""
    rows = rows.order_by()
    rows._raw_delete(rows.db)


def _roll_up(villages: list[str] | None) -> None:
    """Each area above the villages keeps the sum of its children's rows, level by level from
    the townships up, so a province's figure is one row, not twenty thousand."""
    for level, children, parents in _levels_up(villages):
        state = (AreaTally.objects.filter(**children, key__in=list(TALLIES)).order_by()
                 .values_list("area__parent", "key").annotate(n=Sum("value")).values_list("area__parent", "key", "n"))
        _upsert_tallies([(parent, key, n or 0) for parent, key, n in state if parent])
        flows = (MonthTally.objects.filter(**children).order_by().values_list("area__parent", "key", "month")
                 .annotate(n=Sum("value")).values_list("area__parent", "key", "month", "n"))
        flows = [(parent, key, month, n) for parent, key, month, n in flows if parent and n]
        above = MonthTally.objects.filter(area__level=level)
        _drop(above if parents is None else above.filter(area_id__in=parents))
        _upsert_months(flows)


def _levels_up(villages: list[str] | None):
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
    refresh_all()


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


def tally(area: str | None, key: str) -> int:
    """The current value of ``key`` for ``area`` (None: every top area together): the area's own
    row, which holds the sum of its villages."""
    if area is None:
        rows = AreaTally.objects.filter(key=key, area__parent__isnull=True)
        return rows.aggregate(n=Sum("value"))["n"] or 0
    return AreaTally.objects.filter(key=key, area_id=area).values_list("value", flat=True).first() or 0


metrics_module.kept_answer = kept_answer
