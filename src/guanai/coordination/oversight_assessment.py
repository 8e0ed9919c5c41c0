"""The yearly assessment (考核): a scheme per year and conference area, its indicators
with points and a scoring rule, scores computed from the records through
``stats.metrics.compute`` (by metric name) or entered by the office with a note,
totals and ranking per member unit or per township.

Scoring rules (``rule_score``), never below zero:
  full          the target met → all the points, else none
  proportional  points × value / target, at most all the points
  deduction     points − deduct_per × the shortfall from the target (少一次扣2.5分)
  manual        the office enters the score itself
``higher_is_better`` False turns a shortfall into an excess (逾期事项: target 0, each one
over it costs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import scope_queryset
from guanai.audit.services import audited
from guanai.stats import metrics
from guanai.stats.periods import parse_period

from guanai.textproc.numbers import trim_decimal
from .models import AssessmentIndicator, AssessmentScheme, AssessmentScore, MemberUnit
from .oversight_services import (CREATE, UPDATE, audit, claim_version, conference_area, number, require_office,
                                 snapshot, today)

A = AssessmentIndicator
SCHEME_FIELDS = ["title", "year", "area_id", "subject", "total_points"]
INDICATOR_FIELDS = ["order", "name", "requirement", "points", "rule", "target", "deduct_per", "higher_is_better",
                    "metric", "metric_params"]
SCORE_FIELDS = ["value", "score", "source", "note"]
CENT = Decimal("0.01")


def schemes_for(user) -> QuerySet:
    return scope_queryset(AssessmentScheme.objects.all(), user)


def scores_for(user) -> QuerySet:
    return scope_queryset(AssessmentScore.objects.all(), user)


def rule_score(*, rule: str, points, target=None, deduct_per=None, higher_is_better: bool = True,
               value=None) -> Decimal | None:
    """The score an indicator's rule gives ``value`` (None when there is no value to score)."""
    if value is None or rule == A.MANUAL:
        return None
    points, value = Decimal(points), Decimal(value)
    target = Decimal(target or 0)
    shortfall = max(target - value, Decimal(0)) if higher_is_better else max(value - target, Decimal(0))
    if rule == A.FULL:
        score = points if shortfall == 0 else Decimal(0)
    elif rule == A.PROPORTIONAL:
        score = points if target <= 0 else points * min(value / target, Decimal(1))
    elif rule == A.DEDUCTION:
        score = points - Decimal(deduct_per or 0) * shortfall
    else:
        raise ValueError(rule)
    return max(score, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def metric_choices(subject: str) -> list[tuple[str, str]]:
    """The metrics a scheme for ``subject`` can name: for member units only those that take a unit."""
    return sorted((name, f"{info.label}（{info.unit or '—'}）") for name, info in metrics.METRICS.items()
                  if subject != AssessmentScheme.UNITS or "unit" in info.params)


# --- schemes and indicators ----------------------------------------------------------------------

@audited
@transaction.atomic
def create_scheme(*, acting_user, title: str, year, area_code: str, subject: str, total_points) -> AssessmentScheme:
    require_office(acting_user, "制定考核方案")
    errors = {}
    if not (title or "").strip():
        errors["title"] = "请填写方案名称"
    year_value = number(year, field="year", label="考核年度", allow_blank=False, errors=errors)
    if year_value is not None and not (2000 <= year_value <= today().year + 1 and year_value == int(year_value)):
        errors["year"] = f"考核年度应为2000年至{today().year + 1}年之间的年份，实为“{year}”"
    if subject not in dict(AssessmentScheme.SUBJECT_CHOICES):
        errors["subject"] = "请选择考核对象：成员单位或乡镇（街道）"
    total = number(total_points, field="total_points", label="总分", allow_blank=False, errors=errors)
    if total is not None and int(total) not in dict(AssessmentScheme.TOTAL_CHOICES):
        errors["total_points"] = "总分应为100分或200分"
    area = None
    try:
        area = conference_area(acting_user, area_code, label="考核区划")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if area is not None and subject == AssessmentScheme.TOWNSHIPS and area.level >= codes.TOWNSHIP:
        errors["subject"] = f"“{area.name}”下没有乡镇（街道），请考核成员单位"
    if not errors and AssessmentScheme.objects.filter(area=area, year=int(year_value), subject=subject).exists():
        errors["year"] = f"“{area.name}”{int(year_value)}年度已有考核{dict(AssessmentScheme.SUBJECT_CHOICES)[subject]}的方案"
    if errors:
        raise ValidationError(errors)
    scheme = AssessmentScheme.objects.create(title=title.strip(), year=int(year_value), area=area, subject=subject,
                                             total_points=int(total),
                                             created_by=acting_user if acting_user.pk else None)
    audit(CREATE, user=acting_user, obj=scheme, after=snapshot(scheme, SCHEME_FIELDS))
    return scheme


@audited
@transaction.atomic
def add_indicator(*, acting_user, scheme: AssessmentScheme, name: str, points, rule: str, requirement: str = "",
                  target=None, deduct_per=None, higher_is_better: bool = True, metric: str = "",
                  metric_params: dict | None = None) -> AssessmentIndicator:
    require_office(acting_user, "修改考核方案")
    errors = {}
    if not (name or "").strip():
        errors["name"] = "请填写考核指标名称"
    points_value = number(points, field="points", label="分值", allow_blank=False, errors=errors)
    if points_value is not None and points_value <= 0:
        errors["points"] = "分值应大于0"
    if rule not in dict(A.RULE_CHOICES):
        errors["rule"] = "请选择评分规则"
    target_value = number(target, field="target", label="目标值", errors=errors)
    deduct_value = number(deduct_per, field="deduct_per", label="每差1扣分", errors=errors)
    if rule in (A.FULL, A.PROPORTIONAL, A.DEDUCTION) and target_value is None and "target" not in errors:
        errors["target"] = "此评分规则需要填写目标值"
    if rule == A.PROPORTIONAL:
        if target_value is not None and target_value <= 0:
            errors["target"] = "按完成比例得分时，目标值应大于0"
        if not higher_is_better:
            errors["rule"] = "数值越低越好的指标请用“达到目标得满分”或“按差额扣分”"
    if rule == A.DEDUCTION and (deduct_value is None or deduct_value <= 0) and "deduct_per" not in errors:
        errors["deduct_per"] = "按差额扣分时，请填写每差1扣多少分（大于0）"
    metric = (metric or "").strip()
    params = {k: v for k, v in (metric_params or {}).items() if v not in (None, "")}
    if metric:
        info = metrics.METRICS.get(metric)
        if rule == A.MANUAL:
            errors["metric"] = "直接评分的指标不从统计指标取数，请清空数据来源或改用其他评分规则"
        elif info is None:
            errors["metric"] = f"未知的统计指标“{metric}”"
        elif scheme.subject == AssessmentScheme.UNITS and "unit" not in info.params:
            errors["metric"] = f"统计指标“{info.label}”不能按成员单位计算，请选其他指标或改为人工录入"
        else:
            unknown = set(params) - (set(info.params) - {"unit"})
            if unknown:
                errors["metric_params"] = f"统计指标“{info.label}”没有参数：{'、'.join(sorted(unknown))}"
    elif params:
        errors["metric_params"] = "未选择统计指标时不能填写指标参数"
    if points_value is not None and "points" not in errors:
        used = scheme.indicators.aggregate(n=Sum("points"))["n"] or Decimal(0)
        if used + points_value > scheme.total_points:
            errors["points"] = (f"加上此项{trim_decimal(points_value)}分，指标分值合计{trim_decimal(used + points_value)}分，"
                                f"超过方案总分{scheme.total_points}分")
    if errors:
        raise ValidationError(errors)
    before = {"version": scheme.version}
    claim_version(scheme, scheme.version, what="考核方案")
    order = (scheme.indicators.aggregate(n=Max("order"))["n"] or 0) + 1
    indicator = AssessmentIndicator.objects.create(
        scheme=scheme, order=order, name=name.strip(), requirement=(requirement or "").strip(), points=points_value,
        rule=rule, target=target_value, deduct_per=deduct_value if rule == A.DEDUCTION else None,
        higher_is_better=bool(higher_is_better), metric=metric, metric_params=params)
    audit(CREATE, user=acting_user, obj=indicator, after={**before, **snapshot(indicator, INDICATOR_FIELDS)})
    return indicator


# --- subjects, computing and entering scores ------------------------------------------------------

@dataclass
class Subject:
    key: str  # "u<pk>" or the township code
    name: str
    unit: MemberUnit | None = None
    township: Area | None = None

    @property
    def area_code(self) -> str:
        return self.township.code if self.township else self.unit.area_id


def subjects(scheme: AssessmentScheme) -> list[Subject]:
    """Who is scored: the member units of the conference's area, or its townships."""
    if scheme.subject == AssessmentScheme.UNITS:
        return [Subject(f"u{u.pk}", u.name, unit=u) for u in MemberUnit.objects.filter(area=scheme.area)]
    low, high = codes.subtree_bounds(scheme.area_id)
    townships = Area.objects.filter(level=codes.TOWNSHIP, code__gte=low, code__lt=high).select_related("parent")
    return [Subject(t.code, t.name if scheme.area.level == codes.COUNTY else f"{t.parent.name}{t.name}", township=t)
            for t in townships]


def measured_value(indicator: AssessmentIndicator, subject: Subject):
    """The indicator's metric for the subject over the scheme's year (a unit's from the conference's area)."""
    scheme = indicator.scheme
    params = dict(indicator.metric_params or {})
    if subject.unit is not None:
        params["unit"] = subject.unit.pk
        area = scheme.area_id
    else:
        area = subject.township.code
    info = metrics.METRICS.get(indicator.metric)
    if info is None or set(params) - set(info.params):
        # A metric renamed or dropped since the scheme was written: say which indicator.
        raise ValidationError(f"考核指标“{indicator.name}”的数据来源“{indicator.metric}”已不存在或不接受所给参数，"
                              f"请改为人工录入或重新设置")
    value = metrics.compute(indicator.metric, area, parse_period(str(scheme.year)), **params)
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@audited
@transaction.atomic
def compute_scores(*, acting_user, scheme: AssessmentScheme) -> int:
    """Create a score row for every indicator × subject and compute those the records can
    give; entered scores are kept. Returns the number of scores computed."""
    require_office(acting_user, "计算考核得分")
    indicators = list(scheme.indicators.order_by("order"))
    people = subjects(scheme)
    existing = {(s.indicator_id, s.unit_id or s.township_id): s for s in scheme.scores.all()}
    computed = 0
    with metrics.memoized():
        for indicator in indicators:
            for subject in people:
                key = (indicator.pk, subject.unit.pk if subject.unit else subject.township.code)
                row = existing.get(key)
                if row is None:
                    row = AssessmentScore(scheme=scheme, indicator=indicator, unit=subject.unit,
                                          township=subject.township, area_id=subject.area_code)
                if indicator.metric:
                    row.value = measured_value(indicator, subject)
                    row.score = rule_score(rule=indicator.rule, points=indicator.points, target=indicator.target,
                                           deduct_per=indicator.deduct_per,
                                           higher_is_better=indicator.higher_is_better, value=row.value)
                    row.source, row.note = AssessmentScore.COMPUTED, ""
                    computed += 1
                if row.pk is None or indicator.metric:
                    row.save()
    before = {"computed_at": str(scheme.computed_at) if scheme.computed_at else None}
    scheme.computed_at = timezone.now()
    scheme.save(update_fields=["computed_at"])
    audit(UPDATE, user=acting_user, obj=scheme, before=before, after={"computed_at": str(scheme.computed_at)},
          reason=f"按统计指标计算考核得分{computed}项")
    return computed


@audited
@transaction.atomic
def enter_score(*, acting_user, score: AssessmentScore, expected_version, note: str, value=None,
                score_value=None) -> AssessmentScore:
    """The office enters what the records cannot give: the measured value (scored by the
    indicator's rule) or, for a 直接评分 indicator, the score itself; always with a note."""
    require_office(acting_user, "录入考核得分")
    indicator = score.indicator
    errors = {}
    if indicator.metric:
        raise ValidationError({"value": f"“{indicator.name}”由统计指标计算，不能人工录入；请点“重新计算”"})
    if not (note or "").strip():
        errors["note"] = f"请说明“{indicator.name}”得分的依据（如查阅的材料、会议次数）"
    if indicator.rule == A.MANUAL:
        given = number(score_value, field="score", label=f"“{indicator.name}”得分", allow_blank=False, errors=errors)
        if given is not None and given > indicator.points:
            errors["score"] = f"“{indicator.name}”得分（{trim_decimal(given)}）不能超过分值{trim_decimal(indicator.points)}分"
        measured, result = None, given
    else:
        measured = number(value, field="value", label=f"“{indicator.name}”实际值", allow_blank=False, errors=errors)
        result = None
    if errors:
        raise ValidationError(errors)
    if indicator.rule != A.MANUAL:
        result = rule_score(rule=indicator.rule, points=indicator.points, target=indicator.target,
                            deduct_per=indicator.deduct_per, higher_is_better=indicator.higher_is_better,
                            value=measured)
    before = snapshot(score, SCORE_FIELDS)
    claim_version(score, expected_version, what="考核得分")
    score.value = None if measured is None else measured.quantize(CENT, rounding=ROUND_HALF_UP)
    score.score = result.quantize(CENT, rounding=ROUND_HALF_UP)
    score.source, score.note = AssessmentScore.ENTERED, note.strip()
    score.entered_by = acting_user if acting_user.pk else None
    score.save()
    audit(UPDATE, user=acting_user, obj=score, before=before, after=snapshot(score, SCORE_FIELDS),
          reason=note.strip())
    return score


# --- totals and ranking -------------------------------------------------------------------------

@dataclass
class RankRow:
    subject: Subject
    scores: list = field(default_factory=list)  # AssessmentScore or None, in indicator order
    total: Decimal = Decimal(0)
    missing: int = 0  # indicators not scored yet
    rank: int = 0


def ranking(scheme: AssessmentScheme,
            scores: QuerySet | None = None) -> tuple[list[AssessmentIndicator], list[RankRow]]:
    """Every subject's scores and total, best first; equal totals share a rank (1, 2, 2, 4)."""
    indicators = list(scheme.indicators.order_by("order"))
    rows = {s.key: RankRow(s) for s in subjects(scheme)}
    by_key = {}
    for score in (scores if scores is not None else scheme.scores.all()):
        by_key[(score.indicator_id, f"u{score.unit_id}" if score.unit_id else score.township_id)] = score
    for row in rows.values():
        for indicator in indicators:
            score = by_key.get((indicator.pk, row.subject.key))
            row.scores.append(score)
            if score is None or score.score is None:
                row.missing += 1
            else:
                row.total += score.score
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.subject.key))
    for index, row in enumerate(ordered):
        row.rank = ordered[index - 1].rank if index and row.total == ordered[index - 1].total else index + 1
    return indicators, ordered
