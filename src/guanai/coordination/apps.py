from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "guanai.coordination"
    verbose_name = _("联席会议")
