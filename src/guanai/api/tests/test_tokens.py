"""Tokens: issued for a password (with the login page's lockout), hashed, expiring, revocable."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from guanai.api.models import ApiToken
from guanai.core.demo import DEMO_PASSWORD


def _token(username="county", password=DEMO_PASSWORD):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def _bearer(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_token_for_a_password_works_and_is_stored_hashed(db, settings):
    response = _token()
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"token", "expires"}
    stored = ApiToken.objects.get(user__username="county")
    assert data["token"] not in (stored.key_hash, stored.prefix) and stored.key_hash != data["token"]
    hours = (stored.expires_at - stored.created_at).total_seconds() / 3600
    assert 7.9 < hours <= 8.0
    assert _bearer(data["token"]).get("/api/v1/persons/").status_code == 200


def test_token_lifetime_is_configurable(db, settings):
    settings.GUANAI_API_TOKEN_HOURS = 1
    _token()
    stored = ApiToken.objects.get(user__username="county")
    assert abs((stored.expires_at - stored.created_at) - timedelta(hours=1)) < timedelta(seconds=5)


def test_expired_token_is_refused(db):
    raw = _token().json()["token"]
    ApiToken.objects.filter(user__username="county").update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _bearer(raw).get("/api/v1/persons/")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效或已过期，请重新获取令牌"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_user_revokes_own_token(db):
    raw = _token().json()["token"]
    client = _bearer(raw)
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/persons/").status_code == 401


def test_admin_revokes_a_token_in_the_admin_site(db, users, client_for):
    raw = _token().json()["token"]
    token = ApiToken.objects.get(user__username="county")
    admin = client_for("admin")
    response = admin.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert _bearer(raw).get("/api/v1/persons/").status_code == 401


def test_wrong_password_and_lockout_as_the_login_page(db, settings):
    settings.GUANAI_LOCKOUT_THRESHOLD = 3
    for _ in range(2):
        response = _token(password="wrong-password")
        assert response.status_code == 401 and response.json()["detail"] == "用户名或密码错误"
    locked = _token(password="wrong-password")
    assert locked.status_code == 401 and "锁定" in locked.json()["detail"]
    # Locked: even the right password is refused, as on the login page.
    again = _token()
    assert again.status_code == 401 and "锁定" in again.json()["detail"]
    assert not ApiToken.objects.filter(user__username="county").exists()
    # The login page sees the same lock.
    from guanai.accounts.services import locked_minutes

    assert locked_minutes("county") > 0


def test_bad_token_request_bodies(db):
    client = APIClient()
    assert client.post("/api/v1/auth/token/", {"username": "county"}, format="json").status_code == 400
    bad = client.post("/api/v1/auth/token/", "not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["detail"] == "请求内容不是有效的JSON"
    assert client.post("/api/v1/auth/token/", {"username": ["x"], "password": 5}, format="json").status_code == 400


def test_a_malformed_authorization_header_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert client.get("/api/v1/persons/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer " + "x" * 5000)
    assert client.get("/api/v1/persons/").status_code == 401


def test_rate_limit_per_token(db, settings):
    settings.GUANAI_API_RATE = "3/min"
    client = _bearer(_token().json()["token"])
    statuses = [client.get("/api/v1/persons/?page_size=1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/persons/?page_size=1")
    assert "请求过于频繁" in response.json()["detail"]
    # Another token has its own count.
    other = _bearer(_token("village").json()["token"])
    assert other.get("/api/v1/persons/?page_size=1").status_code == 200


def test_a_resent_token_request_with_the_same_key_leaves_one_live_token(db):
    """nginx re-sends a POST with an Idempotency-Key when the web process died before answering:
    the repeat answers like the first, and the token nobody received is revoked."""
    ask = {"path": "/api/v1/auth/token/", "data": {"username": "county", "password": DEMO_PASSWORD},
           "format": "json", "HTTP_IDEMPOTENCY_KEY": "sync-2026-11-30-1"}
    first, again = APIClient().post(**ask), APIClient().post(**ask)
    assert first.status_code == again.status_code == 200
    assert set(again.json()) == {"token", "expires"} and again["Idempotent-Replayed"] == "true"
    assert ApiToken.objects.filter(user__username="county", revoked_at__isnull=True).count() == 1
    assert _bearer(again.json()["token"]).get("/api/v1/persons/").status_code == 200
    assert _bearer(first.json()["token"]).get("/api/v1/persons/").status_code == 401
    # Another key is another sign-in: a second live token.
    assert APIClient().post(**{**ask, "HTTP_IDEMPOTENCY_KEY": "sync-2"}).status_code == 200
    assert ApiToken.objects.filter(user__username="county", revoked_at__isnull=True).count() == 2
