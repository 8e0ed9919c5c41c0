"""Deny by default: every view declares the roles that may use it.

``@roles_required(...)`` on a function view, or ``allowed_roles`` on a class
view; ``login_not_required`` (Django's) opens a view to anonymous users. A view
that declares nothing is refused to everyone but the admin site's own views,
so a new page cannot be born open.
"""

from __future__ import annotations

from functools import wraps


from . import roles as role_names
from .roles import user_role


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


def own_job_or_404(user, pk, **filters):
    """The job ``pk`` (of the kind ``filters`` say) if ``user`` started it, any job for the admin;
    404 otherwise: someone else's job is as absent as a missing one."""
    from django.http import Http404

    from guanai.core.models import Job

    job = Job.objects.filter(pk=pk, **filters).first()
    if job is None or (job.user_id != getattr(user, "pk", None) and user_role(user) != role_names.ADMIN):
        raise Http404("任务不存在")
    return job
