"""Home card: the briefings a user may read."""

from django.urls import reverse

from guanai.accounts.roles import user_role
from guanai.areas.scoping import scope_queryset
from guanai.core.home import home_card

from .models import Briefing
from .permissions import COMPOSE_ROLES, READ_ROLES


@home_card(70)
def briefing_cards(user):
    role = user_role(user)
    if role not in READ_ROLES:
        return []
    briefings = scope_queryset(Briefing.objects.all(), user)
    if role not in COMPOSE_ROLES:
        briefings = briefings.filter(status=Briefing.PUBLISHED)
    return [{"label": "工作简报", "value": briefings.count(), "url": reverse("briefings:list")}]
