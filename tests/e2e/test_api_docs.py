"""The API's Swagger UI runs from the project's own static files under the CSP, and its
"Try it out" reaches the API with the page's session."""

from guanai.ops.testing import DEMO_PASSWORD


def test_api_docs_render_without_csp_violations(browser, live_url):
    page = browser.new_page()
    problems, outside = [], []
    page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("request", lambda request: not request.url.startswith(live_url) and not request.url.startswith("data:")
            and outside.append(request.url))
    page.goto(live_url + "/api/v1/docs/")
    page.wait_for_url("**/accounts/login/**")  # a page of the site: log in first
    page.fill("input[name=username]", "county")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_url + "/api/v1/docs/")
    page.wait_for_selector("text=关爱平台接口", timeout=20000)
    page.wait_for_selector("text=/api/v1/visits/", timeout=20000)
    assert outside == []  # no CDN
    assert [p for p in problems if "Content Security Policy" in p or "CSP" in p or "eval" in p] == []
    # The site's session reaches the API (the docs page's requests carry it).
    response = page.request.get(live_url + "/api/v1/persons/?page_size=2")
    assert response.status == 200 and len(response.json()["results"]) == 2
    page.close()
