"""Home cards of protection work.

A late step escalates: the worker of the village sees the steps waiting for them;
every level above (township, county, city staff, and the office and leaders as
figures) sees the late steps of its subtree on its own home page.
"""

from django.urls import reverse
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.scoping import scope_queryset
from guanai.core.home import home_card
from guanai.stats.metrics import compute
from guanai.stats.periods import parse_period

from . import services
from .models import CaseStep


@home_card(50)
def protection_cards(user):
    role = user_role(user)
    now = timezone.now()
    month = parse_period(f"{timezone.localdate():%Y-%m}")
    list_url = reverse("protection:list")
    if role == roles.ADMIN:
        return [
            {"label": "在办保护个案", "value": services.cases_for(user).filter(status="open").count(), "url": list_url},
            {"label": "逾期处置环节", "value": services.late_steps(user, now).count(), "url": f"{list_url}?show=late"},
        ]
    if role == roles.VILLAGE or (role == roles.STAFF and user.area_id and codes.level_of(user.area_id) == codes.VILLAGE):
        pending = scope_queryset(CaseStep.objects.filter(completed_at__isnull=True, case__status="open"), user)
        return [
            {"label": "待办保护环节", "value": pending.count(), "url": list_url},
            {"label": "其中已逾期", "value": pending.filter(due_at__lt=now).count(), "url": f"{list_url}?show=late"},
        ]
    if not user.area_id or role == roles.VOLUNTEER:
        return []
    if role == roles.STAFF and codes.level_of(user.area_id) < codes.VILLAGE:
        # Escalation: cases sit in villages, so every late step in the subtree is a lower level's.
        return [
            {"label": "在办保护个案", "value": compute("cases_open", user.area_id, month), "url": list_url},
            {"label": "下级逾期处置环节（督办）", "value": compute("case_steps_late", user.area_id, month),
             "url": f"{list_url}?show=late"},
        ]
    if role in (roles.OFFICE, roles.LEADER):
        return [
            {"label": "在办保护个案", "value": compute("cases_open", user.area_id, month), "url": ""},
            {"label": "逾期处置环节", "value": compute("case_steps_late", user.area_id, month), "url": ""},
        ]
    return []
