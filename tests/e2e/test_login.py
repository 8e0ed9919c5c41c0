from guanai.core.demo import DEMO_PASSWORD


def _login(page, live_url, username, password=DEMO_PASSWORD):
    page.goto(live_url + "/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_village_worker_logs_in_on_a_phone_and_sees_home(browser, live_url, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_url, "village")
    page.wait_for_selector("text=儿童主任/网格员工作台")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator('[data-card="村/社区级区划"]').inner_text() == "1"
    # The navigation collapses behind a toggler on a phone and opens on tap.
    page.click(".navbar-toggler")
    page.wait_for_selector("text=行政区划", state="visible")
    page.screenshot(path=str(tmp_path / "home-phone.png"))
    context.close()


def test_wrong_password_shows_chinese_message(browser, live_url):
    page = browser.new_page()
    _login(page, live_url, "township", "not-the-password")
    assert page.locator(".alert-danger").inner_text().strip().startswith("用户名或密码错误")
    page.close()


def test_area_import_shows_progress_to_done(browser, live_url, tmp_path):
    page = browser.new_page()
    _login(page, live_url, "admin")
    page.wait_for_selector("text=系统管理员工作台")
    page.goto(live_url + "/areas/import/")
    sample = tmp_path / "区划.csv"
    sample.write_text("代码,名称\n990101001090,新建村\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(sample))
    page.click("main button[type=submit]")
    # The worker started by `guanai serve` picks the job up; the page polls until done.
    page.wait_for_selector("[data-status=done]", timeout=30000)
    assert "新增 1" in page.inner_text("#job-progress").replace("\n", " ")
    page.close()
