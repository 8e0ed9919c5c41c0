"""Protection services: report a case, complete its steps, close it. Never delete.

Time limits are configuration: ``settings.GUANAI_PROTECTION_TIME_LIMITS`` over
``DEFAULT_TIME_LIMITS``; a limit is ``{"hours": n}`` or ``{"workdays": n}``
(Chinese working days, ending at 23:59:59 of the last one), counted from the moment
the previous step was done (the report, for the emergency step).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.scoping import area_problem, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, record, snapshot
from guanai.core.validation import check_date, check_phone
from guanai.core.workdays import add_workdays
from guanai.registry.models import Person

from . import models as m
from .models import Case, CaseStep

DEFAULT_TIME_LIMITS = {
    m.EMERGENCY: {"hours": 24},
    m.ASSESSMENT: {"workdays": 3},
    m.HELP_PLAN: {"workdays": 5},
    m.GUARDIANSHIP: {"workdays": 15},
    m.CLOSURE: {"workdays": 30},
}
STEP_LABELS = dict(m.STEP_CHOICES)
# Roles that may file a report; a leader reads dashboards, not reports.
REPORT_ROLES = roles.ALL - {roles.LEADER}
# Roles that handle cases.
HANDLER_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)


def time_limits() -> dict:
    return {**DEFAULT_TIME_LIMITS, **(getattr(settings, "GUANAI_PROTECTION_TIME_LIMITS", None) or {})}


def due_after(kind: str, start: datetime) -> datetime:
    limit = time_limits()[kind]
    if "hours" in limit:
        return start + timedelta(hours=int(limit["hours"]))
    day = add_workdays(timezone.localtime(start).date(), int(limit["workdays"]))
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def limit_label(kind: str) -> str:
    limit = time_limits()[kind]
    return f"{limit['hours']}小时内" if "hours" in limit else f"{limit['workdays']}个工作日内"


def next_kind(case: Case, done: str) -> str | None:
    order = [m.EMERGENCY, m.ASSESSMENT, m.HELP_PLAN]
    if case.needs_guardianship:
        order.append(m.GUARDIANSHIP)
    order.append(m.CLOSURE)
    if done not in order:
        return None
    index = order.index(done)
    return order[index + 1] if index + 1 < len(order) else None


def _open_step(case: Case, kind: str, start: datetime) -> CaseStep:
    step = CaseStep(case=case, kind=kind, opened_at=start, due_at=due_after(kind, start), area_id=case.area_id)
    step.full_clean(exclude=["case", "area"])
    step.save()
    return step


def cases_for(user) -> QuerySet:
    return scope_queryset(Case.objects.all(), user)


@audited
@transaction.atomic
def report_case(*, user, area_code: str, situation: str, description: str, found_at: datetime | None = None,
                child: Person | None = None, child_name: str = "", child_age: int | None = None, location: str = "",
                reporter_name: str = "", reporter_phone: str = "", reported_at: datetime | None = None) -> Case:
    """File a mandatory report; it opens a case with its emergency step."""
    now = timezone.now()
    reported_at = reported_at or now
    found_at = found_at or reported_at
    errors = {}
    if user_role(user) not in REPORT_ROLES:
        raise ValidationError("您的角色不能填报强制报告")
    if situation not in dict(m.SITUATION_CHOICES):
        errors["situation"] = "请选择发现的情形"
    if not (description or "").strip():
        errors["description"] = "请填写情况描述：发现了什么、儿童现在何处"
    if found_at > now + timedelta(minutes=5):
        errors["found_at"] = "发现时间不能晚于现在"
    else:
        try:
            check_date(timezone.localdate(found_at), "past", label="发现时间")
        except ValidationError as exc:
            errors["found_at"] = exc.messages[0]
    if reported_at > now + timedelta(minutes=5):
        errors["reported_at"] = "报告时间不能晚于现在"
    try:
        reporter_phone = check_phone(reporter_phone, label="报告人电话", field="reporter_phone")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if child_age is not None and not 0 <= int(child_age) < 18:
        errors["child_age"] = "强制报告针对未满18周岁的未成年人"
    if child is not None:
        if not scope_queryset(Person.objects.filter(pk=child.pk), user).exists():
            errors["child"] = "所选儿童不在您的管辖范围内"
        else:
            area_code = child.area_id
    area, problem = area_problem(user, area_code, levels={codes.VILLAGE}, label="发现地所在村（社区）")
    if problem:
        errors.setdefault("area", problem)
    if child is None and not (child_name or "").strip() and child_age is None:
        errors.setdefault("child_name", "请填写儿童姓名；不知道姓名时，请填写大致年龄")
    if errors:
        raise ValidationError(errors)
    case = Case(area=area, situation=situation, description=description.strip(), found_at=found_at, child=child,
                child_name=(child.name if child else child_name.strip()), child_age=child_age, location=location,
                reporter=user if getattr(user, "pk", None) else None,
                reporter_name=reporter_name or (str(user) if user else ""), reporter_phone=reporter_phone,
                reporter_unit=getattr(user, "unit", None) if user_role(user) == roles.UNIT else None,
                reported_at=reported_at)
    case.full_clean(exclude=["number", "area", "reporter", "reporter_unit", "child", "closed_by"])
    case.save()
    case.number = f"BH{timezone.localtime(reported_at):%Y}{case.pk:06d}"
    case.save(update_fields=["number"])
    _open_step(case, m.EMERGENCY, reported_at)
    audit(AuditEvent.CREATE, user=user, obj=case,
          after=snapshot(case, ["number", "area_id", "situation", "child_id", "child_name", "child_age", "found_at",
                                "reported_at"]), reason="强制报告")
    return case


def current_step(case: Case) -> CaseStep | None:
    return case.steps.filter(completed_at__isnull=True).order_by("opened_at", "pk").first()


@audited
@transaction.atomic
def complete_step(*, user, case: Case, action: str, handler: str = "", needs_guardianship: bool | None = None,
                  completed_at: datetime | None = None) -> CaseStep:
    """Record who did what and when for the current step, and open the next one."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if user_role(user) not in HANDLER_ROLES or not cases_for(user).filter(pk=case.pk).exists():
        raise ValidationError("您无权办理此个案")
    if case.status == Case.CLOSED:
        raise ValidationError("此个案已结案，不能再办理")
    step = current_step(case)
    if step is None:
        raise ValidationError("此个案没有待办环节")
    if step.kind == m.CLOSURE:
        raise ValidationError("结案请使用“结案”并说明原因")
    if not (action or "").strip():
        raise ValidationError({"action": f"请填写{STEP_LABELS[step.kind]}的处置情况"})
    now = timezone.now()
    completed_at = completed_at or now
    if completed_at > now + timedelta(minutes=5):
        raise ValidationError({"completed_at": "完成时间不能晚于现在"})
    if completed_at < step.opened_at:
        raise ValidationError({"completed_at": "完成时间不能早于本环节开始时间"})
    before = {"step": step.kind, "needs_guardianship": case.needs_guardianship}
    step.action, step.handler = action.strip(), handler.strip()
    step.completed_at, step.completed_by = completed_at, user
    step.save(update_fields=["action", "handler", "completed_at", "completed_by"])
    if step.kind == m.ASSESSMENT and needs_guardianship is not None and needs_guardianship != case.needs_guardianship:
        case.needs_guardianship = needs_guardianship
        case.save(update_fields=["needs_guardianship"])
    following = next_kind(case, step.kind)
    if following is not None:
        _open_step(case, following, completed_at)
    audit(AuditEvent.UPDATE, user=user, obj=case, before=before,
          after={"step": following, "needs_guardianship": case.needs_guardianship},
          reason=f"{STEP_LABELS[step.kind]}：{step.action}")
    return step


@audited
@transaction.atomic
def close_case(*, user, case: Case, reason: str, note: str = "", closed_at: datetime | None = None) -> Case:
    """Close a case with a reason; the closure step (or whatever step was open) is recorded."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if user_role(user) not in HANDLER_ROLES or not cases_for(user).filter(pk=case.pk).exists():
        raise ValidationError("您无权办理此个案")
    if case.status == Case.CLOSED:
        raise ValidationError("此个案已结案")
    if reason not in dict(m.CLOSE_REASONS):
        raise ValidationError({"reason": "请选择结案原因"})
    note = (note or "").strip()
    if reason == "other" and not note:
        raise ValidationError({"note": "结案原因为“其他”时，请写明具体原因"})
    now = timezone.now()
    closed_at = closed_at or now
    if closed_at > now + timedelta(minutes=5):
        raise ValidationError({"closed_at": "结案时间不能晚于现在"})
    label = dict(m.CLOSE_REASONS)[reason]
    before = snapshot(case, CLOSE_FIELDS)
    step = current_step(case)
    if step is not None and step.kind == m.CLOSURE:
        step.action, step.completed_at, step.completed_by = f"结案：{label}{'。' + note if note else ''}", closed_at, user
        step.save(update_fields=["action", "completed_at", "completed_by"])
    case.status, case.closed_at, case.closed_by = Case.CLOSED, closed_at, user
    case.close_reason, case.close_note = reason, note
    case.save(update_fields=["status", "closed_at", "closed_by", "close_reason", "close_note"])
    CaseStep.objects.filter(case=case).update(case_closed_at=closed_at)
    audit(AuditEvent.UPDATE, user=user, obj=case, before=before, after=snapshot(case, CLOSE_FIELDS),
          reason=f"结案：{label}")
    return case


CLOSE_FIELDS = ["status", "closed_at", "closed_by_id", "close_reason", "close_note"]


def delete_case(*, user, case: Case) -> None:
    """A report is never deleted: this always refuses, and says what to do instead."""
    record(AuditEvent.DELETE, user=user, obj=case, detail="试图删除强制报告，已拒绝")
    raise ValidationError("强制报告不得删除。如属误报或已处置完毕，请说明原因后结案。")


def late_steps(user, at: datetime | None = None) -> QuerySet:
    """Late steps the user may see (the same condition as the metric case_steps_late)."""
    at = at or timezone.now()
    return scope_queryset(CaseStep.objects.all(), user).filter(CaseStep.late_at_q(at))
