"""Reading personal records for display: every full view of a record is audited here,
not in the views (a view asks a selector, the selector records who saw what)."""

from __future__ import annotations

from guanai.areas.scoping import get_scoped_or_404
from guanai.audit.models import AuditEvent
from guanai.audit.services import record

from .models import Person


def person_for_view(user, pk: int, *, detail: str = "") -> Person:
    """The person ``pk`` as the detail page shows them (404 when out of scope); the sight is audited
    (``detail``: how it was seen, e.g. 打印档案)."""
    person = get_scoped_or_404(Person.objects.select_related("area", "area__parent", "household"), user, pk=pk)
    record(AuditEvent.VIEW, user=user, obj=person, detail=detail)
    return person


def person_timeline(person: Person, limit: int = 50):
    """What was done to ``person``, newest first: the audit events of the record."""
    return AuditEvent.objects.filter(object_type="registry.person", object_id=str(person.pk)).order_by("-at")[:limit]
