"""Each value on its own, every rule operator with both of its outcomes, the missing-value
policies, and outliers against the unit's own history."""

from decimal import Decimal

import pytest

from guanai.coordination import checks
from guanai.coordination.models import Indicator, ValidationRule

pytestmark = pytest.mark.django_db


def _number(label="儿童总数", **kwargs):
    return Indicator(label=label, kind=Indicator.NUMBER, **kwargs)


@pytest.mark.parametrize("raw,stored", [("12", "12"), (" 1,200 ", "1200"), ("１２", "12"), ("", None), ("/", None),
                                        (7, "7"), ("3.0", "3")])
def test_a_count_is_read_as_a_whole_number(raw, stored):
    assert checks.parse_value(_number(), raw) == stored


@pytest.mark.parametrize("raw,message", [
    ("十二", "“儿童总数”应填写数字：无法识别的数值：十二"),
    ("12人", "“儿童总数”应填写数字"),
    ("-3", "“儿童总数”不能为负数（填写了-3）"),
    ("2.5", "“儿童总数”应为整数（填写了2.5）"),
    ("1" * 40, "“儿童总数”（1111111111111111111111111111111111111111）超出可填写的范围"),
])
def test_a_wrong_count_is_refused_naming_the_indicator(raw, message):
    with pytest.raises(ValueError, match=message):
        checks.parse_value(_number(), raw)


def test_decimals_and_negatives_as_the_indicator_allows():
    money = _number("投入资金", decimals=2)
    assert checks.parse_value(money, "1.50") == "1.5"
    with pytest.raises(ValueError, match="最多2位小数"):
        checks.parse_value(money, "1.555")
    assert checks.parse_value(_number("增减", allow_negative=True), "-3") == "-3"


def test_yes_no_and_text():
    yes_no = Indicator(label="是否召开专题会议", kind=Indicator.YES_NO)
    assert checks.parse_value(yes_no, "是") is True and checks.parse_value(yes_no, "否") is False
    with pytest.raises(ValueError, match="“是否召开专题会议”"):
        checks.parse_value(yes_no, "也许")
    text = Indicator(label="说明", kind=Indicator.TEXT)
    assert checks.parse_value(text, "  用于慰问 ") == "用于慰问"
    with pytest.raises(ValueError, match="不能超过"):
        checks.parse_value(text, "字" * (checks.MAX_TEXT + 1))


def _pair():
    total = Indicator(pk=1, label="儿童总数", kind=Indicator.NUMBER)
    girls = Indicator(pk=2, label="其中：女童人数", kind=Indicator.NUMBER)
    return {1: total, 2: girls}


# operator, girls, total, holds?, message when broken (left: 女童, right: 总数)
CASES = [
    (ValidationRule.EQ, "30", "30", True, ""),
    (ValidationRule.EQ, "35", "30", False, "其中：女童人数(35) 应等于 儿童总数(30)"),
    (ValidationRule.NE, "35", "30", True, ""),
    (ValidationRule.NE, "30", "30", False, "其中：女童人数(30) 不应等于 儿童总数(30)"),
    (ValidationRule.GT, "35", "30", True, ""),
    (ValidationRule.GT, "30", "30", False, "其中：女童人数(30) 应大于 儿童总数(30)"),
    (ValidationRule.GE, "30", "30", True, ""),
    (ValidationRule.GE, "29", "30", False, "其中：女童人数(29) 不应小于 儿童总数(30)"),
    (ValidationRule.LT, "29", "30", True, ""),
    (ValidationRule.LT, "30", "30", False, "其中：女童人数(30) 应小于 儿童总数(30)"),
    (ValidationRule.LE, "30", "30", True, ""),
    (ValidationRule.LE, "35", "30", False, "其中：女童人数(35) 不应大于 儿童总数(30)"),
]


@pytest.mark.parametrize("operator,girls,total,holds,message", CASES)
def test_every_comparison_operator(operator, girls, total, holds, message):
    rule = ValidationRule(left=[2], operator=operator, right=[1])
    assert checks.rule_violation(rule, _pair(), {"1": total, "2": girls}) == message
    assert (message == "") is holds


def test_both_or_neither():
    rule = ValidationRule(left=[2], operator=ValidationRule.PAIR, right=[1])
    indicators = _pair()
    assert checks.rule_violation(rule, indicators, {}) == ""
    assert checks.rule_violation(rule, indicators, {"1": "3", "2": "1"}) == ""
    assert checks.rule_violation(rule, indicators, {"2": "1"}) == \
        "其中：女童人数（已填）与 儿童总数（未填）应同时填写或同时不填"
    assert checks.rule_violation(rule, indicators, {"1": "0"}) == \
        "其中：女童人数（未填）与 儿童总数（已填）应同时填写或同时不填"


def test_a_side_may_be_a_sum():
    indicators = {1: Indicator(pk=1, label="儿童总数", kind=Indicator.NUMBER),
                  2: Indicator(pk=2, label="男童", kind=Indicator.NUMBER),
                  3: Indicator(pk=3, label="女童", kind=Indicator.NUMBER)}
    rule = ValidationRule(left=[1], operator=ValidationRule.EQ, right=[2, 3])
    assert checks.rule_violation(rule, indicators, {"1": "30", "2": "18", "3": "12"}) == ""
    assert checks.rule_violation(rule, indicators, {"1": "30", "2": "18", "3": "11"}) == "儿童总数(30) 应等于 男童+女童(29)"


@pytest.mark.parametrize("policy,values,message", [
    (ValidationRule.SKIP_IF_ANY, {"2": "35"}, ""),
    (ValidationRule.SKIP_IF_ALL, {"2": "35"}, "其中：女童人数(35) 不应大于 儿童总数(未填)"),
    (ValidationRule.SKIP_IF_ALL, {}, ""),
    (ValidationRule.NEVER_SKIP, {}, ""),  # 0 ≤ 0
    (ValidationRule.NEVER_SKIP, {"2": "1"}, "其中：女童人数(1) 不应大于 儿童总数(未填)"),
])
def test_missing_value_policies(policy, values, message):
    rule = ValidationRule(left=[2], operator=ValidationRule.LE, right=[1], missing=policy)
    assert checks.rule_violation(rule, _pair(), values) == message


def test_an_outlier_lies_beyond_three_median_absolute_deviations():
    history = [Decimal(x) for x in (10, 12, 11, 13, 9)]  # median 11, MAD 1
    assert checks.outlier(Decimal(14), history) is None  # 3 MADs away: not beyond
    found = checks.outlier(Decimal(15), history)
    assert found is not None and found.as_json() == {"median": "11", "mad": "1", "history": 5}
    assert checks.outlier(Decimal(6), history) is not None  # below as well as above
    assert checks.outlier(Decimal(100), history[:2]) is None  # too short a history to judge
    assert checks.outlier(Decimal(100), [Decimal(5)] * 4) is None  # no spread to measure against
