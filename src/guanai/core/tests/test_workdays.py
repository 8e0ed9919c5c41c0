"""Working days by the Chinese holiday calendar (core.workdays): first-visit deadlines
in care, step time limits in protection."""

from datetime import date

import chinese_calendar

from guanai.core.workdays import add_workdays, earliest_start, is_workday, rest_day_name, workdays_between

NATIONAL_DAY_EVE = date(2026, 9, 29)


def test_working_days_follow_the_holiday_calendar_around_national_day_2026():
    # 1–7 October are holidays; Saturday 10 October is worked in exchange (调休).
    assert not is_workday(date(2026, 10, 1)) and is_workday(date(2026, 10, 10))
    assert add_workdays(NATIONAL_DAY_EVE, 5) == date(2026, 10, 12) == chinese_calendar.find_workday(5, NATIONAL_DAY_EVE)
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert earliest_start(date(2026, 10, 12), 5) == NATIONAL_DAY_EVE
    assert earliest_start(date(2026, 10, 13), 5) == date(2026, 9, 30)


def test_years_without_calendar_data_fall_back_to_weekdays():
    # The package ships data up to its release; later years count Monday to Friday.
    assert add_workdays(date(2035, 1, 5), 5) == date(2035, 1, 12)  # Friday + 5 working days
    assert not is_workday(date(2035, 1, 6))


def test_working_days_between_two_days_skip_the_holiday():
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 9)) == 2  # 8 and 9 October
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3  # the Saturday worked in exchange
    assert workdays_between(date(2026, 10, 9), date(2026, 10, 9)) == 0
    assert workdays_between(date(2026, 10, 9), date(2026, 10, 1)) == 0


def test_a_rest_day_is_named_in_chinese():
    assert rest_day_name(date(2026, 10, 1)) == "国庆节"
    assert rest_day_name(date(2026, 2, 17)) == "春节"
    assert rest_day_name(date(2026, 10, 11)) == "周末"
    assert rest_day_name(date(2026, 10, 10)) == ""  # worked in exchange
    assert rest_day_name(date(2035, 1, 6)) == "周末"  # beyond the calendar's data
