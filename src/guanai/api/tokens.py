"""Bearer tokens of the API: issued for a username and password (the same lockout as the
login page: accounts.backends.LockoutBackend through django.contrib.auth.authenticate),
stored as a hash, expiring, revocable by their user and by an admin."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from guanai.audit.models import AuditEvent
from guanai.audit.services import record

from .models import ApiToken


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def lifetime() -> timedelta:
    return timedelta(hours=float(getattr(settings, "GUANAI_API_TOKEN_HOURS", 8)))


@transaction.atomic
def issue_token(*, user, request=None) -> tuple[str, ApiToken]:
    """(the token to hand out once, its stored record)."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    # Expired and revoked tokens of the user are kept a day for the admin's view, then dropped.
    ApiToken.objects.filter(user=user, expires_at__lt=now - timedelta(days=1)).delete()
    token = ApiToken.objects.create(user=user, key_hash=_hash(raw), prefix=raw[:8], expires_at=now + lifetime())
    record(AuditEvent.LOGIN, user=user, obj=token, request=request,
           detail="签发接口令牌")
    return raw, token


def token_for(raw: str) -> ApiToken | None:
    """The live token (not expired, not revoked, of an active user) for ``raw``, or None."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # a minute's precision: no write per call
    return token


@transaction.atomic
def revoke(*, user, token: ApiToken | None = None, all_of_user: bool = False) -> int:
    """Revoke ``token`` (or every live token of ``user``); returns how many were revoked."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if not all_of_user:
        live = live.filter(pk=token.pk if token is not None else 0)
    count = live.update(revoked_at=timezone.now())
    if count:
        record(AuditEvent.UPDATE, user=user, object_type="api.apitoken", object_id=str(token.pk if token else ""),
               detail=f"吊销接口令牌{count}个")
    return count
