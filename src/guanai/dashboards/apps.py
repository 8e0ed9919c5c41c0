from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "guanai.dashboards"
    verbose_name = _("统计看板")

    def ready(self):
        from . import home  # noqa: F401  (the home page's dashboard section)
