"""Protection pages: report, list, detail with steps and time limits, complete a step, close.

There is no delete page: a report is closed with a reason, never removed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from guanai.core.idempotency import once_per_token
from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.accounts.roles import user_role
from guanai.areas.forms import area_choices
from guanai.areas.scoping import get_scoped_or_404, scope_queryset
from guanai.core.forms import StyledForm, add_validation_errors
from guanai.core.pagination import list_query, paginate
from guanai.core.validation import PhoneField, parse_pk
from guanai.registry.models import Person

from guanai.ledgers import views as ledger_views

from . import models as m
from . import selectors, services
from .listing import case_listing
from .models import Case, CaseStep

VIEW_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT, roles.VOLUNTEER)
REPORT_ROLES = tuple(services.REPORT_ROLES)
HANDLER_ROLES = services.HANDLER_ROLES
DATETIME = {"type": "datetime-local"}


class ReportForm(StyledForm):
    situation = forms.ChoiceField(label="发现的情形", choices=m.SITUATION_CHOICES, widget=forms.RadioSelect,
                                  error_messages={"required": "请选择发现的情形"})
    area = forms.ChoiceField(label="发现地所在村（社区）", required=False)
    child = forms.IntegerField(widget=forms.HiddenInput, required=False)
    child_name = forms.CharField(label="儿童姓名", max_length=50, required=False, help_text="不知道姓名可不填，请填写大致年龄")
    child_age = forms.IntegerField(label="年龄（岁）", required=False, min_value=0, max_value=17,
                                   error_messages={"max_value": "强制报告针对未满18周岁的未成年人",
                                                   "min_value": "年龄不能为负数"})
    found_at = forms.DateTimeField(label="发现时间", required=False, widget=forms.DateTimeInput(attrs=DATETIME),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
                                   error_messages={"invalid": "请输入有效时间"})
    location = forms.CharField(label="发现地点", max_length=200, required=False)
    description = forms.CharField(label="情况描述", widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": "请填写情况描述：发现了什么、儿童现在何处"})
    reporter_phone = PhoneField(label="报告人电话", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "请选择")] + area_choices(user)
        if user.area_id and len(self.fields["area"].choices) == 2:
            self.fields["area"].initial = self.fields["area"].choices[1][0]


class StepForm(StyledForm):
    action = forms.CharField(label="处置情况", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "请填写处置情况"})
    handler = forms.CharField(label="经办人/单位", max_length=100, required=False,
                              help_text="如：镇派出所民警、村儿童主任")
    needs_guardianship = forms.BooleanField(label="需要监护干预", required=False)


class CloseForm(StyledForm):
    reason = forms.ChoiceField(label="结案原因", choices=m.CLOSE_REASONS, widget=forms.RadioSelect,
                               error_messages={"required": "请选择结案原因"})
    note = forms.CharField(label="结案说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _with_current_step(cases):
    open_steps = CaseStep.objects.filter(completed_at__isnull=True).order_by("opened_at", "pk")
    return cases.select_related("area", "area__parent__parent", "child").prefetch_related(Prefetch("steps", queryset=open_steps,
                                                                           to_attr="open_steps"))


@roles_required(*VIEW_ROLES)
def case_list(request):
    now = timezone.now()
    found = case_listing(request.user, request.GET, now)
    cases, show, late_steps = found.records, found.show, found.late_steps
    page = paginate(request, _with_current_step(cases).order_by("-reported_at", "-pk"), 50)
    for case in page.object_list:
        case.current = case.open_steps[0] if case.open_steps and case.status == Case.OPEN else None
        case.late = bool(case.current and case.current.is_late(now))
    return render(request, "protection/case_list.html", {"page": page, "show": show, "late_steps": late_steps,
                                                         "may_report": user_role(request.user) in REPORT_ROLES,
                                                         "query_string": list_query(request)})


@roles_required(*VIEW_ROLES)
def case_export(request):
    return ledger_views.respond(request, "protection.cases", back=reverse("protection:list"))


@roles_required(*REPORT_ROLES)
@once_per_token
def report(request):
    user = request.user
    form = ReportForm(request.POST or None, user=user)
    may_pick_child = user_role(user) in HANDLER_ROLES
    child = None
    if request.method == "POST" and may_pick_child and parse_pk(request.POST.get("child")):
        child = scope_queryset(Person.objects.select_related("area"), user).filter(pk=parse_pk(request.POST["child"])).first()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["child"] and child is None:
            form.add_error(None, "所选儿童不在您的管辖范围内")
        else:
            try:
                case = services.report_case(
                    user=user, area_code=data["area"], situation=data["situation"], description=data["description"],
                    found_at=data["found_at"], child=child, child_name=data["child_name"], child_age=data["child_age"],
                    location=data["location"], reporter_phone=data["reporter_phone"])
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"强制报告已提交，编号{case.number}。请保持电话畅通，处置人员会与您联系。")
                if services.cases_for(user).filter(pk=case.pk).exists():
                    return redirect("protection:detail", pk=case.pk)
                return redirect("home")
    return render(request, "protection/report_form.html", {
        "form": form, "may_pick_child": may_pick_child,
        "child": {"id": child.pk, "name": f"{child.name}（{child.area.name}）"} if child else {"id": "", "name": ""}})


@roles_required(*VIEW_ROLES)
def case_detail(request, pk: int):
    case = selectors.case_for_view(request.user, pk)
    now = timezone.now()
    steps = list(case.steps.select_related("completed_by"))
    for step in steps:
        step.late = step.is_late(now)
        step.limit_label = services.limit_label(step.kind)
        step.done_late = bool(step.completed_at and step.completed_at > step.due_at)
    current = next((s for s in steps if s.completed_at is None), None) if case.status == Case.OPEN else None
    may_handle = user_role(request.user) in HANDLER_ROLES and case.status == Case.OPEN
    return render(request, "protection/case_detail.html", {
        "case": case, "steps": steps, "current": current, "may_handle": may_handle,
        "step_form": StepForm() if may_handle and current and current.kind != m.CLOSURE else None,
        "close_form": CloseForm() if may_handle else None})


@roles_required(*HANDLER_ROLES)
@once_per_token
def complete(request, pk: int):
    case = get_scoped_or_404(Case.objects.select_related("area"), request.user, pk=pk)
    current = services.current_step(case)
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            step = services.complete_step(user=request.user, case=case, action=data["action"], handler=data["handler"],
                                          needs_guardianship=data["needs_guardianship"]
                                          if current is not None and current.kind == m.ASSESSMENT else None)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已完成“{step.get_kind_display()}”。")
            return redirect("protection:detail", pk=case.pk)
    return render(request, "protection/step_form.html", {"form": form, "case": case, "current": current})


@roles_required(*HANDLER_ROLES)
@once_per_token
def close(request, pk: int):
    case = get_scoped_or_404(Case.objects.select_related("area"), request.user, pk=pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_case(user=request.user, case=case, reason=form.cleaned_data["reason"],
                                note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"个案{case.number}已结案。")
            return redirect("protection:detail", pk=case.pk)
    return render(request, "protection/close_form.html", {"form": form, "case": case})
