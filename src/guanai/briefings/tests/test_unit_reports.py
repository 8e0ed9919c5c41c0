"""The member units in a 工作简报: the rates as facts, the late units by name, excerpts of
approved reports that name their report, and the fact-checker on the rates."""

import pytest

from guanai.areas.models import Area
from guanai.briefings import body as body_mod
from guanai.briefings import render as rendering
from guanai.briefings import services
from guanai.briefings.factcheck import MATCH, MISMATCH, check_text
from guanai.coordination import workflow
from guanai.coordination.tests.conftest import COUNTY, at, submit
from guanai.coordination.tests.conftest import conference, county_office, report_form, units  # noqa: F401 (fixtures)
from guanai.stats.periods import parse_period

pytestmark = pytest.mark.django_db
QUARTER = parse_period("2025Q3")


@pytest.fixture
def briefing(report_form, units, county_office):
    on_time = submit(report_form, units[0], "2025Q3", "2025-10-15 10:00")
    workflow.approve_report(acting_user=county_office, report=on_time, version=on_time.version,
                            at=at("2025-10-16 10:00"))
    submit(report_form, units[1], "2025Q3", "2025-10-24 10:00")  # late, not yet approved
    return services.create_briefing(Area.objects.get(pk=COUNTY), QUARTER, "jianbao", user=county_office)


def _text(briefing):
    return body_mod.plain_text(briefing.body, services.facts_of(briefing))


def test_the_briefing_quotes_the_rates_and_names_the_late_units(briefing):
    text = _text(briefing)
    assert ("2025年第三季度，全县联席会议成员单位应报送工作进展报表3份，已报送2份，报送率66.7%；"
            "按时报送1份，按时报送率33.3%。") in text
    assert "未按时报送的成员单位：西山县教育局（逾期报送）、西山县妇女联合会（未报送）。" in text
    assert "全县成员单位未按时报送的工作进展报表2份" in text
    metrics = set(briefing.facts.values_list("metric", flat=True))
    assert {"unit_reports_due", "unit_reports_submitted", "unit_reporting_rate", "unit_reports_on_time",
            "unit_on_time_rate", "unit_reports_late"} <= metrics


def test_excerpts_come_from_approved_reports_and_name_them(briefing, report_form, units):
    quoted = [b for b in briefing.body if b.get("source")]
    assert len(quoted) == 1  # the approved report only; the one awaiting review is not quoted
    report = units[0].reports.get()
    assert quoted[0]["source"]["id"] == report.pk and "西山县民政局" in quoted[0]["source"]["label"]
    assert body_mod.block_text(quoted[0], {}) == "西山县民政局：组织教师开展家访。"
    html = str(rendering.body_html(rendering.load(briefing)))
    assert f'data-source="unit_report:{report.pk}"' in html
    assert body_mod.sources(briefing.body) == [quoted[0]["source"]]


def test_an_edit_keeps_the_source_and_cannot_forge_one(briefing, county_office):
    html = str(rendering.body_html(rendering.load(briefing), editable=True))
    html = html.replace("组织教师开展家访", "组织教师深入开展家访")
    html += '<p data-source="unit_report:999999">伪造的引用</p>'
    edited = services.save_edit(briefing, user=county_office, body_html=html)
    quoted = [b for b in edited.body if b.get("source")]
    assert len(quoted) == 1 and body_mod.block_text(quoted[0], {}) == "西山县民政局：组织教师深入开展家访。"
    assert any(body_mod.block_text(b, {}) == "伪造的引用" and "source" not in b for b in edited.body)


def test_the_fact_checker_agrees_and_catches_a_changed_rate(briefing):
    text = _text(briefing)
    figures = [f for f in check_text(text, COUNTY, QUARTER) if f.metric.startswith("unit_")]
    assert {f.metric for f in figures} == {"unit_reports_due", "unit_reports_submitted", "unit_reporting_rate",
                                           "unit_reports_on_time", "unit_on_time_rate", "unit_reports_late"}
    assert all(f.status == MATCH for f in figures)
    wrong = text.replace("报送率66.7%", "报送率86.7%").replace("按时报送1份", "按时报送2份")
    flagged = {f.metric: f for f in check_text(wrong, COUNTY, QUARTER) if f.status == MISMATCH}
    assert set(flagged) == {"unit_reporting_rate", "unit_reports_on_time"}
    assert flagged["unit_reporting_rate"].recorded == 66.7 and flagged["unit_reports_on_time"].recorded == 1


def test_the_briefing_page_links_the_quoted_report(briefing, units, county_office, users):
    from django.test import Client

    client = Client()
    client.force_login(county_office)
    page = client.get(f"/briefings/{briefing.pk}/").content.decode()
    report = units[0].reports.get()
    assert "引用的成员单位报表（1份）" in page and f'href="/coordination/reports/{report.pk}/"' in page
