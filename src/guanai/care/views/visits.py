"""Visits: the list, export, recipient search, the form, a visit and its photos; and the visit
form that works offline on a phone (its page and service worker)."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from guanai.core.idempotency import once_per_token
from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.forms import area_choices
from guanai.areas.scoping import get_scoped_or_404, scope_queryset, user_or_top_area_code
from guanai.core.db import not_driving_an_index
from guanai.core.pagination import keyset_page, list_query, paginate
from guanai.core.uploads import stored_file_response
from guanai.core.validation import parse_pk
from guanai.registry.models import Household, Person
from guanai.registry.services import search_persons
from guanai.stats.metrics import compute
from guanai.stats.periods import Period
from guanai.core.forms import add_validation_errors
from guanai.ledgers import views as ledger_views

from .. import followup, selectors, services
from .. import listing as listing_of
from ..forms import VisitForm, aid_rows_from
from ..models import AidItem, Visit, VisitPhoto
from ..permissions import VISIT_ROLES, WORKER_ROLES
from ..photos import signature_from_data_url


# --- visits -----------------------------------------------------------------------------

@roles_required(*VISIT_ROLES)
def visit_list(request):
    listing = listing_of.visit_listing(request.user, request.GET)
    visits = listing.records
    scope = request.user.area_id
    order = ("-visit_date", "-pk")
    related = ("person", "household", "area", "area__parent__parent")
    if user_role(request.user) == roles.VOLUNTEER or (scope and len(codes.prefix_of(scope)) >= 9):
        # A township's or a village's list (a volunteer's recipients): counted, numbered pages.
        page = paginate(request, visits.select_related(*related).order_by(*order))
    else:
        # A county's, a city's or a province's: "更多" after the last row shown, read newest first
        # along the date index (the area tested on the way, not walked); the rows found are then
        # taken through the scoped queryset. The count of a date range is the visits metric's
        # (kept per village and month), the figure the home card shows.
        newest = Visit.objects.filter(pk__gt=0)  # the condition of the partial index care_visit_newest
        if scope:
            low, high = codes.subtree_bounds(scope)
            newest = newest.alias(_area=not_driving_an_index("area_id")).filter(_area__gte=low, _area__lt=high)
        page = keyset_page(request, listing_of.visit_listing(request.user, request.GET, base=newest).records, order)
        shown = {v.pk: v for v in visits.select_related(*related).filter(pk__in=[v.pk for v in page.object_list])}
        page.object_list = [shown[v.pk] for v in page.object_list if v.pk in shown]
        start, end = listing.extra["start"], listing.extra["end"]
        # The filter form sends every field, empty ones too: a blank mode is no condition.
        if start and end and not request.GET.get("q", "").strip() and not request.GET.get("mode"):
            code = listing.area.code if listing.area is not None else user_or_top_area_code(request.user)
            page.paginator.count = compute("visits", code, Period(start, end, "range"))
    # The aid of the page's visits only, in one query.
    aid = {row["visit_id"]: row for row in AidItem.objects.filter(visit__in=[v.pk for v in page.object_list])
           .values("visit_id").annotate(count=Count("pk"), value=Sum("value_yuan"))}
    for visit in page.object_list:
        visit.aid_count = aid.get(visit.pk, {}).get("count", 0)
        visit.aid_value = aid.get(visit.pk, {}).get("value")
    title = "我的走访" if user_role(request.user) == roles.VOLUNTEER else "走访记录"
    # The count line says which dates it counts (a home card's 本月走访 links here with the month).
    span = listing.period_text or "全部日期"
    return render(request, "care/visit_list.html", {
        "page": page, "title": title, "filters": request.GET, "mode_choices": Visit.MODE_CHOICES, "span": span,
        "period_form": listing.extra["period_form"], "area": listing.area, "problem": listing.problem,
        "print_area": listing.area.full_name if listing.area else None, "print_period": listing.period_text,
        "query_string": list_query(request), "area_options": _area_options(request.user)})


def _area_options(user) -> list:
    """The visit list's area choices: townships for a county or above, villages for a township."""
    if user_role(user) not in (roles.ADMIN, roles.STAFF):
        return []
    level = codes.level_of(user.area_id) if user.area_id else 0
    if level >= codes.VILLAGE:
        return []
    return area_choices(user, levels=(codes.VILLAGE,) if level == codes.TOWNSHIP else (codes.TOWNSHIP,))


@roles_required(*VISIT_ROLES)
def visit_export(request):
    return ledger_views.respond(request, "care.visits", back=reverse("care:visit_list"))


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
    persons = list(persons.select_related("area", "area__parent__parent").prefetch_related("categories").order_by("name", "pk")[:12])
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
@once_per_token
def visit_create(request):
    today = timezone.localdate()
    person = None
    person_id = request.POST.get("person") if request.method == "POST" else request.GET.get("person")
    if person_id:
        # Out of scope (for a volunteer: not in an active pairing) reads as missing: a 404.
        person = scope_queryset(Person.objects.select_related("area"), request.user).filter(
            pk=parse_pk(person_id) or 0).first()
        if person is None:
            raise Http404("走访对象不存在或不在您的管辖或结对范围内")
    household = None
    household_id = request.POST.get("household") if request.method == "POST" else request.GET.get("household")
    if household_id and person is None:
        # A visit to a whole household (入户走访一户), chosen from a person's household section.
        household = scope_queryset(Household.objects.select_related("area"), request.user).filter(
            pk=parse_pk(household_id) or 0).first()
        if household is None:
            raise Http404("家庭户不存在或不在您的管辖范围内")
    recipient = _recipient_json(person, today)
    form = VisitForm(request.POST or None, initial={
        "visit_date": today, "mode": Visit.HOME, "person": person.pk if person else None,
        "next_visit_on": recipient["next"] or None})
    aid_rows = aid_rows_from(request.POST) if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.create_visit(
                user=request.user, person=person, household=household,
                visit_date=data["visit_date"], mode=data["mode"],
                findings=data["findings"], needs=data["needs"], risk_level=data["risk_level"],
                next_visit_on=data["next_visit_on"], aid=aid_rows, other_visitors=data["other_visitors"],
                photos=[f for f in request.FILES.getlist("photos") if f.size], keep_location=data["keep_location"],
                signature=signature_from_data_url(data["signature"]),
                signature_declined=data["signature_declined"], signature_note=data["signature_note"])
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
        "mode_choices": Visit.MODE_CHOICES, "risk_choices": Visit.RISK_CHOICES,
        "offline_form": user_role(request.user) in OFFLINE_ROLES,
        "may_set_risk": services.may_set_risk(request.user), "may_record_cash": services.may_record_cash(request.user)})


@roles_required(*VISIT_ROLES)
def visit_detail(request, pk: int):
    visit = selectors.visit_for_view(request.user, pk)
    images = list(visit.photos.all())
    return render(request, "care/visit_detail.html", {
        "visit": visit, "aid_items": list(visit.aid_items.all()), "visitors": list(visit.visitors.all()),
        "photos": [p for p in images if p.kind == VisitPhoto.PHOTO],
        "signature": next((p for p in images if p.kind == VisitPhoto.SIGNATURE), None),
        "may_see_person": user_role(request.user) in WORKER_ROLES})


@roles_required(*VISIT_ROLES)
def visit_photo(request, pk: int):
    """A visit's photo or signature, to whoever may see the visit (others: 404)."""
    photo = get_scoped_or_404(VisitPhoto.objects.all(), request.user, pk=pk)
    return stored_file_response(photo.image, photo.content_type, missing="照片文件不存在")


# --- visits recorded offline on a phone -------------------------------------------------------

# Who records visits away from a signal: the village worker (their village's persons) and a
# volunteer (their pairings). Their own recipients are few; a county's are not for a phone.
OFFLINE_ROLES = (roles.VILLAGE, roles.VOLUNTEER)
# What the service worker keeps for the offline form: the page itself and the files it runs on.
OFFLINE_ASSETS = ("vendor/bootstrap.min.css", "guanai/site.css", "vendor/htmx.min.js", "guanai/site.js",
                  "vendor/alpine.min.js", "vendor/bootstrap.bundle.min.js", "guanai/offline.js",
                  "guanai/manifest.webmanifest", "guanai/icons/guanai-192.png", "guanai/icons/guanai-512.png")


@roles_required(*OFFLINE_ROLES)
def offline_visits(request):
    """The installable visit form that works without a connection (static/guanai/offline.js):
    recipients cached on the phone, visits queued there and sent through the API."""
    user = request.user
    config = {
        "user": user.get_username(), "role": user_role(user), "swUrl": reverse("care:service_worker"),
        "personsUrl": "/api/v1/persons/", "visitsUrl": "/api/v1/visits/",
        "photosUrl": "/api/v1/visits/{id}/photos/", "visitUrl": reverse("care:visit_detail", args=[0]),
        "loginUrl": f"{reverse('login')}?next={reverse('care:offline')}",
        "units": dict(services.COMMON_GOODS), "maxPhotos": services.MAX_VISIT_PHOTOS,
    }
    return render(request, "care/offline.html", {
        "config": config, "mode_choices": Visit.MODE_CHOICES, "risk_choices": Visit.RISK_CHOICES,
        "goods": services.COMMON_GOODS})


@functools.cache
def _asset_version() -> str:
    """A digest of what the worker keeps: a changed file makes a new worker, which drops the old copies."""
    from django.contrib.staticfiles import finders
    from django.template.loader import get_template

    digest = hashlib.sha256()
    paths = [finders.find(asset) for asset in OFFLINE_ASSETS] + [get_template("care/offline.html").origin.name]
    for path in paths:
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:12]


@login_not_required  # code only, no data: the browser re-checks it for updates whoever is signed in
def service_worker(request):
    """The offline form's service worker, served from /care/ so that its scope covers the care
    pages (a visit form opened without a connection falls back to the offline form)."""
    from django.conf import settings
    from django.templatetags.static import static

    config = {"version": _asset_version(), "offlineUrl": reverse("care:offline"), "staticUrl": settings.STATIC_URL,
              "assets": [static(asset) for asset in OFFLINE_ASSETS]}
    response = render(request, "care/sw.js", {"config_json": json.dumps(config)},
                      content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("care:visit_list")
    return response
