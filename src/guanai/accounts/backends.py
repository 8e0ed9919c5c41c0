"""The one password check of every door (the site's login, the admin site's, the API's token):
a locked name is refused before its password is looked at, and every failure counts."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import services


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if username is None or password is None:
            return None
        if services.locked_minutes(username):
            # PermissionDenied stops Django trying other backends; the failure is audited
            # (user_login_failed) but not counted again.
            raise PermissionDenied("locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.note_login_failure(username, request)
        else:
            services.note_login_success(user)
        return user
