"""The care lists' filters, read once from a query string for the list page and for its ledger
(care/ledgers.py): the same records, scoped through ``areas.scoping`` by the services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from guanai.areas.scoping import area_filter, area_for_user_or_404
from guanai.registry.services import search_persons
from guanai.stats.forms import PeriodForm
from guanai.stats.periods import YEAR, period_containing

from . import services
from .models import Activity, Visit


def parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass
class Listing:
    """A list's records (scoped, filtered, unordered) and what the filters say in words."""

    records: QuerySet
    area: object | None = None  # the Area asked for (``?area=``), else None
    period_text: str = ""
    conditions: str = ""
    extra: dict | None = None
    problem: str = ""  # why a filter was refused (the page shows its default instead; a ledger is not written)


def _area(user, params: Mapping[str, str]):
    code = (params.get("area") or "").strip()
    # Out of scope and missing are the same 404 (a page); a job re-reads what its page accepted.
    return area_for_user_or_404(user, code) if code else None


def visit_listing(user, params: Mapping[str, str], *, base: QuerySet | None = None) -> Listing:
    """走访记录: ?q= (recipient), ?mode=, ?area=, ?period= (2026Q3, 2026年第三季度), ?from= / ?to=.
    ``base`` replaces the user's scoped visits where a page bounds them itself (a large area's
    newest-first list, whose rows are then taken through the scoped queryset)."""
    visits = services.visits_for(user) if base is None else base
    words = []
    q = (params.get("q") or "").strip()
    if q:
        visits = visits.filter(person__in=search_persons(user, q, status=None).values("pk"))
        words.append(f"对象“{q}”")
    mode = params.get("mode") or ""
    if mode in dict(Visit.MODE_CHOICES):
        visits = visits.filter(mode=mode)
        words.append(f"方式{dict(Visit.MODE_CHOICES)[mode]}")
    area = _area(user, params)
    if area is not None:
        visits = visits.filter(area_filter("area", area.code))
    period_form = PeriodForm(params, default=None, blank="全部日期")
    period = period_form.period
    problems = [period_form.problem] if period_form.problem else []
    dates = {}
    for key, label in (("from", "起始日期"), ("to", "截止日期")):
        text = (params.get(key) or "").strip()
        dates[key] = parse_date(text)
        if text and dates[key] is None:  # typed into the address: said, not silently dropped
            problems.append(f"{label}“{text[:20]}”无法识别，请按2026-07-01的格式填写")
    start, end = dates["from"], dates["to"]
    if period is not None:
        start, end = max(start or period.start, period.start), min(end or period.end, period.end)
    if start:
        visits = visits.filter(visit_date__gte=start)
    if end:
        visits = visits.filter(visit_date__lte=end)
    if period is not None and (start, end) == (period.start, period.end):
        span = f"{period.label}（{start.isoformat()}至{end.isoformat()}）"
    elif start or end:
        span = f"{start.isoformat() if start else '最早'}至{end.isoformat() if end else '今'}"
    else:
        span = ""
    return Listing(visits, area=area, period_text=span, conditions="，".join(words),
                   extra={"period_form": period_form, "start": start, "end": end},
                   problem="；".join(problems))


def activity_listing(user, params: Mapping[str, str]) -> Listing:
    """活动: ?kind=, ?period= (this year unless chosen): one period for the list and its figures."""
    activities = services.activities_for(user)
    kind = params.get("kind") or ""
    if kind not in dict(Activity.KIND_CHOICES):
        kind = ""
    if kind:
        activities = activities.filter(kind=kind)
    period_form = PeriodForm(params, default=period_containing(YEAR, timezone.localdate()))
    period = period_form.period
    activities = activities.filter(held_on__gte=period.start, held_on__lte=period.end)
    return Listing(activities, period_text=f"{period.label}（{period.start.isoformat()}至{period.end.isoformat()}）",
                   conditions=f"类型{dict(Activity.KIND_CHOICES)[kind]}" if kind else "",
                   extra={"kind": kind, "period": period, "period_form": period_form},
                   problem=period_form.problem or "")


def pairing_listing(user, params: Mapping[str, str]) -> Listing:
    """结对帮扶: ?show=active (the default) or all, ?q= (helper's or recipient's name)."""
    pairings = services.pairings_for(user)
    show = params.get("show", "active")
    today = timezone.localdate()
    words = []
    if show == "active":
        pairings = pairings.filter(start_date__lte=today).exclude(end_date__lt=today)
        words.append("进行中的结对")
    q = (params.get("q") or "").strip()
    if q:
        pairings = pairings.filter(helper__name__startswith=q) | pairings.filter(person__name__startswith=q)
        words.append(f"姓名“{q}”")
    return Listing(pairings, conditions="，".join(words), extra={"show": show, "q": q})


def home_listing(user, params: Mapping[str, str]) -> Listing:
    """爱心家园/儿童之家: ?area= within one's scope."""
    homes = services.care_homes_for(user)
    area = _area(user, params)
    if area is not None:
        homes = homes.filter(area_filter("area", area.code))
    return Listing(homes, area=area)
