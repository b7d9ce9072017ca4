from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


class AsOfOut(Schema):
    """Which data a cached figure was computed from (farmadvice/core/figures.py)."""

    data_version: int = Field(..., description="The data version the figures were computed from")
    computed_at: dt.datetime
    refreshing: bool = Field(
        ...,
        description="Data changed since: these are the figures of the version named, at most "
        "FIGURES_STALE_SECONDS old, and the current ones are being computed",
    )
