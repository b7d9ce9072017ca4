"""Spreadsheet import and export of records, and the blank templates (farmadvice.practices.bulk).

POST /imports/{record_type}                    upload an xlsx or csv (multipart field "file"); all
                                               rows are written or none; 422 lists every error
GET  /imports/templates/{record_type}.{fmt}    blank template, xlsx or csv
GET  /exports/{record_type}.{fmt}              the records the caller may see, in the same layout
"""

from dataclasses import asdict
from enum import StrEnum

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from api.schemas.bulk import ImportRejectedOut, ImportReportOut
from api.schemas.common import ErrorOut, ValidationErrorOut
from farmadvice.practices.bulk import (
    ExportFile,
    ImportRejected,
    RecordType,
    check_size,
    records_export,
    records_import,
    template_file,
)

router = Router(tags=["import and export"])


class FileFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


def _download(export: ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.file_name)
    return response


@router.post(
    "/imports/{record_type}",
    response={200: ImportReportOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ImportRejectedOut},
    summary="Import records from an xlsx or csv file",
)
def import_upload(
    request: HttpRequest,
    record_type: RecordType,
    file: File[UploadedFile],
    dry_run: bool = False,
    update: bool = False,
):
    """Check every row, then write all of them or none. Re-importing a file creates nothing new.

    `dry_run`: check and report only. `update`: change stored records whose values differ from the
    file (otherwise such rows are errors). 422 lists every error with its row (as Excel shows it),
    column, value and reason.
    """
    check_size(file.size, file_name=file.name or "")
    try:
        return records_import(
            user=request.auth,
            content=file.read(),
            file_name=file.name or "",
            record_type=record_type,
            update=update,
            dry_run=dry_run,
        )
    except ImportRejected as exc:
        return Status(
            422,
            {
                "detail": [
                    {
                        "loc": ["body", "file", e.row or 0, e.key],
                        "msg": e.reason,
                        "type": "import_error",
                        **asdict(e),
                    }
                    for e in exc.row_errors
                ],
                "file": exc.file_name,
                "record_type": exc.record_type,
                "rows": exc.rows,
                "error_count": exc.error_count,
            },
        )


@router.get(
    "/imports/templates/{record_type}.{fmt}",
    response={200: None, 422: ValidationErrorOut},
    summary="Blank template",
)
def import_template(request: HttpRequest, record_type: RecordType, fmt: FileFormat):
    return _download(template_file(record_type=record_type, fmt=fmt.value))


@router.get(
    "/exports/{record_type}.{fmt}",
    response={200: None, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Export the records you may see",
)
def export_download(
    request: HttpRequest,
    record_type: RecordType,
    fmt: FileFormat,
    year: int | None = Query(None, ge=2000, le=2100, description="Calendar year"),
    town: str | None = None,
):
    """In the import layout, so the file re-imports (with `update=true` after editing it)."""
    export = records_export(user=request.auth, record_type=record_type, fmt=fmt.value, year=year, town=town)
    return _download(export)
