"""Dashboards, the period control, statistics tables and printing, as officials use them
(issue 14 points 1, 2 and 4; issue 15 point 4)."""

import re
import unicodedata

import openpyxl
from playwright.sync_api import expect

from .test_login import _login

from guanai.core import clock

CHART_DATA = """el => {
  const chart = echarts.getInstanceByDom(el);
  const option = chart.getOption();
  return {title: option.title[0].text, series: option.series.map(s => s.type === 'pie'
          ? s.data.map(d => d.value) : s.data.map(v => (v !== null && typeof v === 'object') ? v.value : v))};
}"""


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _charts_match_tables(page) -> int:
    page.wait_for_selector("[data-chart] canvas")
    boxes = page.locator("[data-chart-box]")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        drawn = box.locator("[data-chart]").evaluate(CHART_DATA)
        table = box.locator("[data-chart-table]")
        assert table.locator("caption").inner_text() == drawn["title"]
        rows = table.locator("tbody tr")
        for r in range(rows.count()):
            cells = [_numbers(rows.nth(r).locator("td").nth(c).inner_text())[0]
                     for c in range(rows.nth(r).locator("td").count())]
            assert cells == [float(series[r]) for series in drawn["series"]], (drawn["title"], r)
    return boxes.count()


def test_each_roles_home_has_charts_that_match_their_tables(browser, live_url):
    for username, expected in (("village", "待访情况（人）"), ("township", "风险等级分布（人）"),
                               ("county", "各下级区划走访覆盖率（%）"), ("leader", "近12个月走访慰问（次）"),
                               ("office", "在册关爱服务对象构成（人）")):
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        _login(page, live_url, username)
        page.wait_for_selector("[data-board]")
        assert _charts_match_tables(page) >= 2, username
        expect(page.locator("[data-chart-table] caption", has_text=expected)).to_have_count(1)
        # The numbers are there for screen readers, and on the screen at a tap.
        button = page.locator("[data-toggle-table]").first
        button.click()
        expect(page.locator("[data-chart-table]").first).to_be_visible()
        # Every chart can be saved as a picture (the toolbox's saveAsImage).
        assert page.locator("[data-chart]").first.evaluate(
            "el => !!echarts.getInstanceByDom(el).getOption().toolbox[0].feature.saveAsImage")
        page.close()


def test_the_period_is_picked_from_the_control_and_kept_on_drilling_down(browser, live_url):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _login(page, live_url, "county")
    page.wait_for_selector("[data-board]")
    page.goto(live_url + "/stats/")
    last_year = clock.today().year - 1
    page.select_option("select[name=period_year]", str(last_year))
    page.select_option("select[name=period_part]", "Q3")
    page.click("form.period-form button[type=submit]")
    expect(page.locator("#board-title")).to_have_text(f"东城区 · {last_year}年第三季度")
    page.click("[data-sub-areas] tbody tr >> nth=0 >> a")
    expect(page.locator("#board-title")).to_contain_text(f"{last_year}年第三季度")
    assert f"period={last_year}Q3" in page.url
    assert page.input_value("select[name=period_part]") == "Q3"
    page.click("[data-shortcut=本月]")
    today = clock.today()
    expect(page.locator("#board-title")).to_contain_text(f"{today.year}年{today.month}月")
    # The same control on the briefing compose form, and a period as officials write it in a link.
    page.goto(live_url + "/briefings/new/")
    expect(page.locator("select[name=period_part] option", has_text="上半年")).to_have_count(1)
    page.goto(live_url + f"/stats/?period={last_year}年上半年")
    expect(page.locator("#board-title")).to_contain_text(f"{last_year}年上半年")
    page.close()


def test_dashboards_work_on_a_phone(browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_url, "township")
    page.wait_for_selector("[data-board]")
    page.goto(live_url + "/stats/")
    page.wait_for_selector("[data-chart] canvas")
    # Nothing wider than the phone but the sub-area table, which scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    height = page.locator("[data-chart]").first.evaluate("el => el.getBoundingClientRect().height")
    assert height >= 200
    # The national table (forty columns) scrolled to its right end: each row's area is still in view.
    page.goto(live_url + "/stats/tables/left-behind-children/990101001000/")
    wrap = page.locator(".stats-table-wrap")
    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert wrap.evaluate("el => el.scrollLeft") > 300
    for cell in (page.locator("tbody th[scope=row]").first, page.locator("thead .area-column").first):
        left = cell.evaluate("el => el.getBoundingClientRect().left")
        assert 0 <= left < 40, left
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_a_county_official_prints_and_exports_the_national_table(browser, live_url, tmp_path):
    from pypdf import PdfReader

    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    _login(page, live_url, "county")
    page.wait_for_selector("[data-board]")
    page.goto(live_url + "/stats/tables/")
    page.click("[data-table=left-behind-children]")
    page.wait_for_selector("[data-stats-table]")
    expect(page.locator("[data-checks]")).to_have_attribute("data-checks", "ok")
    title = page.locator("[data-table-title]").inner_text()
    assert title == "示范省示范市东城区农村留守儿童信息统计表"

    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("[data-export]")).to_be_hidden()
    line = page.locator("[data-print-line]")
    expect(line).to_be_visible()
    assert re.search(r"区域：示范省示范市东城区　期间：\d{4}年　打印人：", line.inner_text())
    assert page.locator("[data-stats-table] thead").evaluate("el => getComputedStyle(el).display") == "table-header-group"
    pdf = tmp_path / "table.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    reader = PdfReader(str(pdf))
    first = reader.pages[0]
    assert float(first.mediabox.width) > float(first.mediabox.height)  # A4 landscape for a wide table
    # The PDF's font maps some characters to radicals (⼉ for 儿, ⻚ for 页): compare their NFKC forms.
    text = unicodedata.normalize("NFKC", first.extract_text())
    assert re.search(r"第 1 \S,共 \d+ \S", text), text[:80]  # the page number at the foot
    assert "农村留守儿童信息统计表" in text and "勾稽关系校验" in text
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.click("[data-export]")
    path = tmp_path / "national.xlsx"
    download.value.save_as(str(path))
    sheet = openpyxl.load_workbook(path).active
    lines = [" ".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True)]
    assert lines[0] == title
    assert "勾稽关系校验：全部成立" in lines and any(line.startswith("填报单位：东城区") for line in lines)
    context.close()


def test_lists_a_file_a_visit_and_a_case_print_cleanly(browser, live_url):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _login(page, live_url, "village")
    page.wait_for_selector("[data-board]")
    urls = []
    for list_url, link in (("/persons/", "[data-person] a"), ("/care/", "[data-visit] a"),
                           ("/protection/?show=all", "[data-case] a")):
        page.goto(live_url + list_url)
        urls += [list_url, page.locator(link).first.get_attribute("href")]  # the list, and a record of it
    page.emulate_media(media="print")
    for url in urls:
        page.goto(live_url + url)
        expect(page.locator("nav.navbar")).to_be_hidden()
        expect(page.locator("[data-print-line]")).to_be_visible()
        assert "打印人：" in page.locator("[data-print-line]").inner_text()
        buttons = page.locator("main .btn")
        assert all(not buttons.nth(i).is_visible() for i in range(buttons.count())), url
        if page.locator("main table thead").count():
            assert page.locator("main table thead").first.evaluate(
                "el => getComputedStyle(el).display") == "table-header-group"
        pdf = page.pdf(prefer_css_page_size=True)
        assert pdf[:4] == b"%PDF"
    page.close()
