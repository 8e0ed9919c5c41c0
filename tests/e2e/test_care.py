"""Care and protection on a phone: a volunteer records a visit with aid in a few taps;
a village worker files a mandatory report."""

from playwright.sync_api import expect

from .test_login import _login


def test_volunteer_records_a_visit_with_aid_on_a_phone(browser, live_url, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_url, "volunteer")
    page.wait_for_selector("text=志愿者/爱心家长工作台")
    page.goto(live_url + "/care/visits/create/")
    # The volunteer's paired recipients are offered at once (htmx), one tap chooses.
    first = page.locator("#recipient-results button").first
    expect(first).to_be_visible()
    name = first.get_attribute("data-name")
    first.click()
    expect(page.locator("form strong").first).to_have_text(name)
    assert page.input_value("#id_next_visit_on") != ""  # prefilled by the follow-up rule
    page.click("label[for=mode-phone]")
    page.fill("#id_findings", "电话了解，孩子近期学习认真")
    # Issue 15.12: risk levels and cash are the staff's; a volunteer is offered goods only.
    expect(page.locator("text=+ 慰问金")).to_have_count(0)
    expect(page.locator("input[name=risk_level]")).to_have_count(0)
    page.click("text=+ 物资")
    expect(page.locator("select[name=aid_kind] option[value=cash]")).to_have_count(0)
    page.fill("input[name=aid_description] >> nth=0", "大米")
    page.dispatch_event("input[name=aid_description] >> nth=0", "change")
    expect(page.locator("input[name=aid_unit] >> nth=0")).to_have_value("袋")  # the usual unit filled in
    page.fill("input[name=aid_quantity] >> nth=0", "2")
    page.fill("input[name=aid_value] >> nth=0", "120")
    page.screenshot(path=str(tmp_path / "visit-phone.png"), full_page=True)
    with page.expect_request(lambda r: r.method == "POST" and "/care/visits/create/" in r.url) as sent:
        page.click("main button[type=submit]")
    # The form's one-time token rides in the address too (site.js), where nginx sees it: a POST it
    # may re-send to another web process if the first dies before answering (saved once all the same).
    assert "form_token=" in sent.value.url
    page.wait_for_selector("text=已保存对")
    body = page.inner_text("main")
    assert "电话" in body and "大米" in body and "120" in body
    context.close()


def test_village_worker_records_cash_and_a_risk_level_on_a_phone(browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_url, "village")
    page.wait_for_selector("text=儿童主任/网格员工作台")
    page.goto(live_url + "/persons/")
    person = page.locator("[data-person]").first.get_attribute("data-person")
    page.goto(live_url + f"/care/visits/create/?person={person}")
    page.click("label[for=risk-yellow]")
    page.click("text=+ 慰问金")
    page.fill("input[name=aid_value] >> nth=0", "500")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已保存对")
    body = page.inner_text("main")
    assert "慰问金" in body and "500" in body
    context.close()


def test_a_negative_quantity_is_named_and_the_rows_come_back(browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_url, "volunteer")
    page.wait_for_selector("text=志愿者/爱心家长工作台")
    page.goto(live_url + "/care/visits/create/")
    page.locator("#recipient-results button").first.click()
    page.click("text=+ 物资")
    page.fill("input[name=aid_description]", "棉被")
    page.fill("input[name=aid_quantity]", "-1")
    page.fill("input[name=aid_unit]", "床")
    page.fill("input[name=aid_value]", "200")
    page.click("main button[type=submit]")
    page.wait_for_selector(".alert-danger")
    assert "第1项救助（棉被）：数量不能为负数" in page.inner_text(".alert-danger")
    expect(page.locator("input[name=aid_description]")).to_have_value("棉被")
    context.close()


def test_village_worker_files_a_mandatory_report_on_a_phone(browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_url, "village")
    page.wait_for_selector("text=儿童主任/网格员工作台")
    page.goto(live_url + "/protection/report/")
    page.click("label[for=id_situation_2]")  # 无人监护
    page.fill("#id_child_name", "测试儿童")
    page.fill("#id_child_age", "8")
    page.fill("#id_description", "父母外出，祖母住院，孩子独自在家")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=强制报告已提交")
    assert "应急处置" in page.inner_text("main") and "24小时内" in page.inner_text("main")
    context.close()
