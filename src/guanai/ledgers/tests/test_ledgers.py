"""Each ledger as an official gets it: the list's own filters, the user's scope, the title and the
lines offices put above a table, the columns, an audit event; large areas through a background
job with a download link."""

from __future__ import annotations

from datetime import date

import pytest

from guanai.areas.models import Area
from guanai.areas.scoping import area_filter
from guanai.audit.models import AuditEvent
from guanai.care.models import Activity, CareHome, Pairing, Visit
from guanai.protection.models import Case, CaseStep
from guanai.registry.models import ScreeningCampaign, ScreeningReport

from .helpers import fetch

pytestmark = pytest.mark.django_db

TOWNSHIP = "990101001000"
OTHER_TOWNSHIP = "990101002000"
VILLAGE = "990101001001"


def _last_export() -> AuditEvent:
    return AuditEvent.objects.filter(action=AuditEvent.EXPORT).latest("pk")


def _office_lines(ledger, title: str, area_code: str, user_name: str):
    area_name = Area.objects.get(pk=area_code).full_name
    assert ledger.title == f"{area_name}{title}"
    text = " ".join(ledger.lines)
    assert f"区划：{area_name}" in text
    assert "统计期间：" in text and "填报单位：" in text and f"填报人：{user_name}" in text and "制表日期：" in text
    assert ledger.footer == f"合计：共{len(ledger.rows)}条"


def test_visit_ledger_keeps_the_list_filters_and_scope(client_for, users):
    Visit.objects.create(visit_date=date(2026, 8, 3), mode=Visit.HOME, area_id="990101002001",
                         findings="外乡镇走访标记")
    ledger = fetch(client_for("township"), "/care/export/?period=2026Q3&mode=home")
    expected = Visit.objects.filter(area_filter("area", TOWNSHIP), mode=Visit.HOME,
                                    visit_date__gte=date(2026, 7, 1), visit_date__lte=date(2026, 9, 30))
    assert ledger.job is None and len(ledger.rows) == expected.count() > 0
    assert set(ledger.column("走访方式")) == {"入户"}
    assert all("2026-07-01" <= d <= "2026-09-30" for d in ledger.column("走访日期"))
    assert "外乡镇走访标记" not in ledger.column("走访情况")
    assert ledger.header[:5] == ["序号", "走访日期", "所在村（社区）", "走访对象", "走访方式"]
    assert "帮扶物资/资金" in ledger.header and "折合金额（元）" in ledger.header
    _office_lines(ledger, "走访台账", TOWNSHIP, "杨丽")
    assert "统计期间：2026年第三季度（2026-07-01至2026-09-30）" in ledger.lines
    event = _last_export()
    assert event.user == users["township"] and event.object_type == "care.visit"
    assert "走访台账" in event.detail and "2026年第三季度" in event.detail and "方式入户" in event.detail


def test_visit_ledger_of_a_township_asked_by_the_county_names_it(client_for):
    ledger = fetch(client_for("county"), f"/care/export/?area={TOWNSHIP}&period=2026Q3")
    assert ledger.job is None  # a township's ledger is written at once
    _office_lines(ledger, "走访台账", TOWNSHIP, "陈刚")
    expected = Visit.objects.filter(area_filter("area", TOWNSHIP), visit_date__gte=date(2026, 7, 1),
                                    visit_date__lte=date(2026, 9, 30)).count()
    assert len(ledger.rows) == expected > 0


def test_an_area_outside_ones_scope_is_a_404(client_for):
    assert client_for("township").get(f"/care/export/?area={OTHER_TOWNSHIP}").status_code == 404
    assert client_for("township").get(f"/care/?area={OTHER_TOWNSHIP}").status_code == 404


def test_a_county_wide_ledger_runs_as_a_job_with_progress_and_a_download_link(client_for, users):
    before = AuditEvent.objects.filter(action=AuditEvent.EXPORT).count()
    ledger = fetch(client_for("county"), "/care/export/?period=2026")
    assert ledger.job is not None and ledger.job.percent == 100
    assert ledger.job.result["rows"] == len(ledger.rows)
    expected = Visit.objects.filter(area_filter("area", "990101000000"), visit_date__year=2026).count()
    assert len(ledger.rows) == expected > 0
    assert AuditEvent.objects.filter(action=AuditEvent.EXPORT).count() == before + 1
    # Someone else's export is not theirs to download.
    assert client_for("township").get(ledger.job.result["url"]).status_code == 404


def test_activity_ledger(client_for, users):
    ledger = fetch(client_for("township"), "/care/activities/export/?period=2026")
    expected = Activity.objects.filter(area_filter("area", TOWNSHIP), held_on__year=2026)
    assert len(ledger.rows) == expected.count() > 0
    assert set(ledger.column("活动名称")) == set(expected.values_list("title", flat=True))
    kind = expected.first().kind
    filtered = fetch(client_for("township"), f"/care/activities/export/?period=2026&kind={kind}")
    assert len(filtered.rows) == expected.filter(kind=kind).count()
    assert ledger.header[:4] == ["序号", "活动日期", "活动名称", "活动类型"]
    _office_lines(ledger, "关爱活动台账", TOWNSHIP, "杨丽")
    assert _last_export().object_type == "care.activity"


def test_pairing_ledger(client_for):
    ledger = fetch(client_for("village"), "/care/pairings/export/?show=all")
    expected = Pairing.objects.filter(area_id=VILLAGE)
    assert len(ledger.rows) == expected.count() > 0
    assert set(ledger.column("帮扶对象")) == set(expected.values_list("person__name", flat=True))
    first = expected.first()
    named = fetch(client_for("village"), f"/care/pairings/export/?show=all&q={first.helper.name}")
    assert set(named.column("帮扶人")) == {first.helper.name}
    assert ledger.header[:3] == ["序号", "帮扶人", "帮扶人类型"]
    assert "结对帮扶台账" in ledger.title and _last_export().object_type == "care.pairing"


def test_care_home_ledger_with_inspections(client_for):
    ledger = fetch(client_for("township"), "/care/homes/export/")
    expected = CareHome.objects.filter(area_filter("area", TOWNSHIP))
    assert sorted(ledger.column("名称")) == sorted(expected.values_list("name", flat=True))
    assert "最近检查日期" in ledger.header and "达标项数" in ledger.header
    inspected = [row for row in ledger.rows if row["检查次数"]]
    assert all(row["最近检查日期"] and row["检查项数"] for row in inspected)
    outside = CareHome.objects.exclude(area_filter("area", TOWNSHIP)).values_list("name", flat=True)
    assert not set(ledger.column("名称")) & (set(outside) - set(expected.values_list("name", flat=True)))
    assert _last_export().object_type == "care.carehome"


def test_case_ledger_has_a_row_per_step(client_for):
    ledger = fetch(client_for("township"), "/protection/export/?show=all")
    cases = Case.objects.filter(area_filter("area", TOWNSHIP))
    steps = CaseStep.objects.filter(case__in=cases).count()
    assert cases.exists() and len(ledger.rows) == steps
    assert set(ledger.column("案件编号")) == set(cases.values_list("number", flat=True))
    closed = fetch(client_for("township"), "/protection/export/?show=closed")
    assert set(closed.column("案件编号")) == set(cases.filter(status=Case.CLOSED).values_list("number", flat=True))
    assert {"处置环节", "办理时限", "完成时间", "是否逾期", "处置情况"} <= set(ledger.header)
    assert "强制报告案件处置台账" in ledger.title and _last_export().object_type == "protection.case"


def test_screening_progress_ledger(client_for):
    campaign = ScreeningCampaign.objects.get(area_id="990100000000")
    ledger = fetch(client_for("township"), f"/persons/screening/{campaign.pk}/export/")
    villages = ledger.column("村（社区）代码")
    assert villages and all(code.startswith("990101001") for code in villages)
    reported = set(ScreeningReport.objects.filter(campaign=campaign, village__in=villages).values_list(
        "village_id", flat=True))
    assert {row["村（社区）代码"] for row in ledger.rows if row["上报情况"] == "已上报"} == reported
    assert ledger.header[:6] == ["序号", "乡镇（街道）", "村（社区）", "村（社区）代码", "上报情况", "排查户数"]
    assert "排查进度台账" in ledger.title and _last_export().object_type == "registry.screeningcampaign"


def test_the_screening_ledger_of_a_drilled_down_area_holds_that_areas_villages(client_for):
    """The page drilled down to a township exports that township's villages, not the whole round;
    an area outside the user's part of the round is a 404, as on the page."""
    campaign = ScreeningCampaign.objects.get(area_id="990100000000")
    client = client_for("county")
    page = client.get(f"/persons/screening/{campaign.pk}/?area={TOWNSHIP}").content.decode()
    assert f"/persons/screening/{campaign.pk}/export/?area={TOWNSHIP}" in page
    ledger = fetch(client, f"/persons/screening/{campaign.pk}/export/?area={TOWNSHIP}")
    expected = set(Area.objects.filter(parent_id=TOWNSHIP).values_list("code", flat=True))
    assert expected and set(ledger.column("村（社区）代码")) == expected
    whole = fetch(client, f"/persons/screening/{campaign.pk}/export/")
    assert len(whole.rows) > len(ledger.rows)
    assert client.get(f"/persons/screening/{campaign.pk}/export/?area=990102000000").status_code == 404


@pytest.mark.parametrize("url", ["/care/", "/care/activities/", "/care/pairings/", "/care/homes/", "/protection/",
                                 "/persons/?q=", "/persons/screening/1/"])
def test_each_list_page_has_print_and_export_buttons(client_for, url):
    html = client_for("township").get(url).content.decode()
    assert "data-print" in html and "导出台账" in html and "data-export" in html


def test_the_person_lists_export_follows_the_filters_changed_in_place(client_for):
    html = client_for("village").get("/persons/?category=left_behind_child", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="person-tools"' in html and 'hx-swap-oob="true"' in html
    assert "/persons/export/?category=left_behind_child" in html
    assert "full_id=1" in html  # a village worker may export full ID numbers (audited)
    assert "full_id=1" not in client_for("township").get("/persons/guardianship/").content.decode()
