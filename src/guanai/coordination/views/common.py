"""What the conference pages share: who may read, manage, fill and review, and the one-form page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from guanai.accounts import roles
from guanai.core.forms import add_validation_errors

from .. import services


READ_ROLES = (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.STAFF, roles.LEADER)
MANAGE_ROLES = (roles.ADMIN, roles.OFFICE)
REPORT_ROLES = (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.LEADER)
FILL_ROLES = (roles.ADMIN, roles.UNIT)
REVIEW_ROLES = (roles.ADMIN, roles.OFFICE)
RATE_METRICS = ("unit_reports_due", "unit_reports_submitted", "unit_reports_on_time", "unit_reports_late",
                "unit_reports_approved", "unit_reporting_rate", "unit_on_time_rate")


def _managed_or_404(request, area_code: str):
    """A page that changes a conference: refused (as missing) to anyone who does not run it."""
    if not services.office_manages(request.user, area_code):
        raise Http404("记录不存在或您无权维护")


def _form_page(request, form, title: str, cancel_url: str, *, save=None, submit_label: str = "保存"):
    """One form on a page. On a valid POST, ``save(cleaned_data)`` calls the service and returns
    (message, url) to go on to; the service's errors go on the form."""
    if save is not None and request.method == "POST" and form.is_valid():
        try:
            message, url = save(form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(url)
    return render(request, "core/form_page.html", {"form": form, "title": title, "cancel_url": cancel_url,
                                                   "submit_label": submit_label})
