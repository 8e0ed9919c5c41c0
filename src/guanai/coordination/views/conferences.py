"""Conferences, their member units and duty lists: maintained by the admin and the office."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas.scoping import get_scoped_or_404, user_role
from guanai.core.jobs import start_job
from guanai.core.uploads import save_upload
from guanai.textproc.cells import split_list_items

from .. import services, workflow
from ..forms import CloseUnitForm, ConferenceForm, DutiesForm, LiaisonForm, UnitForm, UploadForm
from ..models import Conference, Duty, MemberUnit
from .common import MANAGE_ROLES, READ_ROLES, REPORT_ROLES, _form_page, _managed_or_404


# --- conferences ----------------------------------------------------------------------------

@roles_required(*READ_ROLES)
def conference_list(request):
    conferences = list(services.conferences_for(request.user).order_by("area_id"))
    if len(conferences) == 1 and user_role(request.user) == roles.UNIT:
        return redirect("coordination:conference_detail", pk=conferences[0].pk)
    may_create = user_role(request.user) == roles.ADMIN or (
        user_role(request.user) == roles.OFFICE and not Conference.objects.filter(area_id=request.user.area_id).exists())
    return render(request, "coordination/conference_list.html", {
        "conferences": conferences, "may_create": may_create,
        "may_import": user_role(request.user) in MANAGE_ROLES})


@roles_required(*MANAGE_ROLES)
def conference_create(request):
    form = ConferenceForm(request.POST or None, user=request.user, initial={"area": request.user.area_id})

    def save(data):
        conference = services.create_conference(acting_user=request.user, area_code=data.pop("area"), **data)
        return f"已建立{conference.name}。", reverse("coordination:conference_detail", args=[conference.pk])

    return _form_page(request, form, "建立联席会议", reverse("coordination:conference_list"), save=save)


def _year(request) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2099 else timezone.localdate().year


@roles_required(*READ_ROLES)
def conference_detail(request, pk: int):
    conference = get_scoped_or_404(Conference.objects.select_related("area"), request.user, pk=pk)
    year = _year(request)
    units = list(conference.units.prefetch_related("users"))
    duties = list(conference.duties.filter(year=year))
    by_unit: dict = {}
    for duty in duties:
        by_unit.setdefault(duty.unit_id, []).append(duty)
    visible = set(services.units_for(request.user).filter(conference=conference).values_list("pk", flat=True))
    for unit in units:
        unit.linkable = unit.pk in visible
        unit.year_duties = [d for d in by_unit.get(unit.pk, []) if d.kind == Duty.RESPONSIBILITY]
        unit.liaisons = [u for u in unit.users.all() if u.is_active]
    years = sorted(set(conference.duties.values_list("year", flat=True)) | {timezone.localdate().year}, reverse=True)
    return render(request, "coordination/conference_detail.html", {
        "conference": conference, "units": units, "year": year, "years": years,
        "work_points": [d for d in by_unit.get(None, []) if d.kind == Duty.WORK_POINT],
        "forms": list(conference.forms.all()), "may_manage": services.office_manages(request.user, conference.area_id),
        "may_read_reports": user_role(request.user) in REPORT_ROLES})


@roles_required(*MANAGE_ROLES)
def conference_edit(request, pk: int):
    conference = get_scoped_or_404(Conference.objects.all(), request.user, pk=pk)
    _managed_or_404(request, conference.area_id)
    form = ConferenceForm(request.POST or None, user=request.user, editing=True, initial={
        "name": conference.name, "office_name": conference.office_name, "office_phone": conference.office_phone,
        "note": conference.note})
    back = reverse("coordination:conference_detail", args=[pk])

    def save(data):
        services.update_conference(acting_user=request.user, conference=conference, **data)
        return "已保存。", back

    return _form_page(request, form, f"修改{conference.name}", back, save=save)


@roles_required(*MANAGE_ROLES)
def conference_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        path = save_upload(data["file"])
        job = start_job("import", f"导入成员单位及职责分工：{data['file'].name}", request.user, {
            "kind": "member_units", "path": path, "options": {"area": data["area"], "year": data["year"]}})
        return redirect("job_detail", pk=job.pk)
    return render(request, "coordination/import.html", {"form": form})


# --- member units and duties -----------------------------------------------------------------

@roles_required(*MANAGE_ROLES)
def unit_add(request, pk: int):
    conference = get_scoped_or_404(Conference.objects.all(), request.user, pk=pk)
    _managed_or_404(request, conference.area_id)
    form = UnitForm(request.POST or None)
    back = reverse("coordination:conference_detail", args=[pk])

    def save(data):
        data.pop("position")
        unit = services.add_unit(acting_user=request.user, conference=conference, **data)
        return f"已增加成员单位{unit.name}。", back

    return _form_page(request, form, f"增加成员单位 · {conference.name}", back, save=save)


def _unit_or_404(request, pk: int) -> MemberUnit:
    return get_scoped_or_404(MemberUnit.objects.select_related("conference", "area"), request.user, pk=pk)


@roles_required(*READ_ROLES)
def unit_detail(request, pk: int):
    unit = _unit_or_404(request, pk)
    duties = list(unit.duties.all()) if unit.conference_id else []
    years: dict = {}
    for duty in duties:
        years.setdefault(duty.year, []).append(duty)
    reports = []
    if user_role(request.user) in REPORT_ROLES:
        reports = list(workflow.reports_for(request.user).filter(unit=unit).order_by("-period_key")[:12])
    return render(request, "coordination/unit_detail.html", {
        "unit": unit, "years": sorted(years.items(), reverse=True), "reports": reports,
        "liaisons": [u for u in unit.users.all() if u.is_active],
        "may_manage": bool(unit.conference_id) and services.office_manages(request.user, unit.area_id)})


@roles_required(*MANAGE_ROLES)
def unit_edit(request, pk: int):
    unit = _unit_or_404(request, pk)
    _managed_or_404(request, unit.area_id)
    form = UnitForm(request.POST or None, initial={key: getattr(unit, key) for key in services.UNIT_FIELDS})
    back = reverse("coordination:unit_detail", args=[pk])

    def save(data):
        services.update_unit(acting_user=request.user, unit=unit, **data)
        return "已保存。", back

    return _form_page(request, form, f"修改成员单位 · {unit.name}", back, save=save)


@roles_required(*MANAGE_ROLES)
def unit_close(request, pk: int):
    unit = _unit_or_404(request, pk)
    _managed_or_404(request, unit.area_id)
    form = CloseUnitForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    back = reverse("coordination:unit_detail", args=[pk])

    def save(data):
        services.close_unit(acting_user=request.user, unit=unit, closed_on=data["closed_on"],
                            reason=data["closed_reason"])
        return f"{unit.name}已撤销。", back

    return _form_page(request, form, f"撤销成员单位 · {unit.name}", back, save=save, submit_label="撤销")


@roles_required(*MANAGE_ROLES)
def unit_liaison(request, pk: int):
    unit = _unit_or_404(request, pk)
    _managed_or_404(request, unit.area_id)
    form = LiaisonForm(request.POST or None, user=request.user, unit=unit)
    back = reverse("coordination:unit_detail", args=[pk])

    def save(data):
        account = services.assign_liaison(acting_user=request.user, unit=unit, account=data["account"])
        return f"已指定{account}为{unit.name}联络员。", back

    return _form_page(request, form, f"指定联络员 · {unit.name}", back, save=save)


@roles_required(*MANAGE_ROLES)
def duties_edit(request, pk: int):
    conference = get_scoped_or_404(Conference.objects.all(), request.user, pk=pk)
    _managed_or_404(request, conference.area_id)
    unit = conference.units.filter(pk=request.GET.get("unit") or 0).first() if str(
        request.GET.get("unit", "")).isdigit() else None
    year = _year(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in dict(Duty.KIND_CHOICES) else (
        Duty.RESPONSIBILITY if unit else Duty.WORK_POINT)
    current = conference.duties.filter(year=year, kind=kind, unit=unit).values_list("text", flat=True)
    form = DutiesForm(request.POST or None, conference=conference,
                      initial={"year": year, "kind": kind, "unit": unit, "items": "\n".join(current)})
    back = reverse("coordination:conference_detail", args=[pk])

    def save(data):
        duties = services.set_duties(acting_user=request.user, conference=conference, year=data["year"],
                                     kind=data["kind"], unit=data["unit"], items=split_list_items(data["items"]))
        return (f"已保存{data['year']}年{dict(Duty.KIND_CHOICES)[data['kind']]}{len(duties)}项。",
                f"{back}?year={data['year']}")

    return _form_page(request, form, f"工作要点与职责分工 · {conference.name}", back, save=save)
