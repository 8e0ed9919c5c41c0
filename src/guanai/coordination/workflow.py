"""Every write of a unit's report: start, save, submit; return, approve, reopen; open entry again.

    草稿 → 已报送 → 退回 (reason required) → 再次报送 → 已审核 (locked)
                                     ↑______________________| reopen (office, with a reason)

A unit's liaisons fill and submit their own unit's reports; the office that runs the
conference (``services.office_manages``) returns, approves and reopens them. Every step
is a ``ReportEvent`` (who, when, why, the values before and after) and an audit event, in
the step's own transaction. Every step names the version of the report it was shown: a
report changed in between (another office approving at the same moment) refuses the step.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from guanai.accounts import roles
from guanai.areas import codes
from guanai.areas.scoping import in_area, scope_queryset, user_role
from guanai.audit.models import AuditEvent
from guanai.audit.services import audited, record
from guanai.core.workdays import add_workdays
from guanai.stats.metrics import METRICS, compute
from guanai.stats.periods import KIND_LABELS, Period, PeriodError, parse_period, periods_ending_in
from guanai.textproc.numbers import trim_decimal

from . import checks, schedule
from .models import MemberUnit, ReportEvent, ReportForm, UnitReport
from .services import office_manages

REOPEN_WORKDAYS = 5  # entry reopened with an approved report, when its period had locked
MAX_REASON = 500


def reports_for(user) -> QuerySet:
    return scope_queryset(UnitReport.objects.select_related("form", "unit", "form__conference"), user)


def approved_reports(area_code: str, period: Period) -> QuerySet:
    """The approved reports of the area's conferences whose report period ends within ``period``
    (what a briefing may quote), the lead unit first."""
    keys = [p.key for kind in KIND_LABELS for p in periods_ending_in(kind, period)]
    return (in_area(UnitReport.objects.filter(status=UnitReport.APPROVED, period_key__in=keys), area_code)
            .select_related("unit", "form").prefetch_related("form__sections")
            .order_by("area_id", "-unit__is_lead", "unit__position", "unit__name", "period_key"))


def reviewable_by(user) -> QuerySet:
    """The reports ``user`` may return and approve (``may_review``), as a queryset."""
    reports = reports_for(user)
    role = user_role(user)
    if role == roles.ADMIN:
        return reports
    if role != roles.OFFICE or not user.area_id:
        return reports.none()
    return reports.filter(Q(area_id=user.area_id) | Q(area__parent_id=user.area_id, area__level=codes.TOWNSHIP))


def may_fill(user, unit_id: int) -> bool:
    role = user_role(user)
    return role == roles.ADMIN or (role == roles.UNIT and user.unit_id == unit_id)


def may_review(user, report: UnitReport) -> bool:
    return office_manages(user, report.area_id)


def _at(at: datetime | None) -> datetime:
    return at or timezone.now()


def _labels(form: ReportForm) -> dict[str, str]:
    labels = {f"ind_{i.pk}": i.label for i in form.indicators.all()}
    labels.update({f"sec_{s.pk}": s.title for s in form.sections.all()})
    return labels


def _content(values: dict, narrative: dict) -> dict:
    """Values and narrative under one key space (ind_1, sec_1) for comparing."""
    return {**{f"ind_{k}": v for k, v in values.items()}, **{f"sec_{k}": v for k, v in narrative.items()}}


def _locked(report: UnitReport, version: int) -> UnitReport:
    """The report as stored, its version moved on, or a conflict when someone changed it
    since the user saw version ``version``."""
    moved = UnitReport.objects.filter(pk=report.pk, version=version).update(version=F("version") + 1)
    if not moved:
        current = UnitReport.objects.filter(pk=report.pk).first()
        who = ""
        if current is not None:
            last = current.events.select_related("user").order_by("-at", "-pk").first()
            if last is not None:
                who = f"（{last.user or '系统'}于{timezone.localtime(last.at):%m月%d日%H:%M}{last.get_action_display()}）"
        raise ValidationError(f"该报表已被他人修改或处理{who}，请刷新页面查看最新内容后再操作")
    return UnitReport.objects.select_related("form", "form__conference", "unit").get(pk=report.pk)


def _event(report: UnitReport, *, action: str, user, at: datetime, from_status: str, reason: str = "",
           changes: dict | None = None, count: int | None = None) -> ReportEvent:
    changes = changes or {}
    event = ReportEvent.objects.create(
        report=report, action=action, from_status=from_status, to_status=report.status,
        user=user if getattr(user, "pk", None) else None, at=at, reason=reason, changes=changes,
        change_count=len(changes) if count is None else count)
    status_change = {"status": (from_status, report.status)} if from_status != report.status else {}
    record(AuditEvent.UPDATE if action != ReportEvent.CREATE else AuditEvent.CREATE, user=user, obj=report,
           changes={**status_change, **changes},
           detail=f"{event.get_action_display()}{'：' + reason if reason else ''}")
    return event


def recorded_values(form: ReportForm, unit: MemberUnit, period: Period) -> dict[str, str]:
    """What the records say for the form's bound indicators: its metric, asked for the unit's
    area and the period with the unit as a parameter."""
    found = {}
    for indicator in form.indicators.filter(active=True).exclude(metric=""):
        info = METRICS.get(indicator.metric)
        if info is None or "unit" not in info.params:
            continue  # a metric that is gone (or no longer counts by unit) prefills nothing
        value = compute(indicator.metric, unit.area_id, period, unit=unit.pk, **(indicator.metric_params or {}))
        found[indicator.key] = trim_decimal(Decimal(str(value)), indicator.decimals)
    return found


def _period(form: ReportForm, period_key: str) -> Period:
    try:
        period = parse_period(period_key)
    except PeriodError as exc:
        raise ValidationError({"period_key": str(exc)}) from None
    if period.kind != form.period_type:
        raise ValidationError({"period_key": f"“{form.name}”是{KIND_LABELS[form.period_type]}报表，"
                                         f"不能按{KIND_LABELS[period.kind]}填报"})
    first = schedule.first_period(form)
    if first is not None and period.end < first.end:
        raise ValidationError({"period_key": f"“{form.name}”自{first.label}起报送"})
    return period


def _check_open(report: UnitReport, today: date) -> None:
    reason = schedule.entry_closed_reason(report.form, report.period, report, today)
    if reason:
        raise ValidationError(reason)


# --- the unit ---------------------------------------------------------------------------------

@audited
@transaction.atomic
def start_report(*, acting_user, form: ReportForm, unit: MemberUnit, period_key: str,
                 at: datetime | None = None) -> UnitReport:
    """The unit's report for the period: the one begun, or a new draft prefilled from the records."""
    at = _at(at)
    if not may_fill(acting_user, unit.pk):
        own = getattr(getattr(acting_user, "unit", None), "name", "")
        raise ValidationError(f"只能填报本单位（{own}）的报表" if own else "您的角色不能填报成员单位报表")
    if unit.conference_id != form.conference_id:
        raise ValidationError({"unit": f"{unit.name}不是{form.conference.name}的成员单位"})
    period = _period(form, period_key)
    existing = UnitReport.objects.filter(form=form, unit=unit, period_key=period.key).first()
    if existing is not None:
        return existing
    if not unit.member_on(period.end):
        raise ValidationError({"unit": f"{unit.name}在{period.label}末已不是成员单位，无需报送"})
    reason = schedule.entry_closed_reason(form, period, None, timezone.localtime(at).date())
    if reason:
        raise ValidationError(reason)
    recorded = recorded_values(form, unit, period)
    report = UnitReport.objects.create(form=form, unit=unit, area_id=unit.area_id, period_key=period.key,
                                       values=dict(recorded), recorded=recorded,
                                       created_by=acting_user if getattr(acting_user, "pk", None) else None)
    _event(report, action=ReportEvent.CREATE, user=acting_user, at=at, from_status="",
           changes={f"{i.label}（系统记录）": [None, recorded[i.key]] for i in form.indicators.all()
                    if i.key in recorded})
    return report


@audited
@transaction.atomic
def save_report(*, acting_user, report: UnitReport, version: int, values: dict, narrative: dict,
                at: datetime | None = None) -> UnitReport:
    """Store what the unit entered. ``values`` maps indicator ids to what was typed, ``narrative``
    section ids to text; every value that cannot be read is refused, naming its indicator."""
    at = _at(at)
    if not may_fill(acting_user, report.unit_id):
        raise ValidationError("只能填报本单位的报表")
    form = report.form
    errors = {}
    parsed = {}
    for indicator in form.indicators.filter(active=True):
        raw = values.get(indicator.key, values.get(indicator.pk))
        try:
            value = checks.parse_value(indicator, raw)
        except ValueError as exc:
            errors[checks.field_name(indicator)] = str(exc)
            continue
        if value is not None:
            parsed[indicator.key] = value
    texts = {}
    for section in form.sections.all():
        text = (narrative.get(section.key, narrative.get(section.pk)) or "").strip()
        if len(text) > checks.MAX_NARRATIVE:
            errors[checks.section_field(section)] = f"“{section.title}”不能超过{checks.MAX_NARRATIVE}字"
        elif text:
            texts[section.key] = text
    if errors:
        raise ValidationError(errors)
    report = _locked(report, version)
    if report.status not in UnitReport.EDITABLE:
        raise ValidationError(not_editable_reason(report))
    _check_open(report, timezone.localtime(at).date())
    labels = _labels(form)
    changes = checks.differences(_content(report.values, report.narrative), _content(parsed, texts), labels)
    report.values, report.narrative = parsed, texts
    report.recorded = recorded_values(form, report.unit, report.period)
    if report.submission_count:
        report.changes_since_submission = len(checks.differences(
            report.submitted_snapshot, _content(parsed, texts), labels))
    report.save()
    if changes:
        _event(report, action=ReportEvent.SAVE, user=acting_user, at=at, from_status=report.status, changes=changes)
    return report


def not_editable_reason(report: UnitReport) -> str:
    if report.status == UnitReport.APPROVED:
        return "该报表已审核通过并锁定，不能修改；如需更正，请联系联席会议办公室重新打开"
    return "该报表已报送，正在等待审核，不能修改"


def submission_errors(report: UnitReport) -> list[str]:
    """What keeps the report from being submitted: required entries missing, broken rules."""
    form = report.form
    indicators = {i.pk: i for i in form.indicators.filter(active=True)}
    problems = [f"“{i.label}”为必填项" for i in indicators.values()
                if i.required and report.values.get(i.key) in (None, "")]
    problems += [f"“{s.title}”为必填栏目，请填写" for s in form.sections.all()
                 if s.required and not (report.narrative.get(s.key) or "").strip()]
    for rule in form.rules.all():
        message = checks.rule_violation(rule, indicators, report.values)
        if message:
            problems.append(message)
    return problems


def _outliers(report: UnitReport) -> dict:
    """Values far outside the unit's earlier reports on the form (flagged, not refused)."""
    history = list(UnitReport.objects.filter(form=report.form, unit=report.unit, first_submitted_at__isnull=False)
                   .exclude(pk=report.pk).exclude(period_key__gte=report.period_key)
                   .values_list("values", flat=True))
    flags = {}
    for indicator in report.form.indicators.filter(active=True, kind="number"):
        value = checks.number_of(indicator, report.values.get(indicator.key))
        if value is None:
            continue
        past = [checks.number_of(indicator, v.get(indicator.key)) for v in history]
        found = checks.outlier(value, [x for x in past if x is not None])
        if found is not None:
            flags[indicator.key] = found.as_json()
    return flags


@audited
@transaction.atomic
def submit_report(*, acting_user, report: UnitReport, version: int, at: datetime | None = None) -> UnitReport:
    """报送 (or 再次报送 after a return): refused while a required entry is missing or a rule is broken."""
    at = _at(at)
    if not may_fill(acting_user, report.unit_id):
        raise ValidationError("只能报送本单位的报表")
    report = _locked(report, version)
    if report.status == UnitReport.APPROVED:
        raise ValidationError("该报表已审核通过，不能再次报送；如需更正，请联系联席会议办公室重新打开")
    if report.status not in UnitReport.EDITABLE:
        raise ValidationError("该报表已报送，正在等待审核")
    _check_open(report, timezone.localtime(at).date())
    problems = submission_errors(report)
    if problems:
        raise ValidationError(problems)
    before = report.status
    content = _content(report.values, report.narrative)
    changes = (checks.differences(report.submitted_snapshot, content, _labels(report.form))
               if report.submission_count else {})
    report.status = UnitReport.RESUBMITTED if before == UnitReport.RETURNED else UnitReport.SUBMITTED
    report.first_submitted_at = report.first_submitted_at or at
    report.submitted_at = at
    report.submission_count += 1
    report.changes_since_submission = len(changes)
    report.submitted_snapshot = content
    report.flags = _outliers(report)
    report.save()
    _event(report, action=ReportEvent.SUBMIT, user=acting_user, at=at, from_status=before, changes=changes)
    return report


# --- the office -------------------------------------------------------------------------------

def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"请填写{what}理由"})
    return reason[:MAX_REASON]


def _require_reviewer(user, report: UnitReport):
    if not may_review(user, report):
        raise ValidationError("只有本级联席会议办公室可以审核该报表")


@audited
@transaction.atomic
def return_report(*, acting_user, report: UnitReport, version: int, reason: str,
                  at: datetime | None = None) -> UnitReport:
    at = _at(at)
    _require_reviewer(acting_user, report)
    reason = _reason(reason, "退回")
    report = _locked(report, version)
    if report.status not in UnitReport.AWAITING_REVIEW:
        raise ValidationError(f"只能退回待审核的报表（当前状态：{report.get_status_display()}）")
    before = report.status
    report.status = UnitReport.RETURNED
    report.save()
    _event(report, action=ReportEvent.RETURN, user=acting_user, at=at, from_status=before, reason=reason)
    return report


@audited
@transaction.atomic
def approve_report(*, acting_user, report: UnitReport, version: int, at: datetime | None = None) -> UnitReport:
    at = _at(at)
    _require_reviewer(acting_user, report)
    report = _locked(report, version)
    if report.status not in UnitReport.AWAITING_REVIEW:
        raise ValidationError(f"只能审核待审核的报表（当前状态：{report.get_status_display()}）")
    before = report.status
    report.status, report.approved_at = UnitReport.APPROVED, at
    report.approved_by = acting_user if getattr(acting_user, "pk", None) else None
    report.save()
    _event(report, action=ReportEvent.APPROVE, user=acting_user, at=at, from_status=before)
    return report


@audited
@transaction.atomic
def reopen_report(*, acting_user, report: UnitReport, version: int, reason: str,
                  at: datetime | None = None) -> UnitReport:
    """An approved report goes back to its unit for correction; entry opens again when its period had locked."""
    at = _at(at)
    _require_reviewer(acting_user, report)
    reason = _reason(reason, "重新打开")
    report = _locked(report, version)
    if report.status != UnitReport.APPROVED:
        raise ValidationError("只能重新打开已审核的报表")
    today = timezone.localtime(at).date()
    before = report.status
    report.status, report.approved_at, report.approved_by = UnitReport.RETURNED, None, None
    changes = {}
    if schedule.entry_closed_reason(report.form, report.period, report, today):
        until = add_workdays(today, REOPEN_WORKDAYS)
        changes["重新开放填报至"] = [str(report.entry_open_until or ""), until.isoformat()]
        report.entry_open_until = until
    report.save()
    _event(report, action=ReportEvent.REOPEN, user=acting_user, at=at, from_status=before, reason=reason,
           changes=changes)
    return report


@audited
@transaction.atomic
def open_entry(*, acting_user, form: ReportForm, unit: MemberUnit, period_key: str, until: date, reason: str,
               at: datetime | None = None) -> UnitReport:
    """Open entry of a locked period for one unit until ``until`` (a report that was never begun
    is begun, prefilled, so the unit finds it)."""
    at = _at(at)
    today = timezone.localtime(at).date()
    if not office_manages(acting_user, form.conference.area_id):
        raise ValidationError("只有本级联席会议办公室可以重新开放填报")
    if unit.conference_id != form.conference_id:
        raise ValidationError({"unit": f"{unit.name}不是{form.conference.name}的成员单位"})
    reason = _reason(reason, "开放填报")
    if until is None or until < today:
        raise ValidationError({"until": "开放截止日期不能早于今天"})
    period = _period(form, period_key)
    report = UnitReport.objects.filter(form=form, unit=unit, period_key=period.key).first()
    if report is None:
        recorded = recorded_values(form, unit, period)
        report = UnitReport.objects.create(form=form, unit=unit, area_id=unit.area_id, period_key=period.key,
                                           values=dict(recorded), recorded=recorded,
                                           created_by=acting_user if getattr(acting_user, "pk", None) else None)
    before = report.entry_open_until
    report.entry_open_until = until
    report.version += 1
    report.save(update_fields=["entry_open_until", "version", "updated_at"])
    _event(report, action=ReportEvent.UNLOCK, user=acting_user, at=at, from_status=report.status, reason=reason,
           changes={"重新开放填报至": [before.isoformat() if before else None, until.isoformat()]})
    return report
