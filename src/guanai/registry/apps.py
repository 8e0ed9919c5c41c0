from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "guanai.registry"
    verbose_name = _("人员档案")

    def ready(self):
        from . import cards, ledgers, metrics, signals  # noqa: F401  (register home cards, ledgers and metrics)

        signals.connect()

        from guanai.stats.tallies import after_refresh

        from .duplicates import keep_duplicates

        after_refresh(keep_duplicates)  # the kept duplicate groups follow every refresh of the kept figures
