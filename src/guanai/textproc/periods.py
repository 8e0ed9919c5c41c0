"""How officials write a reporting period, read into its canonical key.

2026年第三季度, 2026年三季度, 2026年第3季度, 2026年Q3 → 2026Q3; 2026年9月, 2026年09月份, 2026.9 → 2026-09;
2026年上半年 → 2026S1; 2026年度, 2026年, 2026年全年 → 2026; full-width digits and a year in
Chinese digits (二〇二六年) too. Pure wording: the calendar (start, end, labels) lives in
``stats.periods``, the one parser, which calls this for whatever is not already a key.
"""

from __future__ import annotations

import re

from .facts import parse_chinese_number
from .width import to_halfwidth

_CN_YEAR_DIGITS = "〇零一二三四五六七八九"
_SMALL = r"[0-9]{1,2}|十[一二]?|[一二三四五六七八九]"
_YEAR = rf"(?P<year>[0-9]{{4}}|[{_CN_YEAR_DIGITS}]{{4}})"
# After the year (and an optional 年): the part of the year, if any.
_PATTERNS = [
    ("year", re.compile(rf"{_YEAR}(?:年|年度|年全年|全年|年整年)?")),
    ("quarter", re.compile(rf"{_YEAR}(?:年|[-/.])?(?:第?(?P<n>[1-4一二三四])季度?|Q(?P<q>[1-4]))")),
    ("half", re.compile(rf"{_YEAR}年?(?P<half>上半年|下半年|[SH][12])")),
    ("month", re.compile(rf"{_YEAR}(?:年|[-/.])(?P<month>{_SMALL})(?:月份?)?")),
]


def _year(text: str) -> str:
    """The year's four digits (二〇二六 → 2026; 〇 and 零 are both 0)."""
    return text if text.isdigit() else "".join(str(max(0, _CN_YEAR_DIGITS.index(ch) - 1)) for ch in text)


def period_key_from_words(text: str) -> str | None:
    """The canonical key (2026, 2026S1, 2026Q3, 2026-09) of a period written in words or
    as a key, or None when ``text`` is no single period (2026年1-9月, 前三季度, 9月)."""
    compact = re.sub(r"\s+", "", to_halfwidth(text or "")).upper()
    if not compact:
        return None
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(compact)
        if m is None:
            continue
        year = _year(m.group("year"))
        if kind == "year":
            return year
        if kind == "quarter":
            n = m.group("q") or m.group("n")
            return f"{year}Q{n if n.isdigit() else '一二三四'.index(n) + 1}"
        if kind == "half":
            half = m.group("half")
            return f"{year}S{1 if half in ('上半年', 'S1', 'H1') else 2}"
        month_text = m.group("month")
        month = int(month_text) if month_text.isdigit() else parse_chinese_number(month_text)
        return f"{year}-{month:02d}" if 1 <= month <= 12 else None
    return None
