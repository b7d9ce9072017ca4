from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("咨询报告")

    def ready(self) -> None:
        from reports import checks  # noqa: F401  (registers the CJK font check)
