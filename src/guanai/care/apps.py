from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "guanai.care"
    verbose_name = _("关爱帮扶")

    def ready(self):
        from guanai.registry.transfers import person_moved

        from . import cards, ledgers, metrics, signals  # noqa: F401  (register home cards, ledgers, metrics, tally signals)
        from .services import end_pairings_of_moved_person

        signals.connect()
        person_moved.connect(end_pairings_of_moved_person, dispatch_uid="care-end-pairings-of-moved-person")
