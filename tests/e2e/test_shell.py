"""The site's frame as an official meets it: the navigation bar on a desk and a phone,
and lists that read as cards on a phone."""

import pytest
from playwright.sync_api import expect

from .test_login import _login

DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# Every top-level entry's box, its line height and paddings: a label on two lines is
# about twice as tall as its line.
_NAV_BOXES = """() => [...document.querySelectorAll('.site-nav .navbar-nav > .nav-item > .nav-link')].map((a) => {
  const box = a.getBoundingClientRect(); const style = getComputedStyle(a);
  return {text: a.innerText, top: box.top, height: box.height,
          line: parseFloat(style.lineHeight) + parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)};
})"""


def _logged_in(browser, live_url, username, viewport):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE)
    page = context.new_page()
    _login(page, live_url, username)
    page.wait_for_selector("text=工作台")
    page.wait_for_function("() => window.bootstrap !== undefined")  # the menus' script is deferred
    return context, page


@pytest.mark.parametrize("username", ["admin", "office", "county", "village"])
def test_the_bar_keeps_every_label_on_one_line_on_a_desk(browser, live_url, username):
    context, page = _logged_in(browser, live_url, username, DESK)
    boxes = page.evaluate(_NAV_BOXES)
    assert len(boxes) >= 5
    for box in boxes:
        assert box["height"] < 1.5 * box["line"], f"{username}: “{box['text']}” wraps ({box['height']}px)"
    # One row: every entry at the same height, and the bar no taller than one entry and its margins.
    assert max(b["top"] for b in boxes) - min(b["top"] for b in boxes) < 4, boxes
    bar = page.locator(".site-nav").bounding_box()
    assert bar["height"] < 2 * max(b["line"] for b in boxes)
    # A menu opens on a click and leads to its page.
    page.click(".site-nav [data-menu=简报与档案] > .dropdown-toggle" if username != "village"
               else ".site-nav [data-menu=人员] > .dropdown-toggle")
    entry = page.locator(".site-nav .dropdown-menu.show .dropdown-item").first
    expect(entry).to_be_visible()
    href = entry.get_attribute("href")
    entry.click()
    page.wait_for_url(live_url + href)
    context.close()


def test_the_menu_is_one_tap_away_on_a_phone(browser, live_url):
    context, page = _logged_in(browser, live_url, "village", PHONE)
    expect(page.locator("#mainnav")).not_to_be_visible()
    page.click(".navbar-toggler")
    toggle = page.locator(".site-nav [data-menu=走访关爱] > .dropdown-toggle")
    expect(toggle).to_be_visible()
    toggle.click()
    link = page.locator(".site-nav [data-menu=走访关爱] .dropdown-item", has_text="待访提醒")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(live_url + "/care/due/")
    expect(page.locator("h1")).to_contain_text("待访提醒")
    context.close()


# Each list and the column whose cell names the row.
LISTS = ["/persons/", "/protection/?show=all", "/care/pairings/?show=all", "/care/", "/care/due/"]

_CELLS = """() => {
  const cells = [...document.querySelectorAll('main table td')].filter((td) => td.offsetParent !== null && td.innerText.trim());
  return {scroll: document.documentElement.scrollWidth, width: window.innerWidth, rows: document.querySelectorAll('main table tbody tr').length,
          narrow: cells.filter((td) => td.getBoundingClientRect().width < 120).map((td) => td.innerText.trim().slice(0, 20))};
}"""


@pytest.mark.parametrize("path", LISTS)
def test_lists_read_as_cards_on_a_phone(browser, live_url, path):
    context, page = _logged_in(browser, live_url, "county", PHONE)
    page.goto(live_url + path)
    found = page.evaluate(_CELLS)
    assert found["rows"] >= 1
    assert found["narrow"] == [], f"{path}: cells squeezed into narrow columns: {found['narrow']}"
    assert found["scroll"] <= found["width"], f"{path}: the page is wider than the phone"
    # The county's lists span several townships: a village is shown with its township.
    if path != "/protection/?show=all":
        expect(page.locator("main table .place-parent").first).to_be_visible()
    context.close()


def test_ending_a_pairing_is_behind_a_tap(browser, live_url):
    context, page = _logged_in(browser, live_url, "village", PHONE)
    page.goto(live_url + "/care/pairings/")
    row = page.locator("tr[data-pairing]").first
    expect(row.locator("input[name=reason]")).not_to_be_visible()
    row.locator("summary", has_text="结束结对").click()
    expect(row.locator("input[name=reason]")).to_be_visible()
    context.close()


def test_the_visit_form_offers_no_change_button_before_a_recipient_is_chosen(browser, live_url):
    # Bootstrap's d-flex is !important: x-show must be too, or 更换 shows beside nothing.
    context, page = _logged_in(browser, live_url, "village", PHONE)
    page.goto(live_url + "/care/visits/create/")
    expect(page.locator("#recipient-q")).to_be_visible()
    expect(page.locator("main button", has_text="更换")).not_to_be_visible()
    context.close()
