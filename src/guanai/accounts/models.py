from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import roles


class User(AbstractUser):
    """A unique personal account, bound to an area (and a unit reporter to a unit)."""

    role = models.CharField(_("角色"), max_length=16, choices=roles.CHOICES, default=roles.VILLAGE)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("管辖区划"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    unit = models.ForeignKey(
        "coordination.MemberUnit", verbose_name=_("成员单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Superseded by LoginThrottle (failures counted per name, real or not). Kept for one release
    # so that the code still serving during an upgrade can write them; nothing reads them.
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        # Chinese order: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()

    def get_short_name(self):
        # The admin greets by the short name: a Chinese given name alone (理员, 秀英) reads as a
        # fragment, so the whole name it is.
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role != roles.ADMIN and self.area_id is None:
            raise ValidationError({"area": _("除系统管理员外，每个账号都必须指定管辖区划。")})
        if self.role == roles.UNIT and self.unit_id is None:
            raise ValidationError({"unit": _("成员单位联络员必须指定所属成员单位。")})

    @property
    def is_admin_role(self) -> bool:
        return self.role == roles.ADMIN or self.is_superuser

    def is_locked(self, now=None) -> bool:
        return LoginThrottle.locked_minutes(self.username, now) > 0


class LoginThrottle(models.Model):
    """Failed logins under one user name, whether an account has it or not.

    Kept per name rather than per account so that an unknown name is answered exactly as a
    real one (after the same number of failures it too is "locked"): the answer never tells
    whether an account exists. Every door that checks a password (the site's login, the
    admin site's, the API's token) goes through accounts.backends.LockoutBackend.
    """

    username = models.CharField(_("用户名"), max_length=150, unique=True)
    failures = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    last_failed_at = models.DateTimeField(_("最近失败时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self):
        return self.username

    @classmethod
    def locked_minutes(cls, username: str, now=None) -> int:
        """Whole minutes (rounded up) the name stays locked; 0 when it is not."""
        now = now or timezone.now()
        until = cls.objects.filter(username=username, locked_until__gt=now).values_list("locked_until", flat=True).first()
        if until is None:
            return 0
        return max(1, int((until - now).total_seconds() // 60) + 1)
