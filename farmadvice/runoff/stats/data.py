"""The column contract of the runoff model, its validation, and the training-set fingerprint.

One row is one observation (training) or one farm-season to predict for, in a pandas DataFrame:

==================== ========= ===============================================================================
column               unit      meaning and rule
==================== ========= ===============================================================================
`load_kg_per_ha`     kg/ha     the response: measured TN or TP export of the season; > 0 (training only;
                               a district's net load is outlet minus inlet, INDICATORS.md §8)
`rate_kg_per_ha`     kg/ha     N rate (TN model) or P rate (TP model) of the season; >= 0, never empty
`rainfall_mm`        mm        rainfall over the season; >= 0
`crop`               text      crop of the season (rice, wheat, vegetable, ...); a category
`slow_release_share` 0..1      share of the N (or P) applied as slow- or controlled-release fertiliser
`side_deep`          0..1      1/0, or the share of the area fertilised side-deep
`fertigation`        0..1      1/0, or the share of the area under fertigation
`straw_return`       0..1      1/0, or the share of the straw returned to the field
`district`           text      optional: irrigation district, the group of the random intercept
`area_ha`            ha        optional: area of the farm-season, turns kg/ha into kg; >= 0
==================== ========= ===============================================================================

Other columns are ignored. Every rule a value can break raises `RunoffDataError` with one of the message
constants below, naming the column and the row labels (the DataFrame's index), so that the message says what
to fix. Numbers may come as any numeric dtype, as nullable integers, or as objects such as `Decimal`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import RunoffDataError, rows_error

LOAD = "load_kg_per_ha"
RATE = "rate_kg_per_ha"
RAINFALL = "rainfall_mm"
CROP = "crop"
SLOW_RELEASE = "slow_release_share"
SIDE_DEEP = "side_deep"
FERTIGATION = "fertigation"
STRAW_RETURN = "straw_return"
DISTRICT = "district"
AREA = "area_ha"

PRACTICE_COLUMNS = (SLOW_RELEASE, SIDE_DEEP, FERTIGATION, STRAW_RETURN)
NUMERIC_PREDICTORS = (RATE, RAINFALL, *PRACTICE_COLUMNS)
PREDICTOR_COLUMNS = (RATE, RAINFALL, CROP, *PRACTICE_COLUMNS)
TRAINING_COLUMNS = (LOAD, *PREDICTOR_COLUMNS)

COLUMN_MEANINGS = {
    LOAD: "the measured TN or TP load of the season, kg/ha",
    RATE: "the N rate (TN model) or P rate (TP model), kg/ha",
    RAINFALL: "the season's rainfall, mm",
    CROP: "the crop of the season",
    SLOW_RELEASE: "the share of slow-release fertiliser, 0 to 1",
    SIDE_DEEP: "side-deep placement, 0/1 or a share",
    FERTIGATION: "fertigation, 0/1 or a share",
    STRAW_RETURN: "straw return, 0/1 or a share",
    DISTRICT: "the irrigation district",
    AREA: "the area of the farm-season, ha",
}

# Message templates: `RunoffDataError.template` is one of these.
NOT_A_DATA_FRAME = "The runoff model takes a pandas DataFrame; got {type_name}."
NO_ROWS = "The data frame has no rows."
MISSING_COLUMN = "Column {column!r} is missing; the runoff model needs {meaning}."
NOT_NUMERIC = "Column {column!r} must hold numbers; rows {rows} do not."
MISSING_RATE = (
    "Column 'rate_kg_per_ha' is empty in rows {rows}: enter the N rate (TN model) or the P rate "
    "(TP model) in kg/ha, and 0 where none was applied."
)
MISSING_VALUES = (
    "Column {column!r} has missing values (NaN) in rows {rows}; fill them in or leave the rows out."
)
NOT_FINITE = "Column {column!r} has infinite values in rows {rows}."
LOAD_NOT_POSITIVE = (
    "Column 'load_kg_per_ha' must be greater than 0, because the model works on the log of the load; "
    "rows {rows} have loads of 0 or less. Leave those observations out of the training data "
    "(a negative net district load is reported as it is, but cannot train a log model)."
)
NEGATIVE_VALUE = "Column {column!r} must be 0 or more; rows {rows} are negative."
SHARE_OUT_OF_RANGE = "Column {column!r} must be 0/1 or a share between 0 and 1; rows {rows} are outside."
EMPTY_TEXT = "Column {column!r} must name a {what}; rows {rows} are empty."

FINGERPRINT_FORMAT = "farmadvice.runoff.training/1"


@dataclass(frozen=True, eq=False)
class RunoffData:
    """A validated frame: float64 arrays in the units of the contract, categories as sorted levels + codes.

    `crop_codes[i]` indexes `crop_levels`; `unused_crop_levels` are categories that a categorical `crop`
    column declares but no row has. `load` is None for prediction data; `district_*` and `area` are None when
    the column is absent.
    """

    index: pd.Index
    numeric: Mapping[str, np.ndarray]
    crop_codes: np.ndarray
    crop_levels: tuple[str, ...]
    unused_crop_levels: tuple[str, ...]
    load: np.ndarray | None
    district_codes: np.ndarray | None
    district_levels: tuple[str, ...] | None
    area: np.ndarray | None

    @property
    def n(self) -> int:
        return len(self.index)


def validate_training_data(df: pd.DataFrame) -> RunoffData:
    """Check a training frame against the column contract; `load_kg_per_ha` is required and > 0."""
    return _validate(df, training=True)


def validate_prediction_data(df: pd.DataFrame) -> RunoffData:
    """Check a frame of farm-seasons to predict for; `load_kg_per_ha` is not needed and is ignored."""
    return _validate(df, training=False)


def training_fingerprint(df: pd.DataFrame) -> str:
    """sha256 of the training set, the same for the same rows in any order and under any index."""
    return fingerprint_of(validate_training_data(df))


def fingerprint_of(data: RunoffData) -> str:
    """sha256 of a canonical serialisation of the columns the model uses.

    The serialisation is a JSON header (format, column names, sorted crop and district levels) and a newline,
    then the rows as little-endian float64 (categories as their index among the sorted levels, -0.0 as 0.0)
    in a canonical order: by `_row_keys`, a 64-bit mix of each row's bytes, and by the bytes themselves
    should two different rows share a key. Row order, the index and ignored columns do not change it.
    """
    if data.load is None:
        raise ValueError("A fingerprint is taken of training data, which has loads.")
    columns = [LOAD, RATE, RAINFALL, CROP, *PRACTICE_COLUMNS]
    arrays = [data.load, data.numeric[RATE], data.numeric[RAINFALL], data.crop_codes]
    arrays += [data.numeric[name] for name in PRACTICE_COLUMNS]
    if data.district_codes is not None:
        columns.append(DISTRICT)
        arrays.append(data.district_codes)
    matrix = np.empty((data.n, len(arrays)), dtype="<f8")
    for j, values in enumerate(arrays):
        np.add(values, 0.0, out=matrix[:, j])
    keys = _row_keys(arrays)
    # Rows that share a key are identical unless two rows collide, so any sort of the keys is canonical then.
    order = np.argsort(keys)
    ordered = matrix.take(order, axis=0)
    sorted_keys = keys.take(order)
    same_key = sorted_keys[1:] == sorted_keys[:-1]
    if same_key.any() and (ordered[1:][same_key] != ordered[:-1][same_key]).any():
        as_bytes = matrix.view(np.dtype((np.void, matrix.shape[1] * 8))).ravel()
        ordered = matrix.take(np.argsort(as_bytes, kind="stable"), axis=0)
    header = {
        "format": FINGERPRINT_FORMAT,
        "columns": columns,
        "crop_levels": list(data.crop_levels),
        "district_levels": list(data.district_levels or ()),
    }
    digest = hashlib.sha256(json.dumps(header, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    digest.update(b"\n")
    digest.update(ordered)
    return digest.hexdigest()


def _row_keys(columns: list[np.ndarray]) -> np.ndarray:
    """A 64-bit key per row, mixed from its float64 bit patterns (a splitmix64-style step per column)."""
    keys = np.full(len(columns[0]), 0x9E3779B97F4A7C15, dtype=np.uint64)
    for values in columns:
        keys ^= np.add(values, 0.0, dtype="<f8").view("<u8")
        keys *= np.uint64(0xBF58476D1CE4E5B9)
        keys ^= keys >> np.uint64(31)
    return keys


def _validate(df: pd.DataFrame, *, training: bool) -> RunoffData:
    if not isinstance(df, pd.DataFrame):
        raise RunoffDataError(NOT_A_DATA_FRAME, type_name=type(df).__name__)
    for column in TRAINING_COLUMNS if training else PREDICTOR_COLUMNS:
        if column not in df.columns:
            raise RunoffDataError(MISSING_COLUMN, column=column, meaning=COLUMN_MEANINGS[column])
    if len(df) == 0:
        raise RunoffDataError(NO_ROWS)
    index = df.index
    load = None
    if training:
        load = _numeric(df, LOAD)
        _reject(load <= 0, LOAD_NOT_POSITIVE, LOAD, index)
    numeric = {column: _numeric(df, column) for column in NUMERIC_PREDICTORS}
    for column in (RATE, RAINFALL):
        _reject(numeric[column] < 0, NEGATIVE_VALUE, column, index)
    for column in PRACTICE_COLUMNS:
        _reject((numeric[column] < 0) | (numeric[column] > 1), SHARE_OUT_OF_RANGE, column, index)
    crop_codes, crop_levels, unused = _categories(df, CROP, "crop")
    district_codes = district_levels = None
    if DISTRICT in df.columns:
        district_codes, district_levels, _ = _categories(df, DISTRICT, "district")
    area = None
    if AREA in df.columns:
        area = _numeric(df, AREA)
        _reject(area < 0, NEGATIVE_VALUE, AREA, index)
    return RunoffData(
        index=index,
        numeric=numeric,
        crop_codes=crop_codes,
        crop_levels=crop_levels,
        unused_crop_levels=unused,
        load=load,
        district_codes=district_codes,
        district_levels=district_levels,
        area=area,
    )


def _reject(bad: np.ndarray, template: str, column: str, index: pd.Index, **params: object) -> None:
    if bad.any():
        raise rows_error(RunoffDataError, template, column=column, index=index, bad=bad, **params)


def _numeric(df: pd.DataFrame, column: str) -> np.ndarray:
    """The column as float64, NaN-free and finite, or `RunoffDataError` naming the rows."""
    series = df[column]
    if not pd.api.types.is_numeric_dtype(series.dtype):
        converted = pd.to_numeric(series, errors="coerce")
        _reject((converted.isna() & series.notna()).to_numpy(), NOT_NUMERIC, column, df.index)
        series = converted
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    _reject(np.isnan(values), MISSING_RATE if column == RATE else MISSING_VALUES, column, df.index)
    _reject(np.isinf(values), NOT_FINITE, column, df.index)
    return values


def _categories(
    df: pd.DataFrame, column: str, what: str
) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """Codes into the sorted text levels, and the declared categories that no row has."""
    series = df[column]
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    _reject(codes < 0, MISSING_VALUES, column, df.index)
    texts = np.array([str(value) for value in uniques], dtype=object)
    empty = np.array([not text.strip() for text in texts], dtype=bool)
    _reject(empty[codes], EMPTY_TEXT, column, df.index, what=what)
    levels, inverse = np.unique(texts.astype(str), return_inverse=True)
    level_names = tuple(str(level) for level in levels)
    unused: tuple[str, ...] = ()
    if isinstance(series.dtype, pd.CategoricalDtype):
        unused = tuple(sorted({str(c) for c in series.cat.categories} - set(level_names)))
    return inverse[codes].astype(np.intp), level_names, unused
