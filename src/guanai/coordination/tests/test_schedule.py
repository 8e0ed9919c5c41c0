"""Deadlines in Chinese working days, the whole-day timeliness rule, entry locking, and
which reports are due: the ground the rates stand on."""

from datetime import date, timedelta

import pytest

from guanai.coordination import metrics, schedule, services
from guanai.coordination.models import UnitReport
from guanai.stats.metrics import compute
from guanai.stats.periods import PeriodError, parse_period, periods_ending_in

from .conftest import COUNTY, at, submit

pytestmark = pytest.mark.django_db


def test_the_deadline_counts_working_days_across_the_national_day_holiday(report_form):
    # 2025: 1–8 October off, Saturday 11 October worked in exchange (调休).
    assert schedule.deadline(report_form, parse_period("2025Q3")) == date(2025, 10, 21)
    # 2026: 1–7 October off, Saturday 10 October worked.
    assert schedule.deadline(report_form, parse_period("2026Q3")) == date(2026, 10, 20)
    # A quarter without a holiday after it: ten weekdays.
    assert schedule.deadline(report_form, parse_period("2025Q2")) == date(2025, 7, 14)


def test_a_deadline_is_a_whole_local_day():
    due = date(2025, 10, 21)
    assert schedule.submitted_on_time(at("2025-10-21 23:59:59"), due)
    assert not schedule.submitted_on_time(at("2025-10-22 00:00:00"), due)
    # 23:30 UTC on the 21st is 07:30 on the 22nd in Asia/Shanghai: late.
    from datetime import datetime, timezone as tz
    assert not schedule.submitted_on_time(datetime(2025, 10, 21, 23, 30, tzinfo=tz.utc), due)
    assert schedule.submitted_on_time(datetime(2025, 10, 21, 15, 59, 59, tzinfo=tz.utc), due)
    assert not schedule.submitted_on_time(None, due)


def test_a_submission_at_the_day_boundary_counts_on_time_or_late(report_form, units):
    on_time = submit(report_form, units[0], "2025Q3", "2025-10-21 23:59:59")
    late = submit(report_form, units[1], "2025Q3", "2025-10-22 00:00:00")
    period = parse_period("2025Q3")
    assert compute("unit_reports_due", COUNTY, period) == 3
    assert compute("unit_reports_submitted", COUNTY, period) == 2
    assert compute("unit_reports_on_time", COUNTY, period) == 1
    assert compute("unit_reports_late", COUNTY, period) == 2  # one late, one missing
    late_units = {e.unit.name: e for e in metrics.late_reports(COUNTY, period)}
    assert set(late_units) == {"西山县教育局", "西山县妇女联合会"}
    assert late_units["西山县教育局"].lateness_label == "逾期报送"
    assert late_units["西山县教育局"].workdays_late(date(2026, 1, 1)) == 1  # the 22nd, one working day
    assert late_units["西山县妇女联合会"].lateness_label == "未报送"
    assert on_time.first_submitted_at < late.first_submitted_at


def test_working_days_late_skip_the_holiday(report_form, units):
    report = submit(report_form, units[1], "2025Q3", "2025-10-27 10:00")  # deadline 21 Oct (Tuesday)
    expected = next(e for e in schedule.expected_reports(COUNTY, parse_period("2025Q3")) if e.report == report)
    assert expected.workdays_late(date(2026, 1, 1)) == 4  # 22, 23, 24, 27 October


def test_a_report_is_due_once_its_deadline_day_is_over(report_form, units):
    period = parse_period("2025Q3")
    assert len(schedule.expected_reports(COUNTY, period, today=date(2025, 10, 21))) == 0
    assert len(schedule.expected_reports(COUNTY, period, today=date(2025, 10, 22))) == 3
    assert len(schedule.expected_reports(COUNTY, period, today=date(2025, 10, 21), due_only=False)) == 3


def test_reports_count_in_every_period_their_own_ends_in(report_form, units):
    submit(report_form, units[0], "2025Q3", "2025-10-09 10:00")
    assert compute("unit_reports_on_time", COUNTY, "2025") == 1
    assert compute("unit_reports_on_time", COUNTY, "2025-09") == 1
    assert compute("unit_reports_on_time", COUNTY, "2025-08") == 0
    assert compute("unit_reports_due", COUNTY, "2025") == 12  # four quarters, three units
    assert compute("unit_reports_due", "990100000000", "2025Q3") >= 3  # the city's figure includes its counties


def test_a_closed_unit_is_on_neither_side_of_the_rates(report_form, units, county_office):
    period = parse_period("2025Q3")
    submit(report_form, units[2], "2025Q3", "2025-10-10 10:00")
    assert (compute("unit_reports_due", COUNTY, period), compute("unit_reports_submitted", COUNTY, period)) == (3, 1)
    services.close_unit(acting_user=county_office, unit=units[2], closed_on=date(2025, 9, 1), reason="机构改革合并")
    assert (compute("unit_reports_due", COUNTY, period), compute("unit_reports_submitted", COUNTY, period)) == (2, 0)
    assert compute("unit_reporting_rate", COUNTY, period) == 0.0
    assert compute("unit_reporting_rate", COUNTY, "2025Q2") == 0.0  # still due for the quarter before
    assert compute("unit_reports_due", COUNTY, "2025Q2") == 3


def test_rates_are_built_from_the_counts(report_form, units):
    submit(report_form, units[0], "2025Q3", "2025-10-09 10:00")
    submit(report_form, units[1], "2025Q3", "2025-10-30 10:00")
    period = parse_period("2025Q3")
    assert compute("unit_reporting_rate", COUNTY, period) == 66.7
    assert compute("unit_on_time_rate", COUNTY, period) == 33.3
    assert compute("unit_reports_approved", COUNTY, period) == 0


def test_entry_locks_after_the_window(report_form, units):
    period = parse_period("2025Q3")
    last = schedule.lock_day(report_form, period)
    assert schedule.entry_closed_reason(report_form, period, None, last) == ""
    assert "已过填报期限" in schedule.entry_closed_reason(report_form, period, None, last + timedelta(days=1))
    assert "尚未开始" in schedule.entry_closed_reason(report_form, period, None, date(2025, 6, 30))
    report = UnitReport(form=report_form, unit=units[0], period_key="2025Q3", entry_open_until=last + timedelta(days=5))
    assert schedule.entry_closed_reason(report_form, period, report, last + timedelta(days=5)) == ""


def test_an_office_deadline_overrides_the_rule(report_form, units, county_office):
    services.set_deadline(acting_user=county_office, form=report_form, period_key="2025Q3", due_on=date(2025, 10, 24),
                          reason="国庆后统一延期")
    assert schedule.deadline(report_form, parse_period("2025Q3")) == date(2025, 10, 24)
    submit(report_form, units[0], "2025Q3", "2025-10-24 18:00")
    assert compute("unit_reports_on_time", COUNTY, "2025Q3") == 1


def test_half_years_and_other_period_kinds():
    first = parse_period("2026s1")
    assert (first.key, first.start, first.end, first.label) == ("2026S1", date(2026, 1, 1), date(2026, 6, 30),
                                                                 "2026年上半年")
    assert first.previous_year().key == "2025S1" and first.following().key == "2026S2"
    assert [p.key for p in periods_ending_in("half", parse_period("2026"))] == ["2026S1", "2026S2"]
    assert [p.key for p in periods_ending_in("month", parse_period("2026Q3"))] == ["2026-07", "2026-08", "2026-09"]
    assert periods_ending_in("year", parse_period("2026Q3")) == []
    with pytest.raises(PeriodError, match="2026S1"):
        parse_period("2026S3")


def test_the_latest_due_period(report_form):
    assert schedule.latest_due_period(COUNTY, today=date(2025, 10, 21)).key == "2025Q2"
    assert schedule.latest_due_period(COUNTY, today=date(2025, 10, 22)).key == "2025Q3"
