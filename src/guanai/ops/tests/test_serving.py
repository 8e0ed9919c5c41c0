"""`guanai serve` as an installation runs it: debug off, bounded requests, a supervisor
that brings a dead process back and stops everything on SIGTERM.

HEAVY_REQUESTS lists requests that push a server to its limits; each runs against a
server with small limits and must get an answer (a page, or the Chinese 503) while the
server goes on answering afterwards. Add the heavy requests of new features here.
"""

import os
import signal

import pytest

pytestmark = pytest.mark.django_db(transaction=False)

# (who, method, path, form data): the demo's published briefing as a PDF renders charts
# and fonts for seconds and needs about 200 MB more than an idle server.
HEAVY_REQUESTS = [
    ("office", "GET", "/briefings/1/export/pdf/", None),
]
SMALL_LIMITS = {"GUANAI_REQUEST_TIMEOUT": "1"}
# A server that also answers requests of known cost (/_test/slow/, /_test/hungry/): whether
# the PDF runs past one second or 60 MB depends on the machine, and a fast one renders it
# within both.
WITH_KNOWN_COSTS = {"DJANGO_SETTINGS_MODULE": "guanai.ops.tests.limited_server"}


def _resident_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _logged_in(demo_server, server, who):
    """A browser logged in on the unlimited demo server, pointed at ``server`` (the
    session is in the database; the login's Argon2 does not count against small limits)."""
    browser = demo_server.session(who)
    browser.base_url = server.url
    return browser


def _send(browser, method, path, data):
    return browser.post(path, data) if method == "POST" else browser.get(path)


def _still_serving(server, browser, same_process=None):
    """Later requests are answered (by the same web process, when one is given)."""
    if same_process is not None:
        assert server.children[0] == same_process, "the web process died and was restarted"
    # A light page of a logged-in user: the home page's dashboard may itself run past the
    # one-second limit of SMALL_LIMITS on a machine loaded by other work.
    status, body = browser.get("/accounts/password/")
    assert status == 200 and "关爱" in body and "修改密码" in body
    assert server.session().get("/healthz")[0] == 200


def test_serve_is_an_installation_not_a_debug_server(demo_server):
    server = demo_server
    anonymous = server.session()
    status, body = anonymous.get("/no-such-page/")
    assert status == 404 and "页面或记录不存在" in body
    assert "DEBUG" not in body and "Page not found" not in body and "urlpatterns" not in body
    # A volunteer opening a visit of a person not paired with them: the same Chinese 404.
    volunteer = server.session("volunteer")
    status, body = volunteer.get("/care/visits/999999/")
    assert status == 404 and "页面或记录不存在" in body and "Raised by" not in body
    # Static files are served without debug, by the same process.
    status, _body, headers = anonymous.request("/static/vendor/htmx.min.js")
    assert status == 200 and "javascript" in headers["Content-Type"]


def test_request_over_time_limit_gets_chinese_503_and_server_lives_on(guanai_server, demo_server):
    server = guanai_server(**SMALL_LIMITS, **WITH_KNOWN_COSTS)
    office = _logged_in(demo_server, server, "office")
    web_pid = server.children[0]
    status, body = office.get("/_test/slow/")
    assert status == 503 and "处理时间超过了上限（1 秒）" in body and "半成品" not in body
    _still_serving(server, office, same_process=web_pid)


def test_request_over_memory_ceiling_gets_chinese_503_and_server_lives_on(guanai_server, demo_server):
    # The ceiling sits 60 MB above what this server needs idle (measured, so the test
    # does not depend on how big the code has grown); the request grows to 2 GB.
    # Afterwards the process may hand over to a fresh one (memory kept by the allocator):
    # either way every later request is answered.
    # Idle is measured on a fresh server that has served one page, as the limited one will
    # have: the shared demo server has served the whole suite and holds more.
    office = demo_server.session("office")
    probe = guanai_server(GUANAI_REQUEST_TIMEOUT="0", **WITH_KNOWN_COSTS)
    office.base_url = probe.url
    office.get("/")
    idle = _resident_mb(probe.children[0])
    probe.stop()
    server = guanai_server(GUANAI_SERVE_MEMORY_MB=str(int(idle + 60)), GUANAI_REQUEST_TIMEOUT="0",
                           **WITH_KNOWN_COSTS)
    office.base_url = server.url
    status, body = office.get("/_test/hungry/")
    assert status == 503 and "内存超过了服务器为单个请求设定的上限" in body, server.log.read_text()[-3000:]
    _still_serving(server, office)


@pytest.mark.parametrize("who,method,path,data", HEAVY_REQUESTS)
def test_heavy_request_under_small_limits_is_answered_and_server_lives_on(guanai_server, demo_server,
                                                                         who, method, path, data):
    server = guanai_server(**SMALL_LIMITS)
    browser = _logged_in(demo_server, server, who)
    status, body = _send(browser, method, path, data)
    assert status in (200, 302, 503), body[:500]
    _still_serving(server, browser)


def test_sigterm_stops_server_and_worker_with_no_orphans(guanai_server):
    server = guanai_server()
    children = server.children
    assert len(children) == 2  # the web server and the task worker
    server.stop()
    # It exited by itself (not killed) and took its children with it.
    assert server.process.returncode == 0
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_killed_web_process_comes_back_by_itself(guanai_server, demo_server):
    server = guanai_server()
    browser = _logged_in(demo_server, server, "village")
    old = server.children[0]
    os.kill(old, signal.SIGKILL)
    # The supervisor keeps the socket: this request waits for the new process.
    status, _body = browser.get("/", timeout=60)
    assert status == 200
    assert server.children[0] != old
