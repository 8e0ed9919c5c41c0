"""Statistics tables: every cell is the metric's figure for its row's area, the total row is
checked against its rows (records of the area itself shown as 本级), the national table's
cross-column checks pass on a coherent registry and name the rows where they do not, and the
xlsx export carries what offices put on a table."""

import io
import re

import openpyxl
import pytest
from django.utils import timezone

from guanai.areas.models import Area
from guanai.audit.models import AuditEvent
from guanai.dashboards import tables
from guanai.registry import services as registry
from guanai.stats.metrics import compute
from guanai.stats.periods import parse_period, period_containing

pytestmark = pytest.mark.django_db
CITY, COUNTY, TOWNSHIP, VILLAGE = "990100000000", "990101000000", "990101001000", "990101001001"


def _year():
    return period_containing("year", timezone.localdate())


def _built(slug, code, period=None):
    return tables.build(tables.table_specs()[slug], Area.objects.get(pk=code), period or _year())


@pytest.mark.parametrize("slug", ["registry", "left-behind-children", "children-in-difficulty", "care", "activities",
                                  "protection", "unit-reports"])
def test_cells_are_the_metrics_and_the_totals_add_up(slug):
    table = _built(slug, COUNTY)
    spec = table.spec
    assert [r.area.code for r in table.rows if r.kind == "child"] == list(
        Area.objects.filter(parent_id=COUNTY).order_by("code").values_list("code", flat=True))
    def expected(column, cells, code):
        # A rate of nothing (its whole column 0: no report due) is "—", the rest compute()'s.
        if column.rate_of and cells[column.rate_of[1] - 1] == 0:
            return None
        return compute(column.metric, code, _year(), **column.params)

    for row in table.rows:
        if row.kind == "child":
            for column, value in zip(spec.columns, row.cells):
                assert value == expected(column, row.cells, row.area.code), (row.label, column.label)
    for column, value in zip(spec.columns, table.total.cells):
        assert value == expected(column, table.total.cells, COUNTY)
    sums = table.checks[0]
    assert sums.text.startswith("合计 = 各下级之和") and sums.ok


def test_the_demo_registry_passes_the_national_checks():
    for slug in ("left-behind-children", "children-in-difficulty"):
        table = _built(slug, CITY)
        assert table.ok, [(c.text, c.failures) for c in table.checks if not c.ok]
        assert len(table.checks) >= 10


def test_a_child_missing_from_the_age_bands_fails_the_check_in_its_rows():
    registry.create_person(user=None, area_code=VILLAGE, data={"name": "无生日童", "sex": "男"},
                           categories=["left_behind_child"])
    table = _built("left-behind-children", COUNTY)
    ages = next(c for c in table.checks if c.text == "1 = 2 + 3 + 4")
    assert [label for label, _l, _r in ages.failures] == ["城关镇", "合计"]
    label, left, right = ages.failures[0]
    assert left == right + 1
    assert next(r for r in table.rows if r.label == "城关镇").failed and table.total.failed and not table.ok


def test_an_activity_of_the_county_itself_is_shown_as_its_own_row(users):
    from guanai.care import services as care

    care.create_activity(user=users["county"], title="县级宣传日", kind="publicity", held_on=timezone.localdate(),
                         area_code=COUNTY, participants_count=300)
    table = _built("activities", COUNTY)
    own = next(r for r in table.rows if r.kind == "own")
    assert own.label == "东城区本级" and own.cells[0] == 1 and own.cells[1] == 300
    assert table.total.cells[0] == sum(r.cells[0] for r in table.rows) and table.checks[0].ok


def test_a_rate_total_is_built_from_the_summed_parts():
    table = _built("care", COUNTY)
    due, in_time, rate = (table.spec.columns.index(next(c for c in table.spec.columns if c.metric == m))
                          for m in ("persons_due_visit", "persons_visited_in_time", "visit_coverage"))
    assert table.total.cells[rate] == round(100 * table.total.cells[in_time] / table.total.cells[due], 1)
    assert all(r.cells[rate] is None for r in table.rows if r.kind == "own")


def test_the_table_page_shows_checks_and_the_period(client_for):
    last = parse_period(f"{timezone.localdate().year - 1}年上半年")
    body = client_for("county").get(f"/stats/tables/left-behind-children/{COUNTY}/?period={last.key}").content.decode()
    assert "示范省示范市东城区农村留守儿童信息统计表" in body and last.label in body
    assert 'data-checks="ok"' in body and "勾稽关系校验" in body and "计量单位：人" in body
    assert f"/stats/tables/left-behind-children/{TOWNSHIP}/?period={last.key}" in body  # rows drill down


def test_the_xlsx_export_is_formatted_as_offices_send_it(client_for, users):
    client = client_for("county")
    page = client.get(f"/stats/tables/left-behind-children/{COUNTY}/").content.decode()
    total_row = re.search(r'<tr data-row="total".*?</tr>', page, re.S).group(0)
    shown = [int(v) for v in re.findall(r'<td class="text-end">(\d+)</td>', total_row)]
    response = client.get(f"/stats/tables/left-behind-children/{COUNTY}/xlsx/?filler=东城区民政局")
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in rows)
    assert rows[0][0] == "示范省示范市东城区农村留守儿童信息统计表"
    assert f"统计期间：{_year().label}" in text and "计量单位：人" in text
    assert "填报单位：东城区民政局" in text and "制表日期：" in text and "填报人：" in text
    assert "勾稽关系校验：全部成立" in text and "1 = 2 + 3 + 4" in text
    numbers = next(row for row in rows if row[0] == "甲")
    assert list(numbers[1:4]) == [1, 2, 3]
    total = next(row for row in rows if row[0] == "合计")
    assert [int(v) for v in total[1:]] == shown
    assert sheet.print_title_rows and sheet.page_setup.orientation == "landscape"
    event = AuditEvent.objects.filter(action=AuditEvent.EXPORT, user=users["county"]).latest("pk")
    assert event.object_repr == "农村留守儿童信息统计表" and COUNTY in event.detail


NOBODY = "没有在册人员：所选期间早于最早的建档记录"


@pytest.mark.parametrize("slug", ["registry", "left-behind-children", "care", "activities", "protection"])
def test_a_table_of_a_period_before_any_records_says_so_as_the_dashboard_does(slug):
    before = _built(slug, COUNTY, parse_period("2020"))
    assert NOBODY in before.nobody_registered and "2020年末" in before.nobody_registered
    assert not _built(slug, COUNTY).nobody_registered  # a period with persons on file: no notice


def test_the_table_page_and_its_xlsx_of_such_a_period_say_so(client_for):
    client = client_for("county")
    for slug in ("left-behind-children", "registry"):
        page = client.get(f"/stats/tables/{slug}/{COUNTY}/?period=2020").content.decode()
        assert NOBODY in page, slug
        dashboard = client.get("/stats/?period=2020").content.decode()
        assert f"东城区在2020年末{NOBODY}" in dashboard and f"东城区在2020年末{NOBODY}" in page  # the same words
    response = client.get(f"/stats/tables/left-behind-children/{COUNTY}/xlsx/?period=2020")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    text = "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    assert NOBODY in text
    assert NOBODY not in client.get(f"/stats/tables/left-behind-children/{COUNTY}/").content.decode()


@pytest.mark.parametrize("period,reason", [("2099", "尚未开始"), ("abc", "无法识别的期间“abc”")])
def test_the_xlsx_of_a_refused_period_is_no_file_of_another_period(client_for, period, reason):
    client = client_for("county")
    exports = AuditEvent.objects.filter(action=AuditEvent.EXPORT).count()
    response = client.get(f"/stats/tables/left-behind-children/{COUNTY}/xlsx/?period={period}&filler=东城区民政局")
    assert response.status_code == 302 and "xlsx" not in response["Location"]
    assert response["Location"].startswith(f"/stats/tables/left-behind-children/{COUNTY}/?")
    assert f"period={period}" in response["Location"] and "filler=" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "农村留守儿童信息统计表未导出：" in page and reason in page
    assert AuditEvent.objects.filter(action=AuditEvent.EXPORT).count() == exports
