"""A request's limits hold even when library code swallows the limit's exception."""

import time

from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from guanai.ops.middleware import RequestLimitsMiddleware


def _view_that_swallows_everything(request):
    # What WeasyPrint does around a font or an image: ``except Exception`` and carry on.
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            sum(range(10_000))
        except Exception:  # noqa: BLE001 - the point of the test
            pass
    return HttpResponse("半成品")


@override_settings(GUANAI_REQUEST_TIMEOUT=0.3)
def test_a_swallowed_time_limit_still_ends_in_the_chinese_503():
    response = RequestLimitsMiddleware(_view_that_swallows_everything)(RequestFactory().get("/"))
    assert response.status_code == 503
    body = response.content.decode()
    assert "半成品" not in body and "处理时间超过了上限" in body
    assert response["Retry-After"] == "30"


@override_settings(GUANAI_REQUEST_TIMEOUT=5)
def test_a_request_within_its_limits_is_untouched():
    response = RequestLimitsMiddleware(lambda request: HttpResponse("好"))(RequestFactory().get("/"))
    assert response.status_code == 200 and response.content.decode() == "好"
