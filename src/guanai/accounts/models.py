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
        return self.locked_until is not None and self.locked_until > (now or timezone.now())
