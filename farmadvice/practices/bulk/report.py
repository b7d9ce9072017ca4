"""What an import tells the user: the rows it refused and why, or what it wrote."""

from __future__ import annotations

from dataclasses import dataclass, field

from farmadvice.core.errors import ApplicationError, ValidationFailed

# The report lists this many errors; the count says how many there were in all.
MAX_REPORTED_ERRORS = 2000


@dataclass(frozen=True)
class RowError:
    """One refused cell (or row, or header), located as the user sees it in Excel: header = row 1.

    `row` is None for a problem with the whole file; `column` is the Chinese header ("" for the whole row);
    `key` the column's machine key; `cell` the Excel address (e.g. "E5") where one cell is meant.
    """

    row: int | None
    column: str
    key: str
    value: str
    reason: str
    cell: str | None = None


@dataclass(frozen=True)
class RowWarning:
    """A plausibility warning about a written row; the row is stored all the same."""

    row: int
    column: str
    key: str
    code: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    record_type: str
    file_name: str
    sheet: str | None
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    warnings: list[RowWarning] = field(default_factory=list)


class ImportFileError(ApplicationError):
    """The file cannot be read as a table at all: wrong type, empty, unreadable, sheet or type unknown."""


class ImportRejected(ValidationFailed):
    """The file was read but some rows are wrong; nothing was written.

    `row_errors` holds every error in row order (up to MAX_REPORTED_ERRORS; `error_count` counts them all).
    As a ValidationFailed it maps "<row>.<key>" to reasons, so a generic 422 handler still says where.
    """

    def __init__(
        self, row_errors: list[RowError], *, file_name: str, record_type: str | None, rows: int
    ) -> None:
        errors: dict[str, list[str]] = {}
        for error in row_errors:
            errors.setdefault(f"{error.row or 0}.{error.key or 'row'}", []).append(error.reason)
        super().__init__(errors)
        self.error_count = len(row_errors)
        self.row_errors = row_errors[:MAX_REPORTED_ERRORS]
        self.file_name = file_name
        self.record_type = record_type
        self.rows = rows
