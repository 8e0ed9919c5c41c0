"""Home cards of the foundation: areas, member units, accounts, audit."""

from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.accounts.roles import user_role
from guanai.accounts.services import locked_accounts_count
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import scope_queryset
from guanai.audit.models import AuditEvent
from guanai.coordination.units import usable_units
from guanai.core.home import home_card


@home_card(10)
def area_cards(user):
    if user_role(user) == roles.VOLUNTEER:
        return []
    per_level = dict(
        scope_queryset(Area.objects.all(), user).values_list("level").annotate(n=Count("code")).values_list("level", "n")
    )
    url = reverse("areas:list")
    return [
        {"label": f"{name}级区划", "value": per_level.get(level, 0), "url": url}
        for level, name in ((codes.TOWNSHIP, "乡镇"), (codes.VILLAGE, "村/社区"))
    ]


@home_card(20)
def unit_cards(user):
    if user_role(user) not in {roles.ADMIN, roles.OFFICE, roles.LEADER, roles.UNIT, roles.STAFF}:
        return []
    # The units serving the user's area: its own and those of the areas above it (a county's
    # children are served by the city's joint conference; counting only the county's own gave 0).
    return [{"label": "成员单位", "value": usable_units(user).count(), "url": ""}]


@home_card(90)
def account_cards(user):
    role = user_role(user)
    if role == roles.ADMIN:
        since = timezone.now() - timedelta(days=1)
        return [
            {"label": "有效账号", "value": User.objects.filter(is_active=True).count(), "url": "/admin/accounts/user/"},
            {"label": "24小时内登录失败", "value": AuditEvent.objects.filter(action=AuditEvent.LOGIN_FAILED, at__gte=since).count(),
             "url": "/admin/audit/auditevent/?action__exact=login_failed"},
            {"label": "被锁定账号", "value": locked_accounts_count(), "url": "/admin/accounts/user/"},
        ]
    if role in {roles.OFFICE, roles.STAFF}:
        low, high = codes.subtree_bounds(user.area_id)
        return [{"label": "辖区内账号", "value": User.objects.filter(is_active=True, area__gte=low, area__lt=high).count(), "url": ""}]
    return []
