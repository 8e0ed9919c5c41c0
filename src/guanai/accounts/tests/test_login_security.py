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


def test_an_idle_session_calling_the_api_gets_json_401_not_the_login_page(client_for):
    # The phone's offline visits are sent through the API with the site's session.
    client = client_for("village")
    assert client.get("/api/v1/persons/").status_code == 200
    session = client.session
    session[IdleTimeoutMiddleware.SESSION_KEY] = int(time.time()) - settings.GUANAI_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get("/api/v1/persons/")
    assert response.status_code == 401 and response["Content-Type"].startswith("application/json")
    assert "登录" in response.json()["detail"]
    assert client.get("/api/v1/persons/").status_code == 401  # logged out for good


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


ADMIN_LOGIN = "/admin/login/"


def _errors(response) -> str:
    """The error text of a login page, whichever door."""
    import re

    body = response.content.decode()
    return " ".join(re.findall(r'<div class="alert alert-danger"[^>]*>(.*?)</div>', body, re.S) +
                    re.findall(r'<p class="errornote">(.*?)</p>', body, re.S) +
                    re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', body, re.S))


def test_failures_at_the_admin_door_count_and_a_locked_account_enters_neither_door(users):
    admin_user = users["admin"]
    password = _set_password(admin_user)
    client = Client()
    for _ in range(settings.GUANAI_LOCKOUT_THRESHOLD - 1):
        client.post(ADMIN_LOGIN, {"username": "admin", "password": "wrong", "next": "/admin/"})
    client.post(LOGIN, {"username": "admin", "password": "wrong"})  # the last failure at the other door
    assert User.objects.get(username="admin").is_locked()
    for door in (ADMIN_LOGIN, LOGIN):
        response = client.post(door, {"username": "admin", "password": password, "next": "/admin/"})
        assert response.status_code == 200 and "已被锁定" in _errors(response), door
        assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to a login page
    assert AuditEvent.objects.filter(action=AuditEvent.LOCKED, username="admin").exists()


def test_the_admin_door_lets_staff_in_when_not_locked(users):
    password = _set_password(users["admin"])
    client = Client()
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": password, "next": "/admin/"})
    assert response.status_code == 302 and client.get("/admin/").status_code == 200


def test_an_unknown_name_is_answered_exactly_as_a_real_one(users):
    _set_password(users["village"])
    real, unknown = Client(), Client()
    for attempt in range(settings.GUANAI_LOCKOUT_THRESHOLD + 1):
        for door in (LOGIN, ADMIN_LOGIN):
            a = real.post(door, {"username": "village", "password": "wrong"})
            b = unknown.post(door, {"username": "nobody-here", "password": "wrong"})
            assert _errors(a) == _errors(b), (attempt, door)
    assert "已被锁定" in _errors(a)


def test_the_admins_unlock_lifts_the_lock_and_records_who_lifted_it(users):
    password = _set_password(users["township"])
    client = Client()
    for _ in range(settings.GUANAI_LOCKOUT_THRESHOLD):
        client.post(LOGIN, {"username": "township", "password": "wrong"})
    township = User.objects.get(username="township")
    assert township.is_locked()
    admin_client = Client()
    admin_client.force_login(users["admin"])
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = admin_client.post("/admin/accounts/user/", {"action": "unlock", "_selected_action": [township.pk]})
    assert response.status_code == 302
    assert not User.objects.get(username="township").is_locked()
    event = AuditEvent.objects.get(pk__gt=since, object_type="accounts.user", object_id=str(township.pk))
    assert (event.action, event.user_id, event.detail) == (AuditEvent.UPDATE, users["admin"].pk, "解除锁定")
    assert event.changes["locked"] == [True, False]
    response = client.post(LOGIN, {"username": "township", "password": password})
    assert "_auth_user_id" in client.session
