from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "guanai.coordination"
    verbose_name = _("联席会议")

    def ready(self):
        # The metric functions, home cards and demo steps register themselves.
        from . import cards, metrics  # noqa: F401
        from . import oversight_cards  # noqa: F401  (registers the oversight home cards)
        from . import oversight_demo  # noqa: F401  (registers the oversight demo step)
        from . import oversight_metrics  # noqa: F401  (registers the oversight metrics)
