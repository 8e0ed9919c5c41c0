"""The request being served, for audit events written far from the view."""

from contextvars import ContextVar

current_request: ContextVar = ContextVar("guanai_current_request", default=None)


def client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind a reverse proxy the deployment sets GUANAI_TRUST_X_FORWARDED_FOR;
    # otherwise a client could forge its address.
    from django.conf import settings

    if getattr(settings, "GUANAI_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None
