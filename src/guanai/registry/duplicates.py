"""Probable duplicates (the same ID number, or the same name and birth date within a
township) and merging them with their history kept."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Substr

from guanai.core import clock
from guanai.core.db import delete_rows
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, snapshot
from guanai.areas.scoping import area_filter, scope_queryset
from guanai.stats.tallies import batched, tallies_complete

from .models import ChildProfile, DuplicateMember, ElderProfile, Person, PersonCategory, RiskAssessment
from .services import persons_for


@dataclass
class DuplicateGroup:
    reason: str
    persons: list[Person]


ID_REASON, NAME_REASON = "身份证号相同", "同一乡镇内姓名和出生日期相同"
TOWNSHIP = 9  # prefix length of a township's code
CHUNK = 500  # keys per IN list
# Groups of each kind on the page: a merge form each; 200 of each made a page of 300 kB whose
# rendering alone took over 100 ms. A work list: merged groups leave it and the next ones show.
LIMIT = 50


def probable_duplicates(user, *, limit: int = LIMIT) -> list[DuplicateGroup]:
    """Groups of active records that are probably one person, as ``user`` sees them (a group
    shows when two of its records are in their scope): the ID number's groups first (at most
    ``limit``), then the name and birth date's within a township (from at most ``limit`` keys),
    without the persons shown already. Read from the kept members (``DuplicateMember``) when
    they are complete, else counted from the records; four queries
    either way, whatever the number of groups."""
    if _kept_complete():
        return _kept_groups(user, limit)
    return _live_groups(user, limit)


def _kept_complete() -> bool:
    """The kept members hold every group: a full rebuild filled them (the mark), every write
    since kept them, and no import took the kept figures away since (``tallies_complete``: not
    ``tallies_fresh``, since the groups do not move with the date; a new day's first hours
    before the daily refresh read them too)."""
    return tallies_complete() and DuplicateMember.objects.filter(kind=DuplicateMember.COMPLETE).exists()


def _kept_groups(user, limit: int) -> list[DuplicateGroup]:
    members = scope_queryset(DuplicateMember.objects.all(), user)

    def keys(kind):  # the first ``limit`` keys with two members in scope, in key order
        return (members.filter(kind=kind).order_by().values("key").annotate(n=Count("id")).filter(n__gt=1)
                .order_by("key").values("key")[:limit])

    rows = list(members.filter(Q(kind=DuplicateMember.ID, key__in=keys(DuplicateMember.ID))
                               | Q(kind=DuplicateMember.NAME, key__in=keys(DuplicateMember.NAME)))
                .values_list("kind", "key", "person_id"))
    id_rows = [(key, pk) for kind, key, pk in rows if kind == DuplicateMember.ID]
    name_rows = [(parse_name_key(key), pk) for kind, key, pk in rows if kind == DuplicateMember.NAME]
    return _assemble(user, id_rows, name_rows)


def _live_groups(user, limit: int) -> list[DuplicateGroup]:
    """Counted from the records in the user's scope (until the kept members are complete)."""
    active = persons_for(user).filter(status=Person.ACTIVE)
    same_id = (active.exclude(id_number_hash="").order_by().values("id_number_hash").annotate(n=Count("id"))
               .filter(n__gt=1).order_by("id_number_hash").values_list("id_number_hash", flat=True)[:limit])
    persons: dict[int, Person] = {}
    id_rows = []
    for person in active.filter(id_number_hash__in=list(same_id)).select_related("area", "area__parent__parent"):
        persons[person.pk] = person
        id_rows.append((person.id_number_hash, person.pk))

    # (name, birth date) pairs with two records in one township: grouped by the pair alone, which
    # the (status, name, birth_date, area) index yields in order (no sort), two in one township
    # being fewer townships than records.
    same_name = list(active.exclude(birth_date=None).order_by().values("name", "birth_date")
                     .annotate(n=Count("id"), townships=Count(Substr("area_id", 1, TOWNSHIP), distinct=True))
                     .filter(townships__lt=F("n")).order_by("name", "birth_date")[:limit])
    pairs = {(row["name"], row["birth_date"]) for row in same_name}
    candidates = active.filter(name__in={row["name"] for row in same_name},
                               birth_date__in={row["birth_date"] for row in same_name})
    name_rows = []
    for person in candidates.select_related("area", "area__parent__parent"):
        if (person.name, person.birth_date) in pairs:
            persons[person.pk] = person
            name_rows.append(((person.name, person.birth_date, person.area_id[:TOWNSHIP]), person.pk))
    return _assemble(user, id_rows, name_rows, persons)


def _assemble(user, id_rows, name_rows, persons: dict[int, Person] | None = None) -> list[DuplicateGroup]:
    """The groups of (key, person id) rows, the same for the kept and the counted path: ID
    groups in key order, then (name, birth date, township) groups in that order without the
    persons of an ID group; persons in id order; a group needs two active persons in scope.
    Persons not given are fetched in one scoped query."""
    wanted = {pk for _key, pk in id_rows} | {pk for _key, pk in name_rows}
    if persons is None:
        persons = {p.pk: p for p in persons_for(user).filter(status=Person.ACTIVE, pk__in=wanted)
                   .select_related("area", "area__parent__parent")}
    by_id: dict[str, list[int]] = defaultdict(list)
    for key, pk in sorted(id_rows):
        if pk in persons:
            by_id[key].append(pk)
    groups = [DuplicateGroup(ID_REASON, [persons[pk] for pk in pks]) for pks in by_id.values() if len(pks) > 1]
    seen = {p.pk for g in groups for p in g.persons}
    by_name: dict[tuple, list[int]] = defaultdict(list)
    for key, pk in sorted(name_rows):
        if pk in persons and pk not in seen:
            by_name[key].append(pk)
    groups += [DuplicateGroup(NAME_REASON, [persons[pk] for pk in pks]) for pks in by_name.values() if len(pks) > 1]
    return groups


# --- the kept members ------------------------------------------------------------------------------


def name_key(name: str, birth_date: date, area_id: str) -> str:
    return f"{name}|{birth_date.isoformat()}|{area_id[:TOWNSHIP]}"


def parse_name_key(key: str) -> tuple[str, date, str]:
    name, born, township = key.rsplit("|", 2)
    return name, date.fromisoformat(born), township


def _chunks(items, size: int = CHUNK):
    items = sorted(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def keep_duplicates(villages: list[str] | None) -> None:
    """Bring the kept members up to date after a refresh of the kept figures (in its transaction):
    ``villages`` None, rebuild them all; else every group a person of these villages is in,
    was in (the kept rows of the villages and of their persons), or now joins, recounted
    across all villages from the records."""
    if villages is None:
        _rebuild()
        return
    people = list(Person.objects.filter(area_id__in=villages)
                  .values_list("pk", "id_number_hash", "name", "birth_date", "area_id"))
    id_keys = {h for _pk, h, _n, _b, _a in people if h}
    name_keys = {name_key(n, b, a) for _pk, _h, n, b, a in people if b is not None}
    kept = DuplicateMember.objects.filter(Q(area_id__in=villages) | Q(person_id__in=[p[0] for p in people]))
    for kind, key in kept.filter(kind__in=[DuplicateMember.ID, DuplicateMember.NAME]).values_list("kind", "key"):
        (id_keys if kind == DuplicateMember.ID else name_keys).add(key)
    rows = []
    for chunk in _chunks(id_keys):
        rows += _id_members(Person.objects.filter(status=Person.ACTIVE, id_number_hash__in=chunk))
        delete_rows(DuplicateMember.objects.filter(kind=DuplicateMember.ID, key__in=chunk))
    for chunk in _chunks(name_keys):
        rows += _name_members(chunk)
        delete_rows(DuplicateMember.objects.filter(kind=DuplicateMember.NAME, key__in=chunk))
    _insert(rows)


def _id_members(persons) -> list[DuplicateMember]:
    """The members of the ID groups (two or more) among ``persons`` (active)."""
    by_key: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, key, area in persons.values_list("pk", "id_number_hash", "area_id"):
        by_key[key].append((pk, area))
    return [DuplicateMember(kind=DuplicateMember.ID, key=key, person_id=pk, area_id=area)
            for key, members in by_key.items() if len(members) > 1 for pk, area in members]


def _name_members(keys: list[str]) -> list[DuplicateMember]:
    """The members of the name groups (two or more active persons) of these keys."""
    wanted = set(keys)
    parsed = [parse_name_key(key) for key in keys]
    townships = Q()
    for township in {t for _n, _b, t in parsed}:
        townships |= area_filter("area", township.ljust(12, "0"))
    persons = (Person.objects.filter(status=Person.ACTIVE, name__in={n for n, _b, _t in parsed},
                                     birth_date__in={b for _n, b, _t in parsed}).filter(townships)
               .values_list("pk", "name", "birth_date", "area_id"))
    by_key: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, name, born, area in persons:
        key = name_key(name, born, area)
        if key in wanted:
            by_key[key].append((pk, area))
    return [DuplicateMember(kind=DuplicateMember.NAME, key=key, person_id=pk, area_id=area)
            for key, members in by_key.items() if len(members) > 1 for pk, area in members]


def _rebuild() -> None:
    """Every group from the records (no scope, no limit): each active person with another of
    the same ID number hash, or of the same name and birth date in the same township. A semi-join
    each (hashed, two scans of the table), not a grouping in index order: at a province that
    visits every record's row in index order, about four times slower where the table's pages
    are not all-visible yet (after a bulk load)."""
    active = Person.objects.filter(status=Person.ACTIVE)
    twin = active.exclude(pk=OuterRef("pk"))
    same_id = active.exclude(id_number_hash="").filter(
        Exists(twin.filter(id_number_hash=OuterRef("id_number_hash"))))
    rows = _id_members(same_id)
    township = Substr("area_id", 1, TOWNSHIP)
    same_name = (active.exclude(birth_date=None).annotate(township=township)
                 .filter(Exists(twin.annotate(township=township).filter(
                     name=OuterRef("name"), birth_date=OuterRef("birth_date"), township=OuterRef("township")))))
    by_key: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, name, born, area in same_name.values_list("pk", "name", "birth_date", "area_id"):
        by_key[name_key(name, born, area)].append((pk, area))
    rows += [DuplicateMember(kind=DuplicateMember.NAME, key=key, person_id=pk, area_id=area)
             for key, members in by_key.items() for pk, area in members]
    delete_rows(DuplicateMember.objects.all())
    _insert([*rows, DuplicateMember(kind=DuplicateMember.COMPLETE, key="", person_id=0, area_id="")])


def _insert(rows: list[DuplicateMember]) -> None:
    # No signals (the audit trail's safety net would record every kept row); the unique
    # (kind, key, person) index keeps two writers refreshing one group from doubling its rows.
    DuplicateMember.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


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
