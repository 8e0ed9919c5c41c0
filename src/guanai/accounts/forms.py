from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from . import services


class LoginForm(AuthenticationForm):
    """The site's login. Lockout is the backend's (accounts.backends); this form only words it.
    A locked name, real or not, gets the same answer, so the answer never says whether an
    account exists."""

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

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            minutes = services.locked_minutes(self.cleaned_data.get("username") or "")
            if minutes:
                raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                            params={"minutes": minutes}) from None
            raise


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin site's login: the same lockout and words, and staff only."""

    error_messages = {**LoginForm.error_messages,
                      "invalid_login": "用户名或密码错误，或该账号无权进入后台管理，请重新输入。"}
