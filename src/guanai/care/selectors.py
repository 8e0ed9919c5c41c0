"""Reading care records for display: a full view of a visit is audited here, not in the view."""

from __future__ import annotations

from guanai.areas.scoping import get_scoped_or_404
from guanai.audit.models import AuditEvent
from guanai.audit.services import record

from .models import Visit


def visit_for_view(user, pk: int) -> Visit:
    """The visit ``pk`` as the detail page shows it (404 when out of scope); the sight is audited."""
    visit = get_scoped_or_404(Visit.objects.select_related("person", "person__area", "household", "area", "created_by"),
                              user, pk=pk)
    record(AuditEvent.VIEW, user=user, obj=visit)
    return visit
