from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "guanai.core"
    verbose_name = _("平台")

    def ready(self):
        from . import cards  # noqa: F401  (registers the foundation's home cards)
