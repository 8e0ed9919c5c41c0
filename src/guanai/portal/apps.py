from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top of the layers: the home page, the job page, the demo loader and the
    `guanai demo/import/serve` commands. It may import every app; none imports it."""

    name = "guanai.portal"
    verbose_name = _("门户")

    def ready(self):
        from . import cards  # noqa: F401  (registers the foundation's home cards)
