"""Reporting periods: a year (2026), a quarter (2026Q3) or a month (2026-09)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    key: str  # the canonical form: 2026, 2026Q3, 2026-09

    @property
    def label(self) -> str:
        if re.fullmatch(r"\d{4}", self.key):
            return f"{self.start.year}年"
        if "Q" in self.key:
            return f"{self.start.year}年第{'一二三四'[int(self.key[-1]) - 1]}季度"
        return f"{self.start.year}年{self.start.month}月"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous_year(self) -> "Period":
        """The same period a year earlier (for 同比)."""
        if re.fullmatch(r"\d{4}", self.key):
            return parse_period(str(self.start.year - 1))
        if "Q" in self.key:
            return parse_period(f"{self.start.year - 1}Q{self.key[-1]}")
        return parse_period(f"{self.start.year - 1}-{self.start.month:02d}")


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


FIRST_YEAR, LAST_YEAR = 1900, 2099  # records and briefings fall well inside; beyond, dates overflow


def parse_period(text: str) -> Period:
    text = (text or "").strip().upper()
    year_text = re.match(r"\d{4}", text)
    if year_text and not FIRST_YEAR <= int(year_text.group()) <= LAST_YEAR:
        raise PeriodError(f"期间“{text}”的年份超出范围：应在{FIRST_YEAR}年至{LAST_YEAR}年之间")
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31), text)
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        year, quarter = int(m.group(1)), int(m.group(2))
        first_month = 3 * quarter - 2
        return Period(date(year, first_month, 1), _month_end(year, first_month + 2), f"{year}Q{quarter}")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return Period(date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")
    raise PeriodError(f"无法识别的期间“{text}”：请写作 2026（年）、2026Q3（季度）或 2026-09（月）")


def last_complete_quarter(today: date) -> Period:
    quarter = (today.month - 1) // 3  # the current quarter's index, 0-based
    year = today.year if quarter else today.year - 1
    return parse_period(f"{year}Q{quarter or 4}")
