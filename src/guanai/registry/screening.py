"""Screening campaigns (摸底排查): who has reported, and the totals by area and category."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_filter, area_for_user, area_for_user_or_404, may_see_area, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, snapshot
from guanai.core.validation import check_count, check_date
from guanai.stats.periods import Period

from . import categories as cat
from .models import ScreeningCampaign, ScreeningReport


@dataclass
class AreaRow:
    area: Area
    villages: int = 0
    reported: int = 0
    households: int = 0
    cells: list[tuple[str, int]] = field(default_factory=list)  # (category label, found), the round's order

    @property
    def ordered(self) -> list[int]:
        """The persons found of each category, in the round's order."""
        return [n for _label, n in self.cells]


@dataclass
class CampaignProgress:
    villages: int
    reported: int
    households: int
    totals: dict[str, int]
    ordered_totals: list[tuple[str, int]]  # (category label, total) in the campaign's order
    rows: list[AreaRow]  # one per child area of the area shown (a village: none)
    missing: list[Area] | None  # villages of a township (or a village) that have not reported; None above
    area: Area | None = None  # the area shown: the round's part the user may see, or one within it
    root: str = ""  # the top of that part (no link up from it)

    @property
    def unreported(self) -> int:
        return self.villages - self.reported


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


def campaign_root(campaign: ScreeningCampaign, user) -> str:
    """The top of the part of the round the user may see: its area, or the user's own within it."""
    return campaign.area_id if may_see_area(user, campaign.area_id) else user.area_id


def drilled_area(campaign: ScreeningCampaign, user, code: str) -> Area | None:
    """The sub-area of the round a page or its ledger was asked for (``?area=``): None when none
    was asked, a 404 when it is not the user's or lies outside the round."""
    if not code:
        return None
    area = area_for_user_or_404(user, code)
    if not codes.is_within(area.code, campaign_root(campaign, user)):
        raise Http404("该区划不在本次排查范围内")
    return area


def campaign_period(campaign: ScreeningCampaign) -> Period:
    return Period(campaign.start_date, campaign.end_date, f"{campaign.start_date}~{campaign.end_date}")


def campaign_progress(campaign: ScreeningCampaign, user, area: Area | None = None) -> CampaignProgress:
    """The round's figures for ``area`` (by default the part the user may see; the caller checks
    that any other lies within it: ``drilled_area``): the totals are the screening metrics of the area for this
    round (registry.metrics, asked through ``compute`` as the dashboards ask them), one row per
    child area their per-child form (the rows add up to the totals). A few queries whatever the
    area's size: a city's page read its ~2,000 villages and their reports one by one. The villages
    that have not reported are named from the township down."""
    from guanai.stats.metrics import compute, memoized

    from .metrics import screening_by_child

    root = campaign_root(campaign, user)
    if area is None:
        area = Area.objects.get(pk=root)
    period, pk = campaign_period(campaign), campaign.pk
    with memoized():
        villages = compute("screening_reports_due", area.code, period, campaign=pk)
        reported = compute("screening_reports_in", area.code, period, campaign=pk)
        households = compute("screening_households", area.code, period, campaign=pk)
        totals = {c: compute("screening_found", area.code, period, category=c, campaign=pk) for c in campaign.categories}
    by_child = screening_by_child(area.code, period, pk, campaign.categories)
    rows = []
    for child in Area.objects.filter(parent=area).order_by("code"):
        figures = by_child.get(child.code)
        if figures is None or not figures["due"]:
            continue  # outside the round (it covers part of the area) or no villages
        rows.append(AreaRow(area=child, villages=figures["due"], reported=figures["in"],
                            households=figures["households"],
                            cells=[(cat.CATEGORY_LABELS[c], figures["found"].get(c, 0)) for c in campaign.categories]))
    missing = None
    if area.level >= codes.TOWNSHIP:
        missing = list(Area.objects.filter(area_filter("pk", area.code), area_filter("pk", campaign.area_id),
                                           level=codes.VILLAGE)
                       .exclude(code__in=ScreeningReport.objects.filter(campaign=campaign).values("village_id"))
                       .order_by("code"))
    return CampaignProgress(
        villages=villages, reported=reported, households=households, totals=totals,
        ordered_totals=[(cat.CATEGORY_LABELS[c], totals.get(c, 0)) for c in campaign.categories],
        rows=rows, missing=missing, area=area, root=root)
