"""Shared fixtures: the demo city loaded once per test session, users by role, real servers."""

import contextlib
import datetime
import importlib

import pytest
from django.test import Client

from guanai.core import clock
from guanai.portal.demo import load_demo

# The day the session's demo was loaded for. The demo dates itself by that day (visits up to
# it, projects' elapsed time, the kept tallies), so a session that runs past midnight, Beijing
# time, reloads it before the next test that uses the database (pytest_runtest_setup).
_demo_loaded_for: dict[str, datetime.date] = {}


def pytest_addoption(parser):
    parser.addoption("--next-day", action="store_true",
                     help="after the first test the clock moves to just past midnight of the next day "
                          "(Beijing time): proves a session that runs past midnight still passes")


@pytest.hookimpl(tryfirst=True)  # before the test's own fixtures open their transaction
def pytest_runtest_setup(item):
    day = _demo_loaded_for.get("day")
    if day is None or day == clock.today() or "django_db_setup" not in item.fixturenames:
        return
    from django.core.management import call_command
    from django.db import connection

    from pytest_django.plugin import blocking_manager_key

    # The audit trail refuses DELETE (its own triggers): lifted for the flush, as its migration would.
    triggers = importlib.import_module("guanai.audit.migrations.0002_append_only_triggers")
    with item.config.stash[blocking_manager_key].unblock():
        with connection.schema_editor() as editor:
            triggers.backwards(None, editor)
        call_command("flush", interactive=False, verbosity=0)
        with connection.schema_editor() as editor:
            triggers.forwards(None, editor)
        _load_demo()


def pytest_runtest_teardown(item, nextitem):
    config = item.config
    if config.getoption("--next-day") and not hasattr(config, "_next_day_traveller"):
        import time_machine

        tomorrow = clock.today() + datetime.timedelta(days=1)
        config._next_day_traveller = time_machine.travel(f"{tomorrow.isoformat()} 00:00:05 +0800", tick=True)
        config._next_day_traveller.start()


def pytest_unconfigure(config):
    if hasattr(config, "_next_day_traveller"):
        config._next_day_traveller.stop()


def _load_demo():
    load_demo("small", log=lambda _msg: None)
    _demo_loaded_for["day"] = clock.today()


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
        _load_demo()


@pytest.fixture
def outside_a_transaction(db):
    """``with outside_a_transaction():`` this thread's connection is taken for one in no
    transaction, as the worker's (core.db.read_in_threads then reads on connections of its own).
    Other connections see the committed demo only: write nothing in the test before the block."""
    from django.db import DEFAULT_DB_ALIAS, connections

    @contextlib.contextmanager
    def outside():
        wrapper = connections[DEFAULT_DB_ALIAS]
        saved, wrapper.in_atomic_block = wrapper.in_atomic_block, False
        try:
            yield
        finally:
            wrapper.in_atomic_block = saved

    return outside


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
def _served_demos(tmp_path_factory):
    """Per day, a GUANAI_HOME with the small demo and one `guanai serve` on it: the served demo
    dates itself by the day it is built, like the session's own (see _demo_loaded_for)."""
    from guanai.ops.testing import demo_home as make
    from guanai.ops.testing import served

    homes, servers = {}, {}

    def home():
        day = clock.today()
        if day not in homes:
            homes[day] = make(tmp_path_factory.mktemp("guanai-served"))
        return homes[day]

    def server():
        day = clock.today()
        if day not in servers:
            # An import pauses after each full 2,000-row batch (a test hook): a browser test can
            # then watch its bar move whatever the machine's speed; the small imports of other
            # tests never fill a batch. Set here, on the server whose worker may take any job of
            # the shared database.
            servers[day] = stack.enter_context(served(home(), GUANAI_TEST_PAUSE_PER_BATCH="0.7"))
        return servers[day]

    with contextlib.ExitStack() as stack:
        yield home, server


@pytest.fixture
def demo_home(_served_demos):
    """A GUANAI_HOME whose SQLite database holds the small demo, for real servers."""
    return _served_demos[0]()


@pytest.fixture
def demo_server(_served_demos):
    """One `guanai serve` on the demo home for the whole session (a day), with default settings
    (the browser tests use it; logging in here is logging in everywhere: sessions live
    in the database, so ``browser.base_url = other.url`` carries a login to another server)."""
    return _served_demos[1]()


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
