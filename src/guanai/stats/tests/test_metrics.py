from datetime import date

import pytest

from guanai.registry import services
from guanai.registry.models import Person
from guanai.stats import metrics
from guanai.stats.periods import PeriodError, last_complete_quarter, parse_period


@pytest.mark.parametrize("text,start,end,label", [
    ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度"),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "2026年2月"),
    ("2024", date(2024, 1, 1), date(2024, 12, 31), "2024年"),
])
def test_periods(text, start, end, label):
    period = parse_period(text)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_bad_period_is_a_chinese_error():
    with pytest.raises(PeriodError, match="无法识别的期间"):
        parse_period("2026Q5")


def test_last_complete_quarter():
    assert last_complete_quarter(date(2026, 11, 23)).key == "2026Q3"
    assert last_complete_quarter(date(2026, 2, 1)).key == "2025Q4"


def test_persons_registered_counts_the_subtree_and_category(users):
    today = date.today()
    period = parse_period(str(today.year))
    before = metrics.compute("persons_registered", "990101001000", period, category="left_behind_child")
    services.create_person(user=users["village"], area_code="990101001001", data={"name": "新增儿童"},
                           categories=["left_behind_child"])
    assert metrics.compute("persons_registered", "990101001000", period, category="left_behind_child") == before + 1
    assert metrics.compute("persons_registered", "990101001000", period) == Person.objects.filter(
        area__code__startswith="990101001", status="active").count()
    other_town = metrics.compute("persons_registered", "990101002000", period)
    assert other_town == Person.objects.filter(area__code__startswith="990101002", status="active").count()


def test_screening_found_matches_reports(users):
    from guanai.registry.models import ScreeningReport

    period = parse_period(str(date.today().year))
    expected = sum(sum(r.counts.values()) for r in ScreeningReport.objects.filter(
        village__code__startswith="9901", campaign__start_date__lte=period.end, campaign__end_date__gte=period.start))
    assert metrics.compute("screening_found", "990100000000", period) == expected


def test_unknown_parameter_is_refused():
    with pytest.raises(TypeError):
        metrics.compute("children_without_guardianship", "990100000000", "2026", category="x")


@pytest.mark.django_db
def test_memoized_asks_each_question_once(django_assert_num_queries):
    period = parse_period("2026Q3")
    with metrics.memoized():
        due = metrics.compute("persons_due_visit", "990100000000", period)
        in_time = metrics.compute("persons_visited_in_time", "990100000000", period, category="")
        # Coverage and overdue are built from those two counts: no query of their own.
        with django_assert_num_queries(0):
            assert metrics.compute("visit_coverage", "990100000000", period) == metrics._percent(in_time, due)
            assert metrics.compute("persons_overdue_visit", "990100000000", "2026Q3") == due - in_time
    # Outside the block every call asks the database again.
    with django_assert_num_queries(2):
        metrics.compute("visit_coverage", "990100000000", period)
