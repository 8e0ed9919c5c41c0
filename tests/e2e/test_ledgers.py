"""Ledgers and printing as a county official and a village worker use them (issue 14 points 3
and 4, and its "Done when": a county official prints the visit ledger of a township for a
quarter, every visit of it, and exports the national aggregate table, whose checks pass)."""

import re
import subprocess
import unicodedata

import openpyxl
from playwright.sync_api import expect

from .test_login import _login

TOWNSHIP = "990101001000"


def _pdf_text(path, page=None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(path), "-"]
    # The PDF's font maps some characters to radicals (⼉ for 儿): compare their NFKC forms.
    return unicodedata.normalize("NFKC", subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def _pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_a_county_official_prints_a_townships_visit_ledger_and_exports_the_national_table(
        browser, live_url, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    # The print dialog, counted instead of opened (a headless browser has none to wait on).
    context.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page = context.new_page()
    _login(page, live_url, "county")
    page.wait_for_selector("[data-board]")

    # The visit list of one township for the third quarter, picked from the lists.
    page.goto(live_url + "/care/")
    page.select_option("select[name=area]", TOWNSHIP)
    page.select_option("select[name=period_year]", "2026")
    page.select_option("select[name=period_part]", "Q3")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"period_part=Q3"))
    expect(page.locator("[data-count]")).to_contain_text("2026年第三季度（2026-07-01至2026-09-30）")
    township = page.locator("select[name=area] option:checked").inner_text()
    count = int(re.search(r"共 (\d+) 次", page.locator("[data-count]").inner_text()).group(1))
    assert count > page.locator("tr[data-visit]").count()  # more visits than the page shows

    # 打印 opens the list's print view, every visit on one page, and the print dialog once.
    page.click("[data-print-link]")
    page.wait_for_url(re.compile(rf"area={TOWNSHIP}&period_year=2026&period_part=Q3.*print=1"))
    page.wait_for_function("window.__printed === 1")
    expect(page.locator("[data-print-view]")).to_be_visible()
    expect(page.locator("tr[data-visit]")).to_have_count(count)
    expect(page.locator("[data-count]")).to_contain_text(f"共 {count} 次")
    expect(page.locator("[data-print-notice]")).to_have_count(0)  # the quarter fits a printout
    last = page.locator("tr[data-visit]").last.locator("td")
    last = [last.nth(0).inner_text(), last.nth(1).inner_text()]  # its date and its recipient

    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("[data-list-tools]")).to_be_hidden()
    expect(page.locator("[data-print-view]")).to_be_hidden()
    expect(page.locator("main form")).to_be_hidden()
    line = page.locator("[data-print-line]")
    expect(line).to_be_visible()
    assert re.search(r"区域：示范省示范市东城区\S*镇　期间：2026年第三季度（2026-07-01至2026-09-30）　打印人：陈刚",
                     line.inner_text()), line.inner_text()
    assert page.locator("main table thead").evaluate("el => getComputedStyle(el).display") == "table-header-group"
    pdf = tmp_path / "visits.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    pages = _pages(pdf)
    assert pages >= 3  # the whole quarter, its header printed again on every page
    first, second, end = _pdf_text(pdf, 1), _pdf_text(pdf, 2), _pdf_text(pdf, pages)
    assert "走访记录" in first and "打印人:陈刚" in first.replace(" ", "")
    assert "走访对象" in first and "走访对象" in second and "走访对象" in end
    assert re.search(r"第 1 \S,共 \d+ \S", first) and re.search(r"第 2 \S,共 \d+ \S", second)
    assert "返回列表" not in first and "打印视图" not in first
    assert all("".join(cell.split()) in "".join(end.split()) for cell in last)  # the quarter's first visit, last
    assert "退出" not in first and "改密码" not in first  # no navigation
    page.emulate_media(media="screen")

    # 返回列表: the list as it was filtered, paged again, no print dialog.
    page.click("[data-back-to-list]")
    page.wait_for_url(re.compile(r"period_part=Q3(?!.*print=1)"))
    expect(page.locator("tr[data-visit]")).to_have_count(50)
    assert page.evaluate("window.__printed") == 0

    # The same records as a ledger file: the township's, for the quarter.
    with page.expect_download() as download:
        page.click("[data-export]")
    path = tmp_path / "visits.xlsx"
    download.value.save_as(str(path))
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0].endswith("镇走访台账") and township[-3:] in rows[0][0]
    assert rows[1][1] == "统计期间：2026年第三季度（2026-07-01至2026-09-30）"
    assert rows[2][0].startswith("填报单位：") and rows[2][1] == "填报人：陈刚"
    assert rows[-1][0] == f"合计：共{count}条"

    # The national aggregate table of the county, whose checks pass, exported as offices send it.
    page.goto(live_url + "/stats/tables/")
    page.click("[data-table=left-behind-children]")
    page.wait_for_selector("[data-stats-table]")
    expect(page.locator("[data-checks]")).to_have_attribute("data-checks", "ok")
    with page.expect_download() as download:
        page.click("[data-export]")
    path = tmp_path / "national.xlsx"
    download.value.save_as(str(path))
    lines = [" ".join(str(c) for c in row if c is not None)
             for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    assert lines[0] == "示范省示范市东城区农村留守儿童信息统计表"
    assert "勾稽关系校验：全部成立" in lines and any(line.startswith("填报单位：东城区") for line in lines)
    context.close()


def test_a_persons_file_prints_with_household_risks_visits_and_cases(browser, live_url, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _login(page, live_url, "village")
    page.wait_for_selector("[data-board]")
    page.goto(live_url + "/persons/?category=left_behind_child")
    page.locator("[data-person] a").first.click()
    name = page.locator("h1").inner_text().split()[0]
    page.click("[data-person-file]")
    expect(page.locator("[data-file-title]")).to_have_text(f"{name}的档案")
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    buttons = page.locator("main .btn")
    assert all(not buttons.nth(i).is_visible() for i in range(buttons.count()))
    for section in ("household", "assessments", "visits", "cases"):
        expect(page.locator(f"[data-section={section}]")).to_be_visible()
    pdf = tmp_path / "file.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    text = _pdf_text(pdf)
    for heading in ("的档案", "家庭户", "风险评估记录", "走访记录", "保护个案", "打印人"):
        assert heading in text, heading
    page.close()
