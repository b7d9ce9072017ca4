"""Bulk import and export of records as spreadsheets (xlsx or csv), one record type per sheet.

- `layouts`: the columns of each record type (Chinese headers with units, machine keys), shared by
  templates, import and export.
- `imports.records_import`: validate a whole file, then write all of it or nothing (idempotent).
- `exports.records_export` / `exports.template_file`: the records a user may see, or a blank template,
  in the same layout, so an export re-imports cleanly.
"""

from farmadvice.practices.bulk.exports import ExportFile, records_export, records_frame, template_file
from farmadvice.practices.bulk.imports import records_import
from farmadvice.practices.bulk.layouts import LAYOUTS, RecordType, record_type_for
from farmadvice.practices.bulk.reading import MAX_FILE_BYTES, MAX_ROWS, check_size
from farmadvice.practices.bulk.report import (
    ImportFileError,
    ImportRejected,
    ImportReport,
    RowError,
    RowWarning,
)

__all__ = [
    "LAYOUTS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ExportFile",
    "ImportFileError",
    "ImportRejected",
    "ImportReport",
    "RecordType",
    "RowError",
    "RowWarning",
    "check_size",
    "record_type_for",
    "records_export",
    "records_frame",
    "records_import",
    "template_file",
]
