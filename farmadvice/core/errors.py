"""The one family of errors a user can cause.

Services raise these; the API turns them into 4xx responses with the message and, where known, the field path.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A request the service refuses, with a message that says what to fix."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    """Input that breaks a rule; `errors` maps a field path to its reasons."""

    status_code = 422

    def __init__(self, errors: dict[str, list[str]]):
        first_field, reasons = next(iter(errors.items()))
        super().__init__(reasons[0], field=first_field)
        self.errors = errors


class PermissionDenied(ApplicationError):
    """The user may see the object but not change it (an agent outside assigned towns)."""

    status_code = 403


class NotFound(ApplicationError):
    """The object does not exist, or the user may not know that it exists."""

    status_code = 404


class Conflict(ApplicationError):
    """The write clashes with what is stored (a reused client id with other content)."""

    status_code = 409
