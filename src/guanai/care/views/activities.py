"""Activities (关爱活动): the list, export, the form, an activity and its photos."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from guanai.core.idempotency import once_per_token
from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.accounts.roles import user_role
from guanai.areas.scoping import get_scoped_or_404, scope_queryset
from guanai.core.pagination import list_query, paginate
from guanai.core.uploads import stored_file_response
from guanai.core.validation import parse_pks
from guanai.registry.models import Person
from guanai.core.forms import add_validation_errors
from guanai.ledgers import views as ledger_views

from .. import metrics, services
from .. import listing as listing_of
from ..forms import ActivityForm, material_rows_from
from ..models import Activity, ActivityPhoto
from ..permissions import ACTIVITY_EDIT_ROLES, ACTIVITY_VIEW_ROLES, WORKER_ROLES


# --- activities -----------------------------------------------------------------------------

@roles_required(*ACTIVITY_VIEW_ROLES)
def activity_list(request):
    listing = listing_of.activity_listing(request.user, request.GET)
    activities = listing.records.select_related("area", "area__parent__parent").prefetch_related("organisers")
    kind, period, period_form = listing.extra["kind"], listing.extra["period"], listing.extra["period_form"]
    summary = None
    if request.user.area_id:  # the figures of the user's area in the period, from the metric functions
        code = request.user.area_id
        summary = {"activities": metrics.activities(code, period, kind or None),
                   "participants": metrics.activity_participants(code, period, kind or None),
                   "beneficiaries": metrics.activity_beneficiaries(code, period, kind or None),
                   "volunteers": metrics.activity_volunteers(code, period, kind or None)}
    return render(request, "care/activity_list.html", {
        "page": paginate(request, activities.order_by("-held_on", "-pk")), "kind": kind, "summary": summary,
        "period": period, "period_form": period_form, "own_unit": user_role(request.user) == roles.UNIT,
        "kind_choices": Activity.KIND_CHOICES, "may_edit": user_role(request.user) in ACTIVITY_EDIT_ROLES,
        "print_period": listing.period_text, "query_string": list_query(request)})


@roles_required(*ACTIVITY_VIEW_ROLES)
def activity_export(request):
    return ledger_views.respond(request, "care.activities", back=reverse("care:activity_list"))


@roles_required(*ACTIVITY_EDIT_ROLES)
@once_per_token
def activity_create(request):
    user = request.user
    form = ActivityForm(request.POST or None, request.FILES or None, user=user)
    may_name = user_role(user) in WORKER_ROLES
    chosen_ids = parse_pks(request.POST.getlist("persons")) if may_name else []
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
    return stored_file_response(photo.image, photo.content_type, missing="照片文件不存在")
