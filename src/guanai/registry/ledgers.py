"""The registry's ledgers: the person list (人员名单, the import template's columns: it imports back
unchanged) and a screening round's progress by village (排查进度台账). ledgers.base writes,
backgrounds and audits them."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import Http404
from django.utils import timezone

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_filter, may_see_area, scope_queryset
from guanai.core.validation import parse_pk
from guanai.ledgers.base import Source, register

from . import categories as cat
from . import screening, services
from .exporting import EXPORT_COLUMNS, person_rows
from .listing import describe, person_filters
from .models import ScreeningReport


@register("registry.persons")
def persons(user, params: Mapping[str, str]) -> Source:
    """The list's search as a file; ``full_id=1`` gives full ID numbers to a role that may see them
    (the audit says which it was)."""
    filters = person_filters(params)
    # The list treats a code that is no area of the user's as an empty list: so does its title.
    area = Area.objects.filter(pk=filters["area"]).first() if filters["area"] else None
    if area is not None and not may_see_area(user, area.code):
        area = None
    queryset = services.search_persons(user, filters["q"], area=filters["area"], category=filters["category"],
                                       risk=filters["risk"], status=filters["status"]).distinct()
    full_ids = params.get("full_id") == "1" and services.may_see_full_id(user)
    return Source(title="人员名单", columns=EXPORT_COLUMNS, rows=lambda: person_rows(queryset, full_ids=full_ids),
                  count=queryset.count, area=area, conditions=describe(filters), object_type="registry.person",
                  audit_note=f"身份证号{'完整' if full_ids else '脱敏'}", sheet_title="人员名单")


SCREENING_FIXED = [("序号", 6), ("乡镇（街道）", 14), ("村（社区）", 14), ("村（社区）代码", 15), ("上报情况", 8),
                   ("排查户数", 10)]


@register("registry.screening")
def screening_progress(user, params: Mapping[str, str]) -> Source:
    """One row per village of the round the user may see: reported or not, households, counts by category."""
    campaign = screening.campaigns_for(user).select_related("area").filter(pk=parse_pk(params.get("campaign")) or 0).first()
    if campaign is None:
        raise Http404("排查不存在或不在您的管辖范围内")
    drilled = screening.drilled_area(campaign, user, (params.get("area") or "").strip())
    root = drilled.code if drilled else screening.campaign_root(campaign, user)
    villages = scope_queryset(Area.objects.filter(area_filter("pk", root), level=codes.VILLAGE), user)
    category_headers = [cat.CATEGORY_LABELS[c] for c in campaign.categories]
    columns = SCREENING_FIXED + [(header, 10) for header in category_headers] + [("说明", 24), ("填报时间", 16)]

    def rows():
        names = dict(Area.objects.filter(level=codes.TOWNSHIP, pk__in=villages.values("parent_id"))
                     .values_list("pk", "name"))
        reports = {r.village_id: r for r in ScreeningReport.objects.filter(
            campaign=campaign, village__in=villages.values("pk"))}
        for n, village in enumerate(villages.order_by("code"), start=1):
            report = reports.get(village.code)
            counts = [report.counts.get(c, 0) if report else None for c in campaign.categories]
            yield [n, names.get(village.parent_id, ""), village.name, village.code, "已上报" if report else "未上报",
                   report.households_checked if report else None, *counts, report.note if report else "",
                   timezone.localtime(report.reported_at).strftime("%Y-%m-%d %H:%M") if report else ""]

    return Source(title="排查进度台账", columns=columns, rows=rows, count=villages.count,
                  area=Area.objects.filter(pk=root).first(),
                  period=f"{campaign.start_date.isoformat()}至{campaign.end_date.isoformat()}",
                  conditions=f"排查“{campaign.name}”", object_type="registry.screeningcampaign",
                  summed=("排查户数", *category_headers))
