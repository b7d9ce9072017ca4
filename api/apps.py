from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # The cached figures the API answers are rendered to JSON where they are computed (api.figures).
        from api.figures import prerender
        from api.schemas.indicators import ComplianceOut
        from api.schemas.runoff import AreaLoadsOut

        prerender("compliance", ComplianceOut)
        prerender("area_loads", AreaLoadsOut)
