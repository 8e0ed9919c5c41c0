"""Reporting periods: a year (2026), a half-year (2026S1), a quarter (2026Q3) or a month (2026-09).

``parse_period`` is the one parser: it takes the keys and the ways officials write a period
(2026年第三季度, 2026年三季度, 2026年9月, 2026年上半年, 2026年度; read by textproc.periods), for
every form, page, command and API call that is given one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from guanai.textproc.periods import period_key_from_words

YEAR, HALF, QUARTER, MONTH = "year", "half", "quarter", "month"
KIND_LABELS = {MONTH: "月度", QUARTER: "季度", HALF: "半年", YEAR: "年度"}


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    key: str  # the canonical form: 2026, 2026S1, 2026Q3, 2026-09

    @property
    def kind(self) -> str:
        if re.fullmatch(r"\d{4}", self.key):
            return YEAR
        if "S" in self.key:
            return HALF
        if "Q" in self.key:
            return QUARTER
        return MONTH

    @property
    def label(self) -> str:
        kind = self.kind
        if kind == YEAR:
            return f"{self.start.year}年"
        if kind == HALF:
            return f"{self.start.year}年{'上下'[int(self.key[-1]) - 1]}半年"
        if kind == QUARTER:
            return f"{self.start.year}年第{'一二三四'[int(self.key[-1]) - 1]}季度"
        return f"{self.start.year}年{self.start.month}月"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous_year(self) -> "Period":
        """The same period a year earlier (for 同比)."""
        return parse_period(str(self.start.year - 1) + self.key[4:])

    def following(self) -> "Period":
        """The next period of the same kind."""
        return period_containing(self.kind, self.end + timedelta(days=1))


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


FIRST_YEAR, LAST_YEAR = 1900, 2099  # records and briefings fall well inside; beyond, dates overflow


def parse_period(text: str) -> Period:
    written = (text or "").strip()
    text = period_key_from_words(written) or written.upper()
    year_text = re.match(r"\d{4}", text)
    if year_text and not FIRST_YEAR <= int(year_text.group()) <= LAST_YEAR:
        raise PeriodError(f"期间“{written}”的年份超出范围：应在{FIRST_YEAR}年至{LAST_YEAR}年之间")
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31), text)
    if m := re.fullmatch(r"(\d{4})S([12])", text):
        year, half = int(m.group(1)), int(m.group(2))
        return Period(date(year, 6 * half - 5, 1), _month_end(year, 6 * half), f"{year}S{half}")
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        year, quarter = int(m.group(1)), int(m.group(2))
        first_month = 3 * quarter - 2
        return Period(date(year, first_month, 1), _month_end(year, first_month + 2), f"{year}Q{quarter}")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return Period(date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")
    raise PeriodError(f"无法识别的期间“{written}”：请写作 2026年第三季度、2026年9月、2026年上半年或 2026年度"
                      "（也可写作 2026Q3、2026-09、2026S1、2026）")


def period_containing(kind: str, day: date) -> Period:
    """The period of ``kind`` (year, half, quarter, month) that contains ``day``."""
    if kind == YEAR:
        return parse_period(str(day.year))
    if kind == HALF:
        return parse_period(f"{day.year}S{1 if day.month <= 6 else 2}")
    if kind == QUARTER:
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if kind == MONTH:
        return parse_period(f"{day.year}-{day.month:02d}")
    raise PeriodError(f"未知的期间类型“{kind}”")


def periods_ending_in(kind: str, period: Period) -> list[Period]:
    """The periods of ``kind`` whose last day lies in ``period``, oldest first: the months of a
    quarter, the quarter of a quarter, nothing of kind year in a quarter that is not the fourth."""
    found = []
    current = period_containing(kind, period.start)
    while current.start <= period.end:
        if period.contains(current.end):
            found.append(current)
        current = current.following()
    return found


def last_complete_quarter(today: date) -> Period:
    quarter = (today.month - 1) // 3  # the current quarter's index, 0-based
    year = today.year if quarter else today.year - 1
    return parse_period(f"{year}Q{quarter or 4}")
