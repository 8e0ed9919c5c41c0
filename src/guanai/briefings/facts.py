"""Facts: a metric's value for an area, a period and parameters, with its provenance.

Every figure of a briefing is one of these, computed by ``stats.metrics.compute``
and nothing else, and recomputable at any time from what is stored with it.
A ``FactBook`` collects the facts of one composition and hands out tokens
(``f1``, ``f2`` ...); the same question gets the same token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from guanai.registry.categories import CATEGORY_LABELS
from guanai.stats.metrics import METRICS, compute, given_params
from guanai.stats.periods import Period, parse_period
from guanai.textproc.numbers import format_count, format_money, format_percent, percent_change

YOY = "yoy"
RISK_LABELS = {"red": "红色", "orange": "橙色", "yellow": "黄色", "green": "绿色"}


def _situation_labels() -> dict:
    try:
        from guanai.protection.models import SITUATION_CHOICES
    except ImportError:  # the protection app is optional
        return {}
    return {code: str(label) for code, label in SITUATION_CHOICES}


def describe_params(params: dict) -> str:
    """参数 as a reader reads them: 类别=农村留守儿童，活动类型=宣传."""
    parts = []
    for key, value in sorted((params or {}).items()):
        if key == "category":
            parts.append(f"类别={CATEGORY_LABELS.get(value, value)}")
        elif key == "kind":
            parts.append(f"类型={value}")
        elif key == "level":
            parts.append(f"风险等级={RISK_LABELS.get(value, value)}")
        elif key == "situation":
            parts.append(f"情形={_situation_labels().get(value, value)}")
        elif key == "within_days":
            parts.append(f"期末后{value}天内")
        else:
            parts.append(f"{key}={value}")
    return "，".join(parts) or "无"


def as_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_value(value, unit: str, derivation: str = "") -> str:
    """The figure as the text writes it: 34711人, 464.9万元, 95.2%, 增长12.5%."""
    if value is None:
        return "—"
    if derivation == YOY:
        if value == 0:
            return "持平"
        return f"{'增长' if value > 0 else '下降'}{format_percent(abs(value))}"
    if unit == "元":
        return format_money(value)
    if unit == "%":
        return format_percent(value)
    return format_count(value, unit)


def metric_label(metric: str, params: dict) -> str:
    info = METRICS.get(metric)
    label = info.label if info else metric
    if params.get("category"):
        label += f"（{CATEGORY_LABELS.get(params['category'], params['category'])}）"
    elif params.get("kind"):
        label += f"（{params['kind']}）"
    elif params.get("situation"):
        label += f"（{_situation_labels().get(params['situation'], params['situation'])}）"
    return label


def questions(metric: str, area_code: str, period_key: str, params: dict, derivation: str = "") -> list[tuple]:
    """The metric questions a fact rests on, for ``stats.metrics.prefetch``."""
    period = parse_period(period_key)
    periods = [period, period.previous_year()] if derivation == YOY else [period]
    return [(metric, area_code, when, params or {}) for when in periods]


def recompute(metric: str, area_code: str, period_key: str, params: dict, derivation: str = "") -> Decimal | None:
    """The value a fact has now, from its provenance (asked once per question inside
    ``stats.metrics.memoized``)."""

    def ask(period: Period):
        return compute(metric, area_code, period, **(params or {}))

    period = parse_period(period_key)
    if derivation == YOY:
        return as_decimal(percent_change(ask(period), ask(period.previous_year())))
    return as_decimal(ask(period))


@dataclass
class Token:
    token: str
    metric: str
    area_code: str
    period_key: str
    params: dict
    derivation: str
    value: Decimal | None
    unit: str
    label: str
    text: str

    @property
    def number(self) -> float:
        return float(self.value or 0)

    def as_run(self) -> dict:
        return {"f": self.token}


@dataclass
class FactBook:
    """The facts of one composition (composed inside ``stats.metrics.memoized``)."""

    area_code: str
    period: Period
    tokens: dict[str, Token] = field(default_factory=dict)
    _by_spec: dict = field(default_factory=dict)
    computed_at: object = field(default_factory=timezone.now)

    def has(self, metric: str) -> bool:
        return metric in METRICS

    def value(self, metric: str, *, period: Period | None = None, area: str | None = None, **params):
        """A metric's raw value (no token): for deciding what to write."""
        params = given_params(params)
        period = period or self.period
        return recompute(metric, area or self.area_code, period.key, params)

    def fact(self, metric: str, *, period: Period | None = None, area: str | None = None,
             derivation: str = "", **params) -> Token:
        """A token for a figure of the text (the same question gets the same token)."""
        params = given_params(params)
        period = period or self.period
        area = area or self.area_code
        spec = (metric, area, period.key, tuple(sorted(params.items())), derivation)
        if spec in self._by_spec:
            return self.tokens[self._by_spec[spec]]
        value = recompute(metric, area, period.key, params, derivation)
        unit = "%" if derivation == YOY else METRICS[metric].unit
        label = metric_label(metric, params) + ("同比变化" if derivation == YOY else "")
        token = Token(f"f{len(self.tokens) + 1}", metric, area, period.key, params, derivation, value, unit, label,
                      format_value(value, unit, derivation))
        self.tokens[token.token] = token
        self._by_spec[spec] = token.token
        return token


def tooltip(fact, area_names: dict[str, str] | None = None) -> str:
    """指标：… 区划：… 期间：… 参数：… for a fact token's hover."""
    area_names = area_names or {}
    try:
        period_label = parse_period(fact.period_key).label
    except ValueError:
        period_label = fact.period_key
    area = area_names.get(fact.area_code, "")
    lines = [
        f"指标：{metric_label(fact.metric, fact.params or {})}（{fact.metric}）",
        f"区划：{area}（{fact.area_code}）" if area else f"区划：{fact.area_code}",
        f"期间：{period_label}",
        f"参数：{describe_params(fact.params or {})}",
    ]
    if fact.derivation == YOY:
        lines.append(f"计算：与上年同期（{parse_period(fact.period_key).previous_year().label}）相比的变化")
    computed_at = getattr(fact, "computed_at", None)
    if computed_at:
        lines.append(f"计算时间：{timezone.localtime(computed_at):%Y-%m-%d %H:%M}")
    return "\n".join(lines)
