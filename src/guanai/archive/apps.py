from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "guanai.archive"
    verbose_name = _("档案检索")

    def ready(self):
        # Index upkeep, the upload job's runner and the home card register themselves.
        from . import cards, jobs, signals  # noqa: F401
