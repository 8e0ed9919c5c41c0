from datetime import date, timedelta

import pytest
from django.utils import timezone

from guanai.care import metrics as care_metrics
from guanai.registry import services
from guanai.registry.models import Person
from guanai.stats import metrics
from guanai.stats.periods import Period, PeriodError, last_complete_quarter, parse_period


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


@pytest.mark.parametrize("text", ["0000", "0000Q1", "0000-01", "9999", "1899Q4"])
def test_a_year_out_of_range_is_a_chinese_error(text):
    # Year 0 cannot be a date, and 9999's end overflows the day after: both were server errors.
    with pytest.raises(PeriodError, match="年份超出范围"):
        parse_period(text)
    assert parse_period("1900").previous_year  # the first year itself is fine
    with pytest.raises(PeriodError):
        parse_period("1900").previous_year()


def test_last_complete_quarter():
    assert last_complete_quarter(date(2026, 11, 23)).key == "2026Q3"
    assert last_complete_quarter(date(2026, 2, 1)).key == "2025Q4"


def test_persons_registered_counts_the_subtree_and_category(users):
    today = timezone.localdate()
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

    period = parse_period(str(timezone.localdate().year))
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
            assert metrics.compute("visit_coverage", "990100000000", period) == metrics.percent(in_time, due)
            assert metrics.compute("persons_overdue_visit", "990100000000", "2026Q3") == due - in_time
    # Outside the block every call asks the database again.
    with django_assert_num_queries(2):
        metrics.compute("visit_coverage", "990100000000", period)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, info in metrics.METRICS.items() if info.grouped])
@pytest.mark.parametrize("area", ["990100000000", "990101001000"])
def test_grouped_form_equals_the_metric(name, area, django_assert_max_num_queries, monkeypatch):
    from guanai.registry.categories import CATEGORY_CHOICES

    monkeypatch.setattr(metrics, "kept_answer", None)  # the records counted, not the kept aggregates

    # The twelve months to today (the demo's records are dated back from the day it was built):
    # on 1 January the calendar year would hold none and the comparison would mean nothing.
    today = timezone.localdate()
    period = Period(today - timedelta(days=364), today, "last-12-months")
    info = metrics.METRICS[name]
    param = info.params[0]
    # Categories, or whatever else the metric is grouped by (the national table's columns).
    values = [code for code, _label in CATEGORY_CHOICES] if param == "category" else list(info.grouped(area, period))
    one_by_one = {code: metrics.compute(name, area, period, **{param: code}) for code in values}
    assert sum(one_by_one.values()) > 0  # the demo has such records: the comparison means something
    with metrics.memoized(), django_assert_max_num_queries(1):
        grouped = {code: metrics.compute(name, area, period, **{param: code}) for code in values}
    assert grouped == one_by_one


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, info in metrics.METRICS.items() if info.by_village])
def test_per_village_form_equals_the_metric(name, monkeypatch):
    """A table of sub-areas is answered by the per-village form in one query: each village's
    figure, and their sum for the township, equal the metric's own."""
    from guanai.areas.models import Area

    monkeypatch.setattr(metrics, "kept_answer", None)
    today = timezone.localdate()
    period = Period(today - timedelta(days=364), today, "last-12-months")
    info, township = metrics.METRICS[name], "990101001000"
    per_village = info.by_village(township, period)
    villages = Area.objects.filter(parent_id=township).values_list("code", flat=True)
    assert {v: per_village.get(v, 0) for v in villages} == {v: info.func(v, period) for v in villages}
    assert sum(per_village.values()) == info.func(township, period)


@pytest.mark.django_db
def test_prefetch_asks_on_other_connections_with_the_same_answers(monkeypatch, settings, outside_a_transaction):
    import threading

    from django.db import connection

    monkeypatch.setattr(metrics, "kept_answer", None)  # the records counted, not the kept aggregates
    period = parse_period(str(timezone.localdate().year))
    city = "990100000000"
    expected = {
        ("persons_registered", ()): metrics.compute("persons_registered", city, period),
        ("visits", ()): metrics.compute("visits", city, period),
        ("persons_registered", (("category", "left_behind_child"),)):
            metrics.compute("persons_registered", city, period, category="left_behind_child"),
    }
    threads = set()
    answer = metrics._answer_batch

    def spy(question):
        threads.add(threading.get_ident())
        return answer(question)

    monkeypatch.setattr(metrics, "_answer_batch", spy)
    questions = [("persons_registered", city, period, {}), ("persons_registered", city, period, metrics.GROUPED),
                 ("visits", city, period, {})]
    # Inside the test's transaction other connections would not see its writes: nothing is prefetched.
    with metrics.memoized():
        metrics.prefetch(questions, parallel=True)
        assert threads == set()
    # Outside a transaction the questions go to worker threads, each on its own connection
    # (the demo data was committed before the tests began, so they see it).
    settings.GUANAI_METRIC_WORKERS = 2
    with metrics.memoized():
        with outside_a_transaction():
            metrics.prefetch(questions, parallel=True)
        assert threads and threading.get_ident() not in threads
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as asked:
            got = {(name, params): metrics.compute(name, city, period, **dict(params)) for name, params in expected}
        assert len(asked) == 0  # every answer came from the prefetch
    assert got == expected


def test_prefetch_asks_a_derived_figures_parts_and_one_grouped_query():
    period = parse_period("2026Q3")
    city = "990100000000"
    asked = list(metrics._underlying([
        ("visit_coverage", city, period, {"category": ""}),
        ("persons_registered", city, period, {"category": "left_behind_child"}),
        ("persons_registered", city, period, {"category": "solitary_elder"}),
        ("no_such_metric", city, period, {}),
    ]))
    assert [(name, params) for name, _a, _p, params in asked] == [
        ("persons_visited_in_time", {}), ("persons_due_visit", {}),
        ("persons_registered", metrics.GROUPED), ("persons_registered", metrics.GROUPED)]


def test_remembered_groundwork_is_produced_once_within_a_memo():
    produced = []

    def produce():
        produced.append(1)
        return ["list"]

    assert metrics.remembered(("x", 1), produce) == ["list"] and len(produced) == 1
    assert metrics.remembered(("x", 1), produce) == ["list"] and len(produced) == 2  # no memo: asked again
    with metrics.memoized():
        metrics.remembered(("x", 1), produce)
        metrics.remembered(("x", 1), produce)
        metrics.remembered(("x", 2), produce)
    assert len(produced) == 4
