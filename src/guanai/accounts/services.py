"""Login security: lockout after repeated failures."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from guanai.audit.models import AuditEvent
from guanai.audit.services import record

from .models import User


def note_login_failure(username: str, request=None) -> User | None:
    """Count a failed password for ``username``; lock the account at the threshold."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            return None
        user.failed_logins = F("failed_logins") + 1
        user.save(update_fields=["failed_logins"])
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins >= settings.GUANAI_LOCKOUT_THRESHOLD:
            user.locked_until = timezone.now() + timedelta(minutes=settings.GUANAI_LOCKOUT_MINUTES)
            user.failed_logins = 0
            user.save(update_fields=["locked_until", "failed_logins"])
            record(AuditEvent.LOCKED, user=user, request=request,
                   detail=f"连续{settings.GUANAI_LOCKOUT_THRESHOLD}次密码错误，锁定{settings.GUANAI_LOCKOUT_MINUTES}分钟")
        return user


def note_login_success(user: User) -> None:
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
