"""Deny by default: every view declares the roles that may use it.

``@roles_required(...)`` on a function view, or ``allowed_roles`` on a class
view; ``login_not_required`` (Django's) opens a view to anonymous users. A view
that declares nothing is refused to everyone but the admin site's own views,
so a new page cannot be born open.
"""

from __future__ import annotations

from functools import wraps

from guanai.areas.scoping import user_role

from . import roles as role_names


def roles_required(*allowed: str):
    unknown = set(allowed) - role_names.ALL
    if unknown:
        raise ValueError(f"unknown roles: {unknown}")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)
        return wrapper

    return decorate


def declared_roles(view_func) -> frozenset | None:
    """The roles a resolved view admits, or None when it declares none."""
    declared = getattr(view_func, "allowed_roles", None)
    if declared is None:
        view_class = getattr(view_func, "view_class", None)
        declared = getattr(view_class, "allowed_roles", None)
    return frozenset(declared) if declared is not None else None


def is_public(view_func) -> bool:
    return getattr(view_func, "login_required", True) is False


def may_use(user, view_func) -> bool:
    declared = declared_roles(view_func)
    role = user_role(user)
    return declared is not None and role is not None and (role in declared or role == role_names.ADMIN)
