"""Report forms (报表): indicators, narrative sections, validation rules, deadlines, open entry."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanai.accounts.access import roles_required
from guanai.areas.scoping import get_scoped_or_404
from guanai.stats.periods import parse_period

from .. import checks, schedule, services, workflow
from ..forms import DeadlineForm, IndicatorForm, OpenEntryForm, ReportFormForm, RuleForm, SectionForm
from ..models import Conference, ReportForm, ValidationRule
from .common import MANAGE_ROLES, READ_ROLES, REVIEW_ROLES, _form_page, _managed_or_404


# --- report forms ------------------------------------------------------------------------------

def _report_form_or_404(request, pk: int) -> ReportForm:
    return get_scoped_or_404(ReportForm.objects.select_related("conference", "conference__area"), request.user, pk=pk)


@roles_required(*MANAGE_ROLES)
def form_create(request, pk: int):
    conference = get_scoped_or_404(Conference.objects.all(), request.user, pk=pk)
    _managed_or_404(request, conference.area_id)
    quarter = parse_period(f"{timezone.localdate().year}Q1")
    form = ReportFormForm(request.POST or None, initial={"first_period": quarter.key, "name": "成员单位工作进展季度报表"})

    def save(data):
        data.pop("active")
        report_form = services.create_form(acting_user=request.user, conference=conference, **data)
        return (f"已新建报表“{report_form.name}”，请添加指标和文字栏目。",
                reverse("coordination:form_detail", args=[report_form.pk]))

    return _form_page(request, form, f"新建报表 · {conference.name}",
                      reverse("coordination:conference_detail", args=[pk]), save=save)


@roles_required(*READ_ROLES)
def form_detail(request, pk: int):
    report_form = _report_form_or_404(request, pk)
    indicators = list(report_form.indicators.all())
    by_pk = {i.pk: i for i in indicators}
    today = timezone.localdate()
    periods = [{"period": p, "due_on": schedule.deadline(report_form, p), "lock": schedule.lock_day(report_form, p)}
               for p in schedule.recent_periods(report_form, today)]
    return render(request, "coordination/form_detail.html", {
        "report_form": report_form, "indicators": indicators, "sections": list(report_form.sections.all()),
        "rules": [(rule, checks.describe_rule(rule, by_pk)) for rule in report_form.rules.all()],
        "periods": periods, "overrides": list(report_form.deadline_overrides.order_by("-period_key")),
        "may_manage": services.office_manages(request.user, report_form.conference.area_id)})


def _managed_form(request, pk: int) -> ReportForm:
    report_form = _report_form_or_404(request, pk)
    _managed_or_404(request, report_form.conference.area_id)
    return report_form


@roles_required(*MANAGE_ROLES)
def form_edit(request, pk: int):
    report_form = _managed_form(request, pk)
    form = ReportFormForm(request.POST or None, initial={key: getattr(report_form, key) for key in services.FORM_FIELDS})
    return _form_page(request, form, f"修改报表 · {report_form.name}", reverse("coordination:form_detail", args=[pk]),
                      save=_saving(request, services.update_form, report_form, "已保存。"))


def _saving(request, service, report_form: ReportForm, message: str):
    """``save`` for a page that adds to (or changes) a report form and returns to it."""
    def save(data):
        service(acting_user=request.user, form=report_form, **data)
        return message, reverse("coordination:form_detail", args=[report_form.pk])

    return save


@roles_required(*MANAGE_ROLES)
def indicator_add(request, pk: int):
    report_form = _managed_form(request, pk)
    return _form_page(request, IndicatorForm(request.POST or None), f"增加指标 · {report_form.name}",
                      reverse("coordination:form_detail", args=[pk]),
                      save=_saving(request, services.add_indicator, report_form, "已增加指标。"))


@roles_required(*MANAGE_ROLES)
def section_add(request, pk: int):
    report_form = _managed_form(request, pk)
    return _form_page(request, SectionForm(request.POST or None), f"增加文字栏目 · {report_form.name}",
                      reverse("coordination:form_detail", args=[pk]),
                      save=_saving(request, services.add_section, report_form, "已增加文字栏目。"))


@roles_required(*MANAGE_ROLES)
def rule_add(request, pk: int):
    report_form = _managed_form(request, pk)
    return _form_page(request, RuleForm(request.POST or None, form_obj=report_form),
                      f"增加校验规则 · {report_form.name}", reverse("coordination:form_detail", args=[pk]),
                      save=_saving(request, services.add_rule, report_form, "已增加校验规则。"))


@roles_required(*MANAGE_ROLES)
@require_POST
def rule_delete(request, pk: int):
    rule = get_scoped_or_404(ValidationRule.objects.select_related("form", "form__conference"), request.user, pk=pk)
    _managed_or_404(request, rule.form.conference.area_id)
    services.delete_rule(acting_user=request.user, rule=rule)
    messages.success(request, "已删除校验规则。")
    return redirect("coordination:form_detail", pk=rule.form_id)


@roles_required(*MANAGE_ROLES)
def deadline_set(request, pk: int):
    report_form = _managed_form(request, pk)
    return _form_page(request, DeadlineForm(request.POST or None), f"调整截止日期 · {report_form.name}",
                      reverse("coordination:form_detail", args=[pk]),
                      save=_saving(request, services.set_deadline, report_form, "已调整截止日期。"))


@roles_required(*REVIEW_ROLES)
def entry_open(request, pk: int):
    report_form = _managed_form(request, pk)
    initial = {"period_key": request.GET.get("period", ""), "unit": request.GET.get("unit") or None,
               "until": timezone.localdate()}
    form = OpenEntryForm(request.POST or None, form_obj=report_form, initial=initial)

    def save(data):
        report = workflow.open_entry(acting_user=request.user, form=report_form, **data)
        return (f"已为{report.unit.name}重新开放{report.period.label}填报，至{data['until']:%Y-%m-%d}。",
                reverse("coordination:report_detail", args=[report.pk]))

    return _form_page(request, form, f"重新开放填报 · {report_form.name}",
                      reverse("coordination:form_detail", args=[pk]), save=save, submit_label="开放填报")
