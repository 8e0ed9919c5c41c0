"""Shared fixtures: the demo city loaded once per test session, users by role."""

import pytest
from django.test import Client

from guanai.core.demo import load_demo


@pytest.fixture(autouse=True)
def _fast_and_immediate(settings):
    # Argon2 is what production uses (see accounts tests); tests hash faster.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = settings.MEDIA_ROOT.parent / "test-media"


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
