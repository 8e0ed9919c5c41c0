"""Helpers (帮扶人) and pairings (结对): create, end, a volunteer's recipients; the pairings of a
person who moves to another village end."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.accounts.roles import user_role
from guanai.areas.scoping import active_on, area_for_user, may_see_area, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, record_many, snapshot
from guanai.coordination.models import MemberUnit
from guanai.core.validation import check_date, check_phone
from guanai.registry.models import Person

from ..permissions import HELPER_ROLES, WORKER_ROLES
from ..models import Helper, Pairing
from .common import _collect, _today, _unit_usable


# --- helpers and pairings ---------------------------------------------------------

def helpers_for(user) -> QuerySet:
    return scope_queryset(Helper.objects.all(), user)


@audited
@transaction.atomic
def create_helper(*, user, name: str, kind: str, area_code: str, phone: str = "", unit: MemberUnit | None = None,
                  account: User | None = None) -> Helper:
    role = user_role(user)
    if role not in HELPER_ROLES:
        raise ValidationError("您的角色不能登记帮扶人")
    errors = {}
    if not (name or "").strip():
        errors["name"] = "请填写姓名"
    if kind not in dict(Helper.KIND_CHOICES):
        errors["kind"] = "请选择帮扶人类型"
    if role == roles.UNIT:
        unit = user.unit  # a unit reporter registers its own staff
    elif unit is not None and not _unit_usable(user, unit):
        errors["unit"] = "所选成员单位不在您的管辖范围内"
    if account is not None:
        if account.role != roles.VOLUNTEER:
            errors["account"] = "只能关联志愿者账号"
        elif Helper.objects.filter(user=account).exists():
            errors["account"] = "该账号已关联其他帮扶人"
        elif not may_see_area(user, account.area_id or ""):
            errors["account"] = "该账号不在您的管辖范围内"
    phone = _collect(errors, check_phone, phone, field="phone") or ""
    if errors:
        raise ValidationError(errors)
    area = area_for_user(user, area_code)
    helper = Helper(name=name.strip(), kind=kind, area=area, phone=phone, unit=unit, user=account)
    helper.full_clean()
    helper.save()
    audit(AuditEvent.CREATE, user=user, obj=helper,
          after=snapshot(helper, ["name", "kind", "area_id", "phone", "unit_id", "user_id"]), reason="登记帮扶人")
    return helper


def pairings_for(user) -> QuerySet:
    return scope_queryset(Pairing.objects.all(), user)


@audited
@transaction.atomic
def create_pairing(*, user, helper: Helper, persons: list[Person], start_date: date, end_date: date | None = None,
                   note: str = "") -> list[Pairing]:
    """Pair ``helper`` with each of ``persons`` (结对帮扶); one pairing per recipient."""
    if user_role(user) not in WORKER_ROLES:
        raise ValidationError("您的角色不能登记结对")
    errors = {}
    if not helpers_for(user).filter(pk=helper.pk).exists():
        errors["helper"] = "所选帮扶人不在您的管辖范围内"
    if not persons:
        errors["persons"] = "请至少选择一名帮扶对象"
    visible = set(scope_queryset(Person.objects.filter(pk__in=[p.pk for p in persons]), user)
                  .values_list("pk", flat=True))
    outside = [p.name for p in persons if p.pk not in visible]
    if outside:
        errors["persons"] = f"帮扶对象不在您的管辖范围内：{'、'.join(outside)}"
    if start_date is None:
        errors["start_date"] = "请填写结对日期"
    _collect(errors, check_date, start_date, "past", label="结对日期", field="start_date")
    _collect(errors, check_date, end_date, "planned", label="结束日期", field="end_date")
    if end_date is not None and start_date is not None and end_date < start_date:
        errors["end_date"] = "结束日期不能早于结对日期"
    if not errors:
        already = Pairing.objects.filter(helper=helper, person__in=persons).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start_date)).select_related("person")
        if already:
            errors["persons"] = f"{helper.name}已与以下对象结对：{'、'.join(p.person.name for p in already)}"
    if errors:
        raise ValidationError(errors)
    created = []
    for person in persons:
        pairing = Pairing(helper=helper, person=person, area_id=person.area_id, start_date=start_date,
                          end_date=end_date, note=note.strip(), created_by=user if user.pk else None)
        pairing.full_clean()
        pairing.save()
        audit(AuditEvent.CREATE, user=user, obj=pairing, after=snapshot(pairing, PAIRING_FIELDS), reason="结对帮扶")
        created.append(pairing)
    return created


PAIRING_FIELDS = ["helper_id", "person_id", "area_id", "start_date", "end_date", "end_reason"]


@audited
@transaction.atomic
def end_pairing(*, user, pairing: Pairing, end_date: date | None = None, reason: str = "") -> Pairing:
    if user_role(user) not in WORKER_ROLES or \
            not pairings_for(user).filter(pk=pairing.pk).exists():
        raise ValidationError("您无权结束此结对")
    end_date = end_date or _today()
    if end_date < pairing.start_date:
        raise ValidationError({"end_date": "结束日期不能早于结对日期"})
    check_date(end_date, "past", label="结束日期", field="end_date")
    before = snapshot(pairing, PAIRING_FIELDS)
    pairing.end_date, pairing.end_reason = end_date, (reason or "").strip()[:100]
    pairing.save(update_fields=["end_date", "end_reason"])
    audit(AuditEvent.UPDATE, user=user, obj=pairing, before=before, after=snapshot(pairing, PAIRING_FIELDS),
          reason=f"结束结对{('：' + pairing.end_reason) if pairing.end_reason else ''}")
    return pairing


def my_recipients(user, on: date | None = None) -> QuerySet:
    """A volunteer's current recipients: persons in an active pairing with their helper record."""
    on = on or _today()
    active = Pairing.objects.filter(active_on("", on), helper__user=user)
    return scope_queryset(Person.objects.all(), user).filter(pk__in=active.values("person_id"))


def end_pairings_of_moved_person(sender, *, person, old_area, new_area, user, **kwargs) -> str:
    """A person moved to another village (registry.transfers.person_moved): the running pairings
    end today, their helpers serving the old village."""
    running = list(Pairing.objects.filter(person=person, end_date__isnull=True))
    reason = "人员已转移至其他村（社区）"
    ended = Pairing.objects.filter(pk__in=[p.pk for p in running]).update(end_date=_today(), end_reason=reason)
    # Inside the move's transaction and service: one event per pairing ended, by the mover.
    record_many(user, AuditEvent.UPDATE, [(p, {"end_date": (None, _today()), "end_reason": (p.end_reason, reason)})
                                          for p in running], detail="人员转移，结对结束")
    return f"结束结对{ended}对" if ended else ""
