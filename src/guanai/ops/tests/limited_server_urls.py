"""The installation's URLs plus two requests of known cost, for the limits tests:

- ``/_test/slow/`` computes in Python for 30 seconds;
- ``/_test/hungry/`` grows by 8 MB every 10 ms up to 2 GB, holding all of it.

Each answers 200 with "半成品" if no limit stopped it.
"""

import time

from django.http import HttpResponse
from django.urls import path

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.urls import handler400, handler500, urlpatterns as installation_urls  # noqa: F401

_EIGHT_MB = bytes(range(256)) * (8 * 1024 * 1024 // 256)


@roles_required(roles.OFFICE)
def _slow(request):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        sum(range(10_000))
    return HttpResponse("半成品")


@roles_required(roles.OFFICE)
def _hungry(request):
    held = []
    for _ in range(256):
        held.append(bytearray(_EIGHT_MB))  # a copy: every page written, so resident
        time.sleep(0.01)
    return HttpResponse("半成品")


urlpatterns = [path("_test/slow/", _slow), path("_test/hungry/", _hungry), *installation_urls]
