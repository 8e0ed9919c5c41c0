"""Bounds and security headers on every request (see limits.py for the bounds)."""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from . import limits
from .views import over_limit, too_large


class RequestLimitsMiddleware:
    """Refuse a body over GUANAI_MAX_REQUEST_MB before reading it; give the rest of the
    request GUANAI_REQUEST_TIMEOUT seconds (the 503 comes from ops.views.server_error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.GUANAI_MAX_REQUEST_MB * 1024 * 1024:
            return too_large(request)
        limits.work_started(limits.request_timeout())
        response = None
        try:
            response = self.get_response(request)
        finally:
            stopped_by = limits.work_finished()
        # A limit's exception that some library swallowed (a broad ``except``) leaves a
        # response made without the part it interrupted, e.g. a PDF missing a font: the
        # user gets the 503 instead of a damaged file.
        if stopped_by is not None and response.status_code != 503:
            return over_limit(stopped_by)
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every page, and no copy of any page kept by a browser
    or proxy (they show personal data). Static files are answered before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.GUANAI_CSP)
        add_never_cache_headers(response)
        return response
