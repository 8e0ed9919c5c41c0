"""Once per token: a form sent twice (a double tap, a retry on a slow line) saves once.

Every create form carries a fresh random token (``{% form_token %}``) and its view is
wrapped in ``@once_per_token``. The first request with a token claims it (a row of
``IdempotencyKey``, unique per user and key) and runs the view in the same transaction;
when the view answers with a redirect (it saved), the redirect is stored with the claim.
A second request with the same token waits for the first (the unique index holds it on
PostgreSQL, the write lock on SQLite), finds the claim and is sent to the same place,
without running the view again. When the form comes back with errors, the claim is
dropped, so the corrected form can be sent.

The claims live in the database, so every server process sees them. The REST API reuses
``claim``/``remember`` for its ``Idempotency-Key`` header, storing the status and body to
replay.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone

from .models import IdempotencyKey

TOKEN_FIELD = "form_token"
KEY_LENGTH = 64
KEEP = timedelta(days=1)  # a tab left open overnight still submits once
REPLAYED = "此表单已提交过，未重复保存。"


def claim(user, key: str, endpoint: str) -> tuple[IdempotencyKey, bool]:
    """(the claim of ``key`` by ``user``, True when this call made it). Call inside the
    transaction that does the work: a concurrent second caller waits for it to end."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key[:KEY_LENGTH], endpoint=endpoint[:200]), True
    except IntegrityError:
        return IdempotencyKey.objects.get(user=user, key=key[:KEY_LENGTH]), False


def remember(entry: IdempotencyKey, result: dict) -> None:
    entry.result = result
    entry.save(update_fields=["result"])


def forget_old(user) -> None:
    IdempotencyKey.objects.filter(user=user, created_at__lt=timezone.now() - KEEP).delete()


def token_of(request) -> str:
    """The one-time token of a POST: the form's hidden field, or the same token in the query
    string (``?form_token=``, put there by static/guanai/site.js on submit) where nginx can
    see it and so may re-send the POST to another web process (deploy/nginx.conf.in)."""
    if request.method != "POST":
        return ""
    return (request.POST.get(TOKEN_FIELD, "") or request.GET.get(TOKEN_FIELD, "")).strip()


def once_per_token(view):
    """Run a create view once per form token (see the module's docstring). A POST without a
    token runs as before."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = token_of(request)
        if not key or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            forget_old(request.user)
            entry, mine = claim(request.user, key, request.path)
            if not mine:
                if entry.endpoint != request.path[:200] or not entry.result.get("location"):
                    # The same token on another form, or a claim without an answer: do nothing twice.
                    messages.warning(request, REPLAYED)
                    return HttpResponseRedirect(request.path)
                messages.info(request, REPLAYED)
                return HttpResponseRedirect(entry.result["location"])
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseRedirect):
                remember(entry, {"status": response.status_code, "location": response["Location"]})
            else:
                entry.delete()  # not saved (the form came back with errors): the token may be used again
            return response

    wrapper.once_per_token = True
    return wrapper
