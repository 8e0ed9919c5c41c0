"""Supervision (督导): rounds, their rectification lists, progress reported by the
responsible with evidence, and the office's verification.

Who may do what: the office (and the admin) organises rounds and writes the list; the
responsible reports progress: the unit reporter of the responsible unit, or staff whose
area holds the responsible area; the office verifies what was reported done.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet

from guanai.accounts import roles
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import may_see_area, scope_queryset, serves_user_area, user_role
from guanai.audit.services import audited

from .models import MemberUnit, RectificationEvidence, RectificationItem, SupervisionRound
from .oversight_services import (CREATE, UPDATE, audit, claim_version, conference_area, date_span, require_office,
                                 snapshot, today)

ROUND_FIELDS = ["title", "area_id", "started_on", "ended_on", "methods", "findings"]
ITEM_FIELDS = ["problem", "measure", "responsible_unit_id", "responsible_area_id", "deadline"]
PROGRESS_FIELDS = ["status", "progress_note", "completed_on", "verified_on"]

# Evidence: what offices send as proof (photos, scans, PDF, Word and Excel files), recognised by content.
EVIDENCE_TYPES = [
    (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
]
OOXML_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def rounds_for(user) -> QuerySet:
    return scope_queryset(SupervisionRound.objects.all(), user)


def items_for(user) -> QuerySet:
    return scope_queryset(RectificationItem.objects.all(), user)


def overdue_items_for(user, day: date | None = None) -> QuerySet:
    return items_for(user).filter(RectificationItem.overdue_q(day or today()))


def _status_aggregates(day: date) -> dict:
    overdue = RectificationItem.overdue_q(day)
    return {"pending": Count("pk", filter=Q(status=RectificationItem.PENDING) & ~overdue),
            "in_progress": Count("pk", filter=Q(status=RectificationItem.IN_PROGRESS) & ~overdue),
            "done": Count("pk", filter=Q(status=RectificationItem.DONE) & ~overdue),
            "overdue": Count("pk", filter=overdue)}


def status_counts(items: QuerySet, day: date | None = None) -> dict[str, int]:
    """{pending, in_progress, done, overdue} of ``items`` in one query; an overdue item
    counts as overdue only, so the four add up to the whole list."""
    return items.order_by().aggregate(**_status_aggregates(day or today()))


def status_counts_by_round(items: QuerySet, day: date | None = None) -> dict[int, dict[str, int]]:
    """``status_counts`` of each round's items, in one grouped query."""
    rows = items.order_by().values("round_id").annotate(**_status_aggregates(day or today()))
    return {row.pop("round_id"): row for row in rows}


def filter_by_status(items: QuerySet, status: str, day: date | None = None) -> QuerySet:
    day = day or today()
    overdue = RectificationItem.overdue_q(day)
    if status == RectificationItem.OVERDUE:
        return items.filter(overdue)
    if status in (RectificationItem.PENDING, RectificationItem.IN_PROGRESS, RectificationItem.DONE):
        return items.filter(Q(status=status) & ~overdue)
    return items


# --- rounds ---------------------------------------------------------------------------

def _round_values(acting_user, *, title, area_code, started_on, ended_on, methods, team_users, team_units,
                  visited_areas, visited_units):
    errors = {}
    if not (title or "").strip():
        errors["title"] = "请填写督导名称"
    date_span(errors, started_on, ended_on, fields=("started_on", "ended_on"), labels=("开始日期", "结束日期"))
    known = dict(SupervisionRound.METHOD_CHOICES)
    methods = [m for m in dict.fromkeys(methods or [])]
    if not methods:
        errors["methods"] = "请至少选择一种督导方式"
    elif any(m not in known for m in methods):
        errors["methods"] = "督导方式只能是查阅资料、听取汇报、实地走访、随机抽查"
    try:
        area = conference_area(acting_user, area_code, label="组织区划")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        area = None
    if area is not None:
        outside = [u.get_full_name() or u.username for u in team_users
                   if not (u.area_id and may_see_area(acting_user, u.area_id))]
        if outside:
            errors["team_users"] = f"督导组成员不在您的管辖范围内：{'、'.join(outside)}"
        outside = [u.name for u in team_units if not serves_user_area(acting_user, u.area_id)]
        if outside:
            errors["team_units"] = f"督导组成员单位不在您的管辖范围内：{'、'.join(outside)}"
        outside = [a.name for a in visited_areas if not codes.is_within(a.code, area.code)]
        if outside:
            errors["visited_areas"] = f"督导地区不在“{area.name}”范围内：{'、'.join(outside)}"
        outside = [u.name for u in visited_units if not codes.is_within(u.area_id, area.code)]
        if outside:
            errors["visited_units"] = f"督导单位不属于“{area.name}”：{'、'.join(outside)}"
    if errors:
        raise ValidationError(errors)
    return area, methods


@audited
@transaction.atomic
def create_round(*, acting_user, title: str, area_code: str, started_on: date, ended_on: date, methods: list[str],
                 team_users=(), team_units=(), visited_areas=(), visited_units=(),
                 findings: str = "") -> SupervisionRound:
    require_office(acting_user, "组织督导检查")
    area, methods = _round_values(acting_user, title=title, area_code=area_code, started_on=started_on,
                                  ended_on=ended_on, methods=methods, team_users=team_users, team_units=team_units,
                                  visited_areas=visited_areas, visited_units=visited_units)
    supervision = SupervisionRound.objects.create(
        title=title.strip(), area=area, started_on=started_on, ended_on=ended_on, methods=methods,
        findings=(findings or "").strip(), created_by=acting_user if acting_user.pk else None)
    _set_members(supervision, team_users, team_units, visited_areas, visited_units)
    audit(CREATE, user=acting_user, obj=supervision, after=snapshot(supervision, ROUND_FIELDS))
    return supervision


def _set_members(supervision, team_users, team_units, visited_areas, visited_units):
    supervision.team_users.set(team_users)
    supervision.team_units.set(team_units)
    supervision.visited_areas.set(visited_areas)
    supervision.visited_units.set(visited_units)


@audited
@transaction.atomic
def update_round(*, acting_user, supervision: SupervisionRound, expected_version, title: str, area_code: str,
                 started_on: date, ended_on: date, methods: list[str], team_users=(), team_units=(),
                 visited_areas=(), visited_units=(), findings: str = "", reason: str = "") -> SupervisionRound:
    require_office(acting_user, "修改督导检查")
    area, methods = _round_values(acting_user, title=title, area_code=area_code, started_on=started_on,
                                  ended_on=ended_on, methods=methods, team_users=team_users, team_units=team_units,
                                  visited_areas=visited_areas, visited_units=visited_units)
    items = supervision.items.all()
    early = items.filter(deadline__lt=started_on).order_by("deadline").first()
    if early is not None:
        raise ValidationError({"started_on": f"开始日期（{started_on}）不能晚于第{early.number}项整改的期限（{early.deadline}）"})
    outside = [item for item in items.select_related("area") if not codes.is_within(item.area_id, area.code)]
    if outside:
        raise ValidationError({"area": f"第{outside[0].number}项整改的责任方不在“{area.name}”范围内，不能改为该区划"})
    before = snapshot(supervision, ROUND_FIELDS)
    claim_version(supervision, expected_version, what="督导检查")
    supervision.title, supervision.area = title.strip(), area
    supervision.started_on, supervision.ended_on, supervision.methods = started_on, ended_on, methods
    supervision.findings = (findings or "").strip()
    supervision.save()
    _set_members(supervision, team_users, team_units, visited_areas, visited_units)
    audit(UPDATE, user=acting_user, obj=supervision, before=before, after=snapshot(supervision, ROUND_FIELDS),
          reason=reason)
    return supervision


# --- rectification items ----------------------------------------------------------------

def _responsible(acting_user, supervision: SupervisionRound, unit: MemberUnit | None, area_code: str | None):
    """(unit, area, scoping area) of an item's responsible: one unit of the round's
    conference, or one area inside the round's area and the user's jurisdiction."""
    if (unit is None) == (not area_code):
        raise ValidationError({"responsible_unit": "请选择责任单位或责任地区（二者选其一）"})
    round_area = supervision.area
    if unit is not None:
        if not codes.is_within(unit.area_id, round_area.code):
            raise ValidationError({"responsible_unit": f"责任单位“{unit.name}”不属于“{round_area.name}”，"
                                                       f"不能承担本次督导的整改"})
        if not may_see_area(acting_user, unit.area_id):
            raise ValidationError({"responsible_unit": f"责任单位“{unit.name}”不在您的管辖范围内"})
        return unit, None, unit.area_id
    area = Area.objects.filter(pk=area_code).first()
    if area is None:
        raise ValidationError({"responsible_area": f"责任地区代码“{area_code}”不存在"})
    if not may_see_area(acting_user, area.code):
        raise ValidationError({"responsible_area": f"责任地区“{area.name}”不在您的管辖范围内"})
    if not codes.is_within(area.code, round_area.code):
        raise ValidationError({"responsible_area": f"责任地区“{area.name}”不在本次督导的区划“{round_area.name}”内"})
    return None, area, area.code


def _item_values(acting_user, supervision, *, problem, responsible_unit, responsible_area_code, deadline):
    errors = {}
    if not (problem or "").strip():
        errors["problem"] = "请填写存在问题"
    if deadline is None:
        errors["deadline"] = "请填写整改期限"
    elif deadline < supervision.started_on:
        errors["deadline"] = f"整改期限（{deadline}）不能早于督导开始日期（{supervision.started_on}）"
    try:
        responsible = _responsible(acting_user, supervision, responsible_unit, responsible_area_code)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        responsible = None
    if errors:
        raise ValidationError(errors)
    return responsible


@audited
@transaction.atomic
def add_item(*, acting_user, supervision: SupervisionRound, problem: str, measure: str = "", deadline: date,
             responsible_unit: MemberUnit | None = None, responsible_area_code: str | None = None) -> RectificationItem:
    require_office(acting_user, "填写整改清单")
    unit, area, scope_code = _item_values(acting_user, supervision, problem=problem, responsible_unit=responsible_unit,
                                          responsible_area_code=responsible_area_code, deadline=deadline)
    # The round's row lock numbers concurrent additions one after the other.
    SupervisionRound.objects.select_for_update().filter(pk=supervision.pk).first()
    number = (supervision.items.aggregate(n=Max("number"))["n"] or 0) + 1
    item = RectificationItem.objects.create(
        round=supervision, number=number, problem=problem.strip(), measure=(measure or "").strip(),
        responsible_unit=unit, responsible_area=area, area_id=scope_code, deadline=deadline)
    audit(CREATE, user=acting_user, obj=item, after=snapshot(item, ITEM_FIELDS))
    return item


@audited
@transaction.atomic
def update_item(*, acting_user, item: RectificationItem, expected_version, problem: str, measure: str,
                deadline: date, responsible_unit: MemberUnit | None = None, responsible_area_code: str | None = None,
                reason: str = "") -> RectificationItem:
    """The office changes what must be put right, by whom, by when."""
    require_office(acting_user, "修改整改清单")
    unit, area, scope_code = _item_values(acting_user, item.round, problem=problem, responsible_unit=responsible_unit,
                                          responsible_area_code=responsible_area_code, deadline=deadline)
    before = snapshot(item, ITEM_FIELDS)
    claim_version(item, expected_version, what="整改事项")
    item.problem, item.measure, item.deadline = problem.strip(), (measure or "").strip(), deadline
    item.responsible_unit, item.responsible_area, item.area_id = unit, area, scope_code
    item.save()
    audit(UPDATE, user=acting_user, obj=item, before=before, after=snapshot(item, ITEM_FIELDS), reason=reason)
    return item


def may_report(user, item: RectificationItem) -> bool:
    """The responsible (and the office) report progress on an item."""
    role = user_role(user)
    if role in (roles.ADMIN, roles.OFFICE):
        return may_see_area(user, item.area_id)
    if role == roles.UNIT:
        return item.responsible_unit_id is not None and item.responsible_unit_id == user.unit_id
    if role == roles.STAFF:
        return item.responsible_area_id is not None and may_see_area(user, item.responsible_area_id)
    return False


def may_verify(user, item: RectificationItem) -> bool:
    return user_role(user) in (roles.ADMIN, roles.OFFICE) and may_see_area(user, item.area_id)


def _evidence_type(upload) -> str | None:
    head = upload.read(8)
    upload.seek(0)
    name = (upload.name or "").lower()
    for magic, content_type in EVIDENCE_TYPES:
        if head.startswith(magic):
            if content_type == "application/zip":
                return next((t for suffix, t in OOXML_TYPES.items() if name.endswith(suffix)), None)
            return content_type
    return None


@audited
@transaction.atomic
def report_progress(*, acting_user, item: RectificationItem, expected_version, status: str, progress_note: str = "",
                    completed_on: date | None = None, files=()) -> RectificationItem:
    """The responsible says where the rectification stands (未整改/整改中/已整改, with the day it
    was completed) and adds evidence. A verified item is closed to the responsible."""
    if not may_report(acting_user, item):
        raise ValidationError("您不是此事项的责任方，不能填报整改情况")
    office = user_role(acting_user) in (roles.ADMIN, roles.OFFICE)
    errors = {}
    if item.verified_on is not None and not office:
        raise ValidationError("此事项已由领导小组办公室核验销号，不能再修改；如需重新整改请联系办公室")
    if status not in dict(RectificationItem.STATUS_CHOICES):
        errors["status"] = "请选择整改状态：未整改、整改中或已整改"
    if status == RectificationItem.DONE:
        if completed_on is None:
            errors["completed_on"] = "已整改的事项请填写完成日期"
        elif completed_on > today():
            errors["completed_on"] = f"完成日期（{completed_on}）不能晚于今天"
        elif completed_on < item.round.started_on:
            errors["completed_on"] = f"完成日期（{completed_on}）不能早于督导开始日期（{item.round.started_on}）"
        if not (progress_note or "").strip():
            errors["progress_note"] = "已整改的事项请写明整改情况"
    else:
        completed_on = None
    checked = []
    for upload in files:
        content_type = _evidence_type(upload)
        if content_type is None:
            errors["files"] = f"佐证材料“{upload.name}”不是JPG、PNG图片或PDF、Word（.docx）、Excel（.xlsx）文件"
            break
        if upload.size > MAX_EVIDENCE_BYTES:
            errors["files"] = f"佐证材料“{upload.name}”超过20MB"
            break
        checked.append((upload, content_type))
    if errors:
        raise ValidationError(errors)
    before = snapshot(item, PROGRESS_FIELDS)
    claim_version(item, expected_version, what="整改事项")
    item.status, item.progress_note, item.completed_on = status, (progress_note or "").strip(), completed_on
    if status != RectificationItem.DONE:
        item.verified_on, item.verified_by = None, None  # reopened: what was verified no longer holds
    item.save()
    for upload, content_type in checked:
        evidence = RectificationEvidence(item=item, name=upload.name[:200], content_type=content_type,
                                         size=upload.size, uploaded_by=acting_user if acting_user.pk else None)
        # A fresh short name on disk (the path must fit the column); the person's name is kept in ``name``.
        evidence.file.save(f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()[:8]}", upload, save=False)
        evidence.save()
    after = snapshot(item, PROGRESS_FIELDS)
    if checked:
        after["evidence"] = "、".join(upload.name for upload, _type in checked)
    audit(UPDATE, user=acting_user, obj=item, before=before, after=after, reason="填报整改情况")
    return item


@audited
@transaction.atomic
def verify_item(*, acting_user, item: RectificationItem, expected_version, verified_on: date,
                note: str = "") -> RectificationItem:
    """The office checks a rectification reported done and closes it (核验销号)."""
    if not may_verify(acting_user, item):
        raise ValidationError("只有领导小组办公室可以核验整改事项")
    errors = {}
    if item.status != RectificationItem.DONE:
        errors["verified_on"] = "只有已整改的事项才能核验"
    elif verified_on is None:
        errors["verified_on"] = "请填写核验日期"
    elif verified_on > today():
        errors["verified_on"] = f"核验日期（{verified_on}）不能晚于今天"
    elif item.completed_on and verified_on < item.completed_on:
        errors["verified_on"] = f"核验日期（{verified_on}）不能早于完成日期（{item.completed_on}）"
    if errors:
        raise ValidationError(errors)
    before = snapshot(item, PROGRESS_FIELDS)
    claim_version(item, expected_version, what="整改事项")
    item.verified_on, item.verified_by = verified_on, acting_user if acting_user.pk else None
    item.save()
    audit(UPDATE, user=acting_user, obj=item, before=before, after=snapshot(item, PROGRESS_FIELDS),
          reason=f"核验销号{('：' + note.strip()) if note and note.strip() else ''}")
    return item
