"""``extract_facts``: the passes in order (dates, relative dates, percentages, figures with a
measure word), a later pass never reading inside an earlier one's span."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from .fact import Fact, _overlaps
from .chinese_numbers import _CN_DIGITS, _as_number, parse_chinese_number
from .patterns import _FIGURE_RE, _NOT_MEASURE_BEFORE, _PERCENT_RE
from .phrases import _clause_after, _clause_before, _subject_after, _subject_before
from .dates import _date_facts, _relative_facts, document_date


def _approx_of(m: re.Match[str]) -> str:
    # 近千人: the prefix; 300多人: the suffix before the unit; 80只以上: after it.
    groups = m.groupdict()
    return groups.get("pre") or groups.get("more") or groups.get("post") or ""


def _percent_facts(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    facts = []
    for m in _PERCENT_RE.finditer(text):
        if _overlaps(taken, m.start(), m.end()):
            continue
        number_text = m.group("num") or m.group("cn") or m.group("pts")
        value = _parse_percent_number(number_text)
        if value is None:
            continue
        unit = "个百分点" if m.group("pts") else "%"
        subject = _subject_before(_clause_before(text, m.start(), 0))
        facts.append(Fact("percent", value, unit, subject, _approx_of(m), m.group(), m.start(), m.end()))
    return facts


def _parse_percent_number(s: str) -> int | float | None:
    if "点" in s:  # 百分之九十五点五
        whole, frac = s.split("点", 1)
        whole_value = parse_chinese_number(whole)
        digits = "".join(str(_CN_DIGITS[c]) for c in frac)
        return None if whole_value is None else _as_number(Decimal(f"{whole_value}.{digits}"))
    return parse_chinese_number(s)


_MULTIPLIERS = {"百": 100, "千": 1000, "万": 10**4, "百万": 10**6, "千万": 10**7, "亿": 10**8, "万亿": 10**12}


def _figure_value(m: re.Match[str]) -> int | float | None:
    num = m.group("num")
    if num.isdigit() and len(num) >= 11:
        return None  # a phone or ID number, not a count
    if num[0] in "百千万" and not m.group("pre"):
        return None  # 千名领导干部 is a slogan, 上千人 an estimate
    if num == "一" and not (m.group("mult1") or m.group("more") or m.group("mult2")):
        return None  # 一名志愿者, 一元网络: the article, not a figure
    value = parse_chinese_number(num)
    if value is None:
        return None
    scale = 1
    for group in ("mult1", "mult2"):
        if m.group(group):
            scale *= _MULTIPLIERS[m.group(group)]
    return _as_number(Decimal(str(value)) * scale)


def _figure_facts(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    facts: list[Fact] = []
    for m in _FIGURE_RE.finditer(text):
        if _overlaps(taken, m.start(), m.end()):
            continue
        if m.start() and text[m.start() - 1] in "“「《":
            continue  # a figure opening a quoted name: “三个一”, 《十三五》
        unit = m.group("unit")
        following = text[m.end("unit") : m.end("unit") + 1]
        if following and following in _NOT_MEASURE_BEFORE.get(unit, ""):
            continue
        value = _figure_value(m)
        if value is None:
            continue
        kind = "money" if unit == "元" else "quantity"
        previous = facts[-1] if facts else None
        floor = previous.end if previous else 0
        subject = (
            _subject_after(_clause_after(text, m.end()))
            or _subject_before(_clause_before(text, m.start(), floor))
        )
        if not subject and previous is not None and _same_list(text, previous, m.start()):
            subject = previous.subject  # 建档立卡贫困户82户、342人: both counts
        facts.append(Fact(kind, value, unit, subject, _approx_of(m), m.group(), m.start(), m.end()))
    return facts


def _same_list(text: str, previous: Fact, start: int) -> bool:
    """Whether a figure directly continues the figure before it: 82户、342人
    or 160户480间."""
    return text[previous.end : start] in ("", "、")


def extract_facts(text: str, *, default_year: int | None = None,
                  reference: date | None = None) -> list[Fact]:
    """All dates, counts, sums of money and percentages in ``text``, in order.

    ``default_year`` is the year of a date written without one (12月14日);
    without it the year written most often in the text is used, if any.
    ``reference`` is the document's own date (``document_date(text)`` when
    not given): what a day-only date falls back on and what ``上月`` or
    ``近日`` count from.
    """
    if reference is None:
        reference = document_date(text)
    dates = _date_facts(text, default_year, reference)
    taken = [(f.start, f.end) for f in dates]
    dates += _relative_facts(text, taken, reference, default_year or (reference.year if reference else None))
    taken = [(f.start, f.end) for f in dates]
    percents = _percent_facts(text, taken)
    taken += [(f.start, f.end) for f in percents]
    figures = _figure_facts(text, taken)
    return sorted(dates + percents + figures, key=lambda f: f.start)
