"""Issue 14: a past period's state (2025, 2026年第二季度, 上月) of a large area is read from the kept
month-end snapshots, and always equals the metric counted afresh from the records, after
back-dated writes too."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanai.areas.models import Area
from guanai.core import clock
from guanai.core.db import delete_rows
from guanai.stats import metrics, tallies
from guanai.stats.models import MonthEndTally
from guanai.stats.periods import last_complete_quarter, parse_period

AREAS = ("990100000000", "990101000000", "990102000000", "990101001000", "990101002000")


def _past_periods():
    today = clock.today()
    last_month = today.replace(day=1) - timedelta(days=1)
    return [parse_period(str(today.year - 1)), last_complete_quarter(today),
            parse_period(f"{last_month.year}-{last_month.month:02d}")]


def _kept(name, area, period, params):
    with metrics.memoized():
        return metrics.compute(name, area, period, **params)


def _counted(name, area, period, params):
    saved, metrics.kept_answer = metrics.kept_answer, None  # every figure counted from the records
    try:
        return metrics.compute(name, area, period, **params)
    finally:
        metrics.kept_answer = saved


def _assert_past_states_equal_counts(areas=AREAS):
    keys = tallies.snapshot_keys()
    assert keys and "persons_registered" in keys and "persons_due_visit" in keys
    for period in _past_periods():
        for area in areas:
            for key in keys:
                name, params = tallies.TALLIES[key]
                info = metrics.METRICS[name]
                assert tallies.kept_answer(info, area, period, params) is not None, (area, key, period.key)
                assert _kept(name, area, period, params) == _counted(name, area, period, params), (area, key, period.key)


def test_every_kept_state_of_a_past_year_quarter_and_month_equals_its_count(users):
    _assert_past_states_equal_counts()


def test_a_period_not_ending_on_a_kept_month_end_is_counted(users):
    info = metrics.METRICS["persons_registered"]
    today = clock.today()
    assert tallies.kept_answer(info, "990100000000", parse_period(str(today.year - 1)), {}) is not None
    long_ago = parse_period(str(today.year - 10))  # before the kept months
    assert tallies.kept_answer(info, "990100000000", long_ago, {}) is None
    # a single month more than 13 months back: only the quarters' ends are kept that far
    old_month = today.replace(day=1)
    for _ in range(20):
        old_month = (old_month - timedelta(days=1)).replace(day=1)
    old_month = parse_period(f"{old_month.year}-{old_month.month:02d}")
    kept = tallies.kept_answer(info, "990100000000", old_month, {})
    assert (kept is not None) == (old_month.start.month % 3 == 0)
    months = tallies.months_to_keep()
    assert all(int(m[5:]) % 3 == 0 for m in months[:-13]) and len(months) in (20, 21)  # 7 or 8 quarter ends
    mid_month = metrics.Period(today.replace(day=1) - timedelta(days=40), today.replace(day=1) - timedelta(days=35), "x")
    assert mid_month.end.day != 1 and (mid_month.end + timedelta(days=1)).day != 1
    assert tallies.kept_answer(info, "990100000000", mid_month, {}) is None
    # children turning 16 within N days of the period's end: not a state at the month's end
    aging = metrics.METRICS["children_aging_out"]
    assert tallies.kept_answer(aging, "990100000000", parse_period(str(today.year - 1)), {}) is None
    # after an import's invalidation, counted until the next full refresh
    tallies.invalidate_tallies()
    assert tallies.kept_answer(info, "990100000000", parse_period(str(today.year - 1)), {}) is None
    tallies.refresh_all()
    assert tallies.kept_answer(info, "990100000000", parse_period(str(today.year - 1)), {}) is not None


def test_back_dated_writes_change_the_past_figure_and_the_kept_one_follows(users, django_capture_on_commit_callbacks):
    from guanai.care import services as care
    from guanai.registry import services as registry
    from guanai.registry.models import Person

    admin, today = users["admin"], clock.today()
    last_month = parse_period(_past_periods()[2].key)
    village, county = "990101001001", "990101000000"

    def committed(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    # An exit dated last month: the person is no longer on file at the end of last month.
    person = (Person.objects.filter(area_id=village, status=Person.ACTIVE, created_at__date__lt=last_month.start)
              .order_by("pk").first())
    before = _kept("persons_registered", county, last_month, {})
    committed(lambda: registry.exit_person(user=admin, person=person, reason="moved_away",
                                           exit_date=last_month.start + timedelta(days=3)))
    assert _kept("persons_registered", county, last_month, {}) == before - 1
    assert _counted("persons_registered", county, last_month, {}) == before - 1

    # A category added to a long-registered person: every past month end they were on file changes.
    year = parse_period(str(today.year - 1))
    other = (Person.objects.filter(area__code__startswith="990101", status=Person.ACTIVE,
                                   created_at__date__lt=year.end - timedelta(days=30))
             .filter(categories__category="left_behind_child").exclude(categories__category="child_in_difficulty")
             .order_by("pk").first())
    before_year = _kept("persons_registered", county, year, {"category": "child_in_difficulty"})
    committed(lambda: registry.update_person(
        user=admin, person=other, expected_version=other.version, data={},
        categories=[*other.categories.values_list("category", flat=True), "child_in_difficulty"]))
    assert _kept("persons_registered", county, year, {"category": "child_in_difficulty"}) == before_year + 1

    # A visit dated last month to someone due and not visited in time: covered at last month's end.
    from guanai.care import followup

    uncovered = (Person.objects.filter(area__code__startswith="990101").filter(followup.overdue_q(last_month.end))
                 .order_by("pk").first())
    assert uncovered is not None, "the demo has someone overdue at the end of last month"
    before_covered = _kept("persons_visited_in_time", county, last_month, {})
    committed(lambda: care.create_visit(user=admin, person=uncovered, visit_date=last_month.end - timedelta(days=1),
                                        mode="home"))
    assert _kept("persons_visited_in_time", county, last_month, {}) == before_covered + 1
    _assert_past_states_equal_counts(("990100000000", county, "990101001000"))
    # and the village rows themselves equal the per-village count
    for month in sorted(tallies.kept_months_now())[-13:]:
        period = parse_period(month)
        kept = dict(MonthEndTally.objects.filter(area_id=village, month=month).values_list("key", "value"))
        for key in tallies.snapshot_keys():
            name, params = tallies.TALLIES[key]
            assert kept.get(key, 0) == metrics.METRICS[name].func(village, period, **params), (month, key)


def test_a_past_state_table_of_a_city_reads_kept_rows_not_records(users):
    """The state columns of a city's table for a past year: no query over the persons or visits,
    a few over the kept rows whatever the number of villages (one per row's area and month)."""
    from guanai.dashboards import tables
    from guanai.dashboards.tables import Column, TableSpec

    columns = tuple(Column(key, "人", name, params) for key, (name, params) in tallies.TALLIES.items()
                    if key in tallies.snapshot_keys())
    spec = TableSpec("past-states", "期末状态", columns)
    city = Area.objects.get(pk="990100000000")
    rows = Area.objects.filter(parent=city).count() + 1
    with CaptureQueriesContext(connection) as queries:
        built = tables.build(spec, city, parse_period(str(clock.today().year - 1)))
    records = [q["sql"] for q in queries if "registry_person" in q["sql"] or "care_visit" in q["sql"]]
    assert not records, records[0][:300]
    kept = [q for q in queries if "stats_monthendtally" in q["sql"]]
    assert len(kept) <= rows + 1
    assert len(queries) <= rows + 10
    assert built.total.cells[0] == _counted("persons_registered", city.code, parse_period(str(clock.today().year - 1)), {})


@pytest.mark.usefixtures("frozen_day")
def test_a_month_just_over_is_kept_at_the_first_refresh_of_the_next(users):
    """Frozen on the first day of a month: last month's end is kept by the day's refresh."""
    today = clock.today()
    month = parse_period(f"{today.year}-{today.month - 1:02d}")
    delete_rows(MonthEndTally.objects.filter(month=month.key))
    info = metrics.METRICS["persons_registered"]
    assert tallies.kept_answer(info, "990100000000", month, {}) is None  # counted meanwhile
    tallies.refresh_all()
    assert tallies.kept_answer(info, "990100000000", month, {}) == _counted("persons_registered", "990100000000", month, {})


def test_a_large_demo_leaves_its_month_ends_to_the_worker_after_it_commits(users, django_capture_on_commit_callbacks):
    """A city's or a province's demo keeps today's figures at once and has the worker fill the
    month ends once the load has committed (minutes at a province); past periods are counted,
    and equal, in between."""
    import random

    from guanai.core.demo import DemoContext
    from guanai.stats.demo_data import build_tallies

    tallies.invalidate_tallies()
    assert not tallies.kept_months_now()
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        build_tallies(DemoContext(scale="province", today=clock.today(), rng=random.Random(1)))
    assert not tallies.kept_months_now()  # nothing kept before the load commits: counted meanwhile
    last_year = parse_period(str(clock.today().year - 1))
    assert tallies.kept_answer(metrics.METRICS["persons_registered"], "990100000000", last_year, {}) is None
    assert len(waiting) == 1
    waiting[0]()  # the load commits: the worker's task (immediate in tests) fills them
    assert set(tallies.kept_months_now()) == set(tallies.months_to_keep())
    _assert_past_states_equal_counts()


class _MonthEndWrites(list):
    """The statements that wrote kept month ends (changed any row), as sent: CaptureQueriesContext
    would fill the parameters in, which SQLite's strftime patterns do not survive."""

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if ("stats_monthendtally" in sql and sql.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE"))
                and context["cursor"].rowcount != 0):
            self.append(f"{sql[:120]} {params!r}")
        return result


@contextmanager
def _month_end_writes():
    writes = _MonthEndWrites()
    with connection.execute_wrapper(writes):
        yield writes


def test_an_import_of_new_persons_rewrites_no_past_month_end(users, tmp_path):
    """New persons are on file from today: no past month end changes, so an import of them (inside
    its transaction, holding SQLite's write lock) recomputes today's figures only. It recomputed
    every kept month of every village it touched (about 190 of a small import's 240 queries)."""
    from guanai.ops.testing import persons_csv
    from guanai.registry.importers import import_persons

    village, county = "990101001001", "990101000000"
    months = tallies.kept_months_now()
    today = parse_period(f"{clock.today():%Y-%m}")
    before = _kept("persons_registered", county, today, {})
    with _month_end_writes() as writes:
        result = import_persons(str(persons_csv(tmp_path / "new.csv", 3, [village], seed=5)), user=users["admin"])
    assert result.created == 3 and result.committed
    assert not writes
    assert tallies.kept_months_now() == months
    assert _kept("persons_registered", county, today, {}) == _counted("persons_registered", county, today, {}) == before + 3
    _assert_past_states_equal_counts(("990100000000", county, "990101001000"))


def test_many_villages_refreshed_at_once_recompute_the_month_ends_from_the_earliest_change(users, monkeypatch):
    monkeypatch.setattr(tallies, "REFRESH_ALL_ABOVE", 1)  # two villages take the refresh_all path
    months = sorted(tallies.kept_months_now())
    assert len(months) >= 2
    villages = ["990101001001", "990102001001"]
    with _month_end_writes() as writes:
        tallies.refresh_villages(dict.fromkeys(villages, clock.today()))
    assert not writes  # nothing before today changed
    assert sorted(tallies.kept_months_now()) == months
    last = parse_period(months[-1])
    with _month_end_writes() as rewritten:
        tallies.refresh_villages({villages[0]: last.start, villages[1]: clock.today()})
    assert rewritten and sorted(tallies.kept_months_now()) == months
    assert any(months[-1] in write for write in rewritten)
    assert not any(months[-2] in write for write in rewritten)  # months before the change stay as kept
    _assert_past_states_equal_counts()
