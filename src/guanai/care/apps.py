from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "guanai.care"
    verbose_name = _("关爱帮扶")

    def ready(self):
        from . import cards  # noqa: F401  (registers its home cards)
