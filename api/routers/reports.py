from django.http import FileResponse, HttpRequest
from ninja import Router, Status

from api.schemas.common import ErrorOut, ValidationErrorOut
from api.schemas.reports import (
    BatchIn,
    BatchOut,
    ReportIssueIn,
    ReportOut,
    ShareLinkIn,
    ShareLinkOut,
    VerificationOut,
)
from farmadvice.registry.selectors import farm_get
from reports import selectors, services

router = Router(tags=["reports"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get("/farms/{code}/reports", response={200: list[ReportOut], 404: ErrorOut})
def report_list(request: HttpRequest, code: str):
    return selectors.report_list(user=request.auth, farm_code=code)


@router.post("/farms/{code}/reports", response={201: ReportOut, **WRITE_ERRORS})
def report_issue(request: HttpRequest, code: str, payload: ReportIssueIn):
    farm = farm_get(user=request.auth, code=code)
    report = services.report_issue(user=request.auth, farm=farm, year=payload.year, language=payload.language)
    return Status(201, report)


@router.get("/reports/verify/{code}", auth=None, response={200: VerificationOut, 404: ErrorOut})
def report_verify(request: HttpRequest, code: str):
    return selectors.report_verify(code=code)


@router.get("/reports/{int:report_id}", response={200: ReportOut, 404: ErrorOut})
def report_detail(request: HttpRequest, report_id: int):
    return selectors.report_get(user=request.auth, report_id=report_id)


@router.get(
    "/reports/{int:report_id}/download",
    response={404: ErrorOut},
    url_name="report_download",
    openapi_extra={
        "responses": {200: {"description": "The archived PDF", "content": {"application/pdf": {}}}}
    },
)
def report_download(request: HttpRequest, report_id: int):
    report = selectors.report_get(user=request.auth, report_id=report_id)
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.download_name,
        content_type="application/pdf",
    )


@router.post(
    "/reports/{int:report_id}/share-link",
    response={200: ShareLinkOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def report_share_link(request: HttpRequest, report_id: int, payload: ShareLinkIn):
    report = selectors.report_get(user=request.auth, report_id=report_id)
    return services.report_share_link_create(user=request.auth, report=report, days=payload.days)


@router.post("/reports/batches", response={201: BatchOut, **WRITE_ERRORS})
def batch_create(request: HttpRequest, payload: BatchIn):
    batch = services.report_batch_create(user=request.auth, **payload.dict())
    return Status(201, selectors.batch_progress(batch))


@router.get("/reports/batches/{int:batch_id}", response={200: BatchOut, 404: ErrorOut})
def batch_detail(request: HttpRequest, batch_id: int):
    return selectors.batch_get(user=request.auth, batch_id=batch_id)
