from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    name = "guanai.briefings"
    verbose_name = _("工作简报")

    def ready(self):
        # The compose job's runner and the home card register themselves.
        from . import cards, jobs  # noqa: F401
