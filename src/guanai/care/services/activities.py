"""Activities (关爱活动) with their materials and photos."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas.scoping import area_for_user, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, snapshot
from guanai.coordination.models import MemberUnit
from guanai.core.validation import check_count, check_date, parse_money, parse_quantity
from guanai.registry.models import Person

from ..permissions import ACTIVITY_EDIT_ROLES
from ..models import Activity, ActivityMaterial, ActivityPhoto
from .common import MAX_PHOTO_BYTES, PHOTO_TYPES, _collect, _today, _unit_usable


# --- activities ----------------------------------------------------------------------

def activities_for(user) -> QuerySet:
    return scope_queryset(Activity.objects.all(), user)


def _photo_type(upload) -> str:
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in PHOTO_TYPES.items():
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


@audited
@transaction.atomic
def create_activity(*, user, title: str, kind: str, held_on: date, area_code: str, place: str = "",
                    organisers: list[MemberUnit] = (), volunteers_count: int = 0, participants_count: int = 0,
                    beneficiaries_count: int = 0, consultations_count: int = 0, funds_yuan=0, description: str = "",
                    materials: list[dict] = (), beneficiaries: list[Person] = (), photos: list = ()) -> Activity:
    role = user_role(user)
    if role not in ACTIVITY_EDIT_ROLES:
        raise ValidationError("您的角色不能登记活动")
    errors = {}
    if not (title or "").strip():
        errors["title"] = "请填写活动名称"
    if kind not in dict(Activity.KIND_CHOICES):
        errors["kind"] = "请选择活动类型"
    if held_on is None:
        errors["held_on"] = "请填写活动日期"
    elif held_on > _today():
        errors["held_on"] = "活动日期不能晚于今天；计划中的活动请在举办后登记"
    else:
        _collect(errors, check_date, held_on, "past", label="活动日期", field="held_on")
    counts = {"volunteers_count": ("志愿者人数", volunteers_count), "participants_count": ("参与人次", participants_count),
              "beneficiaries_count": ("受益人数", beneficiaries_count),
              "consultations_count": ("咨询人次", consultations_count)}
    checked_counts = {}
    for field, (label, value) in counts.items():
        checked_counts[field] = _collect(errors, check_count, value, label=label, field=field) or 0
    funds = _collect(errors, parse_money, funds_yuan, label="投入资金", field="funds_yuan") or Decimal(0)
    unit_ids = [u.pk for u in organisers]
    if role == roles.UNIT and user.unit_id not in unit_ids:
        unit_ids.append(user.unit_id)  # a unit records its own activities
    units = list(MemberUnit.objects.filter(pk__in=unit_ids))
    foreign = [u.name for u in units if not _unit_usable(user, u)]
    if foreign:
        errors["organisers"] = f"组织单位不在您的管辖范围内：{'、'.join(foreign)}"
    if beneficiaries:
        visible = set(scope_queryset(Person.objects.filter(pk__in=[p.pk for p in beneficiaries]), user)
                      .values_list("pk", flat=True))
        outside = [p.name for p in beneficiaries if p.pk not in visible]
        if outside:
            errors["beneficiaries"] = f"受益对象不在您的管辖范围内：{'、'.join(outside)}"
    if errors:
        raise ValidationError(errors)
    area = area_for_user(user, area_code)
    rows = []
    for index, row in enumerate(materials, start=1):
        label = f"第{index}项发放物品"
        item = (row.get("item") or "").strip()
        if not item:
            raise ValidationError({"materials": f"{label}：请填写物品名称"})
        if len(item) > 50:
            raise ValidationError({"materials": f"{label}：物品名称过长，最多50字"})
        quantity = parse_quantity(row.get("quantity"), label=f"{label}（{item}）：数量", field="materials")
        if quantity is None:
            raise ValidationError({"materials": f"{label}（{item}）：请填写数量"})
        rows.append(ActivityMaterial(item=item, quantity=quantity, unit=(row.get("unit") or "").strip()[:10]))
    checked_photos = []
    for upload in photos:
        content_type = _photo_type(upload)
        if not content_type:
            raise ValidationError({"photos": f"照片“{upload.name}”不是JPG、PNG或WebP图片"})
        if upload.size > MAX_PHOTO_BYTES:
            raise ValidationError({"photos": f"照片“{upload.name}”超过10MB"})
        checked_photos.append((upload, content_type))
    activity = Activity(title=title.strip(), kind=kind, held_on=held_on, area=area, place=(place or "").strip(),
                        **checked_counts, funds_yuan=funds, description=(description or "").strip(), created_by=user if user.pk else None)
    activity.full_clean(exclude=["area"])
    activity.save()
    activity.organisers.set(units)
    if beneficiaries:
        activity.beneficiaries.set(beneficiaries)
    for material in rows:
        material.activity = activity
        material.save()
    for upload, content_type in checked_photos:
        photo = ActivityPhoto(activity=activity, content_type=content_type)
        photo.image.save(upload.name, upload, save=False)
        photo.save()
    audit(AuditEvent.CREATE, user=user, obj=activity,
          after={**snapshot(activity, ["title", "kind", "held_on", "area_id", "place", *checked_counts, "funds_yuan"]),
                 "organisers": [u.name for u in units], "beneficiaries": len(beneficiaries),
                 "materials": len(rows), "photos": len(checked_photos)},
          reason="登记活动")
    return activity
