from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "guanai.audit"
    verbose_name = _("审计日志")

    def ready(self):
        from . import signals  # noqa: F401  (connects login and record-change receivers)
