from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计记录不可修改")

    def delete(self):
        raise PermissionError("审计记录不可删除")


class AuditEvent(models.Model):
    """An append-only record of who saw, changed or exported what.

    The application refuses updates and deletes here, and database triggers
    (migration 0002) refuse them for any other client too.
    """

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKED = "locked"
    LOGOUT = "logout"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    VIEW = "view"
    EXPORT = "export"
    IMPORT = "import"
    ACTION_CHOICES = [
        (LOGIN, _("登录成功")),
        (LOGIN_FAILED, _("登录失败")),
        (LOCKED, _("账号锁定")),
        (LOGOUT, _("退出登录")),
        (CREATE, _("新增")),
        (UPDATE, _("修改")),
        (DELETE, _("删除")),
        (VIEW, _("查看")),
        (EXPORT, _("导出")),
        (IMPORT, _("导入")),
    ]

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True,
        on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=ACTION_CHOICES, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更字段"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    path = models.CharField(_("请求路径"), max_length=300, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录不可删除")
