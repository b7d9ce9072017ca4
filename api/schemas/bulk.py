"""Answers of the spreadsheet import (farmadvice.practices.bulk)."""

from __future__ import annotations

from ninja import Field, Schema


class ImportWarningOut(Schema):
    row: int = Field(..., description="Row as Excel shows it (the header is row 1).")
    column: str = Field(..., description="The column's Chinese header; empty when about the whole row.")
    key: str = Field(..., description="The column's machine key.")
    code: str = Field(..., description="Stable code of the plausibility check.")
    message: str


class ImportReportOut(Schema):
    record_type: str
    file: str = Field(..., alias="file_name")
    sheet: str | None
    rows: int = Field(..., description="Data rows read.")
    created: int
    updated: int = Field(..., description="Stored records changed (only with update=true).")
    unchanged: int = Field(..., description="Rows equal to a stored record: nothing written.")
    dry_run: bool = Field(..., description="True: checked only, nothing was written.")
    warnings: list[ImportWarningOut]


class ImportErrorOut(Schema):
    """One refused cell, row or header. `loc`/`msg`/`type` as in every 422 of this API."""

    loc: list[str | int]
    msg: str
    type: str
    row: int | None = Field(..., description="Row as Excel shows it (header = 1); null for the whole file.")
    column: str = Field(..., description="The column's Chinese header as written in the file.")
    key: str = Field(..., description="The column's machine key.")
    cell: str | None = Field(..., description="Excel cell address, e.g. E5.")
    value: str = Field(..., description="The value as found in the file.")
    reason: str


class ImportRejectedOut(Schema):
    detail: list[ImportErrorOut]
    file: str
    record_type: str | None
    rows: int
    error_count: int = Field(..., description="All errors; `detail` lists the first 2000.")
