"""The case list's filter, read once for the list page and for its ledger (protection/ledgers.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from . import services
from .models import Case

SHOW_LABELS = {"open": "办理中", "closed": "已结案", "late": "有逾期环节", "all": "全部"}


@dataclass
class CaseListing:
    records: QuerySet
    show: str
    late_steps: int | None
    conditions: str


def case_listing(user, params: Mapping[str, str], now=None) -> CaseListing:
    """?show=open (the default), closed, late (cases with a late step) or all."""
    now = now or timezone.now()
    cases = services.cases_for(user)
    show = params.get("show", "open")
    if show not in SHOW_LABELS:
        show = "all"
    if show == "open":
        cases = cases.filter(status=Case.OPEN)
    elif show == "closed":
        cases = cases.filter(status=Case.CLOSED)
    late_steps = None
    if show == "late":
        # The home cards count late steps (逾期处置环节); the list shows their cases: say both.
        late = services.late_steps(user, now)
        late_steps = late.count()
        cases = cases.filter(pk__in=late.values("case_id"))
    return CaseListing(cases, show, late_steps, SHOW_LABELS[show])
