"""Statistics of the runoff model: TN / TP season loads regressed on rates, rainfall, crop and practices.

Django-free: functions take pandas DataFrames in the column contract of `data.py` and return frozen
dataclasses or DataFrames. See docs/runoff-model.md for the model, the method choice and the limits.
"""

from .cv import CVResult
from .data import (
    AREA,
    CROP,
    DISTRICT,
    FERTIGATION,
    LOAD,
    PRACTICE_COLUMNS,
    PREDICTOR_COLUMNS,
    RAINFALL,
    RATE,
    SIDE_DEEP,
    SLOW_RELEASE,
    STRAW_RETURN,
    TRAINING_COLUMNS,
    training_fingerprint,
)
from .design import DesignSpec, DroppedTerm
from .errors import InsufficientDataError, RunoffDataError, RunoffModelError, RunoffStatsError
from .models import (
    MIN_OBSERVATIONS,
    Coefficient,
    Diagnostics,
    DistrictEffect,
    FittedModel,
    LibraryVersions,
    fit_runoff_model,
    required_observations,
)
from .predict import predict_loads, scenario_reduction
from .simulate import simulate_training_data

__all__ = [
    "AREA",
    "CROP",
    "DISTRICT",
    "FERTIGATION",
    "LOAD",
    "MIN_OBSERVATIONS",
    "PRACTICE_COLUMNS",
    "PREDICTOR_COLUMNS",
    "RAINFALL",
    "RATE",
    "SIDE_DEEP",
    "SLOW_RELEASE",
    "STRAW_RETURN",
    "TRAINING_COLUMNS",
    "CVResult",
    "Coefficient",
    "DesignSpec",
    "Diagnostics",
    "DistrictEffect",
    "DroppedTerm",
    "FittedModel",
    "InsufficientDataError",
    "LibraryVersions",
    "RunoffDataError",
    "RunoffModelError",
    "RunoffStatsError",
    "fit_runoff_model",
    "predict_loads",
    "required_observations",
    "scenario_reduction",
    "simulate_training_data",
    "training_fingerprint",
]
