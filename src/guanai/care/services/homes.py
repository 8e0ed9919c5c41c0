"""Care homes (儿童之家 and the like) and their inspections against the checklist."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from guanai.accounts.roles import user_role
from guanai.areas.scoping import area_for_user, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, snapshot
from guanai.coordination.models import MemberUnit
from guanai.core.validation import check_date, check_phone

from ..permissions import HOME_EDIT_ROLES
from ..models import CareHome, Inspection
from .common import _collect, _unit_usable, checklist


# --- care homes ----------------------------------------------------------------------

def care_homes_for(user) -> QuerySet:
    return scope_queryset(CareHome.objects.all(), user)


@audited
@transaction.atomic
def create_care_home(*, user, name: str, kind: str, area_code: str, sponsor_unit: MemberUnit | None = None,
                     address: str = "", opened_on: date | None = None, manager: str = "", phone: str = "") -> CareHome:
    if user_role(user) not in HOME_EDIT_ROLES:
        raise ValidationError("您的角色不能登记爱心家园/儿童之家")
    errors = {}
    if not (name or "").strip():
        errors["name"] = "请填写名称"
    if kind not in dict(CareHome.KIND_CHOICES):
        errors["kind"] = "请选择类型"
    _collect(errors, check_date, opened_on, "founded", label="建成日期", field="opened_on")
    phone = _collect(errors, check_phone, phone, field="phone") or ""
    if sponsor_unit is not None and not _unit_usable(user, sponsor_unit):
        errors["sponsor_unit"] = "共建单位不在您的管辖范围内"
    if errors:
        raise ValidationError(errors)
    area = area_for_user(user, area_code)
    home = CareHome(name=name.strip(), kind=kind, area=area, sponsor_unit=sponsor_unit, address=address.strip(),
                    opened_on=opened_on, manager=manager.strip(), phone=phone)
    home.full_clean()
    home.save()
    audit(AuditEvent.CREATE, user=user, obj=home,
          after=snapshot(home, ["name", "kind", "area_id", "sponsor_unit_id", "address", "opened_on", "manager",
                                "phone"]), reason="登记场所")
    return home


@audited
@transaction.atomic
def record_inspection(*, user, home: CareHome, inspected_on: date, results: dict[str, bool], notes: str = "") -> Inspection:
    """Check a care home against the standard checklist; every item gets a yes or no."""
    if user_role(user) not in HOME_EDIT_ROLES or \
            not care_homes_for(user).filter(pk=home.pk).exists():
        raise ValidationError("您无权检查此场所")
    if inspected_on is None:
        raise ValidationError({"inspected_on": "请填写检查日期"})
    check_date(inspected_on, "past", label="检查日期", field="inspected_on")
    items = checklist()
    missing = [label for code, label in items if code not in results]
    if missing:
        raise ValidationError({"results": f"请逐项填写检查结果，未填：{'、'.join(missing)}"})
    rows = [{"code": code, "label": label, "ok": bool(results[code])} for code, label in items]
    inspection = Inspection(home=home, inspected_on=inspected_on, inspector=user if user.pk else None, results=rows,
                            passed=sum(r["ok"] for r in rows), total=len(rows), notes=(notes or "").strip(),
                            area_id=home.area_id)
    inspection.full_clean(exclude=["home", "area"])
    inspection.save()
    audit(AuditEvent.CREATE, user=user, obj=inspection,
          after=snapshot(inspection, ["home_id", "inspected_on", "passed", "total", "notes"]),
          reason=f"检查{home.name}")
    return inspection
