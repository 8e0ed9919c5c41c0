"""Record logins, and every create/update/delete of the project's own models made outside a
service (the admin, a shell, a demo loader): the safety net. A service (``@audited``) records
its own event, so these receivers stay silent while it runs: one write, one event."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import AuditEvent
from .services import in_service, record

# Fields whose values must never be copied into the audit trail.
_SECRET_FIELDS = {"password", "id_number_encrypted", "id_number_hash", "id_suffix_hash", "last_login"}
_BOOKKEEPING_FIELDS = {"last_login"}
# Login failures are audited as events of their own (below); one-time tokens are plumbing.
_SKIP_LABELS = {"audit.auditevent", "core.idempotencykey", "accounts.loginthrottle"}


def _tracked(sender) -> bool:
    return sender.__module__.startswith("guanai.") and sender._meta.label_lower not in _SKIP_LABELS


def _audited(sender) -> bool:
    return not in_service() and _tracked(sender)


@receiver(pre_save)
def _remember_previous(sender, instance, raw=False, **kwargs):
    # Remembered inside services too: registry.signals reads a moved person's old village from it.
    if raw or not _tracked(sender) or instance._state.adding or instance.pk is None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).values().first()
    instance._audit_previous = previous


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not _audited(sender):
        return
    if created:
        record(AuditEvent.CREATE, obj=instance)
        return
    previous = getattr(instance, "_audit_previous", None) or {}
    changes = {}
    for field in sender._meta.concrete_fields:
        if update_fields is not None and field.name not in update_fields:
            continue
        old = previous.get(field.attname)
        new = getattr(instance, field.attname)
        if old != new:
            changes[field.name] = ("***", "***") if field.name in _SECRET_FIELDS else (old, new)
    # A save that only bumped login bookkeeping, or changed nothing, is not an edit.
    if set(changes) - _BOOKKEEPING_FIELDS:
        record(AuditEvent.UPDATE, obj=instance, changes=changes)


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if _audited(sender):
        record(AuditEvent.DELETE, obj=instance)


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs):
    record(AuditEvent.LOGIN, user=user, request=request)


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEvent.LOGOUT, user=user, request=request)


@receiver(user_login_failed)
def _record_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    record(AuditEvent.LOGIN_FAILED, user=user, username=username, request=request,
           detail="用户名或密码错误")
