"""Care pages: thin views that parse, call one service, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_filter, get_scoped_or_404, may_see_area, scope_queryset, user_role
from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.core.pagination import CappedPaginator
from guanai.registry import categories as cat
from guanai.registry.models import Household, Person, PersonCategory
from guanai.registry.services import search_persons
from guanai.stats import metrics
from guanai.stats.periods import PeriodError, parse_period
from guanai.stats.tallies import tally
from guanai.core.forms import add_validation_errors

from . import followup, services
from .forms import (ActivityForm, CareHomeForm, HelperForm, InspectionForm, PairingForm, VisitForm, aid_rows_from,
                    material_rows_from)
from .models import Activity, ActivityPhoto, AidItem, CareHome, Inspection, Pairing, Visit

# Who records visits: workers of an area, and volunteers (their paired recipients only).
VISIT_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.VOLUNTEER)
WORKER_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)
COVERAGE_ROLES = (roles.ADMIN, roles.STAFF, roles.OFFICE, roles.LEADER)
PAIRING_VIEW_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT)
HELPER_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT)
ACTIVITY_VIEW_ROLES = tuple(roles.ALL)
ACTIVITY_EDIT_ROLES = (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.STAFF, roles.VILLAGE)
HOME_VIEW_ROLES = (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.STAFF, roles.VILLAGE, roles.LEADER, roles.VOLUNTEER)
HOME_EDIT_ROLES = (roles.ADMIN, roles.OFFICE, roles.STAFF)
PAGE_SIZE = 50


def _page(request, queryset):
    page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    page.query_string = params.urlencode()
    return page


class _PeekPage:
    """A page that looks one row ahead instead of counting: for lists whose rows cost a
    computation each (the due list of a county or a city), "is there a next page" is cheap,
    "how many in all" is not."""

    def __init__(self, request, queryset, per_page: int = PAGE_SIZE):
        try:
            self.number = max(1, int(request.GET.get("page", 1)))
        except ValueError:
            self.number = 1
        start = (self.number - 1) * per_page
        rows = list(queryset[start:start + per_page + 1])
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page
        self.paginator = type("Unknown", (), {"count": None, "capped": False, "num_pages": None})()
        params = request.GET.copy()
        params.pop("page", None)
        self.query_string = params.urlencode()

    def __iter__(self):
        return iter(self.object_list)

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def _month_period():
    today = timezone.localdate()
    return parse_period(f"{today:%Y-%m}")


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# --- visits -----------------------------------------------------------------------------

@roles_required(*VISIT_ROLES)
def visit_list(request):
    get = request.GET
    visits = services.visits_for(request.user)
    q = get.get("q", "").strip()
    if q:
        visits = visits.filter(person__in=search_persons(request.user, q, status=None).values("pk"))
    if get.get("mode") in dict(Visit.MODE_CHOICES):
        visits = visits.filter(mode=get["mode"])
    if start := _parse_date(get.get("from")):
        visits = visits.filter(visit_date__gte=start)
    if end := _parse_date(get.get("to")):
        visits = visits.filter(visit_date__lte=end)
    page = _page(request, visits.select_related("person", "household", "area").order_by("-visit_date", "-pk"))
    # The aid of the page's visits only, in one query.
    aid = {row["visit_id"]: row for row in AidItem.objects.filter(visit__in=[v.pk for v in page.object_list])
           .values("visit_id").annotate(count=Count("pk"), value=Sum("value_yuan"))}
    for visit in page.object_list:
        visit.aid_count = aid.get(visit.pk, {}).get("count", 0)
        visit.aid_value = aid.get(visit.pk, {}).get("value")
    title = "我的走访" if user_role(request.user) == roles.VOLUNTEER else "走访记录"
    return render(request, "care/visit_list.html", {
        "page": page, "title": title, "filters": get, "mode_choices": Visit.MODE_CHOICES})


@roles_required(*VISIT_ROLES)
def recipient_search(request):
    """Recipients for the visit and pairing forms (htmx): name, pinyin, initials, phone."""
    q = request.GET.get("q", "").strip()
    if user_role(request.user) == roles.VOLUNTEER:
        persons = services.my_recipients(request.user)
        if q:
            persons = persons.filter(pk__in=search_persons(request.user, q).values("pk"))
    elif q:
        persons = search_persons(request.user, q)
    else:
        persons = Person.objects.none()
    persons = list(persons.select_related("area").prefetch_related("categories").order_by("name", "pk")[:12])
    today = timezone.localdate()
    for person in persons:
        person.suggested_next = followup.suggest_next_visit(
            [c.category for c in person.categories.all()], person.current_risk, today)
    return render(request, "care/recipient_results.html", {"persons": persons, "q": q})


def _recipient_json(person: Person | None, today: date) -> dict:
    if person is None:
        return {"id": "", "name": "", "next": ""}
    categories = list(person.categories.values_list("category", flat=True))
    suggested = followup.suggest_next_visit(categories, person.current_risk, today)
    return {"id": person.pk, "name": f"{person.name}（{person.area.name}）",
            "next": suggested.isoformat() if suggested else ""}


@roles_required(*VISIT_ROLES)
def visit_create(request):
    today = timezone.localdate()
    person = None
    person_id = request.POST.get("person") if request.method == "POST" else request.GET.get("person")
    if person_id and str(person_id).isascii() and str(person_id).isdigit():
        person = scope_queryset(Person.objects.select_related("area"), request.user).filter(pk=person_id).first()
    household = None
    household_id = request.POST.get("household") if request.method == "POST" else request.GET.get("household")
    if household_id and str(household_id).isascii() and str(household_id).isdigit() and person is None:
        # A visit to a whole household (入户走访一户), chosen from a person's household section.
        household = scope_queryset(Household.objects.select_related("area"), request.user).filter(pk=household_id).first()
        if household is None:
            raise Http404("家庭户不存在或不在您的管辖范围内")
    recipient = _recipient_json(person, today)
    form = VisitForm(request.POST or None, initial={
        "visit_date": today, "mode": Visit.HOME, "person": person.pk if person else None,
        "next_visit_on": recipient["next"] or None})
    aid_rows = aid_rows_from(request.POST) if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if household is None and data["person"] and person is None:
            # Not found within scope: the same answer as for a person who does not exist.
            form.add_error(None, "走访对象不在您的管辖或结对范围内")
        else:
            try:
                visit = services.create_visit(
                    user=request.user, person=person, household=household,
                    visit_date=data["visit_date"], mode=data["mode"],
                    findings=data["findings"], needs=data["needs"], risk_level=data["risk_level"],
                    next_visit_on=data["next_visit_on"], aid=aid_rows, other_visitors=data["other_visitors"])
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"已保存对{visit.recipient_name}的走访。")
                return redirect("care:visit_detail", pk=visit.pk)
    initial = {"recipient": recipient, "aid": aid_rows or [], "units": dict(services.COMMON_GOODS),
               "mode": request.POST.get("mode", Visit.HOME) if request.method == "POST" else Visit.HOME,
               "risk": request.POST.get("risk_level", "") if request.method == "POST" else "",
               "next": request.POST.get("next_visit_on", "") if request.method == "POST" else recipient["next"]}
    return render(request, "care/visit_form.html", {
        "form": form, "initial": initial, "today": today, "goods": services.COMMON_GOODS, "household": household,
        "mode_choices": Visit.MODE_CHOICES, "risk_choices": Visit.RISK_CHOICES})


@roles_required(*VISIT_ROLES)
def visit_detail(request, pk: int):
    visit = get_scoped_or_404(Visit.objects.select_related("person", "person__area", "household", "area", "created_by"),
                              request.user, pk=pk)
    record(AuditEvent.VIEW, user=request.user, obj=visit, request=request)
    return render(request, "care/visit_detail.html", {
        "visit": visit, "aid_items": list(visit.aid_items.all()), "visitors": list(visit.visitors.all()),
        "may_see_person": user_role(request.user) in WORKER_ROLES})


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
        if not Area.objects.filter(pk=area).exists() or not may_see_area(request.user, area):
            raise Http404("记录不存在或您无权查看")
        persons = persons.filter(area_filter("area", area))
    status = request.GET.get("status") or ""
    # A village's or township's list is counted in full and sorted by urgency. A county's or
    # a city's is long: it opens on the overdue, sorted by area and name (an index serves it),
    # and its overdue count comes from the village tallies the metric functions fill.
    scope = area or request.user.area_id or ""
    small = bool(scope) and len(codes.prefix_of(scope)) >= 9
    if small:
        counts = followup.status_counts(persons, today)
    else:
        status = status or followup.OVERDUE
        overdue = None if category else (tally(scope or None, "persons_due_visit")
                                          - tally(scope or None, "persons_visited_in_time"))
        counts = {followup.OVERDUE: overdue, followup.FIRST: None, followup.SOON: None}
    rows = followup.due_persons(persons, today, status if status in followup.STATUS_LABELS else None, by_urgency=small)
    rows = rows.select_related("area").prefetch_related(Prefetch("categories", queryset=PersonCategory.objects.all()))
    page = _page(request, rows) if small else _PeekPage(request, rows)
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
    try:
        period = parse_period(request.GET.get("period", "")) if request.GET.get("period") else _month_period()
    except PeriodError as exc:
        messages.error(request, str(exc))
        period = _month_period()
    category = request.GET.get("category") or None
    if category not in cat.CATEGORY_LABELS:
        category = None
    if area_code:
        area = Area.objects.filter(pk=area_code).select_related("parent").first()
        if area is None or not may_see_area(user, area_code):
            raise Http404("记录不存在或您无权查看")
        children = list(Area.objects.filter(parent=area).order_by("code"))
    else:  # the admin without an area: the top of the tree
        area = None
        children = list(Area.objects.filter(parent__isnull=True).order_by("code"))

    # Grouped queries for the rows; each row equals the metrics of that child area.
    if area is not None:
        by_child = metrics.visit_coverage_by_child(area.code, period, category)
    else:
        by_child = {}
        for child in children:
            by_child.update({child.code: {"due": metrics.persons_due_visit(child.code, period, category),
                                          "covered": metrics.persons_visited_in_time(child.code, period, category)}})
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
        "area": area, "rows": rows, "total": total, "period": period, "category": category,
        "category_choices": cat.CATEGORY_CHOICES, "as_of": min(period.end, timezone.localdate()),
        "parent_code": area.parent_id if area and area.parent_id and may_see_area(user, area.parent_id) else None})


# --- helpers and pairings --------------------------------------------------------------------

@roles_required(*PAIRING_VIEW_ROLES)
def pairing_list(request):
    pairings = services.pairings_for(request.user).select_related("helper", "helper__unit", "person", "area")
    show = request.GET.get("show", "active")
    today = timezone.localdate()
    if show == "active":
        pairings = pairings.filter(start_date__lte=today).exclude(end_date__lt=today)
    if q := request.GET.get("q", "").strip():
        pairings = pairings.filter(helper__name__startswith=q) | pairings.filter(person__name__startswith=q)
    return render(request, "care/pairing_list.html", {
        "page": _page(request, pairings.order_by("-start_date", "-pk")), "show": show, "q": q,
        "may_edit": user_role(request.user) in WORKER_ROLES})


@roles_required(*WORKER_ROLES)
def pairing_create(request):
    helpers = services.helpers_for(request.user)
    form = PairingForm(request.POST or None, helpers=helpers, initial={"start_date": timezone.localdate()})
    chosen_ids = [int(x) for x in request.POST.getlist("persons") if x.isascii() and x.isdigit()] if request.method == "POST" else []
    chosen = list(scope_queryset(Person.objects.filter(pk__in=chosen_ids), request.user).select_related("area"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if len(chosen) != len(set(chosen_ids)):
            form.add_error(None, "部分帮扶对象不在您的管辖范围内")
        else:
            try:
                created = services.create_pairing(user=request.user, helper=data["helper"], persons=chosen,
                                                  start_date=data["start_date"], end_date=data["end_date"],
                                                  note=data["note"])
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"已登记{len(created)}对结对帮扶。")
                return redirect("care:pairing_list")
    chosen_json = [{"id": p.pk, "name": f"{p.name}（{p.area.name}）"} for p in chosen]
    return render(request, "care/pairing_form.html", {"form": form, "chosen": chosen_json,
                                                      "has_helpers": helpers.exists()})


@roles_required(*WORKER_ROLES)
@require_POST
def pairing_end(request, pk: int):
    pairing = get_scoped_or_404(Pairing.objects.select_related("helper", "person"), request.user, pk=pk)
    try:
        services.end_pairing(user=request.user, pairing=pairing, end_date=_parse_date(request.POST.get("end_date")),
                             reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已结束{pairing.helper.name}与{pairing.person.name}的结对。")
    return redirect("care:pairing_list")


@roles_required(*HELPER_ROLES)
def helper_list(request):
    helpers = services.helpers_for(request.user).select_related("unit", "area", "user").annotate(
        pairing_count=Count("pairings"))
    return render(request, "care/helper_list.html", {"page": _page(request, helpers.order_by("area_id", "name", "pk"))})


@roles_required(*HELPER_ROLES)
def helper_create(request):
    form = HelperForm(request.POST or None, user=request.user, initial={"area": request.user.area_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            helper = services.create_helper(user=request.user, name=data["name"], kind=data["kind"],
                                            area_code=data["area"], phone=data["phone"], unit=data["unit"],
                                            account=data["account"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已登记帮扶人{helper.name}。")
            return redirect("care:helper_list")
    return render(request, "core/form_page.html", {"form": form, "title": "登记帮扶人",
                                                   "cancel_url": reverse("care:helper_list")})


@roles_required(roles.VOLUNTEER)
def my_recipients(request):
    today = timezone.localdate()
    persons = followup.annotate_status(services.my_recipients(request.user), today)
    persons = list(persons.select_related("area").prefetch_related("categories").order_by("name", "pk"))
    for person in persons:
        person.due_on = followup.due_date(person, [c.category for c in person.categories.all()], today)
    pairings = services.pairings_for(request.user).filter(person__in=[p.pk for p in persons]).select_related("helper")
    since = {p.person_id: p for p in pairings}
    for person in persons:
        person.pairing = since.get(person.pk)
    return render(request, "care/my_recipients.html", {"persons": persons, "today": today,
                                                       "status_labels": followup.STATUS_LABELS})


# --- activities -----------------------------------------------------------------------------

@roles_required(*ACTIVITY_VIEW_ROLES)
def activity_list(request):
    activities = services.activities_for(request.user).select_related("area").prefetch_related("organisers")
    kind = request.GET.get("kind") or ""
    if kind in dict(Activity.KIND_CHOICES):
        activities = activities.filter(kind=kind)
    summary = None
    if request.user.area_id:  # this year's figures of the user's area, from the metric functions
        year = parse_period(str(timezone.localdate().year))
        code = request.user.area_id
        summary = {"year": year.label, "activities": metrics.activities(code, year, kind or None),
                   "participants": metrics.activity_participants(code, year, kind or None),
                   "beneficiaries": metrics.activity_beneficiaries(code, year, kind or None),
                   "volunteers": metrics.activity_volunteers(code, year, kind or None)}
    return render(request, "care/activity_list.html", {
        "page": _page(request, activities.order_by("-held_on", "-pk")), "kind": kind, "summary": summary,
        "kind_choices": Activity.KIND_CHOICES, "may_edit": user_role(request.user) in ACTIVITY_EDIT_ROLES})


@roles_required(*ACTIVITY_EDIT_ROLES)
def activity_create(request):
    user = request.user
    form = ActivityForm(request.POST or None, request.FILES or None, user=user)
    may_name = user_role(user) in WORKER_ROLES
    chosen_ids = [int(x) for x in request.POST.getlist("persons") if x.isascii() and x.isdigit()] if may_name else []
    chosen = list(scope_queryset(Person.objects.filter(pk__in=chosen_ids), user).select_related("area"))
    materials = material_rows_from(request.POST) if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.create_activity(
                user=user, title=data["title"], kind=data["kind"], held_on=data["held_on"], area_code=data["area"],
                place=data["place"], organisers=list(data["organisers"]),
                volunteers_count=data["volunteers_count"] or 0, participants_count=data["participants_count"] or 0,
                beneficiaries_count=data["beneficiaries_count"] or 0,
                consultations_count=data["consultations_count"] or 0, funds_yuan=data["funds_yuan"] or 0,
                description=data["description"], materials=materials, beneficiaries=chosen,
                photos=request.FILES.getlist("photos"))
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已登记活动“{activity.title}”。")
            return redirect("care:activity_detail", pk=activity.pk)
    return render(request, "care/activity_form.html", {
        "form": form, "may_name": may_name, "materials": materials,
        "chosen": [{"id": p.pk, "name": f"{p.name}（{p.area.name}）"} for p in chosen]})


@roles_required(*ACTIVITY_VIEW_ROLES)
def activity_detail(request, pk: int):
    activity = get_scoped_or_404(Activity.objects.select_related("area", "created_by"), request.user, pk=pk)
    # Named beneficiaries are personal records: each viewer sees those in their own scope.
    beneficiaries = scope_queryset(activity.beneficiaries.all(), request.user).select_related("area")
    return render(request, "care/activity_detail.html", {
        "activity": activity, "organisers": list(activity.organisers.all()), "materials": list(activity.materials.all()),
        "photos": list(activity.photos.all()), "beneficiaries": list(beneficiaries[:200]),
        "beneficiaries_hidden": activity.beneficiaries.count() - beneficiaries.count()})


@roles_required(*ACTIVITY_VIEW_ROLES)
def activity_photo(request, pk: int):
    photo = get_scoped_or_404(ActivityPhoto.objects.all(), request.user, pk=pk)
    try:
        with photo.image.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, ValueError):
        raise Http404("照片文件不存在") from None
    response = HttpResponse(content, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- care homes -------------------------------------------------------------------------------

@roles_required(*HOME_VIEW_ROLES)
def home_list(request):
    homes = services.care_homes_for(request.user).select_related("area", "sponsor_unit")
    homes = list(homes.order_by("area_id", "name")[:500])
    latest = {}
    for inspection in scope_queryset(Inspection.objects.filter(home__in=homes), request.user).order_by(
            "home_id", "-inspected_on", "-pk"):
        latest.setdefault(inspection.home_id, inspection)
    for home in homes:
        home.latest = latest.get(home.pk)
    return render(request, "care/home_list.html", {"homes": homes,
                                                   "may_edit": user_role(request.user) in HOME_EDIT_ROLES})


@roles_required(*HOME_EDIT_ROLES)
def home_create(request):
    form = CareHomeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            home = services.create_care_home(user=request.user, name=data["name"], kind=data["kind"],
                                             area_code=data["area"], sponsor_unit=data["sponsor_unit"],
                                             address=data["address"], opened_on=data["opened_on"],
                                             manager=data["manager"], phone=data["phone"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已登记{home.name}。")
            return redirect("care:home_detail", pk=home.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "登记爱心家园/儿童之家",
                                                   "cancel_url": reverse("care:home_list")})


@roles_required(*HOME_VIEW_ROLES)
def home_detail(request, pk: int):
    home = get_scoped_or_404(CareHome.objects.select_related("area", "sponsor_unit"), request.user, pk=pk)
    return render(request, "care/home_detail.html", {
        "home": home, "inspections": list(home.inspections.select_related("inspector")[:20]),
        "checklist": services.checklist(), "may_inspect": user_role(request.user) in HOME_EDIT_ROLES})


@roles_required(*HOME_EDIT_ROLES)
def home_inspect(request, pk: int):
    home = get_scoped_or_404(CareHome.objects.select_related("area"), request.user, pk=pk)
    form = InspectionForm(request.POST or None, items=services.checklist())
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.record_inspection(user=request.user, home=home,
                                                    inspected_on=form.cleaned_data["inspected_on"],
                                                    results=form.results(), notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已记录检查结果：{inspection.passed}/{inspection.total}项达标。")
            return redirect("care:home_detail", pk=home.pk)
    return render(request, "care/inspection_form.html", {"form": form, "home": home})
