from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from . import services
from .models import User


def _minutes_left(user: User) -> int:
    return max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误，请重新输入。",
        "inactive": "该账号已停用，请联系系统管理员。",
        "locked": "该账号因多次密码错误已被锁定，请%(minutes)s分钟后再试，或联系系统管理员解锁。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})

    def _locked_error(self, user: User) -> forms.ValidationError:
        return forms.ValidationError(self.error_messages["locked"], code="locked",
                                     params={"minutes": _minutes_left(user)})

    def clean(self):
        username = self.cleaned_data.get("username")
        user = User.objects.filter(username=username).first() if username else None
        if user is not None and user.is_locked():
            raise self._locked_error(user)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            failed = services.note_login_failure(username, self.request) if username else None
            if failed is not None and failed.is_locked():
                raise self._locked_error(failed) from None
            raise
        services.note_login_success(self.get_user())
        return cleaned
