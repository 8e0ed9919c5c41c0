from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running an installation: serving within limits, workers, backups, safe upgrades."""

    name = "guanai.ops"
    verbose_name = "运行维护"

    def ready(self):
        from . import limits

        limits.install_database_hooks()
