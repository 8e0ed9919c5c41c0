from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "guanai.protection"
    verbose_name = _("未成年人保护")

    def ready(self):
        from . import cards, ledgers, metrics  # noqa: F401  (register home cards, ledgers and metrics)
