"""Working days by the Chinese holiday calendar (the maintained ``chinesecalendar``
package: statutory holidays and the weekend days worked in exchange, 调休).

For a year the package has no data for yet, Monday to Friday are working days,
so a deadline is never refused, only computed less exactly until the package is updated.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


@lru_cache(maxsize=4096)
def add_workdays(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (n >= 1), or ``day`` itself for n == 0."""
    if n <= 0:
        return day
    try:
        return chinese_calendar.find_workday(n, day)
    except NotImplementedError:
        current, counted = day, 0
        while counted < n:
            current += timedelta(days=1)
            counted += is_workday(current)
        return current


@lru_cache(maxsize=1024)
def earliest_start(day: date, n: int) -> date:
    """The earliest date ``s`` with ``add_workdays(s, n) >= day``: a visit on or after
    ``s`` keeps an ``n``-working-day interval open on ``day``."""
    start = day
    while add_workdays(start - timedelta(days=1), n) >= day:
        start -= timedelta(days=1)
    return start


def workdays_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later):
    how many working days late something due on ``start`` is on ``end``."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        count += is_workday(current)
    return count



# chinese_calendar names its holidays in English.
_HOLIDAY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                  "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
                  "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日"}


def rest_day_name(day: date) -> str:
    """Why ``day`` is no working day: the holiday's Chinese name (国庆节), or 周末; "" on a working day."""
    if is_workday(day):
        return ""
    try:
        _is_holiday, holiday = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        holiday = None
    return _HOLIDAY_NAMES.get(getattr(holiday, "value", holiday) or "", "周末")
