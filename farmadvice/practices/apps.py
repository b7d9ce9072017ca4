from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "farmadvice.practices"
    verbose_name = _("生产记录")
