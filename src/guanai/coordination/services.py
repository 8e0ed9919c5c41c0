"""Every write of the conference's set-up: conferences, member units and their liaisons,
duty lists, report forms with their indicators, sections, rules and deadlines.

The admin and the office maintain them. An office manages the conference of its own
area and the working groups of the townships directly below it (a township has no
office of its own); a city office reads its counties' conferences but does not run them.
Each function takes the acting user (keyword-only) and records its audit event inside
its own transaction.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import scope_queryset, user_role
from guanai.audit.models import AuditEvent
from guanai.audit.services import audited, record
from guanai.core.workdays import rest_day_name
from guanai.stats.metrics import METRICS
from guanai.stats.periods import KIND_LABELS, PeriodError, parse_period
from guanai.textproc.cells import CellValueError, clean_phone

from .models import (CONFERENCE_LEVELS, Conference, DeadlineOverride, Duty, Indicator, MemberUnit,  # noqa: F401
                     NarrativeSection, ReportForm, ValidationRule)
MAX_DEADLINE_WORKDAYS = 60
MAX_LOCK_WORKDAYS = 250
MAX_DECIMALS = 4


def conferences_for(user) -> QuerySet:
    return scope_queryset(Conference.objects.select_related("area"), user)


def units_for(user) -> QuerySet:
    return scope_queryset(MemberUnit.objects.select_related("conference", "area"), user)


def office_manages(user, area_code: str) -> bool:
    """Whether ``user`` runs the conference of ``area_code``: the admin; an office of that area,
    or of the county above a township's working group."""
    role = user_role(user)
    if role == roles.ADMIN:
        return True
    if role != roles.OFFICE or not user.area_id or not area_code:
        return False
    if area_code == user.area_id:
        return True
    try:
        return codes.level_of(area_code) == codes.TOWNSHIP and codes.parent_code(area_code) == user.area_id
    except codes.AreaCodeError:
        return False


def _require_manager(user, area_code: str):
    if user is None:
        return  # the command line (guanai import) acts as the installation itself
    if not office_manages(user, area_code):
        raise ValidationError("只有系统管理员和本级联席会议办公室可以维护联席会议")


def default_conference_name(area: Area) -> str:
    if area.level == codes.TOWNSHIP:
        return f"{area.name}农村留守儿童关爱保护和困境儿童保障工作小组"
    return f"{area.name}农村留守儿童关爱保护和困境儿童保障工作联席会议"


def _phone(value: str, field: str) -> str:
    try:
        return clean_phone(value)
    except CellValueError as exc:
        raise ValidationError({field: str(exc)}) from None


# --- conferences -------------------------------------------------------------------------

@audited
@transaction.atomic
def create_conference(*, acting_user, area_code: str, name: str = "", office_name: str = "",
                      office_phone: str = "", note: str = "") -> Conference:
    area = Area.objects.filter(pk=area_code or "").first()
    if area is None:
        raise ValidationError({"area": "请选择区划"})
    if area.level not in CONFERENCE_LEVELS:
        raise ValidationError({"area": "联席会议设在市、县（区）一级，乡镇（街道）设工作小组；请选择市、县或乡镇"})
    _require_manager(acting_user, area.code)
    if Conference.objects.filter(area=area).exists():
        raise ValidationError({"area": f"{area.name}已建立联席会议"})
    conference = Conference(
        area=area, name=(name or "").strip() or default_conference_name(area),
        kind=Conference.WORKING_GROUP if area.level == codes.TOWNSHIP else Conference.CONFERENCE,
        office_name=(office_name or "").strip() or f"{area.name}民政局",
        office_phone=_phone(office_phone, "office_phone"), note=(note or "").strip())
    conference.full_clean()
    conference.save()
    # Units already kept for the area (before the conference was set up) join it.
    MemberUnit.objects.filter(area=area, conference__isnull=True).update(conference=conference)
    record(AuditEvent.CREATE, user=acting_user, obj=conference, detail=f"建立{conference.name}")
    return conference


@audited
@transaction.atomic
def update_conference(*, acting_user, conference: Conference, name: str, office_name: str, office_phone: str = "",
                      note: str = "") -> Conference:
    _require_manager(acting_user, conference.area_id)
    before = {"name": conference.name, "office_name": conference.office_name,
              "office_phone": conference.office_phone, "note": conference.note}
    conference.name = (name or "").strip()
    conference.office_name = (office_name or "").strip()
    conference.office_phone = _phone(office_phone, "office_phone")
    conference.note = (note or "").strip()
    errors = {}
    if not conference.name:
        errors["name"] = "请填写名称"
    if not conference.office_name:
        errors["office_name"] = "请填写办公室（如：示范市民政局）"
    if errors:
        raise ValidationError(errors)
    conference.full_clean()
    conference.save()
    after = {key: getattr(conference, key) for key in before}
    record(AuditEvent.UPDATE, user=acting_user, obj=conference,
           changes={k: (before[k], after[k]) for k in before if before[k] != after[k]})
    return conference


# --- member units -------------------------------------------------------------------------

def _unit_errors(conference: Conference, name: str, unit: MemberUnit | None = None) -> dict:
    errors = {}
    if not name:
        errors["name"] = "请填写单位名称"
    elif MemberUnit.objects.filter(area_id=conference.area_id, name=name).exclude(
            pk=unit.pk if unit else None).exclude(conference__isnull=True).exists():
        errors["name"] = f"本联席会议已有成员单位“{name}”"
    return errors


@audited
@transaction.atomic
def add_unit(*, acting_user, conference: Conference, name: str, is_lead: bool = False, contact_name: str = "",
             contact_phone: str = "", joined_on: date | None = None) -> MemberUnit:
    _require_manager(acting_user, conference.area_id)
    name = (name or "").strip()
    errors = _unit_errors(conference, name)
    if errors:
        raise ValidationError(errors)
    position = (conference.units.aggregate(n=Max("position"))["n"] or 0) + 1
    unit = MemberUnit.objects.filter(area_id=conference.area_id, name=name, conference__isnull=True).first()
    unit = unit or MemberUnit(area_id=conference.area_id, name=name)
    unit.conference, unit.is_lead, unit.position, unit.joined_on = conference, bool(is_lead), position, joined_on
    unit.contact_name = (contact_name or "").strip()
    unit.contact_phone = _phone(contact_phone, "contact_phone")
    unit.full_clean()
    unit.save()
    record(AuditEvent.CREATE, user=acting_user, obj=unit, detail=f"{conference.name}增加成员单位{unit.name}")
    return unit


UNIT_FIELDS = ("name", "is_lead", "contact_name", "contact_phone", "position")


@audited
@transaction.atomic
def update_unit(*, acting_user, unit: MemberUnit, name: str, is_lead: bool, contact_name: str = "",
                contact_phone: str = "", position: int | None = None) -> MemberUnit:
    if unit.conference is None:
        raise ValidationError("该单位尚未加入联席会议")
    _require_manager(acting_user, unit.area_id)
    name = (name or "").strip()
    errors = _unit_errors(unit.conference, name, unit)
    if errors:
        raise ValidationError(errors)
    before = {key: getattr(unit, key) for key in UNIT_FIELDS}
    unit.name, unit.is_lead, unit.contact_name = name, bool(is_lead), (contact_name or "").strip()
    unit.contact_phone = _phone(contact_phone, "contact_phone")
    if position is not None:
        unit.position = position
    unit.full_clean()
    unit.save()
    record(AuditEvent.UPDATE, user=acting_user, obj=unit,
           changes={k: (before[k], getattr(unit, k)) for k in UNIT_FIELDS if before[k] != getattr(unit, k)})
    return unit


@audited
@transaction.atomic
def close_unit(*, acting_user, unit: MemberUnit, closed_on: date, reason: str) -> MemberUnit:
    """A unit leaves its conference (merged, dissolved): kept with its reports, expected no more."""
    _require_manager(acting_user, unit.area_id)
    errors = {}
    if closed_on is None:
        errors["closed_on"] = "请填写撤销日期"
    if not (reason or "").strip():
        errors["closed_reason"] = "请填写撤销原因"
    if errors:
        raise ValidationError(errors)
    before = unit.closed_on
    unit.closed_on, unit.closed_reason = closed_on, reason.strip()[:100]
    unit.save(update_fields=["closed_on", "closed_reason"])
    record(AuditEvent.UPDATE, user=acting_user, obj=unit, changes={"closed_on": (before, closed_on)},
           detail=f"撤销成员单位：{unit.closed_reason}")
    return unit


def liaison_candidates(acting_user, unit: MemberUnit) -> QuerySet:
    """Unit reporter accounts of the unit's area that the office may bind to it."""
    return User.objects.filter(role=roles.UNIT, is_active=True, area_id=unit.area_id).order_by("username")


@audited
@transaction.atomic
def assign_liaison(*, acting_user, unit: MemberUnit, account: User) -> User:
    """Make ``account`` (a 成员单位联络员 account of the unit's area) a liaison of ``unit``."""
    _require_manager(acting_user, unit.area_id)
    if not liaison_candidates(acting_user, unit).filter(pk=account.pk).exists():
        raise ValidationError({"account": "只能指定本区划内角色为“成员单位联络员”的有效账号"})
    before = account.unit_id
    account.unit = unit
    account.save(update_fields=["unit"])
    record(AuditEvent.UPDATE, user=acting_user, obj=account, changes={"unit": (before, unit.pk)},
           detail=f"指定为{unit.name}联络员")
    return account


# --- duties -------------------------------------------------------------------------------

@audited
@transaction.atomic
def set_duties(*, acting_user, conference: Conference, year: int, kind: str, unit: MemberUnit | None,
               items: list[str]) -> list[Duty]:
    """Replace the list of one year and kind (the conference's, or a unit's)."""
    _require_manager(acting_user, conference.area_id)
    errors = {}
    if kind not in dict(Duty.KIND_CHOICES):
        errors["kind"] = "请选择类别"
    if not isinstance(year, int) or not 2000 <= year <= 2099:
        errors["year"] = "年度应在2000至2099之间"
    if unit is not None and unit.conference_id != conference.pk:
        errors["unit"] = "该单位不是本联席会议的成员单位"
    if kind == Duty.RESPONSIBILITY and unit is None:
        errors["unit"] = "职责分工须指定成员单位"
    if errors:
        raise ValidationError(errors)
    current = Duty.objects.filter(conference=conference, year=year, kind=kind, unit=unit)
    before = list(current.values_list("text", flat=True))
    current.delete()
    duties = Duty.objects.bulk_create([Duty(conference=conference, unit=unit, year=year, kind=kind, position=i,
                                            text=text) for i, text in enumerate(items, start=1)])
    label = dict(Duty.KIND_CHOICES)[kind]
    record(AuditEvent.UPDATE, user=acting_user, obj=unit or conference,
           changes={f"{year}年{label}": ("；".join(before), "；".join(items))},
           detail=f"{year}年{label}：{len(items)}项")
    return duties


# --- report forms -------------------------------------------------------------------------

FORM_FIELDS = ("name", "period_type", "first_period", "deadline_workdays", "lock_workdays", "instructions", "active")


def _form_errors(form: ReportForm) -> dict:
    errors = {}
    if not form.name.strip():
        errors["name"] = "请填写报表名称"
    if form.period_type not in KIND_LABELS:
        errors["period_type"] = "请选择报送周期"
    else:
        try:
            first = parse_period(form.first_period)
        except PeriodError as exc:
            errors["first_period"] = str(exc)
        else:
            if first.kind != form.period_type:
                errors["first_period"] = (f"起始期间应为{KIND_LABELS[form.period_type]}，如 "
                                          f"{_example(form.period_type)}")
            else:
                form.first_period = first.key
    if not 1 <= form.deadline_workdays <= MAX_DEADLINE_WORKDAYS:
        errors["deadline_workdays"] = f"报送期限应为1至{MAX_DEADLINE_WORKDAYS}个工作日"
    if form.lock_workdays and not form.deadline_workdays <= form.lock_workdays <= MAX_LOCK_WORKDAYS:
        errors["lock_workdays"] = f"填报锁定不能早于报送期限，且不超过{MAX_LOCK_WORKDAYS}个工作日（0为不锁定）"
    return errors


def _example(kind: str) -> str:
    return {"year": "2026", "half": "2026S1", "quarter": "2026Q1", "month": "2026-01"}[kind]


@audited
@transaction.atomic
def create_form(*, acting_user, conference: Conference, name: str, period_type: str = "quarter",
                first_period: str = "", deadline_workdays: int = 10, lock_workdays: int = 65,
                instructions: str = "") -> ReportForm:
    _require_manager(acting_user, conference.area_id)
    form = ReportForm(conference=conference, name=(name or "").strip(), period_type=period_type,
                      first_period=(first_period or "").strip().upper(), deadline_workdays=deadline_workdays,
                      lock_workdays=lock_workdays, instructions=(instructions or "").strip())
    errors = _form_errors(form)
    if errors:
        raise ValidationError(errors)
    form.save()
    record(AuditEvent.CREATE, user=acting_user, obj=form, detail=f"{conference.name}新建报表{form.name}")
    return form


@audited
@transaction.atomic
def update_form(*, acting_user, form: ReportForm, **fields) -> ReportForm:
    _require_manager(acting_user, form.conference.area_id)
    before = {key: getattr(form, key) for key in FORM_FIELDS}
    for key, value in fields.items():
        if key in FORM_FIELDS:
            setattr(form, key, value.strip() if isinstance(value, str) else value)
    form.first_period = form.first_period.upper()
    if form.reports.exists() and form.period_type != before["period_type"]:
        raise ValidationError({"period_type": "已有单位报送的报表不能改变报送周期，请另建报表"})
    errors = _form_errors(form)
    if errors:
        raise ValidationError(errors)
    form.save()
    record(AuditEvent.UPDATE, user=acting_user, obj=form,
           changes={k: (before[k], getattr(form, k)) for k in FORM_FIELDS if before[k] != getattr(form, k)})
    return form


def bindable_metrics() -> list[tuple[str, str]]:
    """(name, label) of the metric functions that count one member unit's own records."""
    return sorted(((info.name, f"{info.label}（{info.unit}）") for info in METRICS.values() if "unit" in info.params),
                  key=lambda item: item[1])


@audited
@transaction.atomic
def add_indicator(*, acting_user, form: ReportForm, label: str, kind: str = Indicator.NUMBER, unit: str = "",
                  decimals: int = 0, allow_negative: bool = False, required: bool = False, metric: str = "",
                  metric_params: dict | None = None) -> Indicator:
    _require_manager(acting_user, form.conference.area_id)
    errors = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = "请填写指标名称"
    elif form.indicators.filter(label=label).exists():
        errors["label"] = f"本报表已有指标“{label}”"
    if kind not in dict(Indicator.KIND_CHOICES):
        errors["kind"] = "请选择指标类型"
    if not 0 <= (decimals or 0) <= MAX_DECIMALS:
        errors["decimals"] = f"小数位数应为0至{MAX_DECIMALS}"
    metric = (metric or "").strip()
    if metric:
        info = METRICS.get(metric)
        if kind != Indicator.NUMBER:
            errors["metric"] = "只有数值指标可以从系统记录取数"
        elif info is None or "unit" not in info.params:
            errors["metric"] = f"“{metric}”不是可按成员单位统计的指标"
        elif set(metric_params or {}) - set(info.params) - {"unit"}:
            errors["metric"] = f"取数指标“{info.label}”不接受参数：{'、'.join(set(metric_params) - set(info.params))}"
    if errors:
        raise ValidationError(errors)
    position = (form.indicators.aggregate(n=Max("position"))["n"] or 0) + 1
    indicator = Indicator.objects.create(
        form=form, position=position, label=label, kind=kind, unit=(unit or "").strip(),
        decimals=decimals or 0, allow_negative=bool(allow_negative), required=bool(required), metric=metric,
        metric_params={k: v for k, v in (metric_params or {}).items() if k != "unit"})
    record(AuditEvent.CREATE, user=acting_user, obj=indicator, detail=f"{form.name}增加指标{label}")
    return indicator


@audited
@transaction.atomic
def add_section(*, acting_user, form: ReportForm, title: str, hint: str = "", required: bool = True
                ) -> NarrativeSection:
    _require_manager(acting_user, form.conference.area_id)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写栏目名称"})
    if form.sections.filter(title=title).exists():
        raise ValidationError({"title": f"本报表已有栏目“{title}”"})
    position = (form.sections.aggregate(n=Max("position"))["n"] or 0) + 1
    section = NarrativeSection.objects.create(form=form, position=position, title=title, hint=(hint or "").strip(),
                                              required=bool(required))
    record(AuditEvent.CREATE, user=acting_user, obj=section, detail=f"{form.name}增加栏目{title}")
    return section


@audited
@transaction.atomic
def add_rule(*, acting_user, form: ReportForm, left: list[int], operator: str, right: list[int],
             missing: str = ValidationRule.SKIP_IF_ANY) -> ValidationRule:
    _require_manager(acting_user, form.conference.area_id)
    indicators = {i.pk: i for i in form.indicators.all()}
    errors = {}
    left, right = [int(i) for i in left or []], [int(i) for i in right or []]
    for field, side in (("left", left), ("right", right)):
        if not side:
            errors[field] = "请至少选择一项指标"
        elif any(i not in indicators for i in side):
            errors[field] = "所选指标不属于本报表"
        elif operator != ValidationRule.PAIR and any(indicators[i].kind == Indicator.TEXT for i in side):
            errors[field] = "文字指标只能用于“同时填写或同时不填”"
    if operator not in dict(ValidationRule.OPERATOR_CHOICES):
        errors["operator"] = "请选择关系"
    if missing not in dict(ValidationRule.MISSING_CHOICES):
        errors["missing"] = "请选择缺失值处理方式"
    if not errors and set(left) & set(right):
        errors["right"] = "同一指标不能同时出现在两侧"
    if errors:
        raise ValidationError(errors)
    rule = ValidationRule.objects.create(form=form, left=left, operator=operator, right=right, missing=missing)
    from .checks import describe_rule

    record(AuditEvent.CREATE, user=acting_user, obj=rule, detail=f"{form.name}校验规则：{describe_rule(rule, indicators)}")
    return rule


@audited
@transaction.atomic
def delete_rule(*, acting_user, rule: ValidationRule) -> None:
    _require_manager(acting_user, rule.form.conference.area_id)
    from .checks import describe_rule

    text = describe_rule(rule, {i.pk: i for i in rule.form.indicators.all()})
    record(AuditEvent.DELETE, user=acting_user, obj=rule, detail=f"删除校验规则：{text}")
    rule.delete()


@audited
@transaction.atomic
def set_deadline(*, acting_user, form: ReportForm, period_key: str, due_on: date, reason: str) -> DeadlineOverride:
    """Set one period's deadline by hand: a working day on or after the period's end."""
    _require_manager(acting_user, form.conference.area_id)
    errors = {}
    try:
        period = parse_period(period_key)
    except PeriodError as exc:
        raise ValidationError({"period_key": str(exc)}) from None
    if period.kind != form.period_type:
        errors["period_key"] = f"本报表为{KIND_LABELS[form.period_type]}报表，期间应写作 {_example(form.period_type)}"
    if due_on is None:
        errors["due_on"] = "请填写截止日期"
    elif due_on < period.end:
        errors["due_on"] = f"截止日期不能早于期末（{period.end:%Y-%m-%d}）"
    elif rest_day_name(due_on):
        errors["due_on"] = (f"截止日期{due_on.year}年{due_on.month}月{due_on.day}日是{rest_day_name(due_on)}，"
                            "不是工作日，请选择工作日")
    if not (reason or "").strip():
        errors["reason"] = "请填写调整原因"
    if errors:
        raise ValidationError(errors)
    override, created = DeadlineOverride.objects.get_or_create(
        form=form, period_key=period.key,
        defaults={"due_on": due_on, "reason": reason.strip()[:200], "created_by": acting_user})
    before = None if created else override.due_on
    if not created:
        override.due_on, override.reason, override.created_by = due_on, reason.strip()[:200], acting_user
        override.save()
    record(AuditEvent.UPDATE, user=acting_user, obj=form, changes={f"{period.label}截止日期": (before, due_on)},
           detail=f"调整截止日期：{override.reason}")
    return override
