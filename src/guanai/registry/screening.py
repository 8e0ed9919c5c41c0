"""Screening campaigns (摸底排查): who has reported, and the totals by area and category."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_filter, area_for_user, may_see_area, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, snapshot
from guanai.core.validation import check_count, check_date

from . import categories as cat
from .models import ScreeningCampaign, ScreeningReport


@dataclass
class AreaRow:
    area: Area
    villages: int = 0
    reported: int = 0
    households: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ordered: list[int] = field(default_factory=list)  # counts in the campaign's category order


@dataclass
class CampaignProgress:
    villages: int
    reported: int
    households: int
    totals: dict[str, int]
    ordered_totals: list[tuple[str, int]]  # (category label, total) in the campaign's order
    rows: list[AreaRow]  # one per child area of the campaign's (or user's) area
    missing: list[Area]  # villages that have not reported


@audited
@transaction.atomic
def create_campaign(*, user, name: str, area_code: str, start_date, end_date, categories: list[str]) -> ScreeningCampaign:
    area = area_for_user(user, area_code, label="排查范围")
    errors = {}
    if not (name or "").strip():
        errors["name"] = "请填写排查名称"
    for field, label, day in (("start_date", "开始日期", start_date), ("end_date", "截止日期", end_date)):
        if day is None:
            errors[field] = f"请填写{label}"
        else:
            try:
                check_date(day, "planned", label=label)
            except ValidationError as exc:
                errors[field] = exc.messages[0]
    if not errors and end_date < start_date:
        errors["end_date"] = "截止日期不能早于开始日期"
    unknown = [c for c in categories if c not in cat.CATEGORY_LABELS]
    if not categories or unknown:
        errors["categories"] = "请选择排查类别"
    if errors:
        raise ValidationError(errors)
    campaign = ScreeningCampaign.objects.create(name=name.strip(), area=area, start_date=start_date,
                                                end_date=end_date, categories=categories, created_by=user)
    audit(AuditEvent.CREATE, user=user, obj=campaign,
          after=snapshot(campaign, ["name", "area_id", "start_date", "end_date", "categories"]), reason="发起摸底排查")
    return campaign


REPORT_FIELDS = ["households_checked", "counts", "note"]


@audited
@transaction.atomic
def submit_report(*, user, campaign: ScreeningCampaign, village_code: str, households_checked: int,
                  counts: dict[str, int], note: str = "") -> ScreeningReport:
    if _is_code(village_code) and not codes.is_within(str(village_code), campaign.area_id):
        raise ValidationError({"village": "该村（社区）不在本次排查范围内"})
    village = area_for_user(user, village_code, field="village", levels={codes.VILLAGE}, label="村（社区）")
    households = check_count(households_checked, label="排查户数", field="households_checked") or 0
    clean = {}
    for code in campaign.categories:
        label = f"发现{cat.CATEGORY_LABELS[code]}人数"
        clean[code] = check_count(counts.get(code, 0), label=label, field=f"count_{code}") or 0
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": f"说明过长（{len(note)}字），最多300字"})
    previous = ScreeningReport.objects.filter(campaign=campaign, village=village).first()
    before = snapshot(previous, REPORT_FIELDS) if previous else {}
    report, created = ScreeningReport.objects.update_or_create(
        campaign=campaign, village=village,
        defaults={"households_checked": households, "counts": clean, "note": note, "reporter": user})
    audit(AuditEvent.CREATE if created else AuditEvent.UPDATE, user=user, obj=report, before=before,
          after=snapshot(report, REPORT_FIELDS), reason=f"{campaign.name}：{village.name}排查结果")
    return report


def _is_code(value) -> bool:
    text = str(value or "")
    return len(text) == 12 and text.isdigit()


def report_for(user, campaign: ScreeningCampaign, village: Area) -> ScreeningReport | None:
    """The stored report of a village the user may see (the caller has checked the village)."""
    return scope_queryset(ScreeningReport.objects.filter(campaign=campaign, village=village), user).first()


def campaigns_for(user):
    """Campaigns over the user's area, or over an area containing it (a village sees the city's round)."""
    visible = scope_queryset(ScreeningCampaign.objects.all(), user)
    if user.area_id:
        visible = visible | ScreeningCampaign.objects.filter(area_id__in=codes.ancestors(user.area_id))
    return visible.distinct()


def campaign_progress(campaign: ScreeningCampaign, user) -> CampaignProgress:
    """Reported villages and totals, limited to the part of the campaign the user may see."""
    root = campaign.area_id
    if not may_see_area(user, root):
        root = user.area_id  # a village or township worker sees their own part
    villages = list(scope_queryset(Area.objects.filter(area_filter("pk", root), level=codes.VILLAGE), user))
    reports = {r.village_id: r for r in ScreeningReport.objects.filter(campaign=campaign, village__in=[v.code for v in villages])}
    root_level = codes.level_of(root)
    rows: dict[str, AreaRow] = {}
    children = {a.code: a for a in Area.objects.filter(parent_id=root)}
    totals: dict[str, int] = defaultdict(int)
    households = 0
    for village in villages:
        if root_level == codes.VILLAGE:
            key, group = village.code, village
        else:
            key = next((code for code in children if codes.is_within(village.code, code)), village.code)
            group = children.get(key, village)
        row = rows.setdefault(key, AreaRow(area=group))
        row.villages += 1
        report = reports.get(village.code)
        if report is None:
            continue
        row.reported += 1
        row.households += report.households_checked
        households += report.households_checked
        for category, n in report.counts.items():
            row.counts[category] += n
            totals[category] += n
    for row in rows.values():
        row.ordered = [row.counts.get(c, 0) for c in campaign.categories]
    return CampaignProgress(
        villages=len(villages), reported=len(reports), households=households, totals=dict(totals),
        ordered_totals=[(cat.CATEGORY_LABELS[c], totals.get(c, 0)) for c in campaign.categories],
        rows=sorted(rows.values(), key=lambda r: r.area.code),
        missing=[v for v in villages if v.code not in reports],
    )
