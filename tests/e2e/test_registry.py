from playwright.sync_api import expect

from .test_login import _login


def test_village_worker_files_a_child_on_a_phone_and_finds_her_by_pinyin(browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_url, "village")
    page.wait_for_selector("text=儿童主任/网格员工作台")
    page.goto(live_url + "/persons/create/")
    page.fill("#id_name", "欧阳小雨")
    page.select_option("#id_sex", "女")
    page.fill("#id_birth_date", "2015-03-01")
    page.check("input[name=categories][value=left_behind_child]")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('欧阳小雨')")
    # Live search by initials from the list, on the phone.
    page.goto(live_url + "/persons/")
    page.fill("input[name=q]", "oyxy")
    rows = page.locator("#person-rows tr[data-person]")
    expect(rows).to_have_count(1)  # htmx replaced the list as the worker typed
    expect(rows.first).to_contain_text("欧阳小雨")
    assert "q=oyxy" in page.url  # the search is in the address, so back and reload keep it
    context.close()


def test_wrong_id_number_is_named_in_chinese_and_nothing_saved(browser, live_url):
    page = browser.new_page()
    _login(page, live_url, "village")
    page.wait_for_selector("text=儿童主任/网格员工作台")
    page.goto(live_url + "/persons/create/")
    page.fill("#id_name", "错号测试")
    page.fill("#id_id_number", "110105194912310021")
    page.check("input[name=categories][value=solitary_elder]")
    page.click("main button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    assert "校验位" in page.inner_text("main")
    page.goto(live_url + "/persons/?q=错号测试")
    assert "没有符合条件的人员" in page.inner_text("#person-rows")
    page.close()


def test_the_import_bar_moves_while_20000_rows_are_written(browser, live_url, tmp_path):
    """The committing import holds one transaction for all its rows; its progress is written
    where the job page reads it at once, so the bar moves before the end. The demo server
    pauses after each 2,000-row batch (a test hook, root conftest): on a fast machine 20,000
    rows are written between two polls of the page, and the test would see nothing move."""
    import csv
    import time

    from openpyxl import Workbook

    from guanai.ops.testing import persons_csv

    source = persons_csv(tmp_path / "twenty-thousand.csv", 20_000, ["990101002002"], seed=17)
    # As offices send it: a workbook (whose row count the importer knows, so the bar has a total).
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    with source.open(encoding="utf-8") as rows:
        for row in csv.reader(rows):
            sheet.append(row)
    path = tmp_path / "twenty-thousand.xlsx"
    book.save(path)
    page = browser.new_page()
    _login(page, live_url, "admin")
    page.wait_for_selector("nav")
    page.goto(live_url + "/persons/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("main button[type=submit]")
    page.wait_for_selector("button:has-text('确认导入')", timeout=300_000)
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=第二步：写入")

    seen = []
    deadline = time.monotonic() + 600  # a bound on the wait, not an assertion on speed
    while time.monotonic() < deadline:
        if page.locator("[data-status=done], [data-status=failed]").count():
            break
        text = page.locator("#import-progress .progress-bar").inner_text(timeout=10_000)
        value = int(text.rstrip("%") or 0)
        if 0 < value < 100 and value not in seen:
            seen.append(value)
        page.wait_for_timeout(200)
    expect(page.locator("[data-status=done]")).to_have_count(1)
    assert len(seen) >= 2, seen  # at least two different values shown before the end
    assert seen == sorted(seen)
    expect(page.locator("[data-testid=created-link]")).to_contain_text("20000")
    page.close()


def test_village_worker_builds_a_household_with_the_grandmother_as_guardian(browser, live_url):
    """Issue 15.6 on a phone: a household whose head is an adult not in care, the grandmother
    (not on file) added and chosen as the child's guardian, the registered child as a member."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_url, "village")
    page.wait_for_selector("text=儿童主任/网格员工作台")
    page.goto(live_url + "/persons/create/")
    page.fill("#id_name", "何小禾")
    page.fill("#id_birth_date", "2016-05-01")
    page.check("input[name=categories][value=left_behind_child]")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('何小禾')")
    child_url = page.url
    # From the child's page: a new household in the child's village, its head the father away for work.
    page.click("a:has-text('新建家庭户')")
    page.fill("#id_name", "何建军")
    page.select_option("#id_relation", "father")
    page.fill("#id_id_number", "110105196805120035")
    page.fill("#id_phone", "13800138000")
    page.check("#id_away_for_work")
    page.fill("#id_away_place", "广东省东莞市")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('何建军户')")
    expect(page.locator("#household-head")).to_contain_text("外出务工（广东省东莞市）")
    expect(page.locator("#household-head")).not_to_contain_text("110105196805120035")
    # The grandmother, not on file, as a member.
    page.click("a:has-text('添加家庭成员')")
    page.fill("#id_name", "何奶奶")
    page.select_option("#id_relation", "grandparent")
    page.fill("#id_phone", "13912345678")
    page.click("main button[type=submit]")
    expect(page.locator("#members-not-in-care")).to_contain_text("何奶奶")
    # The registered child joins, then gets the grandmother as guardian.
    page.locator("#id_add-person").select_option(label="何小禾")
    page.select_option("#id_add-relation_to_head", "child")
    page.click("button:has-text('加入')")
    expect(page.locator("#members-in-care")).to_contain_text("何小禾")
    page.click("#members-in-care a:has-text('设置监护人')")
    page.get_by_label("何奶奶（祖父母）").check()
    page.select_option("#id_relation", "grandparent")
    page.get_by_label("父母双方外出").check()
    page.click("main button[type=submit]")
    expect(page.locator("#members-in-care")).to_contain_text("监护人：何奶奶（祖父母，父母双方外出）")
    # And the child's page says so.
    page.goto(child_url)
    expect(page.locator("#person-household")).to_have_text("何建军户")
    expect(page.locator("#person-guardian")).to_contain_text("何奶奶")
    expect(page.locator("#person-guardian")).to_contain_text("父母双方外出")
    page.screenshot(path="/tmp/hux-child-household.png", full_page=True)
    context.close()
