"""Home card: how many archived documents the user may search."""

from django.urls import reverse

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas.scoping import scope_queryset
from guanai.core.home import home_card

from .models import Document


@home_card(60)
def archive_cards(user):
    if user_role(user) in (None, roles.VOLUNTEER):
        return []
    return [{"label": "档案文档", "value": scope_queryset(Document.objects.all(), user).count(),
             "url": reverse("archive:list")}]
