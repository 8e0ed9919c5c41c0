"""Follow-up: the list of persons due a visit, and visit coverage by area and category."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone

from guanai.accounts.access import roles_required
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_filter, area_for_user_or_404, may_see_area, scope_queryset
from guanai.core.pagination import paginate, peek_page
from guanai.registry import categories as cat
from guanai.registry.models import Person, PersonCategory
from guanai.stats.metrics import compute, memoized
from guanai.stats.forms import PeriodForm

from .. import followup, metrics
from ..permissions import COVERAGE_ROLES, WORKER_ROLES
from .common import PAGE_SIZE, _month_period


# --- follow-up: due list and coverage ------------------------------------------------------

@roles_required(*WORKER_ROLES)
def due_list(request):
    today = timezone.localdate()
    persons = scope_queryset(Person.objects.all(), request.user)
    category = request.GET.get("category") or ""
    if category in cat.CATEGORY_LABELS:
        persons = persons.filter(categories__category=category)
    area = request.GET.get("area", "").strip()
    if area:
        # The overdue count of a large area comes from its tallies, not from the scoped
        # persons: an area outside the user's own must not be asked at all.
        area_for_user_or_404(request.user, area)
        persons = persons.filter(area_filter("area", area))
    status = request.GET.get("status") or ""
    # A village's or township's list is counted in full and sorted by urgency. A county's or
    # a city's is long: it opens on the overdue, sorted by area and name (an index serves it),
    # and its overdue count comes from the village tallies the metric functions fill.
    scope = area or request.user.area_id or ""
    small = bool(scope) and len(codes.prefix_of(scope)) >= 9
    category = category if category in cat.CATEGORY_LABELS else ""
    if not small:
        status = status or followup.OVERDUE
    if small or not category:  # the same conditions, asked of the metrics (a large area's kept figures)
        counts = followup.area_status_counts(scope or None, category or None)
    else:  # a large area by category is not kept: counting it would cost more than the page
        counts = {followup.OVERDUE: None, followup.FIRST: None, followup.SOON: None}
    if not small:
        # On file today is active (exits are never dated ahead): stated plainly, the (status, area,
        # name) index serves the filter and the order, and the page stops after its rows.
        persons = persons.filter(status=Person.ACTIVE)
    rows = followup.due_persons(persons, today, status if status in followup.STATUS_LABELS else None, by_urgency=small)
    rows = rows.select_related("area", "area__parent__parent").prefetch_related(Prefetch("categories", queryset=PersonCategory.objects.all()))
    listed = (counts.get(status) if status in followup.STATUS_LABELS else sum(counts.values())) if small else None
    page = paginate(request, rows, PAGE_SIZE, count=listed) if small else peek_page(request, rows, PAGE_SIZE)
    for person in page.object_list:
        person.due_on = followup.due_date(person, [c.category for c in person.categories.all()], today)
        person.days_late = (today - person.due_on).days if person.due_on and person.due_on < today else 0
    return render(request, "care/due_list.html", {
        "page": page, "counts": counts, "status": status, "status_labels": followup.STATUS_LABELS,
        "category": category, "category_choices": cat.CATEGORY_CHOICES, "today": today,
        "query_string": request.GET.urlencode()})


def _coverage_row(code, period, category, counts) -> dict:
    due, covered = counts["due"], counts["covered"]
    return {"due": due, "covered": covered, "overdue": due - covered,
            "coverage": round(100 * covered / due, 1) if due else None,
            "visits": counts["visits"] if "visits" in counts else metrics.visits(code, period, category)}


@roles_required(*COVERAGE_ROLES)
def coverage(request):
    user = request.user
    area_code = request.GET.get("area", "").strip() or user.area_id
    # The dashboards' period picker (本月/本季度 … 2026年第三季度), which refuses a period not begun.
    period_form = PeriodForm(request.GET, default=_month_period())
    period = period_form.period
    category = request.GET.get("category") or None
    if category not in cat.CATEGORY_LABELS:
        category = None
    if area_code:
        area = area_for_user_or_404(user, area_code)
        children = list(Area.objects.filter(parent=area).order_by("code"))
    else:  # the admin without an area: the top of the tree
        area = None
        children = list(Area.objects.filter(parent__isnull=True).order_by("code"))

    # Each row equals the metrics of that child area: a township's villages in two grouped queries,
    # larger areas' children through compute (their kept aggregates).
    if area is not None and area.level == codes.TOWNSHIP:
        by_child = metrics.visit_coverage_by_child(area.code, period, category)
    else:
        with memoized():
            by_child = {child.code: {name: compute(metric, child.code, period, category=category)
                                     for name, metric in (("due", "persons_due_visit"),
                                                          ("covered", "persons_visited_in_time"), ("visits", "visits"))}
                        for child in children}
    rows = []
    for child in children:
        counts = by_child.get(child.code, {"due": 0, "covered": 0, "visits": 0} if area is not None else
                              {"due": 0, "covered": 0})
        rows.append(_coverage_row(child.code, period, category, counts) | {"area": child,
                                                                          "drill": child.level < codes.VILLAGE})
    total = None
    if area is not None and rows:  # persons are filed in villages: the rows add up to the whole
        total = _coverage_row(area.code, period, category, {key: sum(r[key] for r in rows)
                                                            for key in ("due", "covered", "visits")})
    elif area is not None:
        total = _coverage_row(area.code, period, category, {
            "due": metrics.persons_due_visit(area.code, period, category),
            "covered": metrics.persons_visited_in_time(area.code, period, category)})
    return render(request, "care/coverage.html", {
        "area": area, "rows": rows, "total": total, "period": period, "period_form": period_form, "category": category,
        "category_choices": cat.CATEGORY_CHOICES, "as_of": min(period.end, timezone.localdate()),
        "print_area": area.full_name if area else None, "print_period": period.label,
        "parent_code": area.parent_id if area and area.parent_id and may_see_area(user, area.parent_id) else None})
