"""Login security: lockout after repeated failures, for every name tried.

Counted per user name (``LoginThrottle``), for real and unknown names alike, and applied by
``backends.LockoutBackend`` to every password check, whichever page it comes from.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, record

from .models import LoginThrottle, User

# Names whose last failure is older than this, and that are not locked, are forgotten.
FORGET_AFTER = timedelta(days=1)


def locked_minutes(username: str) -> int:
    return LoginThrottle.locked_minutes(username)


def note_login_failure(username: str, request=None) -> int:
    """Count a failed password for ``username``; lock the name at the threshold. Returns the
    minutes it is now locked for (0 when not locked)."""
    username = (username or "")[:150]
    now = timezone.now()
    with transaction.atomic():
        LoginThrottle.objects.filter(last_failed_at__lt=now - FORGET_AFTER, locked_until__isnull=True).delete()
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(username=username)
        if throttle.locked_until is not None and throttle.locked_until <= now:
            throttle.locked_until = None  # an expired lock: counting starts again
        LoginThrottle.objects.filter(pk=throttle.pk).update(failures=F("failures") + 1, locked_until=throttle.locked_until)
        throttle.refresh_from_db()
        if throttle.failures >= settings.GUANAI_LOCKOUT_THRESHOLD:
            throttle.locked_until = now + timedelta(minutes=settings.GUANAI_LOCKOUT_MINUTES)
            throttle.failures = 0
            throttle.save(update_fields=["locked_until", "failures", "last_failed_at"])
            record(AuditEvent.LOCKED, user=User.objects.filter(username=username).first(), username=username,
                   request=request,
                   detail=f"连续{settings.GUANAI_LOCKOUT_THRESHOLD}次密码错误，锁定{settings.GUANAI_LOCKOUT_MINUTES}分钟")
    return LoginThrottle.locked_minutes(username, now)


def note_login_success(user: User) -> None:
    LoginThrottle.objects.filter(username=user.get_username()).delete()


@audited
@transaction.atomic
def unlock(usernames, *, user) -> int:
    """Lift the lock (and the count) of these names, as the admin's 解除锁定 does: one event per
    account whose lock or count was lifted, recorded as done by the acting ``user``."""
    now = timezone.now()
    throttles = {t.username: t for t in LoginThrottle.objects.filter(username__in=list(usernames))}
    deleted, _per_model = LoginThrottle.objects.filter(pk__in=[t.pk for t in throttles.values()]).delete()
    for account in User.objects.filter(username__in=list(throttles)).order_by("pk"):
        throttle = throttles[account.username]
        audit(AuditEvent.UPDATE, user=user, obj=account, reason="解除锁定",
              before={"locked": throttle.locked_until is not None and throttle.locked_until > now,
                      "failures": throttle.failures},
              after={"locked": False, "failures": 0})
    return deleted


def locked_accounts_count() -> int:
    return User.objects.filter(is_active=True, username__in=LoginThrottle.objects.filter(
        locked_until__gt=timezone.now()).values("username")).count()
