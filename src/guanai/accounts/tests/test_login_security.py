import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from guanai.accounts.middleware import IdleTimeoutMiddleware
from guanai.accounts.models import User
from guanai.audit.models import AuditEvent

LOGIN = "/accounts/login/"


def _set_password(user, password="Secret-pass-2026"):
    user.set_password(password)
    user.save()
    return password


def test_login_page_is_chinese(db):
    response = Client().get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body and 'name="username"' in body and 'name="password"' in body


def test_login_and_home(users):
    password = _set_password(users["village"])
    client = Client()
    response = client.post(LOGIN, {"username": "village", "password": password}, follow=True)
    assert response.status_code == 200
    assert "儿童主任/网格员工作台" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.LOGIN, username="village").exists()


def test_wrong_password_gets_chinese_message_and_is_audited(users):
    _set_password(users["village"])
    response = Client().post(LOGIN, {"username": "village", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.LOGIN_FAILED, username="village").count() == 1


def test_lockout_after_repeated_failures_even_with_right_password(users):
    password = _set_password(users["township"])
    client = Client()
    for _ in range(settings.GUANAI_LOCKOUT_THRESHOLD):
        client.post(LOGIN, {"username": "township", "password": "wrong"})
    assert User.objects.get(username="township").is_locked()
    response = client.post(LOGIN, {"username": "township", "password": password})
    assert "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditEvent.LOCKED, username="township").exists()


def test_anonymous_user_is_sent_to_login(db):
    response = Client().get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_idle_session_times_out_with_a_message(client_for):
    client = client_for("village")
    assert client.get("/").status_code == 200
    session = client.session
    session[IdleTimeoutMiddleware.SESSION_KEY] = int(time.time()) - settings.GUANAI_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get("/", follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "长时间未操作" in body


@pytest.mark.parametrize("password,ok", [("short1", False), ("onlyletterslong", False), ("1234567890", False),
                                         ("guanai-care-2026", True)])
def test_password_rules(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_production_hasher_is_argon2():
    from guanai import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_non_admin_needs_an_area(db):
    with pytest.raises(ValidationError):
        User(username="x", role="staff").full_clean()


def test_last_seen_is_refreshed_once_a_minute_not_on_every_page(client_for):
    client = client_for("village")
    for age, refreshed in ((30, False), (90, True)):
        session = client.session
        session[IdleTimeoutMiddleware.SESSION_KEY] = int(time.time()) - age
        session.save()
        marked = client.session[IdleTimeoutMiddleware.SESSION_KEY]
        assert client.get("/areas/").status_code in (200, 302)
        assert (client.session[IdleTimeoutMiddleware.SESSION_KEY] != marked) is refreshed
