"""Dates in prose (full, day-only, relative to the document's date) and the document's own date."""

from __future__ import annotations

import calendar
import re
from collections import Counter
from datetime import date, timedelta

from .fact import Fact, _overlaps
from .chinese_numbers import parse_chinese_number
from .patterns import _DATE_PATTERNS, _RECENT_DAYS, _RELATIVE_RE


# --- extraction passes -----------------------------------------------------


def _date_matches(text: str) -> list[tuple[re.Match[str], int | None, bool]]:
    """Every written date: (match, year when written, whether a year is written)."""
    raw: list[tuple[re.Match[str], int | None, bool]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if _overlaps(taken, m.start(), m.end()):
                continue
            groups = m.groupdict()
            year_text = groups.get("y")
            month = parse_chinese_number(groups["m"]) if groups.get("m") else None
            day = parse_chinese_number(groups["d"]) if groups.get("d") else None
            if month is not None and not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
                continue
            year = None
            if year_text and not any(c in "xX" for c in year_text):
                year = int(year_text) if year_text.isdigit() else parse_chinese_number(year_text)
            raw.append((m, year, year_text is not None))
            taken.append((m.start(), m.end()))
    raw.sort(key=lambda item: item[0].start())
    return raw


def _full_date(year, month, day) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except (TypeError, ValueError):
        return None


_HEAD_OR_FOOT = 200


def document_date(text: str) -> date | None:
    """The document's own date: a full date (year, month and day) written at
    its head (a news copy's 发布时间) or its foot (a briefing's 落款), the
    last one of the foot first."""
    if not text:
        return None
    foot_from = max(0, len(text) - _HEAD_OR_FOOT)
    found = []
    for m, year, has_year in _date_matches(text):
        groups = m.groupdict()
        if not (has_year and year and groups.get("m") and groups.get("d")):
            continue
        if m.start() < _HEAD_OR_FOOT or m.start() >= foot_from:
            when = _full_date(year, parse_chinese_number(groups["m"]), parse_chinese_number(groups["d"]))
            if when:
                found.append((m.start() >= foot_from, m.start(), when))
    return max(found)[2] if found else None


def _date_facts(text: str, default_year: int | None, reference: date | None) -> list[Fact]:
    raw = _date_matches(text)

    # A date without a year takes the document's year: the given one, or the
    # one written most often (none when two years tie).
    inferred = default_year
    if inferred is None:
        counts = Counter(year for _, year, _ in raw if year is not None).most_common(2)
        if counts and (len(counts) == 1 or counts[0][1] > counts[1][1]):
            inferred = counts[0][0]

    facts = []
    last_month: tuple[int | None, int] | None = None  # (year, month) of the nearest date before
    for m, year, has_year in raw:
        groups = m.groupdict()
        month = parse_chinese_number(groups["m"]) if groups.get("m") else None
        day = parse_chinese_number(groups["d"]) if groups.get("d") else None
        guessed = False
        if not has_year and month is not None:
            year, guessed = inferred, inferred is not None
        elif not has_year:
            # Day alone: the month (and year) of the nearest date before it,
            # else of the document's own date.
            if last_month is not None:
                year, month = last_month
                guessed = True
            elif reference is not None:
                year, month, guessed = reference.year, reference.month, True
        if month is not None:
            last_month = (year, month)
        value = "-".join((
            f"{year:04d}" if year else "XXXX",
            f"{month:02d}" if month else "XX",
            f"{day:02d}" if day else "XX",
        ))
        facts.append(Fact("date", value, "", "", groups.get("period") or "", m.group(), m.start(), m.end(),
                          inferred=guessed))
    return facts


def _relative_facts(text: str, taken: list[tuple[int, int]], reference: date | None,
                    default_year: int | None) -> list[Fact]:
    """今年以来, 上月, 近日: kept as date facts, their range worked out from the
    document's date (or, for a year, the document's year) where it can be."""
    facts = []
    year = reference.year if reference else default_year
    for m in _RELATIVE_RE.finditer(text):
        if _overlaps(taken, m.start(), m.end()):
            continue
        word = m.group()
        value, start, end = "XXXX-XX-XX", "", ""
        if word in ("今年以来", "去年以来") and year:
            y = year - 1 if word == "去年以来" else year
            value, start, end = f"{y:04d}-XX-XX", f"{y:04d}-01-01", f"{y:04d}-12-31"
            if reference:
                end = reference.isoformat()
                if word == "去年以来":
                    value = f"{y:04d}-XX-XX"
        elif word in ("本月", "上月") and reference:
            first = reference.replace(day=1)
            if word == "上月":
                first = (first - timedelta(days=1)).replace(day=1)
            last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            value, start, end = f"{first:%Y-%m}-XX", first.isoformat(), last.isoformat()
        elif word in _RECENT_DAYS and reference:
            first = reference - timedelta(days=_RECENT_DAYS[word])
            value = f"{reference:%Y-%m}-XX" if first.month == reference.month else f"{reference:%Y}-XX-XX"
            start, end = first.isoformat(), reference.isoformat()
        facts.append(Fact("date", value, "", "", "", word, m.start(), m.end(), inferred=True,
                          range_start=start, range_end=end))
    return facts
