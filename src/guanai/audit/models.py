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
    # Looked up with object_id: the (object_type, object_id) index below serves object_type alone too.
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
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

    @property
    def change_labels(self) -> list[str]:
        """The changed fields as the pages name them (a record's history shows these, not keys)."""
        return [field_label(self.object_type, key) for key in (self.changes or {})]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录不可删除")


def _model(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    """"briefings.briefing" as the reader knows it: the model's Chinese name."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def field_label(object_type: str, key: str) -> str:
    """A changed field's Chinese name: the model's field (``area_id`` is its 所在村（社区）), a
    related record's name (``child_profile``), or what the model declares in ``AUDIT_LABELS``
    for keys a service records beside its fields (``categories``); else 其他信息, never the key."""
    model = _model(object_type)
    if model is None:
        return "其他信息"
    declared = getattr(model, "AUDIT_LABELS", {})
    if key in declared:
        return str(declared[key])
    from django.core.exceptions import FieldDoesNotExist

    # A service may record a related record's fields with the object's (a child's national form
    # with the person): the model names those models in AUDIT_ALSO.
    for candidate in (model, *(_model(label) for label in getattr(model, "AUDIT_ALSO", ()))):
        if candidate is None:
            continue
        for name in (key, key.removesuffix("_id")):
            try:
                field = candidate._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if getattr(field, "verbose_name", None):
                return str(field.verbose_name)
            if field.related_model is not None:  # a reverse relation: the related record's name
                return str(field.related_model._meta.verbose_name)
    return "其他信息"
