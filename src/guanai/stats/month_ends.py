"""Month ends: a past period's state, kept per village and month (MonthEndTally)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, Sum

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.core import clock
from guanai.core.db import delete_rows, upsert_rows

from .kept_keys import (
    AS_OF_TODAY, COMPLETE, TALLIES, all_villages, levels_up, roots, values_at, values_in_parallel, village_keys)
from .metrics import METRICS, month_key, remembered
from .models import MonthEndTally
from .periods import parse_period

# --- month ends: a past period's state ---------------------------------------------------------------
# A state metric (kept with ``as_of_today``) reads its records at the period's end only, so a past
# period's value is the value at the end of its last month: kept per village for the months of
# ``months_to_keep``, filled by the same per-village forms with a period ending on
# that month's last day (so kept == counted by definition), summed up the levels like today's.

KEPT_MONTHS = 36  # how far back month ends are kept ...
EVERY_MONTH = 13  # ... every month's for the last 13 (a month, last year's same month), before that
# only a quarter's last month (the ends of the quarters, halves and years): a write touching a
# long-registered person recomputes 20 or 21 month ends, not 36 (about 40 ms each, mostly building queries).


def snapshot_keys() -> list[str]:
    return [key for key in village_keys() if key in AS_OF_TODAY and METRICS[TALLIES[key][0]].by_village is not None]


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
    delete_rows(MonthEndTally.objects.exclude(month__in=window))  # months that left the window
    kept = kept_months_now()
    missing = [month for month in window if month not in kept]
    if not missing:
        return
    villages, tops = all_villages(), roots()
    village_set, keys = set(villages), snapshot_keys()
    for month in missing:
        values = values_in_parallel(tops, parse_period(month), keys, villages)
        rows = [(village, month, key, n) for (village, key), n in values.items() if n and village in village_set]
        with transaction.atomic():
            delete_rows(MonthEndTally.objects.filter(month=month))
            upsert_month_ends(rows)
            roll_up_month_ends(None, month)
            upsert_month_ends([(top, month, COMPLETE, 1) for top in tops])  # the mark, last


def refresh_month_ends(changes: dict[str, date | None]) -> None:
    """Recompute the kept month ends of villages a write touched, from the month of each one's
    ``since`` on (None: all), in the write's transaction; then the areas above them."""
    kept = sorted(kept_months_now())
    keys = snapshot_keys()
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
        scopes = scopes_over(villages)
        wanted = set(villages)
        values = values_at(scopes, parse_period(month), keys, villages)
        rows += [(village, month, key, n) for (village, key), n in values.items() if n and village in wanted]
    with transaction.atomic():
        for first, villages in sorted(first_of.items()):
            delete_rows(MonthEndTally.objects.filter(area_id__in=villages, month__gte=first))
        upsert_month_ends(sorted(rows))  # one order (village, month, key): no deadlock between writers
        roll_up_month_ends(sorted({v for group in first_of.values() for v in group}), min(first_of))


def scopes_over(villages: list[str], most: int = 4, highest: int | None = None) -> list[str]:
    """At most ``most`` areas (unless the top areas are more) covering ``villages``, as small as
    that allows: the villages themselves, or their townships, counties ... (one grouped query
    over a township answers all its villages at once); never above level ``highest`` if given."""
    scopes = sorted(set(villages))
    while len(scopes) > most:
        above = sorted({codes.parent_code(code) or code for code in scopes})
        if above == scopes or (highest is not None and codes.level_of(above[0]) < highest):
            break
        scopes = above
    return scopes


def kept_months_now() -> set[str]:
    """The months whose ends are kept (marked ``_complete`` on the top areas: read through the
    areas' index, not a scan of every row of every month)."""
    return set(MonthEndTally.objects.filter(area_id__in=roots(), key=COMPLETE).values_list("month", flat=True))


def roll_up_month_ends(villages: list[str] | None, month: str) -> None:
    """Each area above the villages keeps the sum of its children's month ends: ``villages``
    None, every area for ``month``; else the areas above ``villages``, for ``month`` and after."""
    months = {"month": month} if villages is None else {"month__gte": month}
    for level, children, parents in levels_up(villages):
        sums = (MonthEndTally.objects.filter(**children, **months).exclude(key=COMPLETE).order_by()
                .values_list("area__parent", "month", "key").annotate(n=Sum("value"))
                .values_list("area__parent", "month", "key", "n"))
        # In one order (area, month, key), so two writers refreshing one township cannot deadlock.
        sums = sorted((parent, m, key, n) for parent, m, key, n in sums if parent and n)
        above = MonthEndTally.objects.filter(area__level=level, **months).exclude(key=COMPLETE)
        delete_rows(above if parents is None else above.filter(area_id__in=parents))
        upsert_month_ends(sums)


def upsert_month_ends(rows: list[tuple[str, str, str, int]]) -> None:
    """(area, month, key, value) rows of MonthEndTally."""
    upsert_rows(MonthEndTally, ["area_id", "month", "key", "value"], ["area_id", "month", "key"],
            [(area, month, key, int(value)) for area, month, key, value in rows])


def area_month_end(area: str, month: str) -> dict[str, int] | None:
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


