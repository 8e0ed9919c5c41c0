"""Composing a 工作简报 or a 工作总结 from the records.

Every figure is a fact (``facts.FactBook``), asked of ``stats.metrics.compute``
and of nothing else. A passage whose metric is not registered (an app not yet
installed) is left out, so the briefing grows as metrics land. Sentences follow
the register of official writing; figures take their conventional forms.

The wording is also what ``factcheck`` reads: each figure comes right after
the words that name its metric (走访慰问…次, 发放慰问金…万元), so a generated
briefing checks clean and a figure changed by hand is caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.care.models import Activity
from guanai.coordination.metrics import late_reports
from guanai.coordination.offices import office_name as default_office_name
from guanai.registry import categories as cat
from guanai.stats.metrics import GROUPED, memoized, prefetch
from guanai.stats.periods import Period, parse_period
from guanai.textproc.numbers import chinese_ordinal, format_date

from . import highlights
from .body import chart, heading, paragraph
from .facts import YOY, FactBook

JIANBAO, ZONGJIE = "jianbao", "zongjie"
KINDS = {JIANBAO: "工作简报", ZONGJIE: "工作总结"}

# How a category is named in the text (the fact-checker reads the same words back).
CATEGORY_WORDS = cat.CATEGORY_PROSE
CHILD_CATEGORIES = (cat.LEFT_BEHIND_CHILD, cat.CHILD_IN_DIFFICULTY)


def area_word(area: Area) -> str:
    """全省, 全市, 全县/全区, 全镇/全乡/全街道, 全村/全社区: how a document names its own area."""
    name = area.name
    if area.level == codes.PROVINCE:
        return "全区" if name.endswith("自治区") else "全省" if name.endswith("省") else "全市"
    if area.level == codes.CITY:
        return "全州" if name.endswith("州") else "全盟" if name.endswith("盟") else "全市"
    if area.level == codes.COUNTY:
        return "全区" if name.endswith("区") else "全市" if name.endswith("市") else "全县"
    if area.level == codes.TOWNSHIP:
        return "全街道" if name.endswith("街道") else "全乡" if name.endswith("乡") else "全镇"
    return "全社区" if name.endswith("社区") else "全村"


def default_title(area: Area, period: Period, kind: str) -> str:
    if kind == ZONGJIE:
        return f"{area.name}{period.label}关爱服务工作总结"
    return f"{area.name}{period.label}关爱服务工作情况"


def default_distribution(area: Area) -> dict:
    upper = {codes.PROVINCE: "省委、省政府", codes.CITY: "市委、市政府", codes.COUNTY: "县委、县政府"}.get(
        area.level, "党委、政府")
    lower = {codes.PROVINCE: "各市（州）民政局", codes.CITY: "各县（市、区）民政局",
             codes.COUNTY: "各乡镇（街道）"}.get(area.level, "各村（社区）")
    return {"report_to": f"{upper}主要领导、分管领导，上级民政部门", "send_to": "联席会议各成员单位",
            "distribute_to": f"{lower}，各村（社区）儿童主任"}


def as_of_words(period: Period, today: date) -> str:
    """截至9月底 (a period that is over) or 截至11月23日 (one still running)."""
    day = min(period.end, today)
    if day == period.end:
        return f"截至{day.month}月底" if period.end.month != 12 or len(period.key) != 4 else "截至年底"
    return f"截至{day.month}月{day.day}日"


def period_words(period: Period) -> str:
    """本季度, 本月, 上半年, 本年度, as a sentence opens."""
    if "S" in period.key:
        return "上半年" if period.key.endswith("1") else "下半年"
    if "Q" in period.key:
        return "本季度"
    if "-" in period.key:
        return "本月"
    return "本年度"


def months_of(period: Period, today: date) -> list[Period]:
    months = []
    day = period.start
    while day <= period.end and day <= today:
        months.append(parse_period(f"{day.year}-{day.month:02d}"))
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


@dataclass
class Composition:
    kind: str
    area: Area
    period: Period
    title: str
    masthead: str
    office_name: str
    blocks: list[dict]
    book: FactBook
    distribution: dict = field(default_factory=dict)


class _Writer:
    """Collects the blocks of one composition, numbering headings as it goes."""

    def __init__(self):
        self.blocks: list[dict] = []
        self.h1 = 0
        self.h2 = 0

    def section(self, text: str):
        self.h1 += 1
        self.h2 = 0
        self.blocks.append(heading(1, f"{chinese_ordinal(self.h1)}、{text}"))

    def subsection(self, text: str):
        self.h2 += 1
        self.blocks.append(heading(2, f"（{chinese_ordinal(self.h2)}）{text}"))

    def para(self, *parts, align: str = ""):
        self.blocks.append(paragraph(*parts, align=align))

    def add(self, block: dict):
        self.blocks.append(block)


def _joined(items: list[tuple[str, object]]) -> list:
    """[(words, token), ...] as runs: 农村留守儿童{t}、困境儿童{t}."""
    parts: list = []
    for index, (words, token) in enumerate(items):
        if index:
            parts.append("、")
        parts.extend([words, token])
    return parts


def _yoy(book: FactBook, metric: str, **params) -> list:
    """，同比增长12.5% when last year's same period has a value to compare with; else nothing."""
    previous = book.value(metric, period=book.period.previous_year(), **params)
    if not previous:
        return []
    return ["，同比", book.fact(metric, derivation=YOY, **params)]


def _prefetch_heavy_figures(code: str, period: Period, today: date) -> None:
    """The counts over every person or visit of the area that the sections below ask,
    longest first, asked at once on several connections (stats.metrics.prefetch)."""
    last_year = period.previous_year()
    prefetch([(name, code, when, params) for name, when, params in (
        ("persons_visited_in_time", period, {}), ("persons_visited", period, GROUPED),
        ("persons_visited", period, {}), ("persons_registered", period, GROUPED),
        ("persons_due_visit", period, {}), ("children_without_guardianship", period, {}),
        ("children_aging_out", period, {}), ("persons_registered", period, {}),
        ("persons_registered", last_year, {}), ("persons_at_risk", period, {"level": "red"}),
        ("persons_new", period, {}), ("visits", period, {}), ("visits", last_year, {}),
        ("aid_cash_yuan", period, {}), ("aid_cash_yuan", last_year, {}), ("aid_goods_value_yuan", period, {}),
        *(("visits", month, {}) for month in months_of(period, today)),
    )], parallel=True)


def compose(area: Area, period: Period, kind: str = JIANBAO, *, today: date | None = None,
            progress=None) -> Composition:
    with memoized():  # the sections ask several counts more than once
        return _compose(area, period, kind, today=today, progress=progress)


def _compose(area: Area, period: Period, kind: str, *, today: date | None, progress) -> Composition:
    if kind not in KINDS:
        raise ValueError(f"未知的文稿类型“{kind}”，可选：jianbao（工作简报）、zongjie（工作总结）")
    today = today or timezone.localdate()
    book = FactBook(area.code, period)
    _prefetch_heavy_figures(area.code, period, today)
    w = _Writer()
    whole = area_word(area)
    label = period.label
    as_of = as_of_words(period, today)
    steps = ["registry", "screening", "visits", "activities", "protection", "units", "highlights", "problems"]

    def step(index: int, message: str):
        if progress:
            progress(index, len(steps), message)

    opening = "工作总结如下" if kind == ZONGJIE else "有关情况通报如下"
    w.para(f"{label}，{area.name}认真贯彻落实农村留守儿童和困境儿童关爱保护、特殊困难老年人关爱服务各项部署，"
           f"聚焦摸底排查、走访慰问、关爱活动和未成年人保护等重点工作，压实工作责任，扎实推进各项任务落实。现将{opening}。")
    w.section("主要工作及成效" if kind == ZONGJIE else "基本情况")

    # (一) registry
    step(0, "统计建档情况")
    if book.has("persons_registered"):
        total = book.fact("persons_registered")
        by_category = [(code, book.fact("persons_registered", category=code)) for code, _ in cat.CATEGORY_CHOICES
                       if book.value("persons_registered", category=code)]
        w.subsection("建档立卡，底数清晰")
        parts: list = [f"{as_of}，{whole}共有在册关爱服务对象", total, *_yoy(book, "persons_registered")]
        if by_category:
            parts += ["，其中", *_joined([(CATEGORY_WORDS[code], t) for code, t in by_category])]
        parts.append("。")
        new = book.value("persons_new") if book.has("persons_new") else 0
        exited = book.value("persons_exited") if book.has("persons_exited") else 0
        if new or exited:
            parts.append(f"{period_words(period)}")
            if new:
                parts += ["新增建档", book.fact("persons_new")]
            if exited:
                parts += ["，" if new else "", "退出管理", book.fact("persons_exited")]
            parts.append("，实现动态更新。")
        w.para(*parts)
        if len(by_category) >= 2:
            w.add(chart("bar", "关爱服务对象构成（人）", [CATEGORY_WORDS[c] for c, _ in by_category],
                        [t for _, t in by_category]))

    # (二) screening
    step(1, "统计摸底排查")
    if book.has("screening_households") and book.has("screening_found"):
        households = book.value("screening_households")
        found = book.value("screening_found")
        if households or found:
            w.subsection("摸底排查，应摸尽摸")
            parts = [f"{label}，{whole}组织开展摸底排查"]
            if households:
                parts += ["，入户排查", book.fact("screening_households")]
            if found:
                parts += ["，排查发现关爱服务对象", book.fact("screening_found")]
                found_by = [(code, book.fact("screening_found", category=code)) for code, _ in cat.CATEGORY_CHOICES
                            if book.value("screening_found", category=code)]
                if found_by:
                    parts += ["，其中", *_joined([(CATEGORY_WORDS[c], t) for c, t in found_by])]
            parts.append("，做到底数清、情况明。")
            w.para(*parts)

    # (三) visits and aid
    step(2, "统计走访慰问")
    if book.has("visits"):
        visits = book.value("visits")
        w.subsection("走访慰问，关爱到位")
        if visits:
            parts = [f"{label}，{whole}开展走访慰问", book.fact("visits"), *_yoy(book, "visits")]
            if book.has("persons_visited"):
                parts += ["，走访关爱服务对象", book.fact("persons_visited")]
                # Children first: the categories the follow-up rules watch most closely (each
                # breakdown is a query of its own, so only those with children on file).
                visited_by = [(code, book.fact("persons_visited", category=code)) for code in CHILD_CATEGORIES
                              if book.value("persons_registered", category=code)
                              and book.value("persons_visited", category=code)]
                if visited_by:
                    parts += ["，其中", *_joined([(CATEGORY_WORDS[c], t) for c, t in visited_by])]
            parts.append("。")
        else:
            parts = [f"{label}，{whole}暂无走访慰问记录。"]
        if book.has("visit_coverage") and book.has("persons_due_visit") and book.value("persons_due_visit"):
            parts += [f"{as_of}，应走访对象按期走访覆盖率为", book.fact("visit_coverage"), "。"]
        money = []
        if book.has("aid_cash_yuan") and book.value("aid_cash_yuan"):
            money += ["发放慰问金", book.fact("aid_cash_yuan"), *_yoy(book, "aid_cash_yuan")]
        if book.has("aid_goods_value_yuan") and book.value("aid_goods_value_yuan"):
            money += ["，" if money else "", "发放慰问物资折款", book.fact("aid_goods_value_yuan")]
        if money:
            parts += [f"{period_words(period)}", *money, "，切实把党和政府的关怀送到群众心坎上。"]
        w.para(*parts)
        months = months_of(period, today)
        if visits and len(months) >= 2:
            tokens = [book.fact("visits", period=month) for month in months]
            w.add(chart("line" if len(months) > 3 else "bar", "各月走访慰问次数（次）",
                        [f"{m.start.month}月" for m in months], tokens))

    # (四) activities
    step(3, "统计关爱活动")
    if book.has("activities") and book.value("activities"):
        w.subsection("关爱活动，丰富多彩")
        parts = [f"{label}，{whole}各级各部门开展关爱活动", book.fact("activities"), *_yoy(book, "activities")]
        kinds = [(k, book.fact("activities", kind=k)) for k in Activity.kind_words() if book.value("activities", kind=k)]
        if len(kinds) >= 2:
            parts += ["，其中", *_joined([(f"{k}活动", t) for k, t in kinds])]
        for metric, words in (("activity_participants", "，参与群众"), ("activity_beneficiaries", "，受益"),
                              ("activity_volunteers", "，参与志愿者"), ("activity_funds_yuan", "，投入资金")):
            if book.has(metric) and book.value(metric):
                parts += [words, book.fact(metric)]
        parts.append("。")
        w.para(*parts)

    # (五) protection
    step(4, "统计未成年人保护")
    if book.has("cases_opened") and book.has("cases_closed"):
        opened, closed = book.value("cases_opened"), book.value("cases_closed")
        open_now = book.value("cases_open") if book.has("cases_open") else 0
        w.subsection("强制报告，及时处置")
        if opened or closed or open_now:
            parts = [f"{label}，{whole}"]
            parts += ["受理强制报告", book.fact("cases_opened")] if opened else ["未接到新的强制报告"]
            if closed:
                parts += ["，办结保护个案", book.fact("cases_closed")]
            if open_now:
                parts += [f"；{as_of}，在办保护个案", book.fact("cases_open"), "，均已落实专人跟进"]
            parts.append("。")
        else:
            parts = [f"{label}，{whole}未接到强制报告，无在办保护个案。"]
        w.para(*parts)

    # (六) member units: their reports' rates and who was late (coordination)
    step(5, "统计成员单位报送")
    if book.value("unit_reports_due"):
        w.subsection("部门联动，协同推进")
        w.para(f"{label}，{whole}联席会议成员单位应报送工作进展报表", book.fact("unit_reports_due"),
               "，已报送", book.fact("unit_reports_submitted"), "，报送率", book.fact("unit_reporting_rate"),
               "；按时报送", book.fact("unit_reports_on_time"), "，按时报送率", book.fact("unit_on_time_rate"), "。")
        late = late_reports(area.code, period)
        if late:
            names = "、".join(f"{e.unit.name}（{e.lateness_label}）" for e in late)
            w.para(f"未按时报送的成员单位：{names}。")
        else:
            w.para("各成员单位均按时报送了工作进展。")

    # highlights
    step(6, "整理工作亮点")
    activities = highlights.notable_activities(area.code, period)
    visits_hl = highlights.notable_visits(area.code, period)
    if activities or visits_hl:
        w.section("特色亮点" if kind == ZONGJIE else "工作亮点")
        # The most notable of each kind, told in the order they happened.
        for item in sorted(activities + visits_hl, key=lambda h: h.day):
            w.para(item.text)
    excerpts = highlights.unit_report_excerpts(area.code, period)
    if excerpts:
        w.section("成员单位工作动态")
        for excerpt in excerpts:
            w.add(paragraph(f"{excerpt.unit}：{excerpt.text}", source=excerpt.source))

    # problems
    step(7, "梳理存在问题")
    w.section("存在的问题和不足" if kind == ZONGJIE else "存在的问题")
    problems = 0
    if book.has("persons_overdue_visit") and book.value("persons_overdue_visit"):
        w.subsection("按期走访有待加强")
        w.para(f"{as_of}，{whole}逾期未走访的关爱服务对象", book.fact("persons_overdue_visit"),
               "，部分村（社区）走访频次不足、记录不及时，回访制度落实不够到位。")
        problems += 1
    if book.has("children_without_guardianship") and book.value("children_without_guardianship"):
        w.subsection("监护责任落实仍有短板")
        parts = [f"{as_of}，{whole}缺乏有效监护的儿童", book.fact("children_without_guardianship")]
        if book.has("persons_at_risk") and book.value("persons_at_risk", level="red"):
            parts += ["，风险等级为红色的关爱服务对象", book.fact("persons_at_risk", level="red")]
        parts.append("，委托监护、合力监护措施仍需进一步落实。")
        w.para(*parts)
        problems += 1
    if book.value("unit_reports_late"):
        w.subsection("部门信息报送不够及时")
        w.para(f"{label}，{whole}成员单位未按时报送的工作进展报表", book.fact("unit_reports_late"),
               "，部门协同有待加强。")
        problems += 1
    if book.has("case_steps_late") and book.value("case_steps_late"):
        w.subsection("个案处置时效有待提高")
        w.para(f"{as_of}，{whole}超过办理时限的个案处置环节", book.fact("case_steps_late"),
               "，应急处置、评估帮扶等环节衔接不够紧密。")
        problems += 1
    if book.has("children_aging_out") and book.value("children_aging_out"):
        w.subsection("退出衔接需提前谋划")
        w.para("期末后90天内即将年满16周岁的留守儿童", book.fact("children_aging_out"),
               "，需提前做好退出管理和后续帮扶衔接。")
        problems += 1
    if not problems:
        w.para(f"{label}，{whole}各项工作总体平稳有序，未发现突出问题，但基层工作力量不足、"
               "信息化应用水平不高等问题仍然存在。")

    w.section("下一步工作打算" if kind == ZONGJIE else "下一步工作")
    next_steps = [
        ("持续做好动态管理", "常态化开展摸底排查，及时更新关爱服务对象信息，做到应纳尽纳、应退尽退。"),
        ("落实走访慰问制度", "督促各村（社区）儿童主任、网格员按规定频次开展走访，对逾期未走访对象逐一销号。"),
        ("强化监护责任落实", "对缺乏有效监护的儿童逐人落实委托监护人，加强监护能力评估和指导。"),
        ("加强部门协同联动", "发挥联席会议作用，督促成员单位按季度报送工作进展，形成工作合力。"),
    ]
    for title, text in next_steps:
        w.subsection(title)
        w.para(text)

    office = default_office_name(area)
    if kind == ZONGJIE:
        w.para(office, align="right")
        w.para(format_date(today), align="right")
    step(len(steps), "完成")
    return Composition(kind, area, period, default_title(area, period, kind), "关爱工作简报", office, w.blocks, book,
                       default_distribution(area))
