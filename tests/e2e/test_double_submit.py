"""A double tap saves once: five identical visit posts sent at the same moment to the real
server (several threads, its own database) save one visit and one set of aid."""

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request
import uuid

from guanai.core import clock
from guanai.core.demo import DEMO_PASSWORD


class _Session:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={
            "X-CSRFToken": self.csrf(), "Referer": self.base + path})
        with self.opener.open(request, timeout=60) as response:
            return response.status, response.geturl()


def _logged_in(live_url: str, username: str) -> _Session:
    session = _Session(live_url)
    session.get("/accounts/login/")
    session.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD,
                                      "csrfmiddlewaretoken": session.csrf()})
    return session


def test_five_identical_visit_posts_at_once_save_one_visit(live_url):
    session = _logged_in(live_url, "volunteer")
    recipients = session.get("/care/recipients/")
    person_id = re.search(r'data-id="(\d+)"', recipients).group(1)
    before = session.get(f"/care/?q=&from={clock.today().isoformat()}").count("data-visit=")
    form = session.get(f"/care/visits/create/?person={person_id}")
    found = re.search(r'name="form_token" value="([0-9a-f]+)"', form)
    assert found, "the visit form carries a one-time token"
    token = found.group(1)
    marker = f"双击检测{uuid.uuid4().hex[:6]}"
    data = {"csrfmiddlewaretoken": session.csrf(), "form_token": token, "person": person_id,
            "visit_date": clock.today().isoformat(), "mode": "home", "findings": marker,
            "aid_kind": ["goods"], "aid_description": ["大米"], "aid_quantity": ["1"], "aid_unit": ["袋"],
            "aid_value": ["300"]}
    landed, errors = [], []
    gate = threading.Barrier(5)

    def send():
        try:
            gate.wait()
            landed.append(session.post("/care/visits/create/", data))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Every tap lands on the one saved visit.
    targets = {url for _status, url in landed}
    assert len(targets) == 1 and re.search(r"/care/visits/\d+/$", targets.pop())
    after = session.get(f"/care/?q=&from={clock.today().isoformat()}").count("data-visit=")
    assert after == before + 1
