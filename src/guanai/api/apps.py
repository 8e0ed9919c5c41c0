from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "guanai.api"
    label = "api"
    verbose_name = "接口"

    def ready(self):
        from . import schema  # noqa: F401  (registers the bearer scheme with drf-spectacular)
