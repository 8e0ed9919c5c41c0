"""The fact-checker: find the figures of a text and compare each with the records.

``check_text(text, area, period)`` normalises the text (``textproc.normalize``),
reads its figures (``textproc.facts.extract_facts``: counts with measure words,
money in 元/万元, percentages), links each to a metric by the words before it in
its sentence (走访 → visits, 慰问金 → aid in cash, 留守儿童 → that category ...)
and asks ``stats.metrics.compute`` for the recorded value.

A figure is ``match`` when it equals the recorded value as rounded in the text
(464.9万元 matches 4,649,000 ± 500 yuan), ``mismatch`` otherwise, and
``unknown`` when no metric fits, the figure is approximate (近300人) or the
metric is not available.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.care.models import Activity
from guanai.registry import categories as cat
from guanai.stats.metrics import METRICS, compute, memoized
from guanai.stats.periods import Period, PeriodError, parse_period
from guanai.textproc.facts import extract_facts
from guanai.textproc.normalize import normalize_document
from guanai.textproc.numbers import percent_change, written_tolerance

from .facts import describe_params, metric_label

MATCH, MISMATCH, UNKNOWN = "match", "mismatch", "unknown"
STATUS_LABELS = {MATCH: "一致", MISMATCH: "不一致", UNKNOWN: "无法核对"}

# Measure words a metric's unit may be written with.
UNIT_WORDS = {
    "人": {"人", "名", "位"},
    "户": {"户"},
    "次": {"次", "人次"},
    "人次": {"人次", "人", "名"},
    "场": {"场", "次", "项", "期"},
    "件": {"件", "个"},
    "个": {"个", "项", "件"},
    "份": {"份"},
    "元": {"元"},
    "%": {"%"},
}

# metric → the words that name it, in the sentence before the figure. The word
# nearest the figure wins (the longest when two end at the same place), among the
# metrics whose unit fits the measure word.
KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("persons_registered", ("在册", "共有", "现有", "建档立卡", "纳入管理", "登记")),
    ("persons_new", ("新增建档", "新增", "新纳入", "新建档")),
    ("persons_exited", ("退出管理", "退出", "销号")),
    ("children_without_guardianship", ("缺乏有效监护", "无人监护", "监护缺失", "事实无人抚养")),
    ("persons_at_risk", ("红色", "高风险", "风险等级")),
    ("children_aging_out", ("年满16周岁", "年满十六周岁")),
    ("screening_households", ("排查", "摸排", "摸底", "入户排查")),
    ("screening_found", ("排查发现", "摸排", "摸底排查", "排查出", "发现")),
    ("visits", ("走访慰问", "走访", "入户", "慰问", "探访", "回访")),
    ("persons_visited", ("走访对象", "走访", "慰问", "探访", "入户走访")),
    ("visit_coverage", ("覆盖率", "走访率", "按期走访")),
    ("persons_overdue_visit", ("逾期未走访", "未按期走访", "逾期未访")),
    ("aid_cash_yuan", ("慰问金", "资金", "现金", "救助金", "慰问款")),
    ("aid_goods_value_yuan", ("物资", "折款", "慰问品", "物品")),
    ("activities", ("活动",)),
    ("activity_participants", ("参与群众", "参加群众", "群众", "参与活动", "参加活动")),
    ("activity_beneficiaries", ("受益",)),
    ("activity_volunteers", ("志愿者",)),
    ("activity_consultations", ("咨询",)),
    ("activity_funds_yuan", ("投入资金", "活动经费", "投入")),
    ("cases_opened", ("强制报告", "受理", "接报")),
    ("cases_closed", ("办结", "结案")),
    ("cases_open", ("在办",)),
    ("case_steps_late", ("超过办理时限", "超时", "逾期")),
    ("unit_reports_due", ("应报送",)),
    ("unit_reports_submitted", ("已报送", "报送")),
    ("unit_reports_on_time", ("按时报送",)),
    ("unit_reports_late", ("未按时报送", "逾期报送", "逾期未报")),
    ("unit_reports_approved", ("审核通过", "已审核")),
    ("unit_reporting_rate", ("报送率",)),
    ("unit_on_time_rate", ("按时报送率", "及时报送率")),
]

# Words naming a category of persons, longest first within the search.
CATEGORY_WORDS = cat.prose_words()
# Metrics that are about one category by definition: naming it is no filter.
IMPLIED_CATEGORIES = {"children_aging_out": {"left_behind_child"},
                      "children_without_guardianship": {"left_behind_child", "child_in_difficulty"}}
ACTIVITY_METRICS = {"activities", "activity_participants", "activity_beneficiaries", "activity_volunteers",
                    "activity_consultations", "activity_funds_yuan"}
SITUATION_WORDS = {"独自居住": "alone", "独自生活": "alone", "失踪": "missing", "无人监护": "unguarded",
                   "受到侵害": "harmed", "遭受侵害": "harmed"}
CASE_METRICS = {"cases_opened", "cases_closed", "cases_open", "case_steps_late"}
RISK_WORDS = {"红色": "red", "橙色": "orange", "黄色": "yellow", "绿色": "green", "高风险": "red"}
WHOLE_AREA_WORDS = ("全省", "全市", "全州", "全县", "全区", "全镇", "全乡", "全街道", "全村", "全社区")

_YOY_RE = re.compile(r"(同比|较上年同期|比上年同期|与上年同期相比)，?(增长|增加|上升|提高|下降|减少|降低)了?$")
_SENTENCE_RE = re.compile(r"[^。！？；\n]+[。！？；]?")

# Bounds that keep a check linear in the text, whatever it looks like (200,000 characters
# without a sentence end, thousands of figures): each figure is linked to a metric by the
# words just before it, shown with a window of text around it, and read from a segment of
# its sentence; a check reports at most MAX_FIGURES figures and says so.
RESOLVE_CHARS = 80  # the words before a figure that can name its metric, area and category
CONTEXT_CHARS = 40  # text shown on each side of a figure
SEGMENT_CHARS = 2000  # a longer sentence is read in pieces cut at a comma
MAX_FIGURES = 300
MAX_TEXT_CHARS = 200_000  # the most a check reads (the form's limit; files and the command too)
LONG_TEXT_CHARS = 20_000  # a longer text is checked by the background worker
_CUT_RE = re.compile(r"[，,、：:]")


class TextTooLong(ValueError):
    """A text longer than a check reads (message in Chinese)."""


def check_length(text: str) -> str:
    """``text`` if a check may read it; TextTooLong otherwise."""
    if len(text) > MAX_TEXT_CHARS:
        raise TextTooLong(f"文字过长（{len(text)}字），一次最多核对{MAX_TEXT_CHARS}字，请分段核对")
    return text


class Figures(list):
    """The checked figures, and whether the check stopped at ``MAX_FIGURES``."""

    truncated = False
    limit = MAX_FIGURES

    @property
    def notice(self) -> str:
        if not self.truncated:
            return ""
        return f"文稿中的数据超过{self.limit}项，只核对了前{self.limit}项；其余部分请分段核对。"


@dataclass
class CheckedFigure:
    text: str  # the sentence, or a window of it around the figure when it is long
    span: str  # the figure as written
    claimed: float | int | None
    recorded: float | int | None
    status: str
    metric: str = ""
    area_code: str = ""
    params: dict = field(default_factory=dict)
    derivation: str = ""
    reason: str = ""  # why it cannot be checked, or what it was compared with

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def provenance(self) -> str:
        if not self.metric:
            return ""
        text = f"{metric_label(self.metric, self.params)}，参数：{describe_params(self.params)}"
        if self.derivation == "yoy":
            text += "，同比变化"
        return text

    def as_json(self) -> dict:
        return {"text": self.text, "claimed": _number(self.claimed), "recorded": _number(self.recorded),
                "status": self.status}

    def as_row(self) -> dict:
        """What a result page shows of the figure (kept by the background check)."""
        return {**self.as_json(), "span": self.span, "status_label": self.status_label, "metric": self.metric,
                "area_code": self.area_code, "provenance": self.provenance, "reason": self.reason}


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _last_word(text: str, words) -> tuple[int, int, str] | None:
    """The word of ``words`` ending last in ``text``: (end, length, word); ties go to the longest."""
    best = None
    for word in words:
        index = text.rfind(word)
        if index >= 0:
            candidate = (index + len(word), len(word), word)
            if best is None or candidate > best:
                best = candidate
    return best


class _AreaNames:
    """Names of the areas below the checked one (counties and townships), unique names only."""

    def __init__(self, area: Area):
        self.area = area
        names: dict[str, str | None] = {}
        if area.level < codes.TOWNSHIP:
            low, high = codes.subtree_bounds(area.code)
            rows = Area.objects.filter(code__gte=low, code__lt=high, level__gt=area.level,
                                       level__lte=codes.TOWNSHIP).values_list("name", "code")
            for name, code in rows:
                names[name] = None if name in names else code  # a repeated name is ambiguous
        self.codes = {name: code for name, code in names.items() if code and len(name) >= 2}

    def area_in(self, context: str) -> str:
        found = _last_word(context, list(self.codes) + list(WHOLE_AREA_WORDS) + [self.area.name])
        if found is None or found[2] in WHOLE_AREA_WORDS or found[2] == self.area.name:
            return self.area.code
        return self.codes[found[2]]


@dataclass
class _Resolved:
    metric: str
    area_code: str
    params: dict


def _resolve(fact, sentence: str, local: str, areas: _AreaNames) -> tuple[_Resolved | None, str]:
    before = sentence[max(0, fact.start - RESOLVE_CHARS): fact.start]
    unit_word = fact.unit
    candidates = [(metric, words) for metric, words in KEYWORDS
                  if metric in METRICS and unit_word in UNIT_WORDS.get(METRICS[metric].unit, ())]
    best = None
    for metric, words in candidates:
        found = _last_word(before, words)
        if found and (best is None or found[:2] > best[0][:2]):
            best = (found, metric)
    if best is None:
        return None, "未能对应到统计指标"
    metric = best[1]
    info = METRICS[metric]
    params: dict = {}
    where = local + (fact.subject or "")
    category = _last_word(where, CATEGORY_WORDS)
    if category:
        code = CATEGORY_WORDS[category[2]]
        if "category" in info.params:
            params["category"] = code
        elif code not in IMPLIED_CATEGORIES.get(metric, ()):
            return None, f"“{info.label}”不能按人员类别核对"
    if metric in ACTIVITY_METRICS and "kind" in info.params:
        kind = _last_word(local, Activity.kind_words())
        if kind:
            params["kind"] = kind[2]
    if metric in CASE_METRICS and "situation" in info.params:
        situation = _last_word(local, SITUATION_WORDS)
        if situation:
            params["situation"] = SITUATION_WORDS[situation[2]]
    if "level" in info.params:
        level = _last_word(before, RISK_WORDS)
        params["level"] = RISK_WORDS[level[2]] if level else "red"
    return _Resolved(metric, areas.area_in(before), params), ""


class _Recorder:
    """The recorded values (``check_text`` runs inside ``memoized``: each question is asked once)."""

    def __init__(self, period: Period):
        self.period = period

    def value(self, resolved: _Resolved, period: Period | None = None):
        return compute(resolved.metric, resolved.area_code, period or self.period, **resolved.params)


def sentences(text: str):
    """(offset, sentence) of each sentence of ``text``."""
    for m in _SENTENCE_RE.finditer(text):
        if m.group().strip():
            yield m.start(), m.group()


def segments(sentence: str):
    """The sentence itself, or, past SEGMENT_CHARS, pieces of it cut after a comma (or hard
    when there is none), so that reading figures stays linear in the text."""
    start = 0
    while len(sentence) - start > SEGMENT_CHARS:
        window = sentence[start + SEGMENT_CHARS // 2: start + SEGMENT_CHARS]
        cut = max((m.end() for m in _CUT_RE.finditer(window)), default=len(window))
        end = start + SEGMENT_CHARS // 2 + cut
        yield sentence[start:end]
        start = end
    yield sentence[start:]


def context(sentence: str, start: int, end: int) -> str:
    """The figure with up to CONTEXT_CHARS of its sentence on each side ("…" where cut)."""
    if len(sentence) <= 2 * CONTEXT_CHARS + (end - start):
        return sentence
    left, right = max(0, start - CONTEXT_CHARS), min(len(sentence), end + CONTEXT_CHARS)
    return ("…" if left else "") + sentence[left:right] + ("…" if right < len(sentence) else "")


def check_text(text: str, area: Area | str, period: Period | str, *, limit: int = MAX_FIGURES,
               progress=None) -> Figures:
    """Every figure of ``text`` (counts, money, percentages; not dates), checked against the
    records, up to ``limit`` figures. ``progress(done, total, message)`` hears how far it got."""
    with memoized():
        return _check_text(text, area, period, limit, progress)


def _check_text(text: str, area: Area | str, period: Period | str, limit: int, progress) -> Figures:
    if isinstance(area, str):
        area = Area.objects.get(pk=area)
    if isinstance(period, str):
        period = parse_period(period)
    text = normalize_document(text or "")
    areas = _AreaNames(area)
    recorder = _Recorder(period)
    results = Figures()
    results.limit = limit
    for offset, raw in sentences(text):
        if progress is not None:
            progress(offset, len(text), f"已核对{len(results)}项数据")
        for sentence in segments(raw.strip()):
            if _check_sentence(sentence, areas, recorder, period, results, limit):
                results.truncated = True
                return results
    return results


def _check_sentence(sentence: str, areas: _AreaNames, recorder: _Recorder, period: Period, results: Figures,
                    limit: int) -> bool:
    """Check the figures of one sentence (or segment) into ``results``; True when the limit stopped it."""
    previous_end = 0
    base: _Resolved | None = None  # the last figure linked to a metric, for 同比
    for fact in extract_facts(sentence, default_year=period.start.year):
        if fact.kind == "date":
            continue
        if len(results) >= limit:
            return True
        local = sentence[max(previous_end, fact.start - RESOLVE_CHARS): fact.start]
        previous_end = fact.end
        claimed = fact.value
        figure = CheckedFigure(context(sentence, fact.start, fact.end), fact.span, claimed, None, UNKNOWN)
        results.append(figure)
        if fact.approx:
            figure.reason = f"约数（{fact.approx}），无法精确核对"
            continue
        if fact.kind == "percent" and fact.unit == "%":
            yoy = _YOY_RE.search(sentence[max(0, fact.start - RESOLVE_CHARS): fact.start])
            if yoy:
                if yoy.group(2) in ("下降", "减少", "降低"):
                    figure.claimed = claimed = -claimed
                if base is None:
                    figure.reason = "同比变化未能对应到统计指标"
                    continue
                _compare_yoy(figure, base, recorder, fact.span)
                continue
        if fact.unit == "个百分点":
            figure.reason = "百分点变化无法核对"
            continue
        resolved, reason = _resolve(fact, sentence, local, areas)
        if resolved is None:
            figure.reason = reason
            continue
        base = resolved
        try:
            recorded = recorder.value(resolved)
        except Exception as exc:  # a metric that fails must not stop the check of the others
            figure.reason = f"指标计算失败：{exc}"
            continue
        figure.metric, figure.area_code, figure.params = resolved.metric, resolved.area_code, resolved.params
        figure.recorded = _number(recorded)
        tolerance = written_tolerance(fact.span)
        same = abs(Decimal(str(claimed)) - Decimal(str(recorded))) <= tolerance
        figure.status = MATCH if same else MISMATCH
    return False


def _compare_yoy(figure: CheckedFigure, base: _Resolved, recorder: _Recorder, span: str):
    figure.metric, figure.area_code, figure.params, figure.derivation = base.metric, base.area_code, base.params, "yoy"
    try:
        current = recorder.value(base)
        previous = recorder.value(base, recorder.period.previous_year())
    except PeriodError as exc:  # the first year Guanai knows has no year before it
        figure.reason = f"无法核对同比变化：{exc}"
        return
    change = percent_change(current, previous, places=4)
    if change is None:
        figure.reason = "上年同期无记录，无法核对同比变化"
        return
    figure.recorded = _number(round(change, 2))
    same = abs(Decimal(str(figure.claimed)) - Decimal(str(change))) <= written_tolerance(span) + Decimal("0.0001")
    figure.status = MATCH if same else MISMATCH


def summary(figures: list[CheckedFigure]) -> dict[str, int]:
    counts = {MATCH: 0, MISMATCH: 0, UNKNOWN: 0}
    for figure in figures:
        counts[figure.status] += 1
    return counts
