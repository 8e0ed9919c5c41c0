"""Probable duplicates (the same ID number, or the same name and birth date within a
township) and merging them with their history kept."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Substr

from guanai.core import clock
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, snapshot
from guanai.stats.tallies import batched

from .models import ChildProfile, ElderProfile, Person, PersonCategory, RiskAssessment
from .services import persons_for


@dataclass
class DuplicateGroup:
    reason: str
    persons: list[Person]


def probable_duplicates(user, *, limit: int = 200) -> list[DuplicateGroup]:
    """Groups of active records that are probably one person; three queries in all,
    whatever the number of groups."""
    active = persons_for(user).filter(status=Person.ACTIVE)
    same_id = list(active.exclude(id_number_hash="").values("id_number_hash").annotate(n=Count("id"))
                   .filter(n__gt=1).values_list("id_number_hash", flat=True)[:limit])
    by_id: dict[str, list[Person]] = defaultdict(list)
    for person in active.filter(id_number_hash__in=same_id).select_related("area", "area__parent__parent").order_by("pk"):
        by_id[person.id_number_hash].append(person)
    groups = [DuplicateGroup("身份证号相同", by_id[key]) for key in same_id]

    # (name, birth date) pairs with two records in one township: grouped by the pair alone, which
    # the (status, name, birth_date, area) index yields in order (no sort), two in one township
    # being fewer townships than records.
    same_name = list(active.exclude(birth_date=None).order_by().values("name", "birth_date")
                     .annotate(n=Count("id"), townships=Count(Substr("area_id", 1, 9), distinct=True))
                     .filter(townships__lt=F("n"))[:limit])
    pairs = {(row["name"], row["birth_date"]) for row in same_name}
    seen = {p.pk for g in groups for p in g.persons}
    by_key: dict[tuple, list[Person]] = defaultdict(list)
    candidates = active.filter(name__in={row["name"] for row in same_name},
                               birth_date__in={row["birth_date"] for row in same_name})
    for person in candidates.select_related("area", "area__parent__parent").order_by("pk"):
        key = (person.name, person.birth_date, person.area_id[:9])
        if key[:2] in pairs and person.pk not in seen:
            by_key[key].append(person)
    groups += [DuplicateGroup("同一乡镇内姓名和出生日期相同", persons) for persons in by_key.values() if len(persons) > 1]
    return groups


MERGE_FIELDS = ["phone", "address", "ethnicity", "hukou_place", "id_number_masked", "current_risk", "version"]


@audited
@transaction.atomic
@batched()  # both villages' kept figures once, after the merge
def merge_persons(*, user, keep: Person, duplicate: Person) -> Person:
    """Move the duplicate's categories, assessments and profiles onto ``keep``; the
    duplicate stays on file as exited, pointing at ``keep``, so its history remains."""
    if keep.pk == duplicate.pk:
        raise ValidationError("不能将档案与其自身合并")
    if duplicate.status != Person.ACTIVE or keep.status != Person.ACTIVE:
        raise ValidationError("只能合并在册人员的档案")
    visible = persons_for(user)
    if not (visible.filter(pk=keep.pk).exists() and visible.filter(pk=duplicate.pk).exists()):
        raise ValidationError("档案不在您的管辖范围内")
    kept_categories = set(keep.categories.values_list("category", flat=True))
    before = {**snapshot(keep, MERGE_FIELDS), "categories": sorted(kept_categories)}
    PersonCategory.objects.filter(person=duplicate).exclude(category__in=kept_categories).update(person=keep)
    RiskAssessment.objects.filter(person=duplicate).update(person=keep, is_current=False)
    latest = keep.assessments.order_by("-assessed_on", "-id").first()
    if latest is not None:
        RiskAssessment.objects.filter(pk=latest.pk).update(is_current=True)
        keep.current_risk = latest.level
    for profile_model in (ChildProfile, ElderProfile):
        if not profile_model.objects.filter(person=keep).exists():
            profile_model.objects.filter(person=duplicate).update(person=keep)
    for field in ("phone", "address", "ethnicity", "hukou_place"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    if not keep.id_number_hash and duplicate.id_number_hash:
        keep.id_number_encrypted, keep.id_number_hash, keep.id_number_masked, keep.id_suffix_hash = (
            duplicate.id_number_encrypted, duplicate.id_number_hash, duplicate.id_number_masked,
            duplicate.id_suffix_hash)
        duplicate.id_number_hash = ""  # the number now belongs to the kept record only
    keep.version += 1
    keep.save()
    exit_fields = ["status", "exit_reason", "exit_date", "merged_into_id", "version"]
    duplicate_before = snapshot(duplicate, exit_fields)
    duplicate.status, duplicate.exit_reason, duplicate.merged_into = Person.EXITED, "merged", keep
    duplicate.exit_date = duplicate.exit_date or clock.today()
    duplicate.version += 1
    duplicate.save()
    # One event per record: the kept one's changes, and the duplicate's exit.
    after = {**snapshot(keep, MERGE_FIELDS), "categories": sorted(keep.categories.values_list("category", flat=True)),
             "merged": duplicate.pk}
    audit(AuditEvent.UPDATE, user=user, obj=keep, before=before, after=after,
          reason=f"合并重复档案（编号{duplicate.pk}）")
    audit(AuditEvent.UPDATE, user=user, obj=duplicate, before=duplicate_before,
          after=snapshot(duplicate, exit_fields), reason=f"合并入档案（编号{keep.pk}）")
    return keep
