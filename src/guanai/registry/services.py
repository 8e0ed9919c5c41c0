"""Registry services: every write to persons goes through these functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from guanai.core import clock
from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_for_user, in_area, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, record, snapshot
from guanai.core.db import prefix_q
from guanai.core.validation import check_date, check_phone
from guanai.stats.tallies import batched, refresh_after_write
from guanai.textproc import idcard
from guanai.textproc.pinyin import is_pinyin_query, normalize_query, pinyin_keys

from . import categories as cat
from . import crypto
from .models import ChildProfile, ElderProfile, Household, Person, PersonCategory, RiskAssessment


class ConflictError(Exception):
    """Someone else saved the record since the form was opened."""


@dataclass(frozen=True)
class PreparedId:
    encrypted: str
    hash: str
    masked: str
    parsed: idcard.IdNumber
    suffix_hash: str = ""


def prepare_id(raw) -> PreparedId:
    """Validate an ID number and produce what is stored; raises IdNumberError (Chinese)."""
    parsed = idcard.parse_id_number(raw, today=clock.today())
    return PreparedId(crypto.encrypt(parsed.number), crypto.lookup_hash(parsed.number),
                      idcard.mask_id_number(parsed.number), parsed, crypto.suffix_hash(parsed.number))


def id_lookup_hashes(raw) -> list[str]:
    """The hashes a person with this ID number may be stored under (every known key: during a
    key rotation some rows still carry the old key's); [] for a number that is not one."""
    try:
        return crypto.lookup_hashes(idcard.parse_id_number(raw, today=clock.today()).number)
    except idcard.IdNumberError:
        return []


def _require_area_in_scope(user, area_code: str) -> Area:
    if user is not None and user_role(user) not in roles.AREA_RECORD_ROLES:
        raise ValidationError({"area": "您的角色不能登记人员档案"})
    return area_for_user(user, area_code, levels={codes.VILLAGE}, label="所在村（社区）")


def _apply_identity(person: Person, id_number_raw, user=None) -> None:
    if id_number_raw in (None, ""):
        person.id_number_encrypted = person.id_number_hash = person.id_number_masked = person.id_suffix_hash = ""
        return
    try:
        prepared = prepare_id(id_number_raw)
    except idcard.IdNumberError as exc:
        raise ValidationError({"id_number": str(exc)}) from None
    problems = idcard.cross_check(prepared.parsed, birth_date=person.birth_date, sex=person.sex or None)
    if problems:
        raise ValidationError({"id_number": "；".join(problems)})
    duplicate = (Person.objects.filter(id_number_hash__in=crypto.lookup_hashes(prepared.parsed.number))
                 .exclude(pk=person.pk).first())
    if duplicate is not None:
        if user is not None and not persons_for(user).filter(pk=duplicate.pk).exists():
            # Where a child lives is not told to whoever knows an ID number: the request to
            # move the person goes to the office that sees both places.
            from .transfers import REGISTERED_ELSEWHERE

            raise ValidationError({"id_number": ValidationError(REGISTERED_ELSEWHERE, code="registered_elsewhere")})
        raise ValidationError({"id_number": f"该身份证号已登记（{duplicate.name}，编号{duplicate.pk}），请勿重复建档"})
    person.id_number_encrypted, person.id_number_hash, person.id_number_masked, person.id_suffix_hash = (
        prepared.encrypted, prepared.hash, prepared.masked, prepared.suffix_hash)
    person.birth_date = person.birth_date or prepared.parsed.birth_date
    person.sex = person.sex or prepared.parsed.sex


def _apply_pinyin(person: Person) -> None:
    person.pinyin_full, person.pinyin_initials = pinyin_keys(person.name)


PERSON_FIELDS = ["name", "sex", "ethnicity", "birth_date", "phone", "address", "hukou_registered", "hukou_place",
                 "relation_to_head"]


def _check_person(person: Person, categories: list[str] | None) -> None:
    """The rules of every person record, from a form, a service call or the API: a birth date
    in the range a person can have (not in the future), a real phone number, and an age that
    fits the categories (the importer's rule; ``categories`` None: not being changed)."""
    check_date(person.birth_date, "birth", label="出生日期", field="birth_date")
    person.phone = check_phone(person.phone, field="phone")
    if categories is not None:
        problems = cat.age_problems(categories, person.birth_date)
        if problems:
            raise ValidationError({"categories": problems})


# What a person's audit event shows (never the ID number: its mask only).
AUDIT_FIELDS = ["area_id", *PERSON_FIELDS, "id_number_masked", "status", "exit_reason", "exit_date", "household_id",
                "current_risk", "version"]


def _audit_state(person: Person) -> dict:
    return {**snapshot(person, AUDIT_FIELDS),
            "categories": sorted(person.categories.values_list("category", flat=True)) if person.pk else []}


@audited
@transaction.atomic
@batched()  # the village's kept figures once, after every row of the person
def create_person(*, user, area_code: str, data: dict, categories: list[str], id_number=None) -> Person:
    _require_area_in_scope(user, area_code)
    person = Person(area_id=area_code, created_by=user if user and user.pk else None,
                    **{k: v for k, v in data.items() if k in PERSON_FIELDS})
    _apply_identity(person, id_number, user)
    _check_person(person, categories)
    _apply_pinyin(person)
    person.full_clean(exclude=["id_number_encrypted", "id_number_hash", "id_number_masked"])
    person.save()
    set_categories(person, categories)
    audit(AuditEvent.CREATE, user=user, obj=person, after=_audit_state(person), reason="新建档案")
    return person


@audited
@transaction.atomic
@batched()  # the village's kept figures once, after every row of the person
def update_person(*, user, person: Person, expected_version: int, data: dict, categories: list[str] | None = None,
                  id_number=None, area_code: str | None = None) -> Person:
    """Apply an edit only if nobody saved the person since ``expected_version``."""
    before = _audit_state(Person.objects.get(pk=person.pk))
    if area_code and area_code != person.area_id:
        _require_area_in_scope(user, area_code)
        person.area_id = area_code
    born_before = person.birth_date
    for key, value in data.items():
        if key in PERSON_FIELDS:
            setattr(person, key, value)
    if id_number is not None:
        _apply_identity(person, id_number, user)
    # A child who has grown past a category stays editable; a new category or a new birth
    # date must fit.
    had = set(person.categories.values_list("category", flat=True))
    wanted = set(categories) if categories is not None else had
    changed = bool(wanted - had) or person.birth_date != born_before
    _check_person(person, sorted(wanted) if changed else None)
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
    audit(AuditEvent.UPDATE, user=user, obj=person, before=before, after=_audit_state(person), reason="修改档案")
    return person


def registered_on(person: Person) -> date | None:
    """The earliest day a change to this person's records can change a kept state at (every
    state metric counts a person on file: ``created_at`` on or before the day); None: unknown."""
    created = getattr(person, "created_at", None)
    return timezone.localdate(created) if created else None


def set_categories(person: Person, categories: list[str]) -> None:
    wanted = {c for c in categories if c in cat.CATEGORY_LABELS}
    existing = set(person.categories.values_list("category", flat=True))
    PersonCategory.objects.filter(person=person, category__in=existing - wanted).delete()
    added = [PersonCategory(person=person, category=c) for c in sorted(wanted - existing)]
    if added:
        PersonCategory.objects.bulk_create(added)
        # bulk_create sends no signal; a category counts in the states from the registration on
        refresh_after_write([person.area_id], since=registered_on(person))


@audited
@transaction.atomic
def exit_person(*, user, person: Person, reason: str, exit_date: date) -> Person:
    if reason not in dict(cat.EXIT_REASONS):
        raise ValidationError({"exit_reason": "请选择退出原因"})
    check_date(exit_date, "past", label="退出日期", field="exit_date")
    before = snapshot(person, EXIT_FIELDS)
    person.status, person.exit_reason, person.exit_date = Person.EXITED, reason, exit_date
    person.version += 1
    person.save()
    audit(AuditEvent.UPDATE, user=user, obj=person, before=before, after=snapshot(person, EXIT_FIELDS),
          reason=f"退出：{dict(cat.EXIT_REASONS)[reason]}")
    return person


EXIT_FIELDS = ["status", "exit_reason", "exit_date", "version"]


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


MAX_PK_RANGES = 200


def search_persons(user, query: str = "", *, area: str | None = None, category: str | None = None,
                   risk: str | None = None, status: str | None = Person.ACTIVE,
                   pk_ranges: list | None = None) -> QuerySet:
    """Scoped search by name, full pinyin or initials, exact ID number, the ID number's last
    four characters (“0119”, through the keyed suffix hash: nothing is decrypted), or phone."""
    qs = persons_for(user)
    q = normalize_query(query or "")
    if q:
        if len(q) in (15, 18) and q[:-1].isdigit():
            qs = qs.filter(id_number_hash__in=id_lookup_hashes(q) or ["-"])
        else:
            if len(q) == 4 and q[:3].isdigit() and (q[3].isdigit() or q[3] == "x"):
                match = Q(id_suffix_hash__in=crypto.suffix_hashes(q))
                if q.isdigit():
                    match |= prefix_q("phone", q)
            elif q.isdigit():
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
    if pk_ranges is not None:  # the persons an import created ([first, last] runs)
        runs = Q(pk__in=[])
        for first, last in pk_ranges[:MAX_PK_RANGES]:
            runs |= Q(pk__gte=int(first), pk__lte=int(last))
        qs = qs.filter(runs)
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


@audited
@transaction.atomic
def assess_risk(*, user, person: Person, assessed_on: date, scores: dict[str, int], flags: list[str],
                note: str = "") -> RiskAssessment:
    if user is not None and user_role(user) not in roles.AREA_RECORD_ROLES:
        # DESIGN §2: risk levels belong to the staff and village workers, not to volunteers.
        raise ValidationError("您的角色不能评定风险等级，请由儿童主任或工作人员评估")
    if user is not None and not persons_for(user).filter(pk=person.pk).exists():
        raise ValidationError("该人员不在您的管辖范围内")
    check_date(assessed_on, "past", label="评估日期", field="assessed_on")
    for key, value in scores.items():
        if not 0 <= int(value) <= 3:
            raise ValidationError({key: "评分应在0至3之间"})
    known = {code for code, _l in RiskAssessment.FLAGS}
    flags = [f for f in flags if f in known]
    level = risk_level(scores, flags)
    RiskAssessment.objects.filter(person=person, is_current=True).update(is_current=False)
    # The person's level first: saving the assessment refreshes the village tallies
    # (registry.signals), which must already see it.
    before = Person.objects.filter(pk=person.pk).values_list("current_risk", flat=True).first()
    Person.objects.filter(pk=person.pk).update(current_risk=level)
    person.current_risk = level
    assessment = RiskAssessment.objects.create(person=person, assessed_on=assessed_on, flags=flags, note=note,
                                               level=level, assessor=user, **scores)
    audit(AuditEvent.UPDATE, user=user, obj=person, before={"current_risk": before, "assessment": None},
          after={"current_risk": level, "assessment": assessment.pk}, reason=f"风险评估（{assessed_on}）")
    return assessment


def without_effective_guardianship(user) -> QuerySet:
    """Children whose guardianship is rated none, parent incapable or insufficient."""
    return search_persons(user).filter(child_profile__guardianship_rating__in=cat.WEAK_GUARDIANSHIP)


def sixteenth_birthday_cutoff(day: date, within_days: int = 90) -> date:
    """Children born on or before this date turn 16 by ``day + within_days``."""
    return idcard.born_on_or_before(day + timedelta(days=within_days), 16)


def about_to_age_out(user, *, today: date | None = None, within_days: int = 90) -> QuerySet:
    """Left-behind children who turn 16 within ``within_days``: to be exited."""
    cutoff = sixteenth_birthday_cutoff(today or clock.today(), within_days)
    return search_persons(user, category=cat.LEFT_BEHIND_CHILD).filter(birth_date__lte=cutoff)


def ensure_child_profile(person: Person) -> ChildProfile:
    profile, _created = ChildProfile.objects.get_or_create(person=person)
    return profile


PROFILE_MODELS = {"child": ChildProfile, "elder": ElderProfile}


def profile_kind(person: Person) -> str | None:
    """The category form ``person`` has: "child" (the national registration form of a
    child), "elder" (the elderly person's form), or None."""
    codes_ = set(person.categories.values_list("category", flat=True))
    if codes_ & cat.CHILD_CATEGORIES:
        return "child"
    if codes_ & cat.ELDER_CATEGORIES:
        return "elder"
    return None


@audited
@transaction.atomic
def save_profile(*, user, person: Person, data: dict) -> ChildProfile | ElderProfile:
    """Save the category form of ``person`` from ``data`` (field name -> value; fields not
    given keep their value) and bump the person's version. Raises ValidationError (Chinese,
    by field) when a value is not allowed."""
    kind = profile_kind(person)
    if kind is None:
        raise ValidationError("该人员的类别无需填写专项信息")
    model = PROFILE_MODELS[kind]
    fields = {f.name for f in model._meta.concrete_fields} - {"id", "person"}
    unknown = set(data) - fields
    if unknown:
        raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
    profile = model.objects.filter(person=person).first() or model(person=person)
    creating = profile.pk is None
    before = {} if creating else snapshot(profile, data)
    for name, value in data.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["person"])
    profile.save()
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1)
    audit(AuditEvent.CREATE if creating else AuditEvent.UPDATE, user=user, obj=profile, before=before,
          after=snapshot(profile, data), reason=f"{person.name}的专项信息")
    return profile


# --- households (a person on file put in one: households.add_person) -------------

def delete_empty_household(household_id: int, *, user, reason: str) -> None:
    """A household left without members goes, with its own audit event (inside the caller's service)."""
    household = Household.objects.filter(pk=household_id).first()
    if household is not None:
        audit(AuditEvent.DELETE, user=user, obj=household, before=snapshot(household, ["area_id", "head_name"]),
              reason=reason)
        household.delete()


def membership(person_id: int) -> dict:
    """A person's household membership as their audit events show it (read from the row)."""
    return Person.objects.filter(pk=person_id).values("household_id", "relation_to_head", "version").get()


@audited
@transaction.atomic
def create_household_for_person(*, user, head: Person, address: str = "") -> Household:
    """Open a household with ``head``, a person on file, as its 户主, in the head's village
    (``households.create_household``: a household whose head is entered, not on file)."""
    if not persons_for(user).filter(pk=head.pk).exists():
        raise ValidationError("该人员不在您的管辖范围内")
    if head.household_id:
        raise ValidationError(f"{head.name}已属于一个家庭户，请先移出")
    if profile_kind(head) == "child":
        raise ValidationError("儿童不能作为户主：请新建家庭户并登记户主（可为不在册的成年人），再把儿童加入")
    household = Household.objects.create(area_id=head.area_id, address=address or head.address, head_name=head.name)
    Person.objects.filter(pk=head.pk).update(household=household, relation_to_head="head", version=F("version") + 1)
    audit(AuditEvent.CREATE, user=user, obj=household,
          after={**snapshot(household, ["area_id", "address", "head_name"]), "head": head.pk},
          reason=f"建立家庭户，户主{head.name}")
    return household


@audited
@transaction.atomic
def remove_from_household(*, user, person: Person) -> None:
    if not persons_for(user).filter(pk=person.pk).exists():
        raise ValidationError("该人员不在您的管辖范围内")
    if person.relation_to_head == "head" and Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk).exists():
        raise ValidationError("户主不能在还有其他成员时移出，请先移出其他成员")
    household_id = person.household_id
    before = membership(person.pk)
    Person.objects.filter(pk=person.pk).update(household=None, relation_to_head="", version=F("version") + 1)
    audit(AuditEvent.UPDATE, user=user, obj=person, before=before, after=membership(person.pk),
          reason=f"移出家庭户（编号{household_id}）")
    refresh_after_write([person.area_id])  # the household's visits no longer count for them
    if household_id and not Person.objects.filter(household_id=household_id).exists():
        delete_empty_household(household_id, user=user, reason=f"最后一名成员{person.name}移出")
