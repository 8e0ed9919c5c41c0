from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Infrastructure every app builds on (jobs, uploads, forms, pagination, database
    helpers, working days, the home-card and demo-step registries); it imports no app."""

    name = "guanai.core"
    verbose_name = _("平台")
