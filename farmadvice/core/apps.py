from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "farmadvice.core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from farmadvice.core import figures

        figures.connect_signals()
