"""The one NinjaAPI: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from api.auth import AUTH
from api.routers.indicators import router as indicators_router
from api.routers.registry import router as registry_router
from farmadvice.core.errors import ApplicationError, ValidationFailed

MSG_AUTH_REQUIRED = gettext_noop("需要登录或有效的 API 令牌。")

api = NinjaAPI(
    title="farmadvice API",
    version="1",
    description="崇明绿色农业与农业面源污染防治咨询服务 — green-farming advisory service for Chongming.",
    auth=AUTH,
    urls_namespace="api-v1",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    if isinstance(exc, ValidationFailed):
        detail = [
            {
                "loc": ["body", "payload", *field.split(".")] if field != "__all__" else ["body", "payload"],
                "msg": msg,
                "type": "value_error",
            }
            for field, msgs in exc.errors.items()
            for msg in msgs
        ]
        return api.create_response(request, {"detail": detail}, status=422)
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": _(MSG_AUTH_REQUIRED)}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="farmadvice"'
    return response


api.add_router("/", registry_router)
api.add_router("/", indicators_router)
api.add_router("/", "api.routers.records.router")
api.add_router("/", "api.routers.bulk.router")
api.add_router("/", "api.routers.reports.router")
api.add_router("/", "api.routers.runoff.router")
api.add_router("/", "api.routers.advice.router")
api.add_router("/", "api.routers.health.router")
api.add_router("/", "api.routers.audit.router")
