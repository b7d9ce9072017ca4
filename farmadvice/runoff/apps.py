from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunoffConfig(AppConfig):
    name = "farmadvice.runoff"
    label = "runoff"
    verbose_name = _("径流负荷模型")
