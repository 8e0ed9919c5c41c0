"""Figures in the conventional forms of Chinese official writing. Pure, no Django.

    format_count(34711)            34711人
    format_counts([(82, "户"), (342, "人")])   82户、342人
    format_money(4649000)          464.9万元   (10,000 yuan and more in 万元, 亿元 from 100 million)
    format_percent(12.5)           12.5%
    format_change(112.5, 100)      同比增长12.5%
    written_tolerance("464.9万元")  500 (half the last written digit, in yuan)
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "chinese_ordinal",
    "format_change",
    "format_count",
    "format_counts",
    "format_date",
    "format_money",
    "format_percent",
    "percent_change",
    "trim_decimal",
    "written_tolerance",
]

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def trim_decimal(value, places: int = 2) -> str:
    """``value`` rounded half up to ``places`` decimals, trailing zeros dropped: 464.90 → 464.9."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_count(value, unit: str = "人") -> str:
    """A count as official writing has it: Arabic digits without separators, then the measure word."""
    amount = _decimal(value)
    return f"{trim_decimal(amount, 0 if amount == amount.to_integral_value() else 2)}{unit}"


def format_counts(pairs) -> str:
    """Several counts of one subject joined with 、: 82户、342人."""
    return "、".join(format_count(value, unit) for value, unit in pairs)


def format_money(yuan) -> str:
    """Money in 元 below 10,000, in 万元 from 10,000 and in 亿元 from 100 million,
    with at most two decimals (trailing zeros trimmed): 7400元, 464.9万元, 1.25亿元."""
    amount = _decimal(yuan)
    if abs(amount) >= YI:
        return f"{trim_decimal(amount / YI)}亿元"
    if abs(amount) >= WAN:
        return f"{trim_decimal(amount / WAN)}万元"
    return f"{trim_decimal(amount)}元"


def format_percent(value, places: int = 1) -> str:
    return f"{trim_decimal(value, places)}%"


def percent_change(current, previous, places: int = 1) -> float | None:
    """(current − previous) / previous in percent, rounded; None when there is nothing to compare with."""
    if previous is None or current is None:
        return None
    previous, current = _decimal(previous), _decimal(current)
    if previous == 0:
        return None
    change = (current - previous) * 100 / previous
    return float(change.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def format_change(current, previous, prefix: str = "同比") -> str:
    """同比增长12.5%, 同比下降3.2%, 与上年同期持平; empty when the previous value is 0 or missing."""
    change = percent_change(current, previous)
    if change is None:
        return ""
    if change == 0:
        return "与上年同期持平"
    word = "增长" if change > 0 else "下降"
    return f"{prefix}{word}{format_percent(abs(change))}"


_CN_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1 to 99), for headings 一、（一）."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, units = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[units]
    return f"{'' if tens == 1 else _CN_DIGITS[tens]}十{_CN_DIGITS[units] if units else ''}"


def format_date(day: date) -> str:
    """2026年10月8日 (no leading zeros, as documents date themselves)."""
    return f"{day.year}年{day.month}月{day.day}日"


_WRITTEN_RE = re.compile(r"(?P<num>\d[\d,]*(?:\.(?P<frac>\d+))?)\s*(?P<mult>万亿|亿|万|千|百)?")
_MULTIPLIERS = {"百": 100, "千": 1000, "万": 10**4, "亿": 10**8, "万亿": 10**12}


def written_tolerance(span: str) -> Decimal:
    """Half the value of the last digit written in ``span``, in the figure's base unit:
    464.9万元 → 500 (yuan), 7400元 → 0.5, 12.5% → 0.05, 34711人 → 0.5.

    A figure written with Chinese numerals (三百人) is taken as exact to its units."""
    m = _WRITTEN_RE.search(span or "")
    if not m:
        return Decimal("0.5")
    places = len(m.group("frac") or "")
    scale = _MULTIPLIERS.get(m.group("mult") or "", 1)
    return Decimal(5).scaleb(-(places + 1)) * scale
