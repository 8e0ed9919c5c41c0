from datetime import date
from decimal import Decimal

import pytest

from guanai.textproc.numbers import (
    chinese_ordinal,
    format_change,
    format_count,
    format_counts,
    format_date,
    format_money,
    format_percent,
    percent_change,
    written_tolerance,
)


@pytest.mark.parametrize("value,unit,text", [
    (34711, "人", "34711人"),
    (0, "次", "0次"),
    (Decimal("12.00"), "场", "12场"),
    (1298, "人次", "1298人次"),
])
def test_counts(value, unit, text):
    assert format_count(value, unit) == text


def test_counts_joined():
    assert format_counts([(82, "户"), (342, "人")]) == "82户、342人"


@pytest.mark.parametrize("yuan,text", [
    (7400, "7400元"),
    (Decimal("7400.50"), "7400.5元"),
    (9999, "9999元"),
    (10000, "1万元"),
    (4649000, "464.9万元"),
    (4649123, "464.91万元"),
    (4649999, "465万元"),
    (11300, "1.13万元"),
    (Decimal("125000000"), "1.25亿元"),
    (0, "0元"),
])
def test_money(yuan, text):
    assert format_money(yuan) == text


@pytest.mark.parametrize("value,text", [(12.5, "12.5%"), (100, "100%"), (95.25, "95.3%"), (0, "0%")])
def test_percent(value, text):
    assert format_percent(value) == text


def test_change_year_on_year():
    assert format_change(112.5, 100) == "同比增长12.5%"
    assert format_change(90, 100) == "同比下降10%"
    assert format_change(100, 100) == "与上年同期持平"
    assert format_change(10, 0) == ""
    assert percent_change(1, 3) == -66.7
    assert percent_change(5, None) is None


def test_ordinals_and_dates():
    assert [chinese_ordinal(n) for n in (1, 5, 10, 11, 20, 23)] == ["一", "五", "十", "十一", "二十", "二十三"]
    assert format_date(date(2026, 10, 8)) == "2026年10月8日"


@pytest.mark.parametrize("span,tolerance", [
    ("464.9万元", Decimal(500)),
    ("7400元", Decimal("0.5")),
    ("12.5%", Decimal("0.05")),
    ("34711人", Decimal("0.5")),
    ("3万元", Decimal(5000)),
    ("1.25亿元", Decimal(500000)),
])
def test_written_tolerance(span, tolerance):
    assert written_tolerance(span) == tolerance
