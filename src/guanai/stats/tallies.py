"""Current figures per village, summed for any area: dashboards at a million records.

A tally key names a metric and its parameters ("persons_registered:left_behind_child").
``refresh_villages`` recomputes the tallies of the villages a write touched (the
registry's signals do this after each commit; bulk loaders call it at their end).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_filter

from guanai.tasks import task

from .metrics import compute
from .models import AreaTally
from .periods import Period

# key -> (metric name, parameters)
TALLIES: dict[str, tuple[str, dict]] = {
    "persons_registered": ("persons_registered", {}),
    "persons_registered:left_behind_child": ("persons_registered", {"category": "left_behind_child"}),
    "persons_registered:child_in_difficulty": ("persons_registered", {"category": "child_in_difficulty"}),
    "children_without_guardianship": ("children_without_guardianship", {}),
    "persons_at_risk:red": ("persons_at_risk", {"level": "red"}),
    "children_aging_out": ("children_aging_out", {}),
    # Care follow-up (care.services.create_visit refreshes the visit's village after commit).
    "persons_due_visit": ("persons_due_visit", {}),
    "persons_visited_in_time": ("persons_visited_in_time", {}),
}


def _today_period() -> Period:
    today = date.today()
    return Period(today, today, today.isoformat())


def refresh_villages(village_codes: Iterable[str]) -> None:
    period = _today_period()
    villages = [c for c in set(village_codes) if c and codes.level_of(c) == codes.VILLAGE]
    rows = [AreaTally(area_id=code, key=key, value=compute(metric, code, period, **params))
            for code in villages for key, (metric, params) in TALLIES.items()]
    with transaction.atomic():
        AreaTally.objects.filter(area_id__in=villages).delete()
        AreaTally.objects.bulk_create(rows, batch_size=2000)


def refresh_all() -> None:
    from guanai.core.db import refresh_planner_statistics

    # After a bulk load the planner needs fresh statistics to use the area index in
    # the per-village queries below; without them each one can scan the whole table.
    refresh_planner_statistics()
    codes_ = list(Area.objects.filter(level=codes.VILLAGE).values_list("code", flat=True))
    for start in range(0, len(codes_), 500):
        refresh_villages(codes_[start:start + 500])


@task()
def refresh_all_task() -> None:
    refresh_all()


_refresh_requested_on: date | None = None


def ensure_fresh() -> None:
    """Figures that depend on the date (children turning 16) go stale overnight: the
    first dashboard of a new day asks the worker to recompute every village."""
    global _refresh_requested_on
    today = date.today()
    if _refresh_requested_on == today:
        return
    newest = AreaTally.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    if newest is not None and timezone.localdate(newest) < today:
        refresh_all_task.enqueue()
    _refresh_requested_on = today


def tally(area: str | None, key: str) -> int:
    """The current value of ``key`` summed over the villages of ``area`` (None: all)."""
    rows = AreaTally.objects.filter(key=key)
    if area is not None:
        rows = rows.filter(area_filter("area", area))
    return rows.aggregate(n=Sum("value"))["n"] or 0
