"""Transfer requests (转移申请): moving a person filed in another area to the requester's village.

A worker who meets a person already on file elsewhere (the ID number is known; where the
person lives is not shown) files a request. It goes to the lowest area over both villages;
its staff, who see both, approve (the person moves, through ``move_person``) or refuse with
a reason. Every step is audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from guanai.accounts import roles
from guanai.areas import codes
from guanai.areas.scoping import area_for_user, may_see_area, scope_queryset, user_role
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, snapshot

from . import services
from .models import Person, TransferRequest

# Sent (inside the move's transaction) when a person moves to another village; a receiver
# returns a short Chinese note of what it did, for the audit event.
person_moved = Signal()

# The one wording for an ID number on file where the user cannot see it: the form, the
# services and the importer say this, never the place.
REGISTERED_ELSEWHERE = "该身份证号已在其他地区登记，不能重复建档或由您修改；如此人已迁入您的辖区，请提出转移申请"
REQUEST_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)
DECIDE_ROLES = (roles.ADMIN, roles.STAFF)


def requested_by(user) -> QuerySet:
    """The requests the user filed (shown without the person's present area)."""
    return TransferRequest.objects.filter(requested_by=user)


def to_decide(user) -> QuerySet:
    """Requests whose common area lies within the user's jurisdiction: theirs to decide."""
    if user_role(user) not in DECIDE_ROLES:
        return TransferRequest.objects.none()
    return scope_queryset(TransferRequest.objects.all(), user)


@audited
@transaction.atomic
def request_transfer(*, user, id_number: str, to_area_code: str, reason: str) -> TransferRequest:
    if user_role(user) not in REQUEST_ROLES:
        raise ValidationError("您的角色不能提出转移申请")
    to_area = area_for_user(user, to_area_code, field="to_area", levels={codes.VILLAGE}, label="转入村（社区）")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写申请理由，如：随父母迁入本村、已在本村居住"})
    if len(reason) > 300:
        raise ValidationError({"reason": f"申请理由过长（{len(reason)}字），最多300字"})
    lookup = services.id_lookup_hashes(id_number)
    if not lookup:
        try:
            services.prepare_id(id_number)
        except Exception as exc:  # IdNumberError: its message names the problem
            raise ValidationError({"id_number": str(exc)}) from None
    person = Person.objects.filter(id_number_hash__in=lookup).select_related("area").first() if lookup else None
    if person is None:
        raise ValidationError({"id_number": "未找到该身份证号的档案，可直接新建档案"})
    if services.persons_for(user).filter(pk=person.pk).exists():
        raise ValidationError({"id_number": "此人已在您的管辖范围内登记，无需转移；可在其档案中修改所在村（社区）"})
    if TransferRequest.objects.filter(person=person, to_area=to_area, status=TransferRequest.PENDING).exists():
        raise ValidationError({"id_number": "已有转入该村（社区）的转移申请在审批中，请勿重复申请"})
    transfer = TransferRequest.objects.create(
        person=person, from_area_id=person.area_id, to_area=to_area,
        common_area_id=codes.lowest_common(person.area_id, to_area.code), reason=reason, requested_by=user)
    audit(AuditEvent.CREATE, user=user, obj=transfer,
          after=snapshot(transfer, ["person_id", "from_area_id", "to_area_id", "common_area_id", "status"]),
          reason=reason)
    return transfer


@audited
@transaction.atomic
def decide_transfer(*, user, transfer: TransferRequest, approve: bool, note: str = "") -> TransferRequest:
    """Approve (the person moves to the requested village) or refuse (a reason is needed)."""
    transfer = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    if not to_decide(user).filter(pk=transfer.pk).exists():
        raise ValidationError("您无权审批此转移申请")
    if transfer.status != TransferRequest.PENDING:
        raise ValidationError("此转移申请已审批")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "不同意转移时，请写明理由"})
    if len(note) > 300:
        raise ValidationError({"note": f"审批意见过长（{len(note)}字），最多300字"})
    if approve:
        move_person(user=user, person=transfer.person, to_area_code=transfer.to_area_id,
                    reason=f"转移申请（编号{transfer.pk}）")
    before = snapshot(transfer, DECISION_FIELDS)
    transfer.status = TransferRequest.APPROVED if approve else TransferRequest.REFUSED
    transfer.decided_by, transfer.decided_at, transfer.decision_note = user, timezone.now(), note
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(AuditEvent.UPDATE, user=user, obj=transfer, before=before, after=snapshot(transfer, DECISION_FIELDS),
          reason=("同意转移" if approve else "不同意转移") + (f"：{note}" if note else ""))
    return transfer


DECISION_FIELDS = ["status", "decided_by_id", "decided_at", "decision_note"]


@audited
@transaction.atomic
def move_person(*, user, person: Person, to_area_code: str, reason: str) -> Person:
    """Move a person to another village: out of their household (households stay in their
    village); the apps above hear ``person_moved`` (care ends the running pairings, whose
    helpers serve the old village). The user must see both villages."""
    from guanai.stats.tallies import refresh_after_write

    person = Person.objects.select_for_update().get(pk=person.pk)
    old = person.area_id
    if user_role(user) not in roles.AREA_RECORD_ROLES or not (may_see_area(user, old)
                                                             and may_see_area(user, to_area_code)):
        raise ValidationError("您无权在这两个村（社区）之间转移人员")
    area_for_user(user, to_area_code, levels={codes.VILLAGE}, label="转入村（社区）")
    household_id = person.household_id
    Person.objects.filter(pk=person.pk).update(area_id=to_area_code, household=None, relation_to_head="",
                                               version=F("version") + 1)
    if household_id and not Person.objects.filter(household_id=household_id).exists():
        services.delete_empty_household(household_id, user=user, reason=f"最后一名成员{person.name}转出")
    answers = person_moved.send(sender=Person, person=person, old_area=old, new_area=to_area_code, user=user)
    consequences = "；".join(text for _receiver, text in answers if text)
    audit(AuditEvent.UPDATE, user=user, obj=person, before={"area": old, "household_id": household_id},
          after={"area": to_area_code, "household_id": None},
          reason=f"人员转移：{reason}{'；' + consequences if consequences else ''}"[:300])
    refresh_after_write([old, to_area_code])
    person.refresh_from_db()
    return person
