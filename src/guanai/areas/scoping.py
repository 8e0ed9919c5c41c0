"""The one scoping function: every query of area-bound records goes through it.

A model takes part by declaring class attributes:
  area_path      lookup path to its Area foreign key ("area", "person__area", "pk" for Area)
  personal_data  True when records name or describe a person
  unit_path      optional path to a MemberUnit, for unit reporters
  volunteer_path optional path to the helper user, for volunteers (their pairings)

"Not allowed" and "does not exist" are the same thing to a caller: a record
outside scope is simply not in the queryset, so views answer 404 for both.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from guanai.accounts import roles

from . import codes


def user_role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return roles.ADMIN
    return user.role


def area_filter(area_path: str, area_code: str) -> Q:
    """Q selecting records whose area lies in the subtree of ``area_code``."""
    low, high = codes.subtree_bounds(area_code)
    return Q(**{f"{area_path}__gte": low, f"{area_path}__lt": high})


def in_area(queryset: QuerySet, area_code: str) -> QuerySet:
    """``queryset`` (a model declaring area_path) narrowed to the subtree of a code a user
    typed or a URL carried: nothing at all for a code that is no area code."""
    try:
        return queryset.filter(area_filter(queryset.model.area_path, area_code))
    except codes.AreaCodeError:
        return queryset.none()


def scope_queryset(queryset: QuerySet, user) -> QuerySet:
    """Restrict ``queryset`` to the records ``user`` may see."""
    model = queryset.model
    area_path = getattr(model, "area_path", None)
    if area_path is None:
        raise TypeError(f"{model.__name__} does not declare area_path and cannot be scoped")
    role = user_role(user)
    if role is None:
        return queryset.none()
    if role == roles.ADMIN:
        return queryset
    if user.area_id is None:
        return queryset.none()
    in_area = area_filter(area_path, user.area_id)
    personal = getattr(model, "personal_data", True)

    if role == roles.VOLUNTEER:
        volunteer_path = getattr(model, "volunteer_path", None)
        if volunteer_path is not None:
            return queryset.filter(in_area, **{volunteer_path: user}).distinct()
        return queryset.filter(in_area) if not personal else queryset.none()
    if role == roles.UNIT:
        unit_path = getattr(model, "unit_path", None)
        if unit_path is not None:
            return queryset.filter(in_area, **{unit_path: user.unit_id})
        return queryset.filter(in_area) if not personal else queryset.none()
    if personal and role not in roles.AREA_RECORD_ROLES:
        return queryset.none()
    return queryset.filter(in_area)


def get_scoped_or_404(queryset: QuerySet, user, **lookup):
    """One record the user may see, or 404 whether it is missing or out of scope."""
    try:
        return scope_queryset(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("记录不存在或您无权查看") from None


def may_see_area(user, area_code: str) -> bool:
    """Whether aggregate figures of ``area_code`` are within the user's jurisdiction."""
    role = user_role(user)
    if role is None:
        return False
    if role == roles.ADMIN:
        return True
    return user.area_id is not None and codes.is_within(area_code, user.area_id)


def serves_user_area(user, area_code: str) -> bool:
    """Whether things of ``area_code`` may be used by ``user``: areas of their
    jurisdiction, and the areas above it (a city's member units and screening
    rounds serve its villages). For choosing, not for reading personal records."""
    return may_see_area(user, area_code) or (
        user.area_id is not None and area_code in codes.ancestors(user.area_id))
