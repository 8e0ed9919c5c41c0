"""Writing audit events.

Every service that writes records its own event with ``audit`` inside its transaction:
the object, the fields before and after, the acting user and why (Zulip's RealmAuditLog
style). Services are marked ``@audited``: while one runs, the model save/delete signals
stay silent, so a service write is exactly one event and a queryset ``update()`` is no
gap. Outside services (the admin, a shell) the signals remain the safety net.
``record_many`` writes the events of a bulk write (the importer) in one insert."""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Iterable, NamedTuple

from django.db import connection
from django.utils import timezone

from guanai.core.db import insert_many, sql_literal
from guanai.core.jobs import job_user

from .context import client_ip, current_request
from .models import AuditEvent

_in_service: ContextVar[bool] = ContextVar("guanai_audited_service", default=False)


def audited(func):
    """Mark a service that records its own audit event (see the module's docstring)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        token = _in_service.set(True)
        try:
            return func(*args, **kwargs)
        finally:
            _in_service.reset(token)

    return wrapper


def in_service() -> bool:
    """True while an ``@audited`` service runs: its writes are recorded by the service."""
    return _in_service.get()


def _json_safe(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return "、".join(str(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value))
    return str(value)


def _acting(user, request):
    """The user to record: the one given, else the request's, else the job's (the worker)."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if user is None:
        user = job_user()
    return user


def record(action: str, *, user=None, obj=None, changes: dict | None = None,
           request=None, detail: str = "", username: str = "", object_type: str = "",
           object_id: str = "", object_repr: str = "") -> AuditEvent:
    request = request if request is not None else current_request.get()
    user = _acting(user, request)
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


def snapshot(obj, fields) -> dict:
    """The values of ``fields`` of ``obj`` as plain values, for ``audit``'s before and after."""
    return {name: _json_safe(getattr(obj, name)) for name in fields}


def audit(action: str, *, user, obj, before: dict | None = None, after: dict | None = None,
          reason: str = "") -> AuditEvent:
    """THE audit event of a service write: ``obj``, the fields that changed (before and
    after: a field in ``after`` that is not in ``before`` is new), the acting user, why."""
    before, after = before or {}, after or {}
    changes = {name: (before.get(name), after[name]) for name in after
               if _json_safe(before.get(name)) != _json_safe(after[name])}
    return record(action, user=user, obj=obj, changes=changes, detail=reason)


class ObjectRef(NamedTuple):
    """An object written in bulk, named without loading it: its type (app_label.model), pk, text."""
    object_type: str
    object_id: object
    object_repr: str


def record_many(user, action: str, objects_with_changes: Iterable[tuple], *, detail: str = "",
                username: str = "", batch_size: int = 2000) -> int:
    """The events of a bulk write, one per object, in one insert per batch: pairs of
    (model instance or ObjectRef, changes {field: (before, after)} or None). Returns the count.

    Each event's changes are stored exactly as ``record`` stores them. The same changes
    object given for many objects (an importer's "new in village V, category C", shared by
    every person created so) is encoded once: give one dict per distinct change, and do not
    modify it while the call runs."""
    request = current_request.get()
    user = _acting(user, request)
    user_id = user.pk if user is not None and getattr(user, "pk", None) else None
    username = username or (user.get_username() if user is not None else "")
    ip, path, detail = client_ip(request), (request.path[:300] if request is not None else ""), detail[:300]
    # Multi-row INSERTs, as bulk_create would do without building a model instance per row:
    # the importer writes one event per person and must stay fast. The values every event of
    # the call shares are written into the statement when they need no quoting (binding them
    # once per row is about half of the insert's cost), bound with each row otherwise.
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    shared = {"at": at, "user": user_id, "username": username, "action": action, "ip": ip, "path": path,
              "detail": detail}
    literals = {name: sql_literal(value) for name, value in shared.items()}
    bound = [name for name in _BULK_FIELDS if name in shared and literals[name] is None]
    written = [name for name in _BULK_FIELDS if name in shared and literals[name] is not None]
    columns = [*_PER_OBJECT_FIELDS, *bound, *written]
    quote = connection.ops.quote_name
    head = (f"INSERT INTO {quote(AuditEvent._meta.db_table)} "
            f"({', '.join(quote(AuditEvent._meta.get_field(name).column) for name in columns)}) VALUES ")
    one = f"({', '.join(['%s'] * (len(_PER_OBJECT_FIELDS) + len(bound)) + [literals[name] for name in written])})"
    changes_field = AuditEvent._meta.get_field("changes")
    encode = _changes_encoder(changes_field)
    last = tuple(shared[name] for name in bound)
    count = 0
    batch = []
    with connection.cursor() as cursor:
        for obj, changes in objects_with_changes:
            if isinstance(obj, ObjectRef):
                object_type, object_id, object_repr = obj
            else:
                object_type, object_id, object_repr = obj._meta.label_lower, obj.pk, str(obj)
            batch.append((object_type, str(object_id), object_repr[:200], encode(changes), *last))
            if len(batch) >= batch_size:
                insert_many(cursor, head, one, batch)
                count, batch = count + len(batch), []
                encode = _changes_encoder(changes_field)  # what it remembers lives for one batch
        if batch:
            insert_many(cursor, head, one, batch)
            count += len(batch)
    return count


def _changes_encoder(changes_field):
    """changes {field: (before, after)} or None -> the ``changes`` column's database value, as
    ``record`` stores it; remembering the value of each changes object it has seen (by identity:
    the object itself is kept, so its id cannot be reused meanwhile)."""
    adapt, encoder = connection.ops.adapt_json_value, changes_field.encoder
    empty = changes_field.get_db_prep_value({}, connection)
    seen: dict[int, tuple[dict, object]] = {}

    def encode(changes):
        if not changes:
            return empty
        hit = seen.get(id(changes))
        if hit is not None and hit[0] is changes:
            return hit[1]
        # The same as changes_field.get_db_prep_value(plain, connection), without looking up
        # the connection for every row.
        value = adapt({k: [_json_safe(a), _json_safe(b)] for k, (a, b) in changes.items()}, encoder)
        seen[id(changes)] = (changes, value)
        return value

    return encode


_BULK_FIELDS = ["at", "user", "username", "action", "object_type", "object_id", "object_repr", "changes", "ip",
                "path", "detail"]
_PER_OBJECT_FIELDS = ["object_type", "object_id", "object_repr", "changes"]
