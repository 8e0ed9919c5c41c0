"""The project's own answers where Django's would be English: a body too large (413),
a request over its time or memory limit (503), a failed CSRF check (403)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.template import loader
from django.http import HttpResponseServerError
from django.views import defaults

from . import limits


def too_large(request, exception=None):
    return render(request, "413.html", {"limit_mb": settings.GUANAI_MAX_REQUEST_MB}, status=413)


def bad_request(request, exception=None):
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        return too_large(request, exception)
    return defaults.bad_request(request, exception)


def server_error(request):
    """Django calls this inside its ``except``: a request stopped by a limit is a 503
    (try later, or ask for less); anything else is the plain 500 page."""
    exc = sys.exc_info()[1]
    if limits.is_over_limit(exc):
        return over_limit(MemoryError if isinstance(exc, MemoryError) else limits.RequestTimeLimit)
    return defaults.server_error(request)


def over_limit(exc_type: type[BaseException]):
    """The Chinese 503 for a request stopped by its memory or time limit."""
    kind = "memory" if issubclass(exc_type, MemoryError) else "time"
    body = loader.render_to_string("503.html", {"kind": kind, "timeout": int(limits.request_timeout())})
    response = HttpResponseServerError(body)
    response.status_code = 503
    response["Retry-After"] = "30"
    return response


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
