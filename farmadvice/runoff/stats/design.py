"""The design matrix, built with numpy from the column contract (no formula parser on the hot path).

The columns are, in order: `Intercept`, one treatment dummy `C(crop)[T.<level>]` per crop level after the
first (levels sorted; the first is the reference), `rate_kg_per_ha`, `rainfall_mm` and the four practice
columns. It is the matrix, in the same order and with the same column names, that `DesignSpec.formula` gives in
statsmodels' formula API (which puts categorical terms first).

What the training data cannot support is left out, with a note that says why:

* a crop level with fewer than `MIN_OBSERVATIONS_PER_EFFECT` observations: its rows are left out, and the
  model does not predict for that crop;
* a numeric column in which fewer than `MIN_OBSERVATIONS_PER_EFFECT` observations differ from its most common
  value (a practice no observation uses, a rate that never varies): the column is dropped;
* a column that is a linear combination of the columns before it (a practice used exactly where another is):
  the column is dropped.

A dropped column's value in the training data is (at least for almost every row) a linear combination of the
kept ones, `DroppedTerm.relation`. A row to predict for that breaks the relation asks for an effect the data
cannot tell, and `prediction_design` refuses it with `RunoffModelError` rather than predicting silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import CROP, PRACTICE_COLUMNS, RAINFALL, RATE, RunoffData
from .errors import RunoffModelError, rows_error

INTERCEPT = "Intercept"
# The rule of thumb behind MIN_OBSERVATIONS (models.py): an effect needs about ten observations to inform it.
MIN_OBSERVATIONS_PER_EFFECT = 10
# 1 - R² of a column regressed on the kept columns (uncentred, scaled) below which it is not separable.
COLLINEARITY_TOLERANCE = 1e-9
# How far a row to predict for may stray from a dropped column's relation, relative to the value.
RELATION_TOLERANCE = 1e-6

UNKNOWN_CROP = "Rows {rows} have crop {crop!r}, which the model was not fitted on; the model knows: {known}."
DROPPED_TERM_USED = (
    "Rows {rows} ask for {term}, which the model dropped ({reason}); it cannot predict its effect. "
    "Refit with observations that use it, or keep it as in the training data."
)


@dataclass(frozen=True)
class DroppedTerm:
    """A design column left out, why, and its training value as a weighted sum of kept columns."""

    name: str
    reason: str
    relation: tuple[tuple[str, float], ...]

    @property
    def note(self) -> str:
        return f"dropped: {self.name} ({self.reason})"


@dataclass(frozen=True)
class DesignSpec:
    """What turns a validated frame into the model's design matrix, without the training data."""

    crop_levels: tuple[str, ...]
    columns: tuple[str, ...]
    terms: tuple[str, ...]
    dropped: tuple[DroppedTerm, ...]

    def formula(self, response: str) -> str:
        """The fixed-effects formula of the kept terms, in statsmodels' formula syntax."""
        parts = [f"C({CROP})" if term.startswith(f"C({CROP})") else term for term in self.terms[1:]]
        unique = list(dict.fromkeys(parts))
        return f"{response} ~ {' + '.join(unique) if unique else '1'}"


@dataclass(frozen=True, eq=False)
class TrainingDesign:
    """The design matrix of the kept columns for the used rows (`rows`, a mask over the input)."""

    matrix: np.ndarray
    spec: DesignSpec
    rows: np.ndarray
    notes: tuple[str, ...]


def crop_term(level: str) -> str:
    return f"C({CROP})[T.{level}]"


def candidate_columns(crop_levels: tuple[str, ...]) -> tuple[str, ...]:
    return (INTERCEPT, *(crop_term(level) for level in crop_levels[1:]), RATE, RAINFALL, *PRACTICE_COLUMNS)


def build_training_design(data: RunoffData) -> TrainingDesign:
    """The design of the training data, with rare crops' rows and unsupported columns left out."""
    notes = [f"dropped: crop level {level!r} (no observation)" for level in data.unused_crop_levels]
    counts = np.bincount(data.crop_codes, minlength=len(data.crop_levels))
    rare = counts < MIN_OBSERVATIONS_PER_EFFECT
    notes += [
        f"dropped: crop level {level!r} (only {count} observations, at least "
        f"{MIN_OBSERVATIONS_PER_EFFECT} are needed); its rows are left out"
        for level, count, is_rare in zip(data.crop_levels, counts, rare, strict=True)
        if is_rare
    ]
    levels = tuple(level for level, is_rare in zip(data.crop_levels, rare, strict=True) if not is_rare)
    new_code = np.cumsum(~rare) - 1
    rows = ~rare[data.crop_codes]
    if not levels:
        # Every crop is rare: keep the rows, so that the caller reports too few observations.
        levels, new_code, rows = data.crop_levels, np.arange(len(data.crop_levels)), np.ones(data.n, bool)
    if len(levels) == 1:
        notes.append(f"crop: only {levels[0]!r} in the training data, so no crop effect is estimated")
    columns = candidate_columns(levels)
    every_row = bool(rows.all())
    full = _full_matrix(
        data.numeric if every_row else {name: values[rows] for name, values in data.numeric.items()},
        new_code[data.crop_codes if every_row else data.crop_codes[rows]],
        len(levels),
    )
    kept, dropped = _supported_columns(full, columns)
    notes += [term.note for term in dropped]
    spec = DesignSpec(
        crop_levels=levels,
        columns=columns,
        terms=tuple(columns[j] for j in kept),
        dropped=tuple(dropped),
    )
    return TrainingDesign(_select_columns(full, kept), spec, rows, tuple(notes))


def prediction_design(spec: DesignSpec, data: RunoffData) -> np.ndarray:
    """The design matrix for rows to predict for; refuses unknown crops and dropped terms turned on."""
    lookup = {level: code for code, level in enumerate(spec.crop_levels)}
    level_codes = np.array([lookup.get(level, -1) for level in data.crop_levels], dtype=np.intp)
    codes = level_codes[data.crop_codes]
    if (codes < 0).any():
        unknown = int(np.flatnonzero(level_codes < 0)[0])
        raise rows_error(
            RunoffModelError,
            UNKNOWN_CROP,
            column=CROP,
            index=data.index,
            bad=data.crop_codes == unknown,
            crop=data.crop_levels[unknown],
            known=", ".join(spec.crop_levels),
        )
    full = _full_matrix(data.numeric, codes, len(spec.crop_levels))
    position = {name: j for j, name in enumerate(spec.columns)}
    for term in spec.dropped:
        implied = np.zeros(data.n)
        for name, weight in term.relation:
            implied += weight * full[:, position[name]]
        actual = full[:, position[term.name]]
        bad = np.abs(actual - implied) > RELATION_TOLERANCE * np.maximum(1.0, np.abs(implied))
        if bad.any():
            raise rows_error(
                RunoffModelError,
                DROPPED_TERM_USED,
                column=CROP if term.name.startswith(f"C({CROP})") else term.name,
                index=data.index,
                bad=bad,
                term=term.name,
                reason=term.reason,
            )
    return _select_columns(full, [position[name] for name in spec.terms])


def _full_matrix(numeric: Mapping[str, np.ndarray], crop_codes: np.ndarray, n_levels: int) -> np.ndarray:
    """All candidate columns, column-major: each column is written, checked and read whole, and it is the
    layout LAPACK works in (statsmodels' checks of the columns are several times faster on it)."""
    n_crop = n_levels - 1
    matrix = np.empty((len(crop_codes), n_crop + 3 + len(PRACTICE_COLUMNS)), order="F")
    matrix[:, 0] = 1.0
    for j in range(n_crop):
        np.equal(crop_codes, j + 1, out=matrix[:, 1 + j], casting="unsafe")
    for j, name in enumerate((RATE, RAINFALL, *PRACTICE_COLUMNS)):
        matrix[:, 1 + n_crop + j] = numeric[name]
    return matrix


def _select_columns(matrix: np.ndarray, kept: list[int]) -> np.ndarray:
    """The kept columns of a column-major matrix, still column-major (the matrix itself when all are kept)."""
    if kept == list(range(matrix.shape[1])):
        return matrix
    return np.asfortranarray(matrix.T[kept].T)


def _supported_columns(matrix: np.ndarray, columns: tuple[str, ...]) -> tuple[list[int], list[DroppedTerm]]:
    """Keep the columns, left to right, that vary enough and add a direction the kept ones do not span.

    The collinearity check works on the Gram matrix of the norm-scaled columns: one pass over the data.
    """
    gram = matrix.T @ matrix
    norms = np.sqrt(np.diag(gram))
    safe = np.where(norms > 0, norms, 1.0)
    gram = gram / np.outer(safe, safe)
    kept: list[int] = [0]
    dropped: list[DroppedTerm] = []
    for j in range(1, len(columns)):
        name = columns[j]
        reason = _too_little_variation(matrix[:, j])
        if reason is not None:
            mode, why = reason
            dropped.append(DroppedTerm(name, why, ((INTERCEPT, mode),)))
            continue
        sub = gram[np.ix_(kept, kept)]
        cross = gram[kept, j]
        weights = np.linalg.solve(sub, cross)
        if 1.0 - cross @ weights < COLLINEARITY_TOLERANCE:
            scaled = weights * norms[j] / norms[kept]
            relation = tuple((columns[k], float(w)) for k, w in zip(kept, scaled, strict=True))
            others = [columns[k] for k, w in zip(kept, scaled, strict=True) if k and abs(w) > 1e-12]
            why = f"a linear combination of {', '.join(others) or INTERCEPT} in the training data"
            dropped.append(DroppedTerm(name, why, relation))
            continue
        kept.append(j)
    return kept, dropped


def _too_little_variation(values: np.ndarray) -> tuple[float, str] | None:
    """(most common value, why) when fewer than MIN_OBSERVATIONS_PER_EFFECT rows differ from it."""
    n = len(values)
    zeros = int(np.count_nonzero(values == 0))
    if min(zeros, n - zeros) >= MIN_OBSERVATIONS_PER_EFFECT:
        return None  # whichever value is the most common, at least that many rows differ from it
    if n >= 2 * MIN_OBSERVATIONS_PER_EFFECT:
        # A value held by more than n - MIN rows holds more than MIN of the first 2 MIN rows: only the most
        # common of those can be it, and it needs one count over the column.
        head, head_counts = np.unique(values[: 2 * MIN_OBSERVATIONS_PER_EFFECT], return_counts=True)
        if head_counts.max() <= MIN_OBSERVATIONS_PER_EFFECT:
            return None
        mode = float(head[np.argmax(head_counts)])
        count = int(np.count_nonzero(values == mode))
    else:
        counts = pd.Series(values).value_counts(sort=True)
        mode, count = float(counts.index[0]), int(counts.iloc[0])
    differ = n - count
    if differ >= MIN_OBSERVATIONS_PER_EFFECT:
        return None
    if differ == 0:
        why = "no observation uses it" if mode == 0 else f"the same value {mode:g} in every observation"
    else:
        why = (
            f"only {differ} observations differ from {mode:g}, at least {MIN_OBSERVATIONS_PER_EFFECT} "
            "are needed to estimate its effect"
        )
    return mode, why
