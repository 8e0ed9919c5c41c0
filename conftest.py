"""Shared fixtures: the demo city loaded once per test session, users by role, real servers."""

import contextlib

import pytest
from django.test import Client

from guanai.portal.demo import load_demo


@pytest.fixture(autouse=True)
def _fast_and_immediate(settings):
    # Argon2 is what production uses (see accounts tests); tests hash faster.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = settings.MEDIA_ROOT.parent / "test-media"
    # The test client speaks plain HTTP, like `guanai serve` on a loopback address; the
    # HTTPS settings of production have their own tests (ops/tests/test_security.py).
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        load_demo("small", log=lambda _msg: None)


@pytest.fixture
def users(db):
    from guanai.accounts.models import User

    return {u.username: u for u in User.objects.select_related("area", "unit")}


@pytest.fixture
def client_for(users):
    def make(username: str) -> Client:
        client = Client()
        client.force_login(users[username])
        return client

    return make


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """A GUANAI_HOME whose SQLite database holds the small demo, for real servers."""
    from guanai.ops.testing import demo_home as make

    return make(tmp_path_factory.mktemp("guanai-served"))


@pytest.fixture(scope="session")
def demo_server(demo_home):
    """One `guanai serve` on the demo home for the whole session, with default settings
    (the browser tests use it; logging in here is logging in everywhere: sessions live
    in the database, so ``browser.base_url = other.url`` carries a login to another server)."""
    from guanai.ops.testing import served

    # An import pauses after each full 2,000-row batch (a test hook): a browser test can then
    # watch its bar move whatever the machine's speed; the small imports of other tests never
    # fill a batch. Set here, on the server whose worker may take any job of the shared database.
    with served(demo_home, GUANAI_TEST_PAUSE_PER_BATCH="0.7") as server:
        yield server


@pytest.fixture
def guanai_server(demo_home):
    """Start `guanai serve` on the demo home: ``guanai_server(GUANAI_REQUEST_TIMEOUT="1")``
    gives a running server (see guanai/ops/testing.py); every one is stopped at the end."""
    from guanai.ops.testing import served

    stack = contextlib.ExitStack()

    def start(*args, **env):
        return stack.enter_context(served(demo_home, *args, **env))

    with stack:
        yield start


FROZEN_DAY = "2026-07-01 10:00 +0800"  # a Wednesday in the third quarter, away from any period's edge


@pytest.fixture
def frozen_day():
    """Time stands still on FROZEN_DAY: for tests whose result depends on today's date."""
    import time_machine

    with time_machine.travel(FROZEN_DAY, tick=False):
        yield


@pytest.fixture
def village_worker(db):
    """A village worker (儿童主任) of the factories' own village, apart from the demo city."""
    from guanai.accounts import roles
    from guanai.portal import factories

    return factories.user(roles.VILLAGE)
