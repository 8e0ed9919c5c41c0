"""The reports' pages: the list with the rates, start, fill in, review (return, approve, reopen),
the period's export and a report as DOCX."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas.models import Area
from guanai.areas.scoping import get_scoped_or_404, may_see_area, user_role
from guanai.core.forms import add_validation_errors
from guanai.ledgers.views import refuse_export
from guanai.stats.metrics import METRICS, compute, memoized
from guanai.stats.forms import PeriodForm
from guanai.stats.periods import parse_period
from guanai.textproc.numbers import format_percent

from .. import checks, documents, exporting, schedule, services, workflow
from ..forms import entry_from, report_entry_form
from ..models import Conference, ReportForm, UnitReport
from .common import FILL_ROLES, RATE_METRICS, REPORT_ROLES, REVIEW_ROLES
from .report_forms import _report_form_or_404


# --- reports ----------------------------------------------------------------------------------

def _period_form(request, area_code: str) -> PeriodForm:
    """The period asked (the control's lists, or ?period= as written), else the latest one due."""
    return PeriodForm(request.GET, default=schedule.latest_due_period(area_code)
                      or parse_period(str(timezone.localdate().year)))


def _list_area(request) -> Area | None:
    """The area whose reports a list or an export shows: ?area=, else the user's own (for the
    admin, who has none, the first conference's)."""
    code = request.GET.get("area", "").strip() or request.user.area_id
    if not code:
        first = Conference.objects.order_by("area_id").first()
        return first.area if first else None
    area = Area.objects.filter(pk=code).first()
    if area is None or not may_see_area(request.user, code):
        raise Http404("记录不存在或您无权查看")
    return area


def _rates(code: str, period) -> dict:
    """The rates as the documents write them (90%, 66.7%), the counts as numbers."""
    return {name: format_percent(value) if METRICS[name].unit == "%" else value
            for name, value in ((name, compute(name, code, period)) for name in RATE_METRICS)}


def report_rows(request, area_code: str, period, today: date):
    """Every report owed in the area for the period (due or not yet due), with its state."""
    rows = schedule.expected_reports(area_code, period, today=today, due_only=False)
    show = request.GET.get("show", "")
    for row in rows:
        row.is_due = row.due_on < today
        row.late = row.is_due and not row.on_time
        row.days_late = row.workdays_late(today) if row.late else 0
        # A unit that has not begun a report of a locked period needs the office to open it again.
        row.may_open = (row.late and row.report is None
                        and bool(schedule.entry_closed_reason(row.form, row.period, None, today))
                        and services.office_manages(request.user, row.form.conference.area_id))
    if show == "late":
        rows = [r for r in rows if r.late]
    status = request.GET.get("status", "")
    if status == "waiting":
        rows = [r for r in rows if r.report is not None and r.report.status in UnitReport.AWAITING_REVIEW]
    elif status in dict(UnitReport.STATUS_CHOICES):
        rows = [r for r in rows if r.report is not None and r.report.status == status]
    return rows


def _my_reports(request):
    """A liaison's list: the unit's reports of recent periods, begun or not."""
    user = request.user
    today = timezone.localdate()
    unit = user.unit
    rows = []
    if unit is not None and unit.conference_id:
        forms = list(ReportForm.objects.filter(conference_id=unit.conference_id, active=True))
        reports = {(r.form_id, r.period_key): r for r in workflow.reports_for(user)}
        for report_form in forms:
            for period in schedule.recent_periods(report_form, today):
                if not unit.member_on(min(period.end, today)):
                    continue
                report = reports.get((report_form.pk, period.key))
                due_on = schedule.deadline(report_form, period)
                closed = schedule.entry_closed_reason(report_form, period, report, today)
                submitted = report is not None and report.first_submitted_at is not None
                rows.append({"form": report_form, "period": period, "report": report, "due_on": due_on,
                             "closed": closed, "overdue": not submitted and today > due_on,
                             "on_time": submitted and schedule.submitted_on_time(report.first_submitted_at, due_on)})
    status = request.GET.get("status", "")
    if status in dict(UnitReport.STATUS_CHOICES):
        rows = [r for r in rows if r["report"] is not None and r["report"].status == status]
    return render(request, "coordination/my_reports.html", {"rows": rows, "unit": unit, "today": today})


@roles_required(*REPORT_ROLES)
def report_list(request):
    if user_role(request.user) == roles.UNIT:
        return _my_reports(request)
    area = _list_area(request)
    if area is None:
        return render(request, "coordination/report_list.html", {"rows": [], "area": None})
    today = timezone.localdate()
    period_form = _period_form(request, area.code)
    if period_form.problem:
        messages.error(request, period_form.problem)
    period = period_form.period
    rows = report_rows(request, area.code, period, today)
    children = [c for c in Area.objects.filter(parent=area).order_by("code")
                if schedule.forms_in(c.code).exists()] if area.level < 4 else []
    with memoized():
        rates = _rates(area.code, period)
        children = [{"area": c, "rates": _rates(c.code, period)} for c in children]
    return render(request, "coordination/report_list.html", {
        "rows": rows, "area": area, "period": period, "period_form": period_form, "rates": rates, "today": today,
        "children": children,
        "show": request.GET.get("show", ""), "status": request.GET.get("status", ""),
        "may_review": user_role(request.user) in REVIEW_ROLES,
        "query": request.GET.urlencode()})


@roles_required(roles.ADMIN, roles.OFFICE, roles.LEADER)
def report_export(request):
    area = _list_area(request)
    if area is None:
        raise Http404("尚未建立联席会议")
    form = _period_form(request, area.code)
    if form.problem:  # a workbook of the default period would pass for the one asked: back to the list
        return refuse_export(request, "成员单位报送情况", form.problem, back=reverse("coordination:report_list"))
    period = form.period
    content = exporting.exported_period_workbook(area, period, user=request.user, today=timezone.localdate())
    response = HttpResponse(content, content_type=exporting.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{area.name}{period.label}成员单位报送情况.xlsx")
    return response


@roles_required(*FILL_ROLES)
@require_POST
def report_start(request, pk: int, period: str):
    report_form = _report_form_or_404(request, pk)
    unit = request.user.unit if user_role(request.user) == roles.UNIT else None
    if unit is None:
        unit = report_form.conference.units.filter(pk=request.POST.get("unit") or 0).first() if str(
            request.POST.get("unit", "")).isdigit() else None
    if unit is None:
        messages.error(request, "请选择成员单位")
        return redirect("coordination:report_list")
    try:
        report = workflow.start_report(acting_user=request.user, form=report_form, unit=unit, period_key=period)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("coordination:report_list")
    return redirect("coordination:report_edit", pk=report.pk)


def _report_or_404(request, pk: int) -> UnitReport:
    return get_scoped_or_404(workflow.reports_for(request.user), request.user, pk=pk)


def _indicator_rows(report: UnitReport) -> list[dict]:
    rows = []
    for indicator in report.form.indicators.all():
        value = report.values.get(indicator.key)
        recorded = report.recorded.get(indicator.key)
        flag = report.flags.get(indicator.key)
        rows.append({"indicator": indicator, "value": checks.display(indicator, value),
                     "recorded": recorded, "differs": recorded is not None and str(value) != str(recorded),
                     "flag": checks.outlier_message(indicator, value, flag) if flag else ""})
    return rows


@roles_required(*REPORT_ROLES)
def report_detail(request, pk: int):
    report = _report_or_404(request, pk)
    today = timezone.localdate()
    due_on = schedule.deadline(report.form, report.period)
    on_time = schedule.submitted_on_time(report.first_submitted_at, due_on)
    late_days = 0
    if not on_time and (report.first_submitted_at or today > due_on):
        until = timezone.localtime(report.first_submitted_at).date() if report.first_submitted_at else today
        late_days = schedule.workdays_between(due_on, until)
    events = list(report.events.select_related("user"))
    return render(request, "coordination/report_detail.html", {
        "report": report, "rows": _indicator_rows(report), "due_on": due_on, "on_time": on_time,
        "late_days": late_days, "events": events,
        "sections": [(s, report.narrative.get(s.key, "")) for s in report.form.sections.all()],
        "may_fill": workflow.may_fill(request.user, report.unit_id) and report.status in UnitReport.EDITABLE,
        "may_review": workflow.may_review(request.user, report),
        "closed": schedule.entry_closed_reason(report.form, report.period, report, today),
        "problems": workflow.submission_errors(report) if report.status in UnitReport.EDITABLE else []})


@roles_required(*FILL_ROLES)
def report_edit(request, pk: int):
    report = _report_or_404(request, pk)
    if not workflow.may_fill(request.user, report.unit_id):
        raise Http404("记录不存在或您无权填报")
    if report.status not in UnitReport.EDITABLE:
        messages.info(request, workflow.not_editable_reason(report))
        return redirect("coordination:report_detail", pk=report.pk)
    form = report_entry_form(report, request.POST or None)
    if request.method == "POST":
        values, narrative = entry_from(report, request.POST)
        version = _version(request)
        try:
            with transaction.atomic():
                report = workflow.save_report(acting_user=request.user, report=report, version=version,
                                              values=values, narrative=narrative)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            if request.POST.get("action") != "submit":
                messages.success(request, "已保存草稿。")
                return redirect("coordination:report_edit", pk=report.pk)
            try:
                report = workflow.submit_report(acting_user=request.user, report=report, version=report.version)
            except ValidationError as exc:
                form = report_entry_form(report, request.POST)
                form.is_valid()
                add_validation_errors(form, exc)
                messages.warning(request, "已保存草稿，但尚不能报送，请按提示修改。")
            else:
                messages.success(request, f"已报送{report.period.label}{report.form.name}。")
                return redirect("coordination:report_detail", pk=report.pk)
    rows = []
    for name in form.fields:
        field = form[name]
        key = name.split("_", 1)[1]
        recorded = report.recorded.get(key) if name.startswith("ind_") else None
        value = report.values.get(key) if name.startswith("ind_") else None
        rows.append({"field": field, "recorded": recorded,
                     "differs": recorded is not None and str(value) != str(recorded)})
    last_return = report.events.filter(action__in=["return", "reopen"]).order_by("-at", "-pk").first()
    return render(request, "coordination/report_edit.html", {
        "report": report, "form": form, "rows": rows, "due_on": schedule.deadline(report.form, report.period),
        "return_reason": last_return.reason if last_return and report.status == UnitReport.RETURNED else "",
        "closed": schedule.entry_closed_reason(report.form, report.period, report, timezone.localdate())})


def _version(request) -> int:
    text = request.POST.get("version", "")
    return int(text) if text.isascii() and text.isdigit() else -1  # a missing version is a stale one


def _review_action(request, pk: int, action, done: str):
    report = _report_or_404(request, pk)
    try:
        action(report)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("coordination:report_detail", pk=report.pk)


@roles_required(*REVIEW_ROLES)
@require_POST
def report_return(request, pk: int):
    return _review_action(request, pk, lambda report: workflow.return_report(
        acting_user=request.user, report=report, version=_version(request), reason=request.POST.get("reason", "")),
        "已退回，等待单位修改后再次报送。")


@roles_required(*REVIEW_ROLES)
@require_POST
def report_approve(request, pk: int):
    return _review_action(request, pk, lambda report: workflow.approve_report(
        acting_user=request.user, report=report, version=_version(request)), "已审核通过，报表已锁定。")


@roles_required(*REVIEW_ROLES)
@require_POST
def report_reopen(request, pk: int):
    return _review_action(request, pk, lambda report: workflow.reopen_report(
        acting_user=request.user, report=report, version=_version(request), reason=request.POST.get("reason", "")),
        "已重新打开，单位可修改后再次报送。")


@roles_required(*REPORT_ROLES)
def report_docx(request, pk: int):
    report = _report_or_404(request, pk)
    content = documents.exported_report_docx(report, user=request.user)
    response = HttpResponse(content, content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{report}.docx")
    return response
