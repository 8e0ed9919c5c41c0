"""Checking what a unit enters: each value on its own, the rules between values, and
values far outside the unit's own history.

Values are stored as the report keeps them (``UnitReport.values``): numbers as
canonical decimal strings, yes/no as booleans, text as text; a missing value has no key.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from guanai.textproc.cells import CellValueError, clean_text, parse_cell_number, parse_yes_no
from guanai.textproc.numbers import trim_decimal

from .models import Indicator, NarrativeSection, ValidationRule

MAX_TEXT = 2000
LARGEST = Decimal(10) ** 12  # no indicator of a unit's quarter comes near it
MAX_NARRATIVE = 20000
# Outliers: farther from the median of the unit's own history than this many median
# absolute deviations, with at least this many earlier values to judge by.
OUTLIER_MADS = 3
OUTLIER_MIN_HISTORY = 3


def field_name(indicator: Indicator) -> str:
    return f"ind_{indicator.pk}"


def section_field(section: NarrativeSection) -> str:
    return f"sec_{section.pk}"


def parse_value(indicator: Indicator, raw) -> object:
    """The stored form of what was typed for ``indicator`` (None when blank); a ValueError
    with a Chinese message naming the indicator when it cannot be."""
    name = indicator.label
    if indicator.kind == Indicator.NUMBER:
        try:
            number = parse_cell_number(raw)
        except CellValueError as exc:
            raise ValueError(f"“{name}”应填写数字：{exc}") from None
        if number is None:
            return None
        if abs(number) >= LARGEST:
            raise ValueError(f"“{name}”（{raw}）超出可填写的范围")
        if number < 0 and not indicator.allow_negative:
            raise ValueError(f"“{name}”不能为负数（填写了{trim_decimal(number, 6)}）")
        if -number.as_tuple().exponent > indicator.decimals and number != number.quantize(
                Decimal(1).scaleb(-indicator.decimals)):
            expected = "整数" if indicator.decimals == 0 else f"最多{indicator.decimals}位小数"
            raise ValueError(f"“{name}”应为{expected}（填写了{trim_decimal(number, 6)}）")
        return trim_decimal(number, indicator.decimals)
    if indicator.kind == Indicator.YES_NO:
        try:
            return parse_yes_no(raw)
        except CellValueError as exc:
            raise ValueError(f"“{name}”：{exc}") from None
    text = clean_text(raw)
    if len(text) > MAX_TEXT:
        raise ValueError(f"“{name}”不能超过{MAX_TEXT}字")
    return text or None


def display(indicator: Indicator, value) -> str:
    """A stored value as a reader reads it (未填 for a missing one)."""
    if value is None or value == "":
        return "未填"
    if indicator.kind == Indicator.YES_NO:
        return "是" if value else "否"
    return str(value)


def number_of(indicator: Indicator, value) -> Decimal | None:
    if value is None or value == "":
        return None
    if indicator.kind == Indicator.YES_NO:
        return Decimal(1 if value else 0)
    if indicator.kind == Indicator.NUMBER:
        return Decimal(str(value))
    return None


# --- rules between values ---------------------------------------------------------

_BROKEN_WORDS = {
    ValidationRule.EQ: "应等于", ValidationRule.NE: "不应等于", ValidationRule.GT: "应大于",
    ValidationRule.GE: "不应小于", ValidationRule.LT: "应小于", ValidationRule.LE: "不应大于",
}
_HOLDS = {
    ValidationRule.EQ: lambda a, b: a == b, ValidationRule.NE: lambda a, b: a != b,
    ValidationRule.GT: lambda a, b: a > b, ValidationRule.GE: lambda a, b: a >= b,
    ValidationRule.LT: lambda a, b: a < b, ValidationRule.LE: lambda a, b: a <= b,
}


def side_label(rule_side: list, indicators: dict) -> str:
    return "+".join(indicators[i].label for i in rule_side if i in indicators)


def describe_rule(rule: ValidationRule, indicators: dict) -> str:
    """其中：女童人数 ≤ 儿童总数, as the form page lists it."""
    left, right = side_label(rule.left, indicators), side_label(rule.right, indicators)
    if rule.operator == ValidationRule.PAIR:
        return f"{left} 与 {right} 应同时填写或同时不填"
    return f"{left} {rule.get_operator_display()} {right}"


def _side(rule_side: list, indicators: dict, values: dict) -> tuple[str, Decimal | None, int, int]:
    """(label, sum or None, how many filled, how many in all) of one side of a rule."""
    label = side_label(rule_side, indicators)
    total, filled = Decimal(0), 0
    members = [indicators[i] for i in rule_side if i in indicators]
    for indicator in members:
        number = number_of(indicator, values.get(indicator.key))
        if number is not None:
            total += number
            filled += 1
    return label, (total if filled else None), filled, len(members)


def _shown(total: Decimal | None) -> str:
    return "未填" if total is None else trim_decimal(total, 6)


def rule_violation(rule: ValidationRule, indicators: dict, values: dict) -> str:
    """The message of a broken rule, naming both sides and their values; "" when it holds
    (or the missing-value policy says not to check)."""
    left_label, left, left_filled, left_all = _side(rule.left, indicators, values)
    right_label, right, right_filled, right_all = _side(rule.right, indicators, values)
    if rule.operator == ValidationRule.PAIR:
        def filled(side):
            return [values.get(str(i)) not in (None, "") for i in side if i in indicators]

        left_any, right_any = any(filled(rule.left)), any(filled(rule.right))
        if left_any == right_any:
            return ""
        left_text = "已填" if left_any else "未填"
        right_text = "已填" if right_any else "未填"
        return f"{left_label}（{left_text}）与 {right_label}（{right_text}）应同时填写或同时不填"
    if rule.missing == ValidationRule.SKIP_IF_ANY and (left_filled < left_all or right_filled < right_all):
        return ""
    if rule.missing == ValidationRule.SKIP_IF_ALL and left_filled == 0 and right_filled == 0:
        return ""
    a, b = left if left is not None else Decimal(0), right if right is not None else Decimal(0)
    if _HOLDS[rule.operator](a, b):
        return ""
    return f"{left_label}({_shown(left)}) {_BROKEN_WORDS[rule.operator]} {right_label}({_shown(right)})"


# --- outliers ---------------------------------------------------------------------

@dataclass
class Outlier:
    median: Decimal
    mad: Decimal
    history: int

    def as_json(self) -> dict:
        return {"median": trim_decimal(self.median, 4), "mad": trim_decimal(self.mad, 4), "history": self.history}


def outlier(value: Decimal, history: list[Decimal]) -> Outlier | None:
    """``value`` judged against the unit's earlier values: an Outlier when it lies more than
    three median absolute deviations from their median. Too short a history, or one whose
    values are all alike (no spread to measure), judges nothing."""
    if len(history) < OUTLIER_MIN_HISTORY:
        return None
    centre = Decimal(median(history))
    mad = Decimal(median(abs(x - centre) for x in history))
    if mad == 0 or abs(value - centre) <= OUTLIER_MADS * mad:
        return None
    return Outlier(centre, mad, len(history))


def outlier_message(indicator: Indicator, value, info: dict) -> str:
    return (f"“{indicator.label}”为{display(indicator, value)}，与本单位以往{info['history']}期的中位数"
            f"{info['median']}相差超过{OUTLIER_MADS}倍中位绝对偏差（{info['mad']}），请核实")


# --- what changed ------------------------------------------------------------------

def differences(before: dict, after: dict, labels: dict[str, str]) -> dict[str, list]:
    """{label: [before, after]} of the keys whose value changed (None for absent)."""
    changed = {}
    for key in sorted(set(before) | set(after), key=lambda k: (k not in labels, k)):
        old, new = before.get(key), after.get(key)
        if (old in (None, "")) and (new in (None, "")):
            continue
        if old != new:
            changed[labels.get(key, key)] = [old, new]
    return changed
