"""Households (户) and guardians (监护人): every write, taking the acting user and plain values.

A household lies in a village. Its head (户主) may be an adult not in care, entered with name,
relation to the children, ID number (encrypted, hashed and masked as a Person's), phone and
whether away for work; its members are persons on file (Person.household) and others entered
the same way (HouseholdMember). A child's guardian is chosen from the household or entered, with
the relation and the guardianship type of the national table (categories.GUARDIANSHIP_TYPES), and
written through to the child's national registration form (ChildProfile), which the national
table's figures read.

Every write is scoped (a record the user may not see is a ValidationError here and a 404 on the
pages), runs in one transaction with its audit, and claims the household's version (a child's
guardian: the child's version), so an edit made on a stale page is refused with ConflictError.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.scoping import area_for_user, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, snapshot
from guanai.core.validation import check_phone
from guanai.stats.tallies import refresh_after_write
from guanai.textproc import idcard

from . import categories as cat
from .models import ChildProfile, Guardian, Household, HouseholdMember, Person
from .services import ConflictError, membership, persons_for, prepare_id, profile_kind

STALE = "此家庭户在您编辑期间已被他人修改，您的修改未保存。请刷新后重新编辑。"
MEMBER_FIELDS = ("name", "relation", "phone", "away_for_work", "away_place")
# What a member's audit event shows: the ID number only masked, never its ciphertext or hash.
MEMBER_AUDIT_FIELDS = ("is_head", *MEMBER_FIELDS, "id_number_masked")
HOUSEHOLD_AUDIT_FIELDS = ("area_id", "address", "head_name")
GUARDIAN_AUDIT_FIELDS = ("child_id", "member_id", "person_id", "name", "phone", "relation", "guardianship_type")
PROFILE_GUARDIAN_FIELDS = ("guardian_name", "guardian_phone", "guardian_relation", "both_parents_away",
                           "one_parent_incapable")


def households_for(user) -> QuerySet:
    return scope_queryset(Household.objects.all(), user)


def members_for(user) -> QuerySet:
    return scope_queryset(HouseholdMember.objects.all(), user)


def _require_role(user) -> None:
    if user_role(user) not in roles.AREA_RECORD_ROLES:
        raise ValidationError("您的角色不能登记家庭户")


def _in_scope(user, household: Household) -> None:
    if not households_for(user).filter(pk=household.pk).exists():
        raise ValidationError("该家庭户不在您的管辖范围内")


def _claim(household: Household, expected_version: int | None) -> None:
    """Bump the household's version, refusing when it moved on since ``expected_version``."""
    rows = Household.objects.filter(pk=household.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1) == 0:
        raise ConflictError(STALE)
    household.version = Household.objects.values_list("version", flat=True).get(pk=household.pk)


def _fill_member(member: HouseholdMember, data: dict, *, label: str) -> None:
    """Put ``data`` (name, relation, id_number, phone, away_for_work, away_place) on ``member``,
    checked as a Person's fields are: Chinese errors by field."""
    errors = {}
    for key in MEMBER_FIELDS:
        if key in data:
            value = data[key]
            if key == "away_for_work":
                value = bool(value)
            setattr(member, key, (value or "").strip() if isinstance(value, str) or value is None else value)
    if not member.name:
        errors["name"] = f"请填写{label}姓名"
    elif len(member.name) > 50:
        errors["name"] = f"{label}姓名过长，最多50字"
    if member.relation and member.relation not in dict(cat.MEMBER_RELATIONS):
        errors["relation"] = "请选择与儿童的关系"
    if not member.away_for_work:
        member.away_place = ""
    elif len(member.away_place) > 100:
        errors["away_place"] = "务工地过长，最多100字"
    try:
        member.phone = check_phone(member.phone, field="phone")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raw_id = data.get("id_number")
    if raw_id not in (None, ""):
        try:
            prepared = prepare_id(raw_id)
        except idcard.IdNumberError as exc:
            errors["id_number"] = str(exc)
        else:
            member.id_number_encrypted, member.id_number_hash, member.id_number_masked = (
                prepared.encrypted, prepared.hash, prepared.masked)
            on_file = Person.objects.filter(id_number_hash=prepared.hash).only("pk", "name", "area_id").first()
            if on_file is not None:
                errors["id_number"] = ("此人已在册建档，请以“加入在册人员”把其加入家庭户"
                                       if on_file.area_id == member.household.area_id else "该身份证号已在其他村（社区）建档")
    elif raw_id == "" and "id_number" in data:
        member.id_number_encrypted = member.id_number_hash = member.id_number_masked = ""
    if errors:
        raise ValidationError(errors)


@audited
@transaction.atomic
def create_household(*, user, area_code: str, head: dict, address: str = "") -> Household:
    """A household in a village of the user's tree, with its head entered (not a person on file)."""
    _require_role(user)
    area = area_for_user(user, area_code, levels={codes.VILLAGE}, label="所在村（社区）")
    address = (address or "").strip()
    if len(address) > 200:
        raise ValidationError({"address": "住址过长，最多200字"})
    household = Household(area=area, address=address)
    member = HouseholdMember(household=household, is_head=True)
    _fill_member(member, head, label="户主")
    household.head_name = member.name
    household.save()
    member.household = household
    member.save()
    audit(AuditEvent.CREATE, user=user, obj=household, after=snapshot(household, HOUSEHOLD_AUDIT_FIELDS),
          reason="登记家庭户")
    audit(AuditEvent.CREATE, user=user, obj=member, after=snapshot(member, MEMBER_AUDIT_FIELDS), reason="登记户主")
    return household


@audited
@transaction.atomic
def save_head(*, user, household: Household, expected_version: int | None, head: dict,
              address: str | None = None) -> HouseholdMember:
    """Enter or edit the household's head (an adult not on file)."""
    _require_role(user)
    _in_scope(user, household)
    _claim(household, expected_version)
    member = household.others.filter(is_head=True).first() or HouseholdMember(household=household, is_head=True)
    creating = member.pk is None
    before_member = {} if creating else snapshot(member, MEMBER_AUDIT_FIELDS)
    _fill_member(member, head, label="户主")
    member.save()
    audit(AuditEvent.CREATE if creating else AuditEvent.UPDATE, user=user, obj=member, before=before_member,
          after=snapshot(member, MEMBER_AUDIT_FIELDS), reason="登记户主" if creating else "修改户主")
    # A head entered here replaces one on file (households made before heads could be entered).
    for former in Person.objects.filter(household=household, relation_to_head="head").only("pk", "name", "version"):
        Person.objects.filter(pk=former.pk).update(relation_to_head="other", version=F("version") + 1)
        audit(AuditEvent.UPDATE, user=user, obj=former,
              before={"relation_to_head": "head", "version": former.version},
              after={"relation_to_head": "other", "version": former.version + 1}, reason="户主改为登记的户主")
    updates = {"head_name": member.name}
    if address is not None:
        if len(address.strip()) > 200:
            raise ValidationError({"address": "住址过长，最多200字"})
        updates["address"] = address.strip()
    before = Household.objects.values(*updates).get(pk=household.pk)
    Household.objects.filter(pk=household.pk).update(**updates)
    if any(before[k] != v for k, v in updates.items()):
        audit(AuditEvent.UPDATE, user=user, obj=household, before=before, after=updates, reason="修改家庭户")
    return member


@audited
@transaction.atomic
def add_member(*, user, household: Household, expected_version: int | None, data: dict) -> HouseholdMember:
    """A member not in care: a grandparent, a parent away for work, an aunt."""
    _require_role(user)
    _in_scope(user, household)
    _claim(household, expected_version)
    member = HouseholdMember(household=household)
    _fill_member(member, data, label="成员")
    member.save()
    audit(AuditEvent.CREATE, user=user, obj=member, after=snapshot(member, MEMBER_AUDIT_FIELDS), reason="登记家庭成员")
    return member


@audited
@transaction.atomic
def update_member(*, user, member: HouseholdMember, expected_version: int | None, data: dict) -> HouseholdMember:
    _require_role(user)
    _in_scope(user, member.household)
    _claim(member.household, expected_version)
    before = snapshot(member, MEMBER_AUDIT_FIELDS)
    _fill_member(member, data, label="户主" if member.is_head else "成员")
    member.save()
    audit(AuditEvent.UPDATE, user=user, obj=member, before=before, after=snapshot(member, MEMBER_AUDIT_FIELDS),
          reason="修改户主" if member.is_head else "修改家庭成员")
    if member.is_head:
        household = Household.objects.get(pk=member.household_id)
        if household.head_name != member.name:
            Household.objects.filter(pk=household.pk).update(head_name=member.name)
            audit(AuditEvent.UPDATE, user=user, obj=household, before={"head_name": household.head_name},
                  after={"head_name": member.name}, reason="修改户主")
    _sync_wards_of(member, user=user)
    return member


@audited
@transaction.atomic
def remove_member(*, user, member: HouseholdMember, expected_version: int | None) -> None:
    _require_role(user)
    _in_scope(user, member.household)
    if member.is_head:
        raise ValidationError("户主不能移出，请修改户主信息")
    _claim(member.household, expected_version)
    for guardian in member.wards.select_related("child", "member"):
        # The child is left without a guardian (无人监护 until another is chosen), said on the form too.
        _clear_profile_guardian(guardian.child, user=user)
        before, pk = snapshot(guardian, GUARDIAN_AUDIT_FIELDS), guardian.pk
        guardian.delete()
        guardian.pk = pk  # named in its event by the pk it had
        audit(AuditEvent.DELETE, user=user, obj=guardian, before=before, after=dict.fromkeys(before),
              reason="监护人移出家庭户")
    before, pk = snapshot(member, MEMBER_AUDIT_FIELDS), member.pk
    member.delete()
    member.pk = pk  # named in its event by the pk it had
    audit(AuditEvent.DELETE, user=user, obj=member, before=before, after=dict.fromkeys(before), reason="移出家庭成员")


@audited
@transaction.atomic
def add_person(*, user, household: Household, expected_version: int | None, person: Person, relation: str) -> None:
    """Put a person on file (a child in care, a registered elder) in the household with their relation
    to the head (父亲, 母亲, 祖父母 ...). ``expected_version`` None (the person's page, which has no
    household form): the household's version is bumped without comparing."""
    _require_role(user)
    if relation not in dict(Person.RELATION_CHOICES) or relation == "head":
        raise ValidationError({"relation_to_head": "请选择与户主的关系"})
    _in_scope(user, household)
    if not persons_for(user).filter(pk=person.pk).exists():
        raise ValidationError({"person": "该人员不在您的管辖范围内"})
    if person.household_id and person.household_id != household.pk:
        raise ValidationError({"person": f"{person.name}已属于另一个家庭户，请先移出"})
    if person.area_id != household.area_id:
        raise ValidationError({"person": "家庭成员应与家庭户在同一村（社区）"})
    _claim(household, expected_version)
    before = membership(person.pk)
    Person.objects.filter(pk=person.pk).update(household=household, relation_to_head=relation,
                                               version=F("version") + 1)
    refresh_after_write([person.area_id])  # the household's visits now count for them (visited, in time)
    audit(AuditEvent.UPDATE, user=user, obj=person, before=before, after=membership(person.pk),
          reason=f"加入家庭户：{household}（编号{household.pk}）")


# --- guardians ---------------------------------------------------------------------------------

def _clear_profile_guardian(child: Person, *, user) -> None:
    cleared = {"guardian_name": "", "guardian_phone": "", "guardian_relation": ""}
    profile = ChildProfile.objects.filter(person=child).first()
    if profile is None:
        return
    before = snapshot(profile, cleared)
    ChildProfile.objects.filter(pk=profile.pk).update(**cleared)
    if before != cleared:
        audit(AuditEvent.UPDATE, user=user, obj=profile, before=before, after=cleared, reason="监护人移出家庭户")


def _write_profile(guardian: Guardian, *, user) -> None:
    """The national registration form's guardian and parents-away answers, from the guardian."""
    profile = ChildProfile.objects.filter(person=guardian.child).first()
    creating = profile is None
    if creating:
        profile = ChildProfile(person=guardian.child)
    before = {} if creating else snapshot(profile, PROFILE_GUARDIAN_FIELDS)
    profile.guardian_name = guardian.display_name
    profile.guardian_phone = guardian.display_phone or ""
    profile.guardian_relation = dict(cat.GUARDIAN_RELATIONS)[guardian.relation]
    if guardian.guardianship_type == "both_parents_away":
        profile.both_parents_away, profile.one_parent_incapable = True, False
    elif guardian.guardianship_type == "one_parent_away":
        profile.both_parents_away, profile.one_parent_incapable = False, True
    profile.save()
    after = snapshot(profile, PROFILE_GUARDIAN_FIELDS)
    if after != before:
        audit(AuditEvent.CREATE if creating else AuditEvent.UPDATE, user=user, obj=profile, before=before,
              after=after, reason="监护人写入儿童登记表")


def _sync_wards_of(member: HouseholdMember, *, user) -> None:
    for guardian in member.wards.select_related("child", "member"):
        _write_profile(guardian, user=user)


def guardian_choices(user, child: Person) -> list[tuple[str, str]]:
    """Whom a child's guardian may be chosen from: the members of the child's household, as
    "m<pk>" (not in care) and "p<pk>" (on file, the child excepted)."""
    if not child.household_id:
        return []
    choices = [(f"m{m.pk}", f"{m.name}（{m.get_relation_display() or ('户主' if m.is_head else '成员')}）")
               for m in members_for(user).filter(household_id=child.household_id)]
    choices += [(f"p{p.pk}", f"{p.name}（{p.get_relation_to_head_display() or '成员'}，在册）")
                for p in persons_for(user).filter(household_id=child.household_id).exclude(pk=child.pk).order_by("name")]
    return choices


@audited
@transaction.atomic
def set_guardian(*, user, child: Person, expected_version: int | None, relation: str, guardianship_type: str,
                 chosen: str = "", name: str = "", phone: str = "") -> Guardian:
    """Record ``child``'s guardian: ``chosen`` from the household (see guardian_choices) or entered
    by ``name`` and ``phone``. Claims the child's version."""
    _require_role(user)
    if not persons_for(user).filter(pk=child.pk).exists():
        raise ValidationError("该儿童不在您的管辖范围内")
    if profile_kind(child) != "child":
        raise ValidationError("只有农村留守儿童和困境儿童登记监护人")
    errors = {}
    if relation not in dict(cat.GUARDIAN_RELATIONS):
        errors["relation"] = "请选择监护人与儿童的关系"
    if guardianship_type not in dict(cat.GUARDIANSHIP_TYPES):
        errors["guardianship_type"] = "请选择监护类型"
    guardian = Guardian.objects.filter(child=child).first() or Guardian(child=child)
    creating = guardian.pk is None
    before = {} if creating else snapshot(guardian, GUARDIAN_AUDIT_FIELDS)
    guardian.member = guardian.person = None
    guardian.name = guardian.phone = ""
    chosen = (chosen or "").strip()
    if chosen:
        if chosen not in dict(guardian_choices(user, child)):
            errors["chosen"] = "请从本户成员中选择监护人"
        elif chosen[0] == "m":
            guardian.member = HouseholdMember.objects.get(pk=int(chosen[1:]))
        else:
            guardian.person = Person.objects.get(pk=int(chosen[1:]))
    else:
        guardian.name = (name or "").strip()
        if not guardian.name:
            errors["name"] = "请从本户成员中选择监护人，或填写监护人姓名"
        elif len(guardian.name) > 50:
            errors["name"] = "监护人姓名过长，最多50字"
        try:
            guardian.phone = check_phone(phone, field="phone")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    guardian.relation, guardian.guardianship_type = relation, guardianship_type
    rows = Person.objects.filter(pk=child.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1) == 0:
        raise ConflictError("此儿童的信息在您编辑期间已被他人修改，您的修改未保存。请刷新后重新填写。")
    guardian.save()
    audit(AuditEvent.CREATE if creating else AuditEvent.UPDATE, user=user, obj=guardian, before=before,
          after=snapshot(guardian, GUARDIAN_AUDIT_FIELDS), reason="登记监护人" if creating else "修改监护人")
    _write_profile(guardian, user=user)
    return guardian
