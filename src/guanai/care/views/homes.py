"""Care homes (儿童之家 and the like) and their inspections."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from guanai.core.idempotency import once_per_token
from guanai.accounts.access import roles_required
from guanai.accounts.roles import user_role
from guanai.areas.scoping import get_scoped_or_404, scope_queryset
from guanai.core.forms import add_validation_errors
from guanai.core.pagination import list_query, paginate
from guanai.ledgers import views as ledger_views

from .. import services
from .. import listing as listing_of
from ..forms import CareHomeForm, InspectionForm
from ..models import CareHome, Inspection
from ..permissions import HOME_EDIT_ROLES, HOME_VIEW_ROLES


# --- care homes -------------------------------------------------------------------------------

@roles_required(*HOME_VIEW_ROLES)
def home_list(request):
    listing = listing_of.home_listing(request.user, request.GET)
    page = paginate(request, listing.records.select_related("area", "area__parent__parent", "sponsor_unit")
                    .order_by("area_id", "name", "pk"))
    page.object_list = homes = list(page.object_list)
    latest = {}
    for inspection in scope_queryset(Inspection.objects.filter(home__in=homes), request.user).order_by(
            "home_id", "-inspected_on", "-pk"):
        latest.setdefault(inspection.home_id, inspection)
    for home in homes:
        home.latest = latest.get(home.pk)
    return render(request, "care/home_list.html", {"page": page, "area": listing.area,
                                                   "may_edit": user_role(request.user) in HOME_EDIT_ROLES,
                                                   "query_string": list_query(request)})


@roles_required(*HOME_VIEW_ROLES)
def home_export(request):
    return ledger_views.respond(request, "care.homes", back=reverse("care:home_list"))


@roles_required(*HOME_EDIT_ROLES)
@once_per_token
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
@once_per_token
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
