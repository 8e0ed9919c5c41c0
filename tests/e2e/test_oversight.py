"""Supervision and assessment in the browser, on the demo: an overdue rectification item of
示范市教育局 shows on the home page of its reporter (`unit`) and of the office; the unit
reports progress; the office sees last year's assessment rank the units; a project's
progress chart has its numbers beside it."""

import re

from playwright.sync_api import expect

from .test_login import _login

OVERDUE_PROBLEM = "部分学校未建立留守儿童成长档案"


def test_the_units_overdue_item_is_on_its_home_and_it_reports_progress(browser, live_url, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_url, "unit")
    page.wait_for_selector("text=成员单位联络员工作台")
    items = page.locator('[data-card-lines="本单位逾期整改事项"]')
    expect(items).to_contain_text(f"示范市教育局：{OVERDUE_PROBLEM}")
    expect(items).to_contain_text(re.compile(r"逾期2[01]天"))  # 20 days before the demo's day
    page.screenshot(path=str(tmp_path / "unit-home.png"), full_page=True)
    items.locator("a").first.click()
    expect(page.locator("[data-problem]")).to_have_text(OVERDUE_PROBLEM)
    expect(page.locator('[data-status="overdue"]').first).to_have_text("逾期")
    page.click("label[for=id_status_1]")  # 整改中
    page.fill("#id_progress_note", "已组织各校补建成长档案，完成过半。")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=已保存整改情况")
    expect(page.locator("main")).to_contain_text("已组织各校补建成长档案")
    expect(page.locator('[data-status="overdue"]').first).to_have_text("逾期")  # in progress, still late
    context.close()


def test_the_office_sees_the_overdue_items_and_the_ranking(browser, live_url, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_url, "office")
    page.wait_for_selector("text=领导小组办公室工作台")
    overdue = page.locator('[data-card-lines="逾期整改事项"]')
    expect(overdue).to_contain_text(OVERDUE_PROBLEM)
    expect(overdue).to_contain_text("城关镇：留守儿童委托监护协议签订不全")
    page.goto(live_url + "/coordination/assessment/")
    page.click("text=年度成员单位关爱服务工作考核")
    ranking = page.locator("[data-ranking] tbody tr")
    expect(ranking).to_have_count(10)
    ranks = [int(r) for r in ranking.evaluate_all("rows => rows.map(r => r.dataset.rank)")]
    assert ranks == sorted(ranks) and ranks[0] == 1
    totals = ranking.evaluate_all("rows => rows.map(r => parseFloat(r.lastElementChild.innerText))")
    assert totals == sorted(totals, reverse=True)
    page.screenshot(path=str(tmp_path / "ranking.png"), full_page=True)
    page.goto(live_url + "/coordination/projects/")
    expect(page.locator("[data-behind]")).to_contain_text("圈舍改建项目")
    page.click("[data-projects] >> text=圈舍改建项目")
    expect(page.locator("[data-sentence]")).to_contain_text(
        "计划改建圈舍160户480间，目前改建69户207间，其中完成47户、在建22户")
    expect(page.locator("#progress-chart canvas")).to_have_count(1)  # ECharts drew it
    expect(page.locator("[data-series] tbody tr")).to_have_count(3)
    page.screenshot(path=str(tmp_path / "project.png"), full_page=True)
    page.close()
