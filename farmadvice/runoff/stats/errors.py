"""The statistics package's own errors.

Every message is one of the template constants of the package (here, in `data.py`, `models.py` and
`predict.py`), so that a test can assert it and a service can re-raise it as an `ApplicationError` on the named
column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import pandas as pd

ROWS_SHOWN = 10

INSUFFICIENT_DATA = (
    "The runoff model needs at least {required} observations for this design and got {n}; "
    "use the export coefficients until more field or district seasons are measured."
)


class RunoffStatsError(Exception):
    """Base of the package's errors: `message` says what to fix.

    `template` is one of the message constants and `column` and `params` fill it in; `column` names the
    offending input column and `rows` holds the labels of the offending rows, where there are such.
    """

    def __init__(
        self,
        template: str,
        *,
        column: str | None = None,
        row_labels: Sequence[object] = (),
        **params: object,
    ) -> None:
        self.template = template
        self.params = params
        self.column = column
        self.rows = tuple(row_labels)
        self.message = template.format(column=column, **params)
        super().__init__(self.message)


class RunoffDataError(RunoffStatsError, ValueError):
    """Input data a user can get wrong: a missing column, a missing or impossible value."""


class InsufficientDataError(RunoffDataError):
    """Too few observations to fit the model; the caller falls back to the export coefficients."""

    def __init__(self, n: int, required: int) -> None:
        super().__init__(INSUFFICIENT_DATA, n=n, required=required)
        self.n = n
        self.required = required


class RunoffModelError(RunoffStatsError):
    """A fitted model cannot answer the question: a dropped practice, an unknown crop, a damaged dict."""


E = TypeVar("E", bound=RunoffStatsError)


def describe_rows(labels: Sequence[object]) -> str:
    """The first few row labels, and how many more there are, for a message."""
    shown = ", ".join(repr(label) for label in labels[:ROWS_SHOWN])
    if len(labels) > ROWS_SHOWN:
        return f"{shown} and {len(labels) - ROWS_SHOWN} more"
    return shown


def rows_error(
    error_class: type[E],
    template: str,
    *,
    column: str | None,
    index: pd.Index,
    bad: np.ndarray,
    **params: object,
) -> E:
    """An error about the rows where `bad` is true; the template's `{rows}` lists their labels."""
    labels = [label.item() if isinstance(label, np.generic) else label for label in index[bad]]
    return error_class(template, column=column, row_labels=labels, rows=describe_rows(labels), **params)
