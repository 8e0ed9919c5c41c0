"""Screening campaigns (摸底排查): who has reported, and the totals by area and category."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_filter, may_see_area, scope_queryset

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


@transaction.atomic
def create_campaign(*, user, name: str, area_code: str, start_date, end_date, categories: list[str]) -> ScreeningCampaign:
    if not may_see_area(user, area_code):
        raise ValidationError({"area": "排查范围不在您的管辖范围内"})
    if end_date < start_date:
        raise ValidationError({"end_date": "截止日期不能早于开始日期"})
    unknown = [c for c in categories if c not in cat.CATEGORY_LABELS]
    if not categories or unknown:
        raise ValidationError({"categories": "请选择排查类别"})
    return ScreeningCampaign.objects.create(name=name, area_id=area_code, start_date=start_date, end_date=end_date,
                                            categories=categories, created_by=user)


@transaction.atomic
def submit_report(*, user, campaign: ScreeningCampaign, village_code: str, households_checked: int,
                  counts: dict[str, int], note: str = "") -> ScreeningReport:
    village = Area.objects.filter(pk=village_code, level=codes.VILLAGE).first()
    if village is None or not codes.is_within(village_code, campaign.area_id):
        raise ValidationError({"village": "该村（社区）不在本次排查范围内"})
    if not may_see_area(user, village_code):
        raise ValidationError({"village": "该村（社区）不在您的管辖范围内"})
    if households_checked < 0 or any(int(v) < 0 for v in counts.values()):
        raise ValidationError({"counts": "数量不能为负数"})
    clean = {c: int(counts.get(c, 0) or 0) for c in campaign.categories}
    report, _created = ScreeningReport.objects.update_or_create(
        campaign=campaign, village=village,
        defaults={"households_checked": households_checked, "counts": clean, "note": note, "reporter": user})
    return report


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
