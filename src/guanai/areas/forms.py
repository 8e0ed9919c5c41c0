"""Choosing an area on a form."""

from __future__ import annotations

from . import codes
from .models import Area
from .scoping import scope_queryset


def area_choices(user, levels=(codes.VILLAGE,), limit: int = 3000) -> list[tuple[str, str]]:
    """(code, name under its parent) of the areas of ``levels`` the user may see."""
    areas = scope_queryset(Area.objects.filter(level__in=levels), user).select_related("parent")[:limit]
    return [(a.code, f"{a.parent.name if a.parent else ''}{a.name}") for a in areas]
