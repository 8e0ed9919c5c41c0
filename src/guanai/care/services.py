"""Care services: every write of helpers, pairings, visits, activities and care homes.

Each function validates fully, raises ``ValidationError`` with Chinese messages
naming the field (and the row, for aid and materials), and writes all-or-nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.areas.models import Area
from guanai.areas.scoping import may_see_area, scope_queryset, serves_user_area, user_role
from guanai.coordination.models import MemberUnit
from guanai.registry.models import Household, Person, RiskAssessment
from guanai.stats.tallies import refresh_villages

from . import followup
from .models import Activity, ActivityMaterial, ActivityPhoto, AidItem, CareHome, Helper, Inspection, Pairing, Visit

# The standard checklist of a care home, the "八有"; settings.GUANAI_CAREHOME_CHECKLIST may replace it.
DEFAULT_CAREHOME_CHECKLIST = [
    ("site", "有场所"), ("facilities", "有设施"), ("books", "有图书"), ("rules", "有制度"),
    ("staff", "有人员"), ("activities", "有活动"), ("funds", "有经费"), ("records", "有档案"),
]
# Goods people bring, offered as suggestions on the visit form (free text is allowed).
COMMON_GOODS = [("大米", "袋"), ("面粉", "袋"), ("食用油", "桶"), ("棉被", "床"), ("月饼", "盒"), ("学习用品", "套"),
                ("牛奶", "箱"), ("衣物", "件"), ("书包", "个"), ("取暖器", "台")]
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024


def checklist() -> list[tuple[str, str]]:
    return list(getattr(settings, "GUANAI_CAREHOME_CHECKLIST", None) or DEFAULT_CAREHOME_CHECKLIST)


def _today() -> date:
    return timezone.localdate()


def _decimal(value, *, row_label: str, field_label: str, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({field: f"{row_label}：{field_label}应为数字，实为“{value}”"})
    return number


def _unit_usable(user, unit: MemberUnit) -> bool:
    return serves_user_area(user, unit.area_id)


def _require_area(user, area_code: str | None, *, field: str = "area") -> Area:
    area = Area.objects.filter(pk=area_code or "").first()
    if area is None:
        raise ValidationError({field: "请选择区划"})
    if not may_see_area(user, area.code):
        raise ValidationError({field: "所选区划不在您的管辖范围内"})
    return area


# --- helpers and pairings ---------------------------------------------------------

def helpers_for(user) -> QuerySet:
    return scope_queryset(Helper.objects.all(), user)


@transaction.atomic
def create_helper(*, user, name: str, kind: str, area_code: str, phone: str = "", unit: MemberUnit | None = None,
                  account: User | None = None) -> Helper:
    role = user_role(user)
    if role not in (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT):
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
    if errors:
        raise ValidationError(errors)
    area = _require_area(user, area_code)
    helper = Helper(name=name.strip(), kind=kind, area=area, phone=phone.strip(), unit=unit, user=account)
    helper.full_clean()
    helper.save()
    return helper


def pairings_for(user) -> QuerySet:
    return scope_queryset(Pairing.objects.all(), user)


@transaction.atomic
def create_pairing(*, user, helper: Helper, persons: list[Person], start_date: date, end_date: date | None = None,
                   note: str = "") -> list[Pairing]:
    """Pair ``helper`` with each of ``persons`` (结对帮扶); one pairing per recipient."""
    if user_role(user) not in (roles.ADMIN, roles.STAFF, roles.VILLAGE):
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
    elif start_date > _today():
        errors["start_date"] = "结对日期不能晚于今天"
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
        created.append(pairing)
    return created


@transaction.atomic
def end_pairing(*, user, pairing: Pairing, end_date: date | None = None, reason: str = "") -> Pairing:
    if user_role(user) not in (roles.ADMIN, roles.STAFF, roles.VILLAGE) or \
            not pairings_for(user).filter(pk=pairing.pk).exists():
        raise ValidationError("您无权结束此结对")
    end_date = end_date or _today()
    if end_date < pairing.start_date:
        raise ValidationError({"end_date": "结束日期不能早于结对日期"})
    if end_date > _today():
        raise ValidationError({"end_date": "结束日期不能晚于今天"})
    pairing.end_date, pairing.end_reason = end_date, (reason or "").strip()[:100]
    pairing.save(update_fields=["end_date", "end_reason"])
    return pairing


def my_recipients(user, on: date | None = None) -> QuerySet:
    """A volunteer's current recipients: persons in an active pairing with their helper record."""
    on = on or _today()
    active = Pairing.objects.filter(helper__user=user, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on))
    return scope_queryset(Person.objects.all(), user).filter(pk__in=active.values("person_id"))


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
        quantity = _decimal(row.quantity, row_label=label, field_label="数量", field="aid")
        value = _decimal(row.value_yuan, row_label=label, field_label="金额", field="aid")
        description = (row.description or "").strip()
        if row.kind == AidItem.CASH:
            description = description or "慰问金"
            if value is None:
                raise ValidationError({"aid": f"{label}：请填写慰问金金额（元）"})
        else:
            if not description:
                raise ValidationError({"aid": f"{label}：请填写物资名称，如大米、食用油、棉被"})
            if quantity is None:
                raise ValidationError({"aid": f"{label}（{description}）：请填写数量"})
            if value is None:
                raise ValidationError({"aid": f"{label}（{description}）：请填写折合金额（元），没有金额的物资无法统计"})
        if quantity is not None and quantity < 0:
            raise ValidationError({"aid": f"{label}（{description}）：数量不能为负数"})
        if quantity is not None and quantity == 0:
            raise ValidationError({"aid": f"{label}（{description}）：数量应大于0"})
        if value < 0:
            raise ValidationError({"aid": f"{label}（{description}）：金额不能为负数"})
        if value == 0:
            raise ValidationError({"aid": f"{label}（{description}）：金额应大于0"})
        if value >= Decimal("1e10") or (quantity is not None and quantity >= Decimal("1e10")):
            raise ValidationError({"aid": f"{label}（{description}）：数额过大，请核对"})
        items.append(AidItem(kind=row.kind, description=description[:50], quantity=quantity,
                             unit=(row.unit or ("元" if row.kind == AidItem.CASH and quantity is None else "")).strip()[:10],
                             value_yuan=value.quantize(Decimal("0.01")), given_on=visit_date))
    return items


@transaction.atomic
def create_visit(*, user, visit_date: date, mode: str, person: Person | None = None, household: Household | None = None,
                 findings: str = "", needs: str = "", risk_level: str = "", next_visit_on: date | None = None,
                 aid: list | tuple = (), visitors: list[User] | None = None, other_visitors: str = "") -> Visit:
    """Record a visit with its aid items, all or nothing.

    The recipient must be within the visitor's scope (for a volunteer: paired with them).
    A quick risk judgement different from the current one files a new risk assessment.
    When no next visit date is given, the follow-up rules set it.
    """
    role = user_role(user)
    if role not in (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.VOLUNTEER):
        raise ValidationError("您的角色不能填报走访记录")
    errors = {}
    if (person is None) == (household is None):
        errors["person"] = "请选择一名走访对象（人员或家庭户）"
    elif person is not None and not scope_queryset(Person.objects.filter(pk=person.pk), user).exists():
        errors["person"] = ("走访对象不在您的结对范围内" if role == roles.VOLUNTEER
                            else "走访对象不在您的管辖范围内")
    elif household is not None and not scope_queryset(Household.objects.filter(pk=household.pk), user).exists():
        errors["person"] = "走访家庭不在您的管辖范围内"
    today = _today()
    if visit_date is None:
        errors["visit_date"] = "请填写走访日期"
    elif visit_date > today:
        errors["visit_date"] = f"走访日期不能晚于今天（{today.year}年{today.month}月{today.day}日）"
    if mode not in dict(Visit.MODE_CHOICES):
        errors["mode"] = "请选择走访方式：入户、电话、视频或到校"
    if risk_level and risk_level not in dict(Visit.RISK_CHOICES):
        errors["risk_level"] = "风险等级无效"
    if next_visit_on is not None and visit_date is not None and next_visit_on < visit_date:
        errors["next_visit_on"] = "下次走访日期不能早于本次走访日期"
    if errors:
        raise ValidationError(errors)
    items = _clean_aid(list(aid), visit_date)
    recipient_area = person.area_id if person is not None else household.area_id
    if next_visit_on is None and person is not None:
        categories = list(person.categories.values_list("category", flat=True))
        next_visit_on = followup.suggest_next_visit(categories, risk_level or person.current_risk, visit_date)
    visit = Visit(visit_date=visit_date, mode=mode, person=person, household=household, area_id=recipient_area,
                  findings=(findings or "").strip(), needs=(needs or "").strip(), risk_level=risk_level or "",
                  next_visit_on=next_visit_on, other_visitors=(other_visitors or "").strip()[:200],
                  created_by=user if user.pk else None)
    visit.full_clean(exclude=["area", "person", "household"])
    visit.save()
    visit.visitors.set({u.pk for u in (visitors or [])} | ({user.pk} if user.pk else set()))
    for item in items:
        item.visit, item.area_id = visit, recipient_area
        item.save()
    if risk_level and person is not None:
        _quick_reassessment(user, person, risk_level, visit_date)
    # The village's current follow-up figures (stats tallies) once the visit is committed.
    transaction.on_commit(lambda: refresh_villages([recipient_area]))
    return visit


def _quick_reassessment(user, person: Person, level: str, on: date) -> None:
    current = RiskAssessment.objects.filter(person=person, is_current=True).first()
    if current is not None and current.level == level:
        return
    RiskAssessment.objects.filter(person=person, is_current=True).update(is_current=False)
    # As registry.services.assess_risk does: the person's level first, so the tally refresh
    # that saving an assessment triggers (registry.signals) already sees it.
    Person.objects.filter(pk=person.pk).update(current_risk=level)
    person.current_risk = level
    RiskAssessment.objects.create(person=person, assessed_on=on, level=level, assessor=user if user.pk else None,
                                  flags=list(current.flags) if current else [], note="走访时快速再评估")


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


@transaction.atomic
def create_activity(*, user, title: str, kind: str, held_on: date, area_code: str, place: str = "",
                    organisers: list[MemberUnit] = (), volunteers_count: int = 0, participants_count: int = 0,
                    beneficiaries_count: int = 0, consultations_count: int = 0, funds_yuan=0, description: str = "",
                    materials: list[dict] = (), beneficiaries: list[Person] = (), photos: list = ()) -> Activity:
    role = user_role(user)
    if role not in (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.STAFF, roles.VILLAGE):
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
    counts = {"volunteers_count": ("志愿者人数", volunteers_count), "participants_count": ("参与人次", participants_count),
              "beneficiaries_count": ("受益人数", beneficiaries_count),
              "consultations_count": ("咨询人次", consultations_count)}
    for field, (label, value) in counts.items():
        if value is None:
            continue
        if int(value) < 0:
            errors[field] = f"{label}不能为负数"
    funds = _decimal(funds_yuan, row_label="投入资金", field_label="金额", field="funds_yuan") or Decimal(0)
    if funds is not None and funds < 0:
        errors["funds_yuan"] = "投入资金不能为负数"
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
    area = _require_area(user, area_code)
    rows = []
    for index, row in enumerate(materials, start=1):
        label = f"第{index}项发放物品"
        item = (row.get("item") or "").strip()
        quantity = _decimal(row.get("quantity"), row_label=label, field_label="数量", field="materials")
        if not item:
            raise ValidationError({"materials": f"{label}：请填写物品名称"})
        if quantity is None:
            raise ValidationError({"materials": f"{label}（{item}）：请填写数量"})
        if quantity <= 0:
            raise ValidationError({"materials": f"{label}（{item}）：数量应大于0，不能为负数"})
        rows.append(ActivityMaterial(item=item[:50], quantity=quantity, unit=(row.get("unit") or "").strip()[:10]))
    checked_photos = []
    for upload in photos:
        content_type = _photo_type(upload)
        if not content_type:
            raise ValidationError({"photos": f"照片“{upload.name}”不是JPG、PNG或WebP图片"})
        if upload.size > MAX_PHOTO_BYTES:
            raise ValidationError({"photos": f"照片“{upload.name}”超过10MB"})
        checked_photos.append((upload, content_type))
    activity = Activity(title=title.strip(), kind=kind, held_on=held_on, area=area, place=(place or "").strip(),
                        volunteers_count=volunteers_count or 0, participants_count=participants_count or 0,
                        beneficiaries_count=beneficiaries_count or 0, consultations_count=consultations_count or 0,
                        funds_yuan=funds, description=(description or "").strip(), created_by=user if user.pk else None)
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
    return activity


# --- care homes ----------------------------------------------------------------------

def care_homes_for(user) -> QuerySet:
    return scope_queryset(CareHome.objects.all(), user)


@transaction.atomic
def create_care_home(*, user, name: str, kind: str, area_code: str, sponsor_unit: MemberUnit | None = None,
                     address: str = "", opened_on: date | None = None, manager: str = "", phone: str = "") -> CareHome:
    if user_role(user) not in (roles.ADMIN, roles.OFFICE, roles.STAFF):
        raise ValidationError("您的角色不能登记爱心家园/儿童之家")
    errors = {}
    if not (name or "").strip():
        errors["name"] = "请填写名称"
    if kind not in dict(CareHome.KIND_CHOICES):
        errors["kind"] = "请选择类型"
    if opened_on is not None and opened_on > _today():
        errors["opened_on"] = "建成日期不能晚于今天"
    if sponsor_unit is not None and not _unit_usable(user, sponsor_unit):
        errors["sponsor_unit"] = "共建单位不在您的管辖范围内"
    if errors:
        raise ValidationError(errors)
    area = _require_area(user, area_code)
    home = CareHome(name=name.strip(), kind=kind, area=area, sponsor_unit=sponsor_unit, address=address.strip(),
                    opened_on=opened_on, manager=manager.strip(), phone=phone.strip())
    home.full_clean()
    home.save()
    return home


@transaction.atomic
def record_inspection(*, user, home: CareHome, inspected_on: date, results: dict[str, bool], notes: str = "") -> Inspection:
    """Check a care home against the standard checklist; every item gets a yes or no."""
    if user_role(user) not in (roles.ADMIN, roles.OFFICE, roles.STAFF) or \
            not care_homes_for(user).filter(pk=home.pk).exists():
        raise ValidationError("您无权检查此场所")
    if inspected_on is None:
        raise ValidationError({"inspected_on": "请填写检查日期"})
    if inspected_on > _today():
        raise ValidationError({"inspected_on": "检查日期不能晚于今天"})
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
    return inspection
