"""The pages as their users use them: a liaison fills and submits, the office returns and
approves; lists, home cards, the workbook and the Word document agree with the metrics."""

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanai.coordination import cards, metrics, schedule, workflow
from guanai.coordination.models import UnitReport
from guanai.core.demo import CITY_CODE
from guanai.stats.metrics import compute
from guanai.textproc.numbers import format_percent

from .conftest import COUNTY, at, filled, submit

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _period(report_form):
    """A quarter whose entry is open today: the running one (entry opens with the period)."""
    return schedule.period_containing("quarter", timezone.localdate())


def test_a_liaison_fills_submits_and_the_office_returns_and_approves(report_form, units, county_office):
    unit = units[1]
    liaison, office = _client(unit.liaison), _client(county_office)
    period = _period(report_form)
    response = liaison.post(reverse("coordination:report_start", args=[report_form.pk, period.key]))
    report = UnitReport.objects.get(unit=unit, period_key=period.key)
    assert response.url == reverse("coordination:report_edit", args=[report.pk])
    edit = reverse("coordination:report_edit", args=[report.pk])
    page = liaison.get(edit).content.decode()
    assert "儿童总数（人）" in page and "系统记录：0" in page  # the bound indicator, prefilled

    def post(action, **overrides):
        values, narrative = filled(report_form, **overrides)
        data = {f"ind_{k}": v for k, v in values.items()} | {f"sec_{k}": v for k, v in narrative.items()}
        report.refresh_from_db()
        return liaison.post(edit, data | {"version": report.version, "action": action})

    page = post("save", total="三十").content.decode()
    assert "“儿童总数”应填写数字" in page
    page = post("submit", girls="35").content.decode()
    assert "其中：女童人数(35) 不应大于 儿童总数(30)" in page and "尚不能报送" in page
    response = post("submit")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == UnitReport.SUBMITTED

    detail = reverse("coordination:report_detail", args=[report.pk])
    office.post(reverse("coordination:report_return", args=[report.pk]), {"version": report.version, "reason": ""})
    report.refresh_from_db()
    assert report.status == UnitReport.SUBMITTED  # no reason: refused
    office.post(reverse("coordination:report_return", args=[report.pk]),
                {"version": report.version, "reason": "请补充存在问题"})
    report.refresh_from_db()
    assert report.status == UnitReport.RETURNED
    assert "退回理由：请补充存在问题" in liaison.get(edit).content.decode()
    post("submit", total="31")
    report.refresh_from_db()
    assert report.status == UnitReport.RESUBMITTED and report.changes_since_submission == 1
    stale = report.version - 1
    response = office.post(reverse("coordination:report_approve", args=[report.pk]), {"version": stale}, follow=True)
    assert "已被他人修改或处理" in response.content.decode()
    office.post(reverse("coordination:report_approve", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.status == UnitReport.APPROVED
    page = office.get(detail).content.decode()
    assert "请补充存在问题" in page and "儿童总数（30 → 31）" in page and "审核通过" in page
    assert liaison.get(edit).status_code == 302  # locked: back to the detail page


def test_a_liaison_does_not_reach_another_units_report(report_form, units):
    report = submit(report_form, units[0], "2025Q3", "2025-10-10 10:00")
    assert _client(units[1].liaison).get(reverse("coordination:report_detail", args=[report.pk])).status_code == 404
    assert _client(units[1].liaison).get(reverse("coordination:report_edit", args=[report.pk])).status_code == 404


def test_the_office_list_agrees_with_the_metrics(report_form, units, county_office):
    submit(report_form, units[0], "2025Q3", "2025-10-21 23:59:59")
    submit(report_form, units[1], "2025Q3", "2025-10-22 00:00:00")
    page = _client(county_office).get(reverse("coordination:report_list") + "?period=2025Q3").content.decode()
    assert 'data-rate="due">3<' in page and 'data-rate="late">2<' in page
    assert 'data-rate="reporting">66.7%<' in page and 'data-rate="on_time">33.3%<' in page
    assert page.count('data-late="1"') == 2
    late = _client(county_office).get(reverse("coordination:report_list") + "?period=2025Q3&show=late").content.decode()
    assert "西山县民政局" not in late and "西山县教育局" in late and "西山县妇女联合会" in late


def test_the_city_office_sees_the_counties_rolled_up(report_form, units, users):
    page = _client(users["office"]).get(reverse("coordination:report_list") + "?period=2025Q3").content.decode()
    assert "下级汇总" in page and "西山县" in page
    assert f'data-rate="due">{compute("unit_reports_due", CITY_CODE, "2025Q3")}<' in page


def test_office_home_lists_the_late_units_and_the_rates(users):
    home = _client(users["office"]).get("/").content.decode()
    period = schedule.latest_due_period(CITY_CODE)
    assert f"成员单位报送率（{period.label}）" in home
    assert format_percent(compute("unit_reporting_rate", CITY_CODE, period)) in home
    for row in metrics.late_reports(CITY_CODE, period):
        assert row.unit.name in home
    assert f'data-card="未按时报送（{period.label}）">{compute("unit_reports_late", CITY_CODE, period)}<' in home


def test_a_unit_is_reminded_before_the_deadline_and_from_the_day_after(report_form, units):
    liaison = units[1].liaison
    due = schedule.deadline(report_form, schedule.parse_period("2025Q3"))  # 21 October 2025
    before = cards.reminders(liaison, date(2025, 10, 9))
    assert [(r["period"].key, r["late"], r["workdays_left"]) for r in before] == [("2025Q3", False, 9)]  # 10, 11 (调休), 13–17, 20, 21 October
    assert cards.reminders(liaison, date(2025, 9, 30)) == []  # the quarter is not over yet
    after = cards.reminders(liaison, due + timedelta(days=1))
    assert [(r["period"].key, r["late"], r["workdays_late"]) for r in after] == [("2025Q3", True, 1)]
    submit(report_form, units[1], "2025Q3", "2025-10-23 10:00")
    assert cards.reminders(liaison, due + timedelta(days=3)) == []


def test_the_unit_home_shows_its_reminder(users):
    page = _client(users["unit"]).get("/").content.decode()
    owed = cards.reminders(users["unit"], timezone.localdate())
    assert owed  # the demo leaves 示范市教育局 a report to fill
    assert ("逾期未报" if owed[0]["late"] else "待报送") in page


def test_the_period_workbook_has_a_row_per_unit_and_the_rates(report_form, units, county_office):
    from openpyxl import load_workbook

    submit(report_form, units[0], "2025Q3", "2025-10-10 10:00", total="40")
    response = _client(county_office).get(reverse("coordination:report_export") + "?period=2025Q3")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = book["报送情况"]
    rates = {row[0]: row[1] for row in summary.iter_rows(min_row=5, max_col=2, values_only=True) if row[0]}
    assert rates["成员单位应报送报表"] == 3 and rates["成员单位报送率"] == compute("unit_reporting_rate", COUNTY,
                                                                                    "2025Q3")
    sheet = book[report_form.name]
    header = [c.value for c in sheet[1]]
    assert "儿童总数（人）" in header and "主要做法" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == [u.name for u in units]
    assert rows[0][header.index("儿童总数（人）")] == 40 and rows[1][header.index("儿童总数（人）")] is None


def test_the_period_workbook_of_a_refused_period_is_no_workbook_of_another(report_form, county_office):
    client = _client(county_office)
    response = client.get(reverse("coordination:report_export") + "?period=2099Q1")
    assert response.status_code == 302
    assert response["Location"] == reverse("coordination:report_list") + "?period=2099Q1"
    page = client.get(response["Location"]).content.decode()
    assert "成员单位报送情况未导出：" in page and "尚未开始" in page


def test_a_report_as_word_document(report_form, units, county_office):
    from docx import Document

    report = submit(report_form, units[0], "2025Q3", "2025-10-10 10:00")
    response = _client(county_office).get(reverse("coordination:report_docx", args=[report.pk]))
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "西山县民政局2025年第三季度关爱服务工作情况报告" in text and "西山县民政局：" in text
    assert "二、主要做法" in text and "组织教师开展家访。" in text
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert ["儿童总数", "30", "人"] in cells and ["是否召开专题会议", "是", ""] in cells
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.5)


def test_conference_pages_for_the_office(conference, units, county_office, users):
    office = _client(county_office)
    page = office.get(reverse("coordination:conference_detail", args=[conference.pk])).content.decode()
    assert "西山县教育局" in page and "增加成员单位" in page
    response = office.post(reverse("coordination:duties_edit", args=[conference.pk]) + f"?unit={units[1].pk}",
                           {"year": 2026, "kind": "responsibility", "unit": units[1].pk,
                            "items": "1.落实控辍保学\n2.开展心理健康教育"})
    assert response.status_code == 302
    assert list(units[1].duties.values_list("text", flat=True)) == ["落实控辍保学", "开展心理健康教育"]
    # The city office reads the county's conference but does not maintain it.
    city = _client(users["office"])
    assert city.get(reverse("coordination:conference_detail", args=[conference.pk])).status_code == 200
    assert city.get(reverse("coordination:conference_edit", args=[conference.pk])).status_code == 404


def test_a_deadline_on_a_holiday_is_named_on_the_form(report_form, county_office):
    response = _client(county_office).post(reverse("coordination:deadline_set", args=[report_form.pk]),
                                           {"period_key": "2026Q3", "due_on": "2026-10-01", "reason": "延期"})
    assert "截止日期2026年10月1日是国庆节，不是工作日，请选择工作日" in response.content.decode()


def test_the_import_page_runs_the_importer(county_office, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["成员单位", "职责分工"])
    book.active.append(["西山县民政局", "牵头做好关爱服务"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("units.xlsx", buffer.getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(county_office).post(reverse("coordination:import"), {"file": upload, "area": COUNTY})
    job_page = _client(county_office).get(response.url).content.decode()
    assert "导入完成" in job_page
    assert county_office.area.conference.units.get().duties.get().text == "牵头做好关爱服务"


def test_the_office_cards_ask_for_the_due_reports_once(users, django_assert_max_num_queries):
    # The rates, the late count and the late list rest on one list (stats.metrics.remembered).
    with django_assert_max_num_queries(10):
        found = cards.coordination_cards(users["office"])
    assert len(found) == 4
