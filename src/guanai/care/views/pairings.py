"""Helpers and pairings (结对): lists, exports, create and end; a volunteer's recipients."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanai.core.idempotency import once_per_token
from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.accounts.roles import user_role
from guanai.areas.scoping import get_scoped_or_404, scope_queryset
from guanai.core.pagination import list_query, paginate
from guanai.core.validation import parse_pks
from guanai.registry.models import Person
from guanai.core.forms import add_validation_errors
from guanai.ledgers import views as ledger_views

from .. import followup, services
from .. import listing as listing_of
from ..forms import HelperForm, PairingForm
from ..models import Pairing
from ..permissions import HELPER_ROLES, PAIRING_VIEW_ROLES, WORKER_ROLES


# --- helpers and pairings --------------------------------------------------------------------

@roles_required(*PAIRING_VIEW_ROLES)
def pairing_list(request):
    listing = listing_of.pairing_listing(request.user, request.GET)
    pairings = listing.records.select_related("helper", "helper__unit", "person", "area", "area__parent__parent")
    return render(request, "care/pairing_list.html", {
        "page": paginate(request, pairings.order_by("-start_date", "-pk")), "show": listing.extra["show"],
        "q": listing.extra["q"], "may_edit": user_role(request.user) in WORKER_ROLES,
        "query_string": list_query(request)})


@roles_required(*PAIRING_VIEW_ROLES)
def pairing_export(request):
    return ledger_views.respond(request, "care.pairings", back=reverse("care:pairing_list"))


@roles_required(*WORKER_ROLES)
@once_per_token
def pairing_create(request):
    helpers = services.helpers_for(request.user)
    form = PairingForm(request.POST or None, helpers=helpers, initial={"start_date": timezone.localdate()})
    chosen_ids = parse_pks(request.POST.getlist("persons")) if request.method == "POST" else []
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
        services.end_pairing(user=request.user, pairing=pairing, end_date=listing_of.parse_date(request.POST.get("end_date")),
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
    return render(request, "care/helper_list.html", {"page": paginate(request, helpers.order_by("area_id", "name", "pk"))})


@roles_required(*HELPER_ROLES)
@once_per_token
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
