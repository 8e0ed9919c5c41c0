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
