"""The pages work under the site's Content-Security-Policy: no script is refused and no
expression needs eval (Alpine's CSP build)."""

from guanai.ops.testing import DEMO_PASSWORD

PAGES = ["/", "/care/visits/create/", "/care/activities/create/", "/protection/report/", "/persons/"]


def test_pages_run_without_csp_violations(browser, live_url):
    page = browser.new_page()
    problems = []
    page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=username]", "village")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_url + "/")
    for path in PAGES:
        response = page.goto(live_url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # Alpine drew the visit form's aid rows: its expressions ran without eval.
    page.goto(live_url + "/care/visits/create/")
    page.click("text=+ 慰问金")
    assert page.locator("input[name=aid_value]").count() == 1
    page.click("button[aria-label=删除此项]")
    assert page.locator("input[name=aid_value]").count() == 0
    assert [p for p in problems if "Content Security Policy" in p or "Alpine" in p or "CSP" in p] == []
    page.close()
