"""Real `guanai serve` processes for tests: the browser tests, the limits tests and
anything else that needs the server as users get it (debug off, limits, supervisor).

    home = demo_home(tmp_path)                      # migrated SQLite with the small demo
    with served(home, GUANAI_REQUEST_TIMEOUT="1", GUANAI_SERVE_MEMORY_MB="400") as server:
        browser = server.session("office")           # logged in through the login form
        status, body = browser.get("/briefings/1/export/pdf/")

``served(home, **env)`` starts `guanai serve` with the environment variables given
(any of README's configuration table) and stops it (SIGTERM) at the end; the root
conftest offers it as the fixtures ``demo_home`` and ``guanai_server``.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from guanai.core import clock

DEMO_PASSWORD = "demo-guanai-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def home_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANAI_") and k != "DATABASE_URL"}
    env.update(GUANAI_HOME=str(home), DATABASE_URL=f"sqlite:///{home / 'served.sqlite3'}")
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextlib.contextmanager
def scratch_database(home: Path, name: str = "scratch"):
    """A fresh, empty database of the kind the test suite runs on (PostgreSQL when the
    suite's DATABASE_URL names one: a new database beside it, dropped at the end; else a
    SQLite file under ``home``). Yields its URL."""
    import psycopg

    suite = os.environ.get("DATABASE_URL", "")
    if not suite.startswith("postgres"):
        yield f"sqlite:///{home / (name + '.sqlite3')}"
        return
    parts = urllib.parse.urlsplit(suite)
    database = f"{parts.path.lstrip('/')}_{name}_{os.getpid()}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        yield parts._replace(path=f"/{database}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    """Rows of one query on the database at ``url`` (outside Django: the test's own
    connection is bound to the test database)."""
    if url.startswith("sqlite"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)) as conn:
            rows = conn.execute(query.replace("%s", "?"), params).fetchall()
            conn.commit()  # a write is kept, as on PostgreSQL (autocommit)
            return rows
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []  # a write returns no rows


def persons_csv(path: Path, rows: int, villages: list[str], seed: int = 1) -> Path:
    """A person list as offices send them: ``rows`` valid, distinct left-behind children
    (distinct across seeds too)."""
    import csv
    import random
    from datetime import date

    from guanai.textproc.idcard import check_digit

    rng = random.Random(seed)
    # One region per seed, so lists made with different seeds never share an ID number.
    region = ["110105", "320102", "510104", "440106", "330106", "420102", "370102", "610113",
              "210102", "350102", "430102", "500103", "120101"][seed % 13]
    seen = set()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "性别", "出生日期", "身份证号", "村（社区）代码", "人员类别"])
        while len(seen) < rows:
            born = date(clock.today().year - rng.randint(5, 14), rng.randint(1, 12), rng.randint(1, 28))
            first17 = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
            if first17 in seen:
                continue
            seen.add(first17)
            writer.writerow([rng.choice("王李张刘陈") + rng.choice("伟芳娜敏静丽强") + rng.choice("明华英"),
                             "男" if int(first17[-1]) % 2 else "女", born.isoformat(),
                             first17 + check_digit(first17), rng.choice(villages), "农村留守儿童"])
    return path


def guanai(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "guanai.cli", *args], env=home_env(home, **env),
                          check=True, capture_output=True, text=True)


def demo_home(home: Path) -> Path:
    """A GUANAI_HOME with a migrated SQLite database holding the small demo."""
    home.mkdir(parents=True, exist_ok=True)
    guanai(home, "migrate", "--noinput")
    guanai(home, "demo", "--if-empty")
    return home


class Browser:
    """A cookie-keeping HTTP client that never follows redirects (tests look at them)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies),
                                                  self._NoRedirect)

    def request(self, path: str, data: dict | bytes | None = None, timeout: float = 60,
                headers: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        req = urllib.request.Request(self.base_url + path, data=body, headers=headers or {})
        if body is not None:
            req.add_header("Referer", self.base_url + path)
            token = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
            req.add_header("X-CSRFToken", token)
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)

    def get(self, path: str, **kwargs) -> tuple[int, str]:
        status, body, _headers = self.request(path, **kwargs)
        return status, body

    def post(self, path: str, data: dict, **kwargs) -> tuple[int, str]:
        status, body, _headers = self.request(path, data=data, **kwargs)
        return status, body

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        _status, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _body = self.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": username,
                                                       "password": password})
        if status != 302:
            raise AssertionError(f"login as {username} failed ({status})")


class Server:
    def __init__(self, process: subprocess.Popen, url: str, log: Path):
        self.process, self.url, self.log = process, url, log

    @property
    def children(self) -> list[int]:
        """PIDs of the web server and worker processes under the supervisor."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def session(self, username: str | None = None) -> Browser:
        browser = Browser(self.url)
        if username:
            browser.login(username)
        return browser

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"guanai serve exited: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"guanai serve did not answer: {self.log.read_text()[-2000:]}")

    def stop(self, timeout: float = 15) -> float:
        """SIGTERM, as systemd or Ctrl+C would; returns the seconds it took to exit."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        return time.monotonic() - started


@contextlib.contextmanager
def served(home: Path, *args: str, **env: str):
    """`guanai serve` on a free port with the given environment; stopped at the end."""
    port = _free_port()
    log = home / f"serve-{port}.log"
    process = subprocess.Popen([sys.executable, "-m", "guanai.cli", "serve", "--port", str(port), *args],
                               env=home_env(home, **env), stdout=subprocess.DEVNULL, stderr=log.open("w"))
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        server.wait_ready()
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()
