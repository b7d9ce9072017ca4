"""GET /api/v1/health: a public liveness check (also the floor of the load benchmark)."""

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["health"])


class HealthOut(Schema):
    status: str


@router.get("/health", auth=None, response=HealthOut, summary="Liveness check (public)")
def health(request: HttpRequest):
    return {"status": "ok"}
