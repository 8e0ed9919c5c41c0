"""Which member units a user may choose on a form."""

from guanai.accounts import roles
from guanai.areas import codes
from guanai.areas.scoping import scope_queryset

from .models import MemberUnit


def usable_units(user):
    """Member units of the user's subtree, and of the areas above it (a city's units serve its villages)."""
    above = codes.ancestors(user.area_id) if user.area_id else []
    units = scope_queryset(MemberUnit.objects.all(), user) | MemberUnit.objects.filter(area_id__in=above)
    if user.role == roles.UNIT and not user.is_superuser:
        units = MemberUnit.objects.filter(pk=user.unit_id)
    return units.distinct().order_by("area_id", "-is_lead", "name")
