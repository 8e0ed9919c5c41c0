"""A real server for browser tests: its own SQLite file with the demo loaded,
served by `guanai serve` in a subprocess, driven by Debian's Chromium."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("guanai-e2e")
    env = {**os.environ, "GUANAI_HOME": str(home), "DATABASE_URL": f"sqlite:///{home / 'e2e.sqlite3'}"}
    run = [sys.executable, "-m", "guanai.cli"]
    subprocess.run([*run, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    subprocess.run([*run, "demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([*run, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=(home / "serve.log").open("w"))
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.terminate()
        raise RuntimeError("guanai serve did not start")
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
