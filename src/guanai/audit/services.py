"""Writing audit events. Service functions call ``record`` inside their own
transaction, so a change and its audit event commit or roll back together."""

from __future__ import annotations

from .context import client_ip, current_request
from .models import AuditEvent


def _json_safe(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def record(action: str, *, user=None, obj=None, changes: dict | None = None,
           request=None, detail: str = "", username: str = "", object_type: str = "",
           object_id: str = "", object_repr: str = "") -> AuditEvent:
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEvent.objects.create(
        user=user if user is not None and getattr(user, "pk", None) else None,
        username=username or (user.get_username() if user is not None else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes={k: [_json_safe(a), _json_safe(b)] for k, (a, b) in (changes or {}).items()},
        ip=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        detail=detail[:300],
    )
