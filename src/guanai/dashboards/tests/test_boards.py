"""Each role's board asks the metric functions: its figures are compute()'s, today's states come
from the village tallies without disagreeing, the office's joint-conference panels appear when
their metrics are registered, and sub-areas drill down keeping the period."""

from datetime import date

import pytest
from django.utils import timezone

from guanai.areas.models import Area
from guanai.dashboards import boards
from guanai.stats import metrics
from guanai.stats.periods import parse_period, period_containing

pytestmark = pytest.mark.django_db
CITY, COUNTY, TOWNSHIP, VILLAGE = "990100000000", "990101000000", "990101001000", "990101001001"


def _this_year():
    return period_containing("year", timezone.localdate())


def test_the_board_says_what_the_home_cards_say(users):
    # The home page shows the role's cards (today's states from the village tallies) above its
    # board: for the running period both must give the same numbers.
    from guanai.core.home import cards_for

    board = boards.build_board(users["county"], Area.objects.get(pk=COUNTY), _this_year())
    on_board = {h.label: h.figure.value for h in board.headlines}
    cards = {c["label"]: c["value"] for c in cards_for(users["county"])}
    pairs = [("在册人员", "在册人员（人）"), ("农村留守儿童", "农村留守儿童（人）"), ("困境儿童", "困境儿童（人）"),
             ("红色风险", "红色风险（人）")]
    for card, headline in pairs:
        assert cards[card] == on_board[headline], card
    assert cards["走访覆盖率"] == f"{on_board['走访覆盖率（%）']}%"


def test_an_area_board_shows_the_metrics(users):
    period = parse_period(f"{timezone.localdate().year}Q{(timezone.localdate().month - 1) // 3 + 1}")
    board = boards.build_board(users["county"], Area.objects.get(pk=COUNTY), period)
    assert board.kind == boards.AREA_BOARD
    shown = {(h.figure.name, tuple(sorted(h.figure.params.items()))): h.figure.value for h in board.headlines}
    for (name, params), value in shown.items():
        assert value == metrics.compute(name, COUNTY, period, **dict(params)), name
    titles = [c.title for c in board.charts]
    assert "近12个月走访慰问（次）" in titles and "风险等级分布（人）" in titles and "各下级区划走访覆盖率（%）" in titles
    assert board.panels == []  # not the office


def test_sub_areas_are_the_children_with_their_own_figures_and_keep_the_period(users):
    period = parse_period(f"{timezone.localdate().year - 1}")
    board = boards.build_board(users["county"], Area.objects.get(pk=COUNTY), period)
    children = list(Area.objects.filter(parent_id=COUNTY).order_by("code"))
    assert [r.area.code for r in board.rows] == [c.code for c in children]
    for row in board.rows:
        assert row.url == f"/stats/area/{row.area.code}/?period={period.key}"
        for column, cell in zip(board.columns, row.cells):
            assert cell.value == metrics.compute(column.name, row.area.code, period, **column.params)
    visits = [c.name for c in board.columns].index("visits")
    assert board.total[visits].value == sum(r.cells[visits].value for r in board.rows)


def test_a_village_board_has_the_workers_figures_and_no_sub_areas(users):
    month = period_containing("month", timezone.localdate())
    board = boards.build_board(users["village"], Area.objects.get(pk=VILLAGE), month)
    assert board.kind == boards.VILLAGE_BOARD and board.rows == [] and "没有下级区划" in board.below_village
    labels = [h.label for h in board.headlines]
    assert labels[:3] == ["逾期未访（人）", "待首访（人）", "近期待访（人）"]
    assert any("走访慰问" in label for label in labels) and "90天内年满16周岁（人）" in labels
    assert all(h.url for h in board.headlines[:4])  # the worker opens the lists behind them
    assert not any(h.url for h in boards.build_board(users["leader"], Area.objects.get(pk=VILLAGE), month).headlines)


def test_the_trend_is_the_twelve_months_ending_with_the_period():
    months = boards.last_twelve_months(parse_period("2026Q1"), date(2026, 11, 30))
    assert [m.key for m in months][0] == "2025-04" and months[-1].key == "2026-03" and len(months) == 12
    months = boards.last_twelve_months(parse_period("2026"), date(2026, 11, 30))
    assert months[-1].key == "2026-11"  # the running year: up to this month


def test_the_office_board_shows_the_conference_panels_from_their_metrics(users):
    period = _this_year()
    board = boards.build_board(users["office"], Area.objects.get(pk=CITY), period)
    panel = next(p for p in board.panels if p.title == "联席会议成员单位报送")
    names = ["unit_reports_due", "unit_reports_submitted", "unit_reports_on_time", "unit_reports_late"]
    expected = [metrics.compute(name, CITY, period) for name in names]
    assert [h.figure.value for h in panel.headlines][:4] == expected and expected[0] > 0
    assert panel.chart.spec()["series"][0]["data"] == expected
    assert panel.url == "/coordination/reports/"


def test_a_panel_appears_only_when_its_metrics_are_registered(users, monkeypatch):
    from guanai.dashboards.tables import table_specs

    for name in ("unit_reports_due", "unit_reports_submitted", "unit_reports_on_time", "unit_reports_late",
                 "unit_reporting_rate", "unit_on_time_rate"):
        monkeypatch.delitem(metrics.METRICS, name)
    board = boards.build_board(users["office"], Area.objects.get(pk=CITY), _this_year())
    assert "联席会议成员单位报送" not in [p.title for p in board.panels]
    assert "unit-reports" not in table_specs()
    monkeypatch.undo()
    assert "unit-reports" in table_specs()


def test_panels_follow_the_registered_metrics(users):
    board = boards.build_board(users["office"], Area.objects.get(pk=CITY), _this_year())
    registered = {title for title, names, _url in boards.OFFICE_PANELS if any(n in metrics.METRICS for n, _l in names)}
    assert {p.title for p in board.panels if p.headlines} == registered
    for panel in board.panels:
        for headline in panel.headlines:
            assert headline.figure.value == metrics.compute(headline.figure.name, CITY, _this_year())
    assert "督导整改" in registered  # supervision is on main: its panel shows


def test_a_board_asks_its_figures_on_the_requests_own_connection(users, settings, monkeypatch,
                                                                outside_a_transaction):
    # A page's prefetch opened a connection per worker thread for every request (a fresh server
    # process each, its caches cold), which cost a province's home page more than its counts did.
    def no_thread(questions):
        raise AssertionError(f"asked on a connection of its own: {questions}")

    monkeypatch.setattr(metrics, "_answer_batch", no_thread)
    settings.GUANAI_METRIC_WORKERS = 2
    with outside_a_transaction():  # as a request outside a transaction (the test's is invisible to others)
        board = boards.build_board(users["office"], Area.objects.get(pk=CITY), _this_year())
    assert all(h.figure.value is not None for h in board.headlines)


def test_the_office_home_reads_kept_visits_and_aid_instead_of_counting_them(client_for):
    # The home's cards called the metric functions directly (this month's visits, this year's aid
    # of the whole city counted from the records at every request); through compute they are the
    # kept monthly figures, as on the dashboard below them, and both ask them once.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("office")
    with CaptureQueriesContext(connection) as asked:
        body = client.get("/").content.decode()
    counted = [q["sql"] for q in asked.captured_queries
               if '"care_visit"' in q["sql"] or '"care_aiditem"' in q["sql"]]
    assert "本月走访（次）" in body and "本年发放慰问金（元）" in body
    assert counted == []


def test_a_rate_of_nothing_is_a_dash_not_zero_percent(users, client_for):
    # A village has no member units: nothing was due, and 报送率 0% read as every unit failing.
    # Such a rate shows "—", as the home's coverage card does; a rate of something stays a number.
    period = _this_year()
    assert metrics.compute("unit_reports_due", VILLAGE, period) == 0
    assert metrics.compute("unit_reporting_rate", VILLAGE, period) == 0.0  # the metric itself: 0
    board = boards.build_board(users["office"], Area.objects.get(pk=VILLAGE), period)
    rates = {h.figure.name: h.figure.value for p in board.panels for h in p.headlines if h.figure.unit == "%"}
    assert rates["unit_reporting_rate"] is None and rates["unit_on_time_rate"] is None
    city = boards.build_board(users["office"], Area.objects.get(pk=CITY), period)
    city_rate = next(h.figure.value for p in city.panels for h in p.headlines if h.figure.name == "unit_reporting_rate")
    assert city_rate == metrics.compute("unit_reporting_rate", CITY, period) > 0
    page = client_for("office").get(f"/stats/area/{VILLAGE}/?period={period.key}").content.decode()
    assert "报送率" in page and "0%" not in page
