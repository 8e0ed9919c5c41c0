import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve

from .access import is_public, may_use

ADMIN_SITE_PREFIX = "/admin/"


class IdleTimeoutMiddleware:
    """Log a session out after a period without requests (level-3 time-out)."""

    SESSION_KEY = "guanai_last_seen"
    PRECISION_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.SESSION_KEY)
            if last_seen is not None and now - last_seen > settings.GUANAI_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if _authenticates_itself(request):
                    # The API (the phone's offline sync uses the session): its own JSON 401,
                    # or the bearer token the request also carries; never a login page.
                    return self.get_response(request)
                messages.warning(request, "由于长时间未操作，您已自动退出登录，请重新登录。")
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            # Rewriting the session on every request costs a database write per page;
            # a minute's precision is plenty for a 30-minute time-out.
            if last_seen is None or now - last_seen >= self.PRECISION_SECONDS:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)


def _authenticates_itself(request) -> bool:
    try:
        return getattr(resolve(request.path_info).func, "authenticates_itself", False)
    except Resolver404:
        return False


class LoginRequiredMiddleware:
    """Every page needs a login and a role the view declares, unless it opts out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_public(view_func):
            return None
        if request.path.startswith(ADMIN_SITE_PREFIX):
            return None  # the admin site checks is_staff and model permissions itself
        if getattr(view_func, "authenticates_itself", False):
            return None  # the API: bearer tokens, roles and JSON 401/403 in its own views
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not may_use(request.user, view_func):
            raise PermissionDenied("您的角色无权访问此页面")
        return None
