"""The care ledgers (台账): visits with their aid (走访台账), activities, pairings, care homes with
their inspections. Each reads the list page's filters through care.listing (the page's own
parsing) and streams its rows; ledgers.base writes, backgrounds and audits them. A row names its
village through the ledger's ``source.place`` (the rows run after the source is built and
``source_for`` has given it its area)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, Prefetch

from guanai.ledgers.base import Source, register

from . import listing
from .models import Inspection

CHUNK = 2000


def _date(value) -> str:
    return value.isoformat() if value else ""


def _money(value) -> float:
    return float(value or 0)


def _each(queryset, *order):
    """The records in the ledger's order, fetched a chunk at a time with their related rows
    (``iterator`` with ``chunk_size`` prefetches per chunk): memory holds one chunk."""
    return queryset.order_by(*order).iterator(chunk_size=CHUNK)


VISIT_COLUMNS = [("序号", 6), ("走访日期", 12), ("所在村（社区）", 14), ("走访对象", 12), ("走访方式", 8),
                 ("走访人", 14), ("同行人员", 14), ("走访情况", 36), ("困难和需求", 24), ("风险再评估", 8),
                 ("帮扶物资/资金", 30), ("折合金额（元）", 12), ("下次走访日期", 12), ("填报人", 10)]


@register("care.visits")
def visits(user, params: Mapping[str, str]) -> Source:
    found = listing.visit_listing(user, params)
    records = found.records.select_related("person", "household", "area__parent__parent", "created_by")

    def rows():
        for n, visit in enumerate(_each(records.prefetch_related("aid_items", "visitors"), "visit_date", "pk"),
                              start=1):
            aid = list(visit.aid_items.all())
            aid_text = "；".join(
                f"{a.description}{'' if a.quantity is None else f'{a.quantity.normalize():f}{a.unit}'}"
                f"（{a.get_kind_display()}）" for a in aid)
            yield [n, _date(visit.visit_date), source.place(visit.area), visit.recipient_name, visit.get_mode_display(),
                   "、".join(v.get_full_name() or v.get_username() for v in visit.visitors.all()),
                   visit.other_visitors, visit.findings, visit.needs, visit.get_risk_level_display(), aid_text,
                   _money(sum((a.value_yuan for a in aid), 0)), _date(visit.next_visit_on),
                   (visit.created_by.get_full_name() or visit.created_by.get_username()) if visit.created_by else ""]

    source = Source(title="走访台账", columns=VISIT_COLUMNS, rows=rows, count=found.records.count, area=found.area,
                    period=found.period_text, conditions=found.conditions, object_type="care.visit",
                    refused=found.problem, summed=("折合金额（元）",))
    return source


ACTIVITY_COLUMNS = [("序号", 6), ("活动日期", 12), ("活动名称", 24), ("活动类型", 8), ("所在区划", 14), ("活动地点", 16),
                    ("组织单位", 20), ("参与志愿者（人）", 10), ("参与群众（人次）", 10), ("受益人数（人）", 10),
                    ("咨询人数（人次）", 10), ("投入资金（元）", 12), ("活动内容", 36)]
# Each activity's counts add up as the activity table's columns do (参与志愿者 in 人次 there).
ACTIVITY_SUMMED = ("参与志愿者（人）", "参与群众（人次）", "受益人数（人）", "咨询人数（人次）", "投入资金（元）")


@register("care.activities")
def activities(user, params: Mapping[str, str]) -> Source:
    found = listing.activity_listing(user, params)
    records = found.records.select_related("area__parent__parent").prefetch_related("organisers")

    def rows():
        for n, a in enumerate(_each(records, "held_on", "pk"), start=1):
            yield [n, _date(a.held_on), a.title, a.get_kind_display(), source.place(a.area), a.place,
                   "、".join(u.name for u in a.organisers.all()), a.volunteers_count, a.participants_count,
                   a.beneficiaries_count, a.consultations_count, _money(a.funds_yuan), a.description]

    source = Source(title="关爱活动台账", columns=ACTIVITY_COLUMNS, rows=rows, count=found.records.count,
                    period=found.period_text, conditions=found.conditions, object_type="care.activity",
                    refused=found.problem, summed=ACTIVITY_SUMMED)
    return source


PAIRING_COLUMNS = [("序号", 6), ("帮扶人", 10), ("帮扶人类型", 10), ("所属单位", 18), ("帮扶人电话", 14),
                   ("帮扶对象", 10), ("所在村（社区）", 14), ("结对日期", 12), ("结束日期", 12), ("结束原因", 16),
                   ("帮扶内容", 30)]


@register("care.pairings")
def pairings(user, params: Mapping[str, str]) -> Source:
    found = listing.pairing_listing(user, params)
    records = found.records.select_related("helper", "helper__unit", "person", "area__parent__parent")

    def rows():
        for n, p in enumerate(_each(records, "area_id", "start_date", "pk"), start=1):
            yield [n, p.helper.name, p.helper.get_kind_display(), p.helper.unit.name if p.helper.unit else "",
                   p.helper.phone, p.person.name, source.place(p.area), _date(p.start_date), _date(p.end_date),
                   p.end_reason, p.note]

    source = Source(title="结对帮扶台账", columns=PAIRING_COLUMNS, rows=rows, count=found.records.count,
                    conditions=found.conditions, object_type="care.pairing")
    return source


HOME_COLUMNS = [("序号", 6), ("名称", 20), ("类型", 10), ("所在区划", 14), ("共建单位", 18), ("地址", 24),
                ("建成日期", 12), ("负责人", 10), ("联系电话", 14), ("检查次数", 8), ("最近检查日期", 12),
                ("达标项数", 8), ("检查项数", 8), ("未达标项目", 30), ("问题和整改意见", 30)]


@register("care.homes")
def homes(user, params: Mapping[str, str]) -> Source:
    found = listing.home_listing(user, params)
    records = found.records.select_related("area__parent__parent", "sponsor_unit").annotate(
        inspection_count=Count("inspections"))

    def rows():
        latest_first = Prefetch("inspections", queryset=Inspection.objects.order_by("-inspected_on", "-pk"),
                                to_attr="latest_first")
        for n, h in enumerate(_each(records.prefetch_related(latest_first), "area_id", "name", "pk"), start=1):
            last = h.latest_first[0] if h.latest_first else None
            failed = "、".join(str(r.get("label", "")) for r in (last.results if last else [])
                              if isinstance(r, dict) and not r.get("ok", True))
            yield [n, h.name, h.get_kind_display(), source.place(h.area), h.sponsor_unit.name if h.sponsor_unit else "",
                   h.address, _date(h.opened_on), h.manager, h.phone, h.inspection_count,
                   _date(last.inspected_on) if last else "", last.passed if last else None,
                   last.total if last else None, failed, last.notes if last else ""]

    source = Source(title="爱心家园（儿童之家）及检查台账", columns=HOME_COLUMNS, rows=rows, count=found.records.count,
                    area=found.area, conditions=found.conditions, object_type="care.carehome",
                    sheet_title="场所及检查", summed=("检查次数",))
    return source

