"""Registry services: every write to persons goes through these functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet

from guanai.accounts import roles
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import in_area, may_see_area, scope_queryset, user_role
from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.core.db import prefix_q
from guanai.stats.tallies import refresh_villages
from guanai.textproc import idcard
from guanai.textproc.pinyin import is_pinyin_query, normalize_query, pinyin_keys

from . import categories as cat
from . import crypto
from .models import ChildProfile, Household, Person, PersonCategory, RiskAssessment


class ConflictError(Exception):
    """Someone else saved the record since the form was opened."""


@dataclass(frozen=True)
class PreparedId:
    encrypted: str
    hash: str
    masked: str
    parsed: idcard.IdNumber


def prepare_id(raw) -> PreparedId:
    """Validate an ID number and produce what is stored; raises IdNumberError (Chinese)."""
    parsed = idcard.parse_id_number(raw)
    return PreparedId(crypto.encrypt(parsed.number), crypto.lookup_hash(parsed.number),
                      idcard.mask_id_number(parsed.number), parsed)


def id_lookup_hash(raw) -> str | None:
    try:
        return crypto.lookup_hash(idcard.parse_id_number(raw).number)
    except idcard.IdNumberError:
        return None


def category_age_problems(categories: list[str], birth_date: date | None, today: date | None = None) -> list[str]:
    """Chinese messages where a person's age contradicts a category."""
    if birth_date is None:
        return []
    age = idcard.age_on(birth_date, today or date.today())
    problems = []
    for code in categories:
        label = cat.CATEGORY_LABELS.get(code, code)
        if code in cat.MAX_AGE and age > cat.MAX_AGE[code]:
            problems.append(f"{label}应未满{cat.MAX_AGE[code] + 1}周岁，此人已{age}岁")
        if code in cat.MIN_AGE and age < cat.MIN_AGE[code]:
            problems.append(f"{label}应年满{cat.MIN_AGE[code]}周岁，此人仅{age}岁")
    return problems


def _require_area_in_scope(user, area_code: str) -> Area:
    area = Area.objects.filter(pk=area_code).first()
    if area is None:
        raise ValidationError({"area": "所选村（社区）不存在"})
    if area.level != codes.VILLAGE:
        raise ValidationError({"area": "人员须登记到村（社区）一级"})
    if user is not None and not (user_role(user) in roles.AREA_RECORD_ROLES and may_see_area(user, area_code)):
        raise ValidationError({"area": "所选村（社区）不在您的管辖范围内"})
    return area


def _apply_identity(person: Person, id_number_raw) -> None:
    if id_number_raw in (None, ""):
        person.id_number_encrypted = person.id_number_hash = person.id_number_masked = ""
        return
    try:
        prepared = prepare_id(id_number_raw)
    except idcard.IdNumberError as exc:
        raise ValidationError({"id_number": str(exc)}) from None
    problems = idcard.cross_check(prepared.parsed, birth_date=person.birth_date, sex=person.sex or None)
    if problems:
        raise ValidationError({"id_number": "；".join(problems)})
    duplicate = Person.objects.filter(id_number_hash=prepared.hash).exclude(pk=person.pk).first()
    if duplicate is not None:
        raise ValidationError({"id_number": f"该身份证号已登记（{duplicate.area.full_name if duplicate.area_id else ''}），请勿重复建档"})
    person.id_number_encrypted, person.id_number_hash, person.id_number_masked = (
        prepared.encrypted, prepared.hash, prepared.masked)
    person.birth_date = person.birth_date or prepared.parsed.birth_date
    person.sex = person.sex or prepared.parsed.sex


def _apply_pinyin(person: Person) -> None:
    person.pinyin_full, person.pinyin_initials = pinyin_keys(person.name)


PERSON_FIELDS = ["name", "sex", "ethnicity", "birth_date", "phone", "address", "hukou_registered", "hukou_place",
                 "relation_to_head"]


@transaction.atomic
def create_person(*, user, area_code: str, data: dict, categories: list[str], id_number=None) -> Person:
    _require_area_in_scope(user, area_code)
    person = Person(area_id=area_code, created_by=user if user and user.pk else None,
                    **{k: v for k, v in data.items() if k in PERSON_FIELDS})
    _apply_identity(person, id_number)
    _apply_pinyin(person)
    person.full_clean(exclude=["id_number_encrypted", "id_number_hash", "id_number_masked"])
    person.save()
    set_categories(person, categories)
    return person


@transaction.atomic
def update_person(*, user, person: Person, expected_version: int, data: dict, categories: list[str] | None = None,
                  id_number=None, area_code: str | None = None) -> Person:
    """Apply an edit only if nobody saved the person since ``expected_version``."""
    if area_code and area_code != person.area_id:
        _require_area_in_scope(user, area_code)
        person.area_id = area_code
    for key, value in data.items():
        if key in PERSON_FIELDS:
            setattr(person, key, value)
    if id_number is not None:
        _apply_identity(person, id_number)
    _apply_pinyin(person)
    person.full_clean(exclude=["id_number_encrypted", "id_number_hash", "id_number_masked"])
    claimed = Person.objects.filter(pk=person.pk, version=expected_version).update(version=F("version") + 1)
    if claimed == 0:
        raise ConflictError("此记录在您编辑期间已被他人修改，您的修改未保存。请刷新后重新编辑。")
    person.version = expected_version + 1
    person.save()
    if person.household_id and person.relation_to_head == "head":
        # The household is named after its head (who need not be on file): keep the name in step.
        Household.objects.filter(pk=person.household_id).update(head_name=person.name)
    if categories is not None:
        set_categories(person, categories)
    return person


def set_categories(person: Person, categories: list[str]) -> None:
    wanted = {c for c in categories if c in cat.CATEGORY_LABELS}
    existing = set(person.categories.values_list("category", flat=True))
    PersonCategory.objects.filter(person=person, category__in=existing - wanted).delete()
    added = [PersonCategory(person=person, category=c) for c in sorted(wanted - existing)]
    if added:
        PersonCategory.objects.bulk_create(added)
        refresh_villages([person.area_id])  # bulk_create sends no signal


@transaction.atomic
def exit_person(*, user, person: Person, reason: str, exit_date: date) -> Person:
    if reason not in dict(cat.EXIT_REASONS):
        raise ValidationError({"exit_reason": "请选择退出原因"})
    person.status, person.exit_reason, person.exit_date = Person.EXITED, reason, exit_date
    person.version += 1
    person.save()
    return person


def may_see_full_id(user) -> bool:
    return user_role(user) in roles.FULL_ID_ROLES


def reveal_id_number(user, person: Person) -> str:
    """The full ID number for a permitted viewer; every sight is audited."""
    if not may_see_full_id(user) or not person.id_number_encrypted:
        return person.id_number_masked
    record(AuditEvent.VIEW, user=user, obj=person, detail="查看完整身份证号")
    return crypto.decrypt(person.id_number_encrypted)


def persons_for(user) -> QuerySet:
    return scope_queryset(Person.objects.all(), user)


def search_persons(user, query: str = "", *, area: str | None = None, category: str | None = None,
                   risk: str | None = None, status: str | None = Person.ACTIVE) -> QuerySet:
    """Scoped search by name, full pinyin or initials, exact ID number, or phone."""
    qs = persons_for(user)
    q = normalize_query(query or "")
    if q:
        if len(q) in (15, 18) and q[:-1].isdigit():
            qs = qs.filter(id_number_hash=id_lookup_hash(q) or "-")
        else:
            if q.isdigit():
                match = prefix_q("phone", q)
            elif is_pinyin_query(q):
                match = prefix_q("pinyin_full", q) | prefix_q("pinyin_initials", q)
            else:
                match = prefix_q("name", query.strip())
            # As a subquery the name/pinyin/phone index drives the search; inline,
            # the planner would walk the whole area's rows and test each.
            qs = qs.filter(pk__in=Person.objects.filter(match).values("pk"))
    if area:
        qs = in_area(qs, area)
    if category:
        qs = qs.filter(categories__category=category)
    if risk:
        qs = qs.filter(current_risk=risk)
    if status:
        qs = qs.filter(status=status)
    return qs


# Risk rules are configuration: settings.GUANAI_RISK_RULES may replace these.
DEFAULT_RISK_RULES = {
    "red_flags": ["no_guardian", "living_alone"],
    "red_if_any_dimension_at_least": 3,
    "orange_total_at_least": 6,
    "orange_flags": ["guardian_incapable", "dropout"],
    "yellow_total_at_least": 3,
}


def risk_level(scores: dict[str, int], flags: list[str], rules: dict | None = None) -> str:
    rules = rules or getattr(settings, "GUANAI_RISK_RULES", DEFAULT_RISK_RULES)
    total = sum(scores.values())
    if set(flags) & set(rules["red_flags"]) or max(scores.values(), default=0) >= rules["red_if_any_dimension_at_least"]:
        return "red"
    if total >= rules["orange_total_at_least"] or set(flags) & set(rules["orange_flags"]):
        return "orange"
    if total >= rules["yellow_total_at_least"] or flags:
        return "yellow"
    return "green"


@transaction.atomic
def assess_risk(*, user, person: Person, assessed_on: date, scores: dict[str, int], flags: list[str],
                note: str = "") -> RiskAssessment:
    for key, value in scores.items():
        if not 0 <= int(value) <= 3:
            raise ValidationError({key: "评分应在0至3之间"})
    known = {code for code, _l in RiskAssessment.FLAGS}
    flags = [f for f in flags if f in known]
    level = risk_level(scores, flags)
    RiskAssessment.objects.filter(person=person, is_current=True).update(is_current=False)
    # The person's level first: saving the assessment refreshes the village tallies
    # (registry.signals), which must already see it.
    Person.objects.filter(pk=person.pk).update(current_risk=level)
    person.current_risk = level
    return RiskAssessment.objects.create(person=person, assessed_on=assessed_on, flags=flags, note=note,
                                         level=level, assessor=user, **scores)


def without_effective_guardianship(user) -> QuerySet:
    """Children whose guardianship is rated none, parent incapable or insufficient."""
    weak = [code for code, _label in cat.GUARDIANSHIP_RATING if code in {"none", "parent_incapable", "insufficient"}]
    return search_persons(user).filter(child_profile__guardianship_rating__in=weak)


def sixteenth_birthday_cutoff(day: date, within_days: int = 90) -> date:
    """Children born on or before this date turn 16 by ``day + within_days``."""
    limit = day + timedelta(days=within_days)
    try:
        return limit.replace(year=limit.year - 16)
    except ValueError:  # 29 February
        return limit.replace(year=limit.year - 16, day=28)


def about_to_age_out(user, *, today: date | None = None, within_days: int = 90) -> QuerySet:
    """Left-behind children who turn 16 within ``within_days``: to be exited."""
    cutoff = sixteenth_birthday_cutoff(today or date.today(), within_days)
    return search_persons(user, category=cat.LEFT_BEHIND_CHILD).filter(birth_date__lte=cutoff)


def ensure_child_profile(person: Person) -> ChildProfile:
    profile, _created = ChildProfile.objects.get_or_create(person=person)
    return profile


@transaction.atomic
def save_profile(*, user, person: Person, form) -> None:
    """Save a validated child or elder profile form for ``person`` and bump its version."""
    profile = form.save(commit=False)
    profile.person = person
    profile.save()
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1)


# --- households ---------------------------------------------------------------

@transaction.atomic
def create_household(*, user, head: Person, address: str = "") -> Household:
    """Open a household with ``head`` as its 户主, in the head's village."""
    if not persons_for(user).filter(pk=head.pk).exists():
        raise ValidationError("该人员不在您的管辖范围内")
    if head.household_id:
        raise ValidationError(f"{head.name}已属于一个家庭户，请先移出")
    household = Household.objects.create(area_id=head.area_id, address=address or head.address, head_name=head.name)
    Person.objects.filter(pk=head.pk).update(household=household, relation_to_head="head", version=F("version") + 1)
    return household


@transaction.atomic
def add_to_household(*, user, household, person: Person, relation: str) -> None:
    """Put ``person`` in ``household`` with their relation to the head (父亲, 母亲, 祖父母 ...)."""
    if relation not in dict(Person.RELATION_CHOICES) or relation == "head":
        raise ValidationError({"relation_to_head": "请选择与户主的关系"})
    visible = persons_for(user)
    if not visible.filter(pk=person.pk).exists() or not scope_queryset(type(household).objects.filter(pk=household.pk), user).exists():
        raise ValidationError("人员或家庭户不在您的管辖范围内")
    if person.household_id and person.household_id != household.pk:
        raise ValidationError(f"{person.name}已属于另一个家庭户，请先移出")
    if person.area_id != household.area_id:
        raise ValidationError("家庭成员应与家庭户在同一村（社区）")
    Person.objects.filter(pk=person.pk).update(household=household, relation_to_head=relation, version=F("version") + 1)


@transaction.atomic
def remove_from_household(*, user, person: Person) -> None:
    if not persons_for(user).filter(pk=person.pk).exists():
        raise ValidationError("该人员不在您的管辖范围内")
    if person.relation_to_head == "head" and Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk).exists():
        raise ValidationError("户主不能在还有其他成员时移出，请先移出其他成员")
    household_id = person.household_id
    Person.objects.filter(pk=person.pk).update(household=None, relation_to_head="", version=F("version") + 1)
    if household_id and not Person.objects.filter(household_id=household_id).exists():
        Household.objects.filter(pk=household_id).delete()
