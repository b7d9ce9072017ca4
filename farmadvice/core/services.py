"""Helpers every write service uses."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from farmadvice.core.errors import ValidationFailed

M = TypeVar("M", bound=models.Model)


def validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Turn Django's ValidationError into {field: [reasons]}; non-field errors go under "__all__"."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def validate_and_save(instance: M, *, user: Any | None, exclude: list[str] | None = None) -> M:
    """Validate every field and constraint, record who wrote it, and save.

    Raises ValidationFailed with field-level reasons; nothing is written when it does.
    """
    if user is not None and getattr(user, "is_authenticated", False):
        if hasattr(instance, "created_by_id") and instance._state.adding and not instance.created_by_id:
            instance.created_by = user
        if hasattr(instance, "updated_by_id"):
            instance.updated_by = user
        instance._history_user = user  # read by django-simple-history
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed(validation_errors(exc)) from exc
    instance.save()
    return instance
