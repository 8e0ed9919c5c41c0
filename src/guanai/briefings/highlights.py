"""Highlights and excerpts of a briefing, read from the records themselves.

No figures come from here (figures are facts): a highlight says what was
done, where and when, and names no person; an excerpt of a member unit's
report names the report it is quoted from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_filter
from guanai.registry.categories import CATEGORY_LABELS
from guanai.stats.periods import Period


@dataclass
class Highlight:
    day: date
    place: str
    text: str  # one or two sentences, no figures


def place_name(code: str, base_code: str) -> str:
    """The names of the levels between ``base_code`` (exclusive) and ``code``: 西山县石桥镇前进村."""
    chain = []
    node = code
    while node and node != base_code:
        chain.append(node)
        node = codes.parent_code(node)
    names = dict(Area.objects.filter(code__in=chain).values_list("code", "name"))
    return "".join(names.get(c, "") for c in reversed(chain))


def _first_sentence_without_figures(text: str) -> str:
    from guanai.textproc.facts import extract_facts

    sentence = (text or "").strip().replace("\n", "").split("。")[0].strip()
    if not sentence or len(sentence) > 120:
        return ""
    if any(f.kind != "date" for f in extract_facts(sentence)) or any(ch.isdigit() for ch in sentence):
        return ""
    return sentence + "。"


def notable_activities(area_code: str, period: Period, limit: int = 3) -> list[Highlight]:
    """The period's activities that reached the most people."""
    try:
        from guanai.care.models import Activity
    except ImportError:
        return []
    activities = (Activity.objects.filter(area_filter("area", area_code), held_on__gte=period.start,
                                          held_on__lte=period.end)
                  .prefetch_related("organisers").order_by("-beneficiaries_count", "-participants_count", "held_on", "pk")[:limit])
    result = []
    for activity in activities:
        place = place_name(activity.area_id, area_code)
        organisers = "、".join(unit.name for unit in activity.organisers.all()[:3])
        title = activity.title.strip("。 ")
        if not title.endswith(("活动", "仪式", "培训", "会", "行动", "赛", "节", "日")):
            title += f"{activity.get_kind_display()}活动"
        where = f"在{place}" if place else ""
        who = f"{organisers}{where}" or "相关部门"
        text = f"{activity.held_on.month}月{activity.held_on.day}日，{who}举办{title}"
        if activity.place and activity.place not in text:
            text += f"，活动地点为{activity.place}"
        text += "。" + _first_sentence_without_figures(activity.description)
        result.append(Highlight(activity.held_on, place, text))
    return result


def notable_visits(area_code: str, period: Period, limit: int = 2) -> list[Highlight]:
    """Visits of the period that brought help in goods, described without names."""
    try:
        from django.db.models import Min, Sum

        from guanai.care.models import AidItem, Visit
    except ImportError:
        return []
    # From the aid side: an aid item carries its visit's area and date (care.services), so
    # the period's goods are found by their own index without reading every visit.
    top = list(AidItem.objects.filter(area_filter("area", area_code), kind=AidItem.GOODS,
                                      given_on__gte=period.start, given_on__lte=period.end)
               .values("visit_id").annotate(aid_total=Sum("value_yuan"), day=Min("given_on"))
               .order_by("-aid_total", "day", "visit_id")[:limit])
    by_pk = Visit.objects.select_related("person").in_bulk([row["visit_id"] for row in top])
    result = []
    for visit in (by_pk[row["visit_id"]] for row in top):
        goods = list(dict.fromkeys(visit.aid_items.filter(kind=AidItem.GOODS).values_list("description", flat=True)))
        categories = []
        if visit.person_id:
            categories = list(visit.person.categories.values_list("category", flat=True))
        whom = CATEGORY_LABELS.get(categories[0], "困难群众") if categories else "困难群众"
        place = place_name(visit.area_id, area_code)
        mode = "入户走访" if visit.mode == Visit.HOME else f"{visit.get_mode_display()}走访"
        text = (f"{visit.visit_date.month}月{visit.visit_date.day}日，工作人员到{place or '辖区'}{mode}{whom}家庭，"
                f"送去{'、'.join(goods[:3])}等慰问物品，了解生活、学习情况和实际困难。")
        result.append(Highlight(visit.visit_date, place, text))
    return result


@dataclass
class Excerpt:
    unit: str
    text: str  # a sentence without figures, from a narrative section
    source: dict  # the report it is quoted from (body block "source")


def unit_report_excerpts(area_code: str, period: Period, limit: int = 6) -> list[Excerpt]:
    """One sentence of each approved member-unit report of the period (its first narrative
    section that has one without figures: figures in a briefing are facts), each naming its report."""
    from guanai.coordination.workflow import approved_reports

    excerpts = []
    for report in approved_reports(area_code, period):
        for section in report.form.sections.all():
            sentence = _first_sentence_without_figures(report.narrative.get(section.key, ""))
            if sentence:
                excerpts.append(Excerpt(report.unit.name, sentence, {
                    "kind": "unit_report", "id": report.pk,
                    "label": f"{report.unit.name}{report.period.label}{report.form.name}（{section.title}）"}))
                break
        if len(excerpts) >= limit:
            break
    return excerpts
