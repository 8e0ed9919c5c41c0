"""The one scoping function: every query of area-bound records goes through it.

A model takes part by declaring class attributes:
  area_path      lookup path to its Area foreign key ("area", "person__area", "pk" for Area)
  personal_data  True when records name or describe a person
  unit_path      optional path to a MemberUnit, for unit reporters
  volunteer_path optional path to the helper user, for volunteers (their pairings)
  volunteer_active_path  optional path to the pairing that grants a volunteer the record
                 ("" for a pairing itself): only a pairing active today (start <= today <=
                 end, or no end) grants it

"Not allowed" and "does not exist" are the same thing to a caller: a record
outside scope is simply not in the queryset, so views answer 404 for both.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.roles import user_role  # noqa: F401  (the role lives with the roles; kept importable here)

from . import codes


def top_area():
    """The area at the top of the tree (the first, if an installation holds several): where the
    pages of a user without an area (the admin) open."""
    from .models import Area

    return Area.objects.filter(parent__isnull=True).order_by("code").first()


def user_or_top_area_code(user) -> str:
    """The user's own area code, or the top area's for a user without one ("" in an empty tree)."""
    if user.area_id:
        return user.area_id
    top = top_area()
    return top.code if top is not None else ""


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


def active_on(path: str, day) -> Q:
    """Q selecting records whose start_date..end_date (at ``path``; "" for the record itself)
    spans ``day``: an open end runs on."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day}))


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
            granted = Q(**{volunteer_path: user})
            pairing = getattr(model, "volunteer_active_path", None)
            if pairing is not None:
                # In the same filter() call, so that the user and the dates are of one pairing.
                granted &= active_on(pairing, timezone.localdate())
            return queryset.filter(in_area, granted).distinct()
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


# What a user is asked to choose at each level, in messages.
LEVEL_WORDS = {codes.PROVINCE: "省", codes.CITY: "市", codes.COUNTY: "县（区）", codes.TOWNSHIP: "乡镇（街道）",
               codes.VILLAGE: "村（社区）"}


def area_problem(user, code, *, levels=None, label: str = "区划", within: str | None = None):
    """(Area, None) when ``code`` is an area that ``user`` may see (of one of ``levels``, and
    inside ``within`` when given), else (None, a Chinese message). A missing area and one out
    of the user's jurisdiction get the same message. ``user=None`` is the system itself
    (a command-line import): every existing area.

    The one place for "the area exists and this user may see it"; ``area_for_user`` and
    ``area_for_user_or_404`` are its raising forms.
    """
    from .models import Area

    code = str(code or "").strip()
    if not code:
        return None, f"请选择{label}"
    try:
        level = codes.level_of(code)
    except codes.AreaCodeError as exc:
        return None, str(exc)
    if levels is not None and level not in levels:
        wanted = "或".join(LEVEL_WORDS[lvl] for lvl in sorted(levels))
        return None, f"{label}应为{wanted}一级（“{code}”是{LEVEL_WORDS[level]}）"
    if within and not codes.is_within(code, within):
        return None, f"{label}“{code}”不在所选范围之内"
    area = Area.objects.filter(pk=code).select_related("parent").first()
    if area is None or (user is not None and not may_see_area(user, code)):
        return None, f"{label}“{code}”不存在或不在您的管辖范围内"
    return area, None


def area_for_user(user, code, *, field: str = "area", levels=None, label: str = "区划", within: str | None = None):
    """The Area of ``code`` for a service or a form; ValidationError ({field: message}) otherwise."""
    area, problem = area_problem(user, code, levels=levels, label=label, within=within)
    if problem:
        raise ValidationError({field: problem})
    return area


def area_for_user_or_404(user, code, *, levels=None):
    """The Area of ``code`` (a URL or a filter) for a view: 404 when missing or out of scope."""
    area, problem = area_problem(user, code, levels=levels)
    if problem:
        raise Http404("记录不存在或您无权查看")
    return area
