"""The one period parser and the period control every form and page uses."""

from datetime import date

import pytest
from django import forms

from guanai.stats.forms import PeriodField, future_problem, key_of, parts_of, shortcuts
from guanai.stats.periods import PeriodError, parse_period


@pytest.mark.parametrize("written,key,label", [
    ("2026年第三季度", "2026Q3", "2026年第三季度"),
    ("2026年三季度", "2026Q3", "2026年第三季度"),
    ("2026年9月", "2026-09", "2026年9月"),
    ("2026年上半年", "2026S1", "2026年上半年"),
    ("2026年度", "2026", "2026年"),
    ("2026Q3", "2026Q3", "2026年第三季度"),
])
def test_parse_period_reads_written_periods(written, key, label):
    period = parse_period(written)
    assert (period.key, period.label) == (key, label)


def test_half_years_have_their_months():
    first, second = parse_period("2026年上半年"), parse_period("2026年下半年")
    assert (first.start, first.end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert (second.start, second.end) == (date(2026, 7, 1), date(2026, 12, 31))


def test_an_unreadable_period_names_the_ways_to_write_one():
    with pytest.raises(PeriodError) as caught:
        parse_period("2026年前三季度")
    assert "2026年前三季度" in str(caught.value) and "2026年第三季度" in str(caught.value)


class _Form(forms.Form):
    period = PeriodField()


def test_the_control_picks_a_year_and_a_part():
    for part, key in (("", "2025"), ("S2", "2025S2"), ("Q3", "2025Q3"), ("09", "2025-09")):
        form = _Form({"period_year": "2025", "period_part": part})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["period"].key == key
        assert parts_of(form.cleaned_data["period"]) == ("2025", part)
        assert key_of("2025", part) == key


def test_the_control_reads_a_typed_or_linked_period():
    form = _Form({"period": "2025年第三季度"})
    assert form.is_valid() and form.cleaned_data["period"].key == "2025Q3"
    html = str(form["period"])
    assert 'value="2025" selected' in html and 'value="Q3" selected' in html


def test_the_control_refuses_a_future_period_and_nonsense_in_chinese():
    form = _Form({"period": "2099年第一季度"})
    assert not form.is_valid() and "尚未开始" in form.errors["period"][0]
    form = _Form({"period": "明年"})
    assert not form.is_valid() and "无法识别的期间" in form.errors["period"][0]
    assert not _Form({}).is_valid() and _Form({}).errors["period"] == ["请选择期间"]


def test_whole_year_is_not_blocked_by_the_browser():
    # 全年 is the empty choice of the part list: the list must not be "required".
    html = str(_Form()["period"])
    part = html[html.index('name="period_part"'):]
    assert "required" not in part[:part.index(">")]


def test_shortcuts_and_future():
    today = date(2026, 8, 15)
    assert [(label, p.key) for label, p in shortcuts(today)] == [
        ("本月", "2026-08"), ("本季度", "2026Q3"), ("本年", "2026"), ("上年", "2025")]
    assert future_problem(parse_period("2026Q4"), today) and not future_problem(parse_period("2026Q3"), today)
