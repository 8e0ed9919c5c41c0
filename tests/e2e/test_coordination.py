"""The joint conference on the demo, as new users would try it: the liaison of 示范市教育局
fills and submits its quarter, the office returns it with a reason, the liaison fixes and
resubmits, the office approves; the office home's rates and late units agree with the report
list, and the next 工作简报 quotes them and checks clean."""

import re

from playwright.sync_api import expect

from guanai.core import clock
from guanai.stats.periods import last_complete_quarter

from .test_login import _login


def _session(browser, live_url, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_url, username)
    page.wait_for_selector("text=工作台")
    return context, page


def _fill(page, label, value):
    page.get_by_label(label, exact=True).fill(value)


def test_a_quarter_reported_returned_fixed_approved_and_briefed(browser, live_url, tmp_path):
    quarter = last_complete_quarter(clock.today())  # the demo leaves 示范市教育局 this quarter to fill

    # The liaison is reminded on the home page, and opens the quarter's report.
    unit_context, unit = _session(browser, live_url, "unit")
    expect(unit.locator("[data-card^='逾期未报：'], [data-card^='待报送：']").first).to_be_visible()
    unit.goto(live_url + "/coordination/reports/")
    # A button when the report is not begun yet; a link when the office has opened a locked quarter again.
    unit.locator(f"tr[data-period='{quarter.key}'] :is(a, button):has-text('填报')").first.click()
    expect(unit.locator("text=系统记录").first).to_be_visible()  # bound indicators are prefilled
    _fill(unit, "帮扶儿童总数（人）", "30")
    _fill(unit, "其中：女童人数（人）", "35")
    _fill(unit, "主要做法", "组织中小学班主任开展留守儿童家访，落实控辍保学。")
    _fill(unit, "存在问题", "个别学校心理健康教师不足。")
    _fill(unit, "下步打算", "开展寒假安全教育。")
    unit.click("button:has-text('保存并报送')")
    expect(unit.locator(".alert-danger")).to_contain_text("其中：女童人数(35) 不应大于 帮扶儿童总数(30)")
    _fill(unit, "其中：女童人数（人）", "14")
    unit.click("button:has-text('保存并报送')")
    expect(unit.locator("[data-report-status]")).to_have_text("已报送")
    report_url = unit.url

    # The office returns it with a reason.
    office_context, office = _session(browser, live_url, "office")
    office.goto(report_url)
    office.click("button:has-text('退回修改')")  # no reason: refused
    expect(office.locator(".alert-danger")).to_contain_text("请填写退回理由")
    office.fill("#return-reason", "请补充本季度送教上门的具体做法。")
    office.click("button:has-text('退回修改')")
    expect(office.locator("[data-report-status]")).to_have_text("退回")

    # The liaison sees the reason, fixes the report and submits it again.
    unit.goto(report_url)
    unit.click("a:has-text('修改后再次报送')")
    expect(unit.locator("[data-return-reason]")).to_contain_text("请补充本季度送教上门的具体做法")
    _fill(unit, "主要做法", "组织中小学班主任开展留守儿童家访，为残疾儿童送教上门，落实控辍保学。")
    unit.click("button:has-text('保存并报送')")
    expect(unit.locator("[data-report-status]")).to_have_text("再次报送")

    # The office approves; the history keeps every step with its reason.
    office.goto(report_url)
    expect(office.locator("text=最近一次修改1处")).to_be_visible()
    office.click("button:has-text('审核通过')")
    expect(office.locator("[data-report-status]")).to_have_text("已审核")
    history = office.inner_text("table:has(th:has-text('操作人'))")
    for words in ("开始填报", "报送", "退回", "请补充本季度送教上门的具体做法", "审核通过"):
        assert words in history
    office.screenshot(path=str(tmp_path / "report-approved.png"), full_page=True)

    # The office home: rates and late units, the same as the report list.
    office.goto(live_url + "/")
    late_card = office.locator("[data-card^='未按时报送（']")
    period_label = re.search(r"（(.+)）", late_card.get_attribute("data-card")).group(1)
    home_rate = office.locator(f"[data-card='成员单位报送率（{period_label}）']").inner_text()
    home_on_time = office.locator(f"[data-card='成员单位按时报送率（{period_label}）']").inner_text()
    home_late = late_card.inner_text()
    home_names = sorted(office.locator(f"[data-card-lines='未按时报送（{period_label}）'] li a").all_inner_texts())
    office.click(f"[data-card='成员单位报送率（{period_label}）']")
    assert office.locator("[data-rate='reporting']").inner_text() == home_rate
    assert office.locator("[data-rate='on_time']").inner_text() == home_on_time
    assert office.locator("[data-rate='late']").inner_text() == home_late
    list_names = sorted(office.locator("tr[data-late='1']").evaluate_all("rows => rows.map(r => r.dataset.unit)"))
    assert list_names == home_names and len(list_names) == int(home_late)
    period_key = office.locator("[data-export-period]").get_attribute("data-export-period")

    # The next 工作简报 quotes them, and the fact-checker agrees.
    office.goto(live_url + "/briefings/new/")
    office.select_option("select[name=area]", "990100000000")
    office.select_option("select[name=period_year]", period_key[:4])  # the period control: year and part
    office.select_option("select[name=period_part]", period_key[4:].lstrip("-"))
    office.click("button:has-text('生成初稿')")
    if office.locator("#confirm-existing").count():
        # The demo published this quarter's briefing already: the page names it and asks first.
        expect(office.locator("[data-published-warning]")).to_be_visible()
        office.check("#confirm-existing")
        office.click("button:has-text('生成初稿')")
    office.click("a:has-text('打开草稿')", timeout=60000)
    office.goto(office.url.replace("/edit/", "/"))
    text = office.inner_text(".paper")
    assert f"报送率{home_rate}" in text and f"按时报送率{home_on_time}" in text
    for name in home_names:
        assert name in text
    office.click("a:has-text('文字核对')")
    rate_rows = office.locator("tr:has(td:has-text('报送率'))")
    expect(rate_rows.first).to_be_visible()
    assert set(rate_rows.evaluate_all("rows => rows.map(r => r.dataset.status)")) == {"match"}
    assert office.locator("tr[data-status='mismatch']").count() == 0
    office.screenshot(path=str(tmp_path / "briefing-check.png"), full_page=True)
    unit_context.close()
    office_context.close()
