"""Visits (走访): the aid given, photos and the signature, the risk a visit reassesses; what a
volunteer may not record (a risk level, cash)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.accounts.roles import user_role
from guanai.areas.scoping import scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, snapshot
from guanai.core.validation import check_date, parse_money, parse_quantity
from guanai.registry.models import Household, Person, RiskAssessment
from guanai.stats.tallies import batched

from .. import followup, photos as visit_photos
from ..permissions import VISIT_ROLES
from ..models import AidItem, Visit, VisitPhoto
from .common import MAX_VISIT_PHOTOS, _collect


# --- visits ------------------------------------------------------------------------

@dataclass
class AidRow:
    kind: str
    description: str = ""
    quantity: object = None
    unit: str = ""
    value_yuan: object = None


def visits_for(user) -> QuerySet:
    return scope_queryset(Visit.objects.all(), user)


def _clean_aid(rows: list, visit_date: date) -> list[AidItem]:
    items = []
    for index, row in enumerate(rows, start=1):
        if isinstance(row, dict):
            row = AidRow(**row)
        label = f"第{index}项救助"
        if row.kind not in (AidItem.CASH, AidItem.GOODS):
            raise ValidationError({"aid": f"{label}：请选择现金或物资"})
        description = (row.description or "").strip() or ("慰问金" if row.kind == AidItem.CASH else "")
        if row.kind == AidItem.GOODS and not description:
            raise ValidationError({"aid": f"{label}：请填写物资名称，如大米、食用油、棉被"})
        if len(description) > 50:
            raise ValidationError({"aid": f"{label}：名称过长（{len(description)}字），最多50字"})
        named = f"{label}（{description}）"
        # Rounded to the cent before they are checked: 0.001 is 0.00, which is no aid.
        quantity = parse_quantity(row.quantity, label=f"{named}：数量", field="aid")
        value = parse_money(row.value_yuan, label=f"{named}：金额", field="aid", positive=True)
        if row.kind == AidItem.CASH:
            if value is None:
                raise ValidationError({"aid": f"{label}：请填写慰问金金额（元）"})
        else:
            if quantity is None:
                raise ValidationError({"aid": f"{named}：请填写数量"})
            if value is None:
                raise ValidationError({"aid": f"{named}：请填写折合金额（元），没有金额的物资无法统计"})
        unit = (row.unit or ("元" if row.kind == AidItem.CASH and quantity is None else "")).strip()
        if len(unit) > 10:
            raise ValidationError({"aid": f"{named}：单位过长，最多10字"})
        items.append(AidItem(kind=row.kind, description=description, quantity=quantity, unit=unit,
                             value_yuan=value, given_on=visit_date))
    return items


# DESIGN §2: a volunteer records visits and goods for their pairings; risk levels and cash
# aid belong to the staff and the village workers. The rule lives here so that every door
# (the visit form, the API, the offline phone) inherits it.
VOLUNTEER_NO_RISK = "志愿者不能调整风险等级：请在走访情况中写明，由儿童主任或工作人员评估"
VOLUNTEER_NO_CASH = "志愿者不能登记现金救助（慰问金）：现金由儿童主任或工作人员登记，志愿者可登记物资"


def may_set_risk(user) -> bool:
    return user_role(user) in roles.AREA_RECORD_ROLES


def may_record_cash(user) -> bool:
    return user_role(user) in roles.AREA_RECORD_ROLES


def _aid_kind(row) -> str:
    return row.get("kind") if isinstance(row, dict) else getattr(row, "kind", None)


@audited
@transaction.atomic
def create_visit(*, user, visit_date: date, mode: str, person: Person | None = None, household: Household | None = None,
                 findings: str = "", needs: str = "", risk_level: str = "", next_visit_on: date | None = None,
                 aid: list | tuple = (), visitors: list[User] | None = None, other_visitors: str = "",
                 photos: list | tuple = (), keep_location: bool = False, signature: bytes | None = None,
                 signature_declined: bool = False, signature_note: str = "") -> Visit:
    """Record a visit with its aid items, photos and the recipient's signature, all or nothing.

    The recipient must be within the visitor's scope (for a volunteer: paired with them).
    A quick risk judgement different from the current one files a new risk assessment.
    When no next visit date is given, the follow-up rules set it. Photos are stored resized
    and without their location unless ``keep_location`` (see care.photos); the recipient
    signs (``signature``: the pad's PNG) or declines (``signature_declined``, with a note).
    """
    role = user_role(user)
    if role not in VISIT_ROLES:
        raise ValidationError("您的角色不能填报走访记录")
    errors = {}
    if (person is None) == (household is None):
        errors["person"] = "请选择一名走访对象（人员或家庭户）"
    elif person is not None and not scope_queryset(Person.objects.filter(pk=person.pk), user).exists():
        errors["person"] = ("走访对象不在您的结对范围内" if role == roles.VOLUNTEER
                            else "走访对象不在您的管辖范围内")
    elif household is not None and not scope_queryset(Household.objects.filter(pk=household.pk), user).exists():
        errors["person"] = "走访家庭不在您的管辖范围内"
    if visit_date is None:
        errors["visit_date"] = "请填写走访日期"
    _collect(errors, check_date, visit_date, "past", label="走访日期", field="visit_date")
    if mode not in dict(Visit.MODE_CHOICES):
        errors["mode"] = "请选择走访方式：入户、电话、视频或到校"
    if risk_level and risk_level not in dict(Visit.RISK_CHOICES):
        errors["risk_level"] = "风险等级无效"
    elif risk_level and not may_set_risk(user):
        errors["risk_level"] = VOLUNTEER_NO_RISK
    if not may_record_cash(user) and any(_aid_kind(row) == AidItem.CASH for row in aid):
        errors["aid"] = VOLUNTEER_NO_CASH
    if next_visit_on is not None and visit_date is not None and next_visit_on < visit_date:
        errors["next_visit_on"] = "下次走访日期不能早于本次走访日期"
    else:
        _collect(errors, check_date, next_visit_on, "planned", label="下次走访日期", field="next_visit_on")
    other_visitors = (other_visitors or "").strip()
    if len(other_visitors) > 200:
        errors["other_visitors"] = f"同行人员过长（{len(other_visitors)}字），最多200字"
    signature_note = (signature_note or "").strip()
    if signature is not None and signature_declined:
        errors["signature"] = "已勾选“对象拒绝签字”，不能同时保存签名；请清除签名或取消勾选"
    if len(signature_note) > 200:
        errors["signature_note"] = f"未签字说明过长（{len(signature_note)}字），最多200字"
    if errors:
        raise ValidationError(errors)
    items = _clean_aid(list(aid), visit_date)
    # Every image is read and re-encoded before anything is written: a bad one refuses the visit.
    prepared = _prepare_images(photos, signature, keep_location, already=0)
    recipient_area = person.area_id if person is not None else household.area_id
    if next_visit_on is None and person is not None:
        categories = list(person.categories.values_list("category", flat=True))
        next_visit_on = followup.suggest_next_visit(categories, risk_level or person.current_risk, visit_date)
    visit = Visit(visit_date=visit_date, mode=mode, person=person, household=household, area_id=recipient_area,
                  findings=(findings or "").strip(), needs=(needs or "").strip(), risk_level=risk_level or "",
                  next_visit_on=next_visit_on, other_visitors=other_visitors,
                  signature_declined=bool(signature_declined),
                  signature_note=signature_note if signature_declined else "",
                  created_by=user if user.pk else None)
    visit.full_clean(exclude=["area", "person", "household"])
    # The village's kept figures (stats tallies: visits, aid, follow-up) once for the whole visit.
    with batched():
        visit.save()
        visit.visitors.set({u.pk for u in (visitors or [])} | ({user.pk} if user.pk else set()))
        for item in items:
            item.visit, item.area_id = visit, recipient_area
            item.save()
        if risk_level and person is not None:
            _quick_reassessment(user, person, risk_level, visit_date)
        if prepared:
            _store_images(user, visit, prepared)
    audit(AuditEvent.CREATE, user=user, obj=visit,
          after={**snapshot(visit, ["visit_date", "mode", "person_id", "household_id", "area_id", "risk_level",
                                    "next_visit_on"]),
                 "aid": "；".join(f"{i.description} {i.value_yuan}元" for i in items)},
          reason="走访")
    return visit


def _upload_bytes(upload, label: str, limit: int, field: str = "photos") -> bytes:
    """The content of an uploaded file (or bytes), refused unread when it says it is too big."""
    if isinstance(upload, (bytes, bytearray)):
        return bytes(upload)
    if (getattr(upload, "size", None) or 0) > limit:
        raise ValidationError({field: f"{label}超过{limit // (1024 * 1024)}MB，请重新拍摄或压缩后上传"})
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(limit + 1)


def _prepare_images(photos, signature, keep_location: bool, *, already: int) -> list[tuple[str, visit_photos.Prepared]]:
    photos = list(photos or ())
    if already + len(photos) > MAX_VISIT_PHOTOS:
        raise ValidationError({"photos": f"每次走访最多保存{MAX_VISIT_PHOTOS}张照片（已有{already}张，"
                                         f"本次{len(photos)}张）"})
    prepared = []
    for index, upload in enumerate(photos, start=1):
        name = getattr(upload, "name", "") or ""
        label = f"第{index}张照片" + (f"“{name}”" if name else "")
        data = _upload_bytes(upload, label, visit_photos.MAX_PHOTO_BYTES)
        prepared.append((VisitPhoto.PHOTO, visit_photos.prepare_photo(data, keep_location=keep_location, label=label)))
    if signature is not None:
        data = _upload_bytes(signature, "签名图片", visit_photos.MAX_SIGNATURE_BYTES, field="signature")
        prepared.append((VisitPhoto.SIGNATURE, visit_photos.prepare_signature(data)))
    return prepared


def _store_images(user, visit: Visit, prepared: list[tuple[str, visit_photos.Prepared]]) -> list[VisitPhoto]:
    stored = []
    for kind, image in prepared:
        photo = VisitPhoto(visit=visit, kind=kind, content_type=image.content_type, width=image.width,
                           height=image.height, location_kept=image.location_kept, area_id=visit.area_id,
                           uploaded_by=user if user.pk else None)
        photo.image.save(f"{uuid.uuid4().hex}{image.suffix}", ContentFile(image.content), save=False)
        photo.save()
        stored.append(photo)
    count = sum(p.kind == VisitPhoto.PHOTO for p in stored)
    parts = []
    if count:
        kept = sum(p.location_kept for p in stored)
        parts.append(f"走访照片{count}张（" + (f"{kept}张按填报人选择保留拍摄位置" if kept else "拍摄位置已删除") + "）")
    if any(p.kind == VisitPhoto.SIGNATURE for p in stored):
        parts.append("对象签字")
    audit(AuditEvent.UPDATE, user=user, obj=visit, after={"photos": len(stored)}, reason="添加" + "、".join(parts))
    return stored


@audited
@transaction.atomic
def add_visit_photos(*, user, visit: Visit, photos: list | tuple = (), keep_location: bool = False,
                     signature: bytes | None = None) -> list[VisitPhoto]:
    """Photos (and the signature, once) added to a visit already saved: a phone that queued
    the visit offline sends them after it. Only someone who may see the visit adds to it."""
    if user_role(user) not in (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.VOLUNTEER) or \
            not visits_for(user).filter(pk=visit.pk).exists():
        raise ValidationError("您无权为此走访添加照片")
    if not photos and signature is None:
        raise ValidationError({"photos": "请选择要上传的照片或签名"})
    visit = Visit.objects.select_for_update().get(pk=visit.pk)  # two uploads at once count each other's photos
    if signature is not None:
        if visit.signature_declined:
            raise ValidationError({"signature": "此次走访已记录对象拒绝签字，不能再添加签名"})
        if visit.photos.filter(kind=VisitPhoto.SIGNATURE).exists():
            raise ValidationError({"signature": "此次走访已有对象签字"})
    already = visit.photos.filter(kind=VisitPhoto.PHOTO).count()
    prepared = _prepare_images(photos, signature, keep_location, already=already)
    return _store_images(user, visit, prepared)


def _quick_reassessment(user, person: Person, level: str, on: date) -> None:
    current = RiskAssessment.objects.filter(person=person, is_current=True).first()
    if current is not None and current.level == level:
        return
    RiskAssessment.objects.filter(person=person, is_current=True).update(is_current=False)
    # As registry.services.assess_risk does: the person's level first, so the tally refresh
    # that saving an assessment triggers (registry.signals) already sees it.
    before = Person.objects.filter(pk=person.pk).values_list("current_risk", flat=True).first()
    Person.objects.filter(pk=person.pk).update(current_risk=level)
    person.current_risk = level
    assessment = RiskAssessment.objects.create(
        person=person, assessed_on=on, level=level, assessor=user if user.pk else None,
        flags=list(current.flags) if current else [], note="走访时快速再评估")
    audit(AuditEvent.UPDATE, user=user, obj=person, before={"current_risk": before, "assessment": None},
          after={"current_risk": level, "assessment": assessment.pk}, reason=f"走访时快速再评估（{on}）")
