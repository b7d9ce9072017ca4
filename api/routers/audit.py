"""GET /api/v1/audit: who changed what and when (committee and admins)."""

from django.http import HttpRequest
from ninja import Query, Router

from api.schemas.audit import AuditEntryOut, AuditQuery
from api.schemas.common import ErrorOut, ValidationErrorOut
from farmadvice.core.audit import audit_list

router = Router(tags=["audit"])


@router.get(
    "/audit",
    response={200: list[AuditEntryOut], 403: ErrorOut, 422: ValidationErrorOut},
    summary="Change history of the registry, the records and the reference figures, newest first (committee and admins)",
)
def audit(request: HttpRequest, filters: Query[AuditQuery]):
    return audit_list(user=request.auth, **filters.dict())
