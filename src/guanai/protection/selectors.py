"""Reading cases for display: a full view of a case is audited here, not in the view."""

from __future__ import annotations

from guanai.areas.scoping import get_scoped_or_404
from guanai.audit.models import AuditEvent
from guanai.audit.services import record

from .models import Case


def case_for_view(user, pk: int) -> Case:
    """The case ``pk`` as the detail page shows it (404 when out of scope); the sight is audited."""
    case = get_scoped_or_404(Case.objects.select_related("area", "area__parent", "child", "reporter", "closed_by"),
                             user, pk=pk)
    record(AuditEvent.VIEW, user=user, obj=case)
    return case
