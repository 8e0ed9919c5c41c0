"""Issue 14, point 5: a statistics table's rows are answered by one grouped query per metric over
the area (its per-village form summed per sub-area), not one query per cell. Every cell must still
equal the metric counted afresh for that row's area (no tallies, no grouping), for a current and a
past period, at the city, the county and the township."""


from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanai.core import clock
from guanai.areas.models import Area
from guanai.dashboards import tables
from guanai.stats import metrics
from guanai.stats.periods import parse_period

pytestmark = pytest.mark.django_db


def _fresh(column, code, period):
    saved, metrics.kept_answer = metrics.kept_answer, None
    try:
        return metrics.compute(column.metric, code, period, **column.params)
    finally:
        metrics.kept_answer = saved


@pytest.mark.parametrize("slug", ["registry", "left-behind-children", "children-in-difficulty", "care", "activities",
                                  "protection"])
@pytest.mark.parametrize("area", ["990100000000", "990101000000", "990101001000"])
def test_every_cell_equals_a_fresh_count(users, slug, area):
    spec = tables.table_specs()[slug]
    for period in (parse_period(str(clock.today().year)), parse_period(str(clock.today().year - 1))):
        built = tables.build(spec, Area.objects.get(pk=area), period)
        for row in [r for r in built.rows if r.kind == "child"] + [built.total]:
            for column, value in zip(spec.columns, row.cells):
                assert value == _fresh(column, row.area.code, period), (slug, row.label, column.label, period.key)


def test_a_national_table_of_a_city_asks_one_query_per_form_not_one_per_row(users):
    spec = tables.table_specs()["left-behind-children"]
    city = Area.objects.get(pk="990100000000")
    period = parse_period(str(clock.today().year - 1))  # a past period: its columns are not kept, counted
    with CaptureQueriesContext(connection) as queries:
        tables.build(spec, city, period)
    counts = [q["sql"] for q in queries if "registry_person" in q["sql"]]
    # The whole, and every column, each for all sub-areas and the total at once.
    assert len(counts) <= 2, "\n\n".join(c[:120] + " ... " + c[-200:] for c in counts)


@pytest.mark.parametrize("period_key", ["this year", "last year", "this quarter", "last month"])
def test_the_care_table_of_a_city_reads_no_visit_when_its_figures_are_kept(client_for, period_key):
    # Issue 14: persons visited (distinct persons, which months do not add up to) were counted from
    # every visit of the city at each request (~150 ms at a province); now kept per village and
    # standard period, like the table's other columns, so the page reads kept rows only.
    from guanai.stats import tallies
    from guanai.stats.periods import MONTH, QUARTER, period_containing

    tallies.refresh_all()
    today = clock.today()
    period = {"this year": parse_period(str(today.year)), "last year": parse_period(str(today.year - 1)),
              "this quarter": period_containing(QUARTER, today),
              "last month": period_containing(MONTH, today.replace(day=1) - timedelta(days=1))}[period_key]
    client = client_for("office")
    with CaptureQueriesContext(connection) as asked:
        response = client.get(f"/stats/tables/care/990100000000/?period={period.key}")
    assert response.status_code == 200 and "走访对象" in response.content.decode()
    counted = [q["sql"] for q in asked.captured_queries if "care_visit" in q["sql"]]
    assert counted == [], "\n\n".join(c[:300] for c in counted)
