"""Loads per farm-season with 95 % prediction intervals, and scenario reductions, from a `FittedModel` alone.

Everything is vectorised over rows (50,000 farm-seasons take well under a second); nothing refits.

Prediction interval of one season's load (kg/ha): on the log scale log Y = x' b_hat + e_param + e_noise
(`intervals.py`), so it includes both the uncertainty of the coefficients (x' V x, V the robust covariance)
and the season-to-season noise: a t interval with the residual degrees of freedom for log_ols, the exact
normal-log-Gamma quantiles for gamma_glm, a normal interval with sigma^2 + Var(u) for mixedlm; then exp.

Scenario reduction: the expected load of the baseline minus that of the scenario, row by row (the same
farm-season with the advised practice). Its 95 % interval is a confidence interval for that expected
reduction, from `n_sim` coefficient vectors drawn from N(b_hat, V) with a fixed seed: it shows how sure the
model is of the effect, not how much one season's realised loads will differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .cv import GAMMA_GLM, LOG_OLS
from .data import RunoffData, validate_prediction_data
from .design import prediction_design
from .errors import RunoffDataError
from .intervals import log_gamma_quantiles
from .models import CONFIDENCE, FittedModel

LOAD_COLUMNS = ("load_kg_per_ha", "pi_low", "pi_high")
AREA_COLUMNS = ("load_kg", "load_kg_low", "load_kg_high")
REDUCTION_COLUMNS = (
    "baseline_kg_per_ha",
    "scenario_kg_per_ha",
    "reduction_kg_per_ha",
    "reduction_low",
    "reduction_high",
)
REDUCTION_AREA_COLUMNS = ("reduction_kg", "reduction_kg_low", "reduction_kg_high")
# Rows x draws held in memory at once by scenario_reduction (about 32 MB of float64).
SIMULATION_CHUNK = 4_000_000
MIN_SIMULATIONS = 100

SCENARIO_ROWS_DIFFER = (
    "The scenario must have the same rows (the same index, in the same order) as the baseline; {problem}."
)
TOO_FEW_SIMULATIONS = "n_sim must be at least {minimum}; got {n_sim}."


def predict_loads(model: FittedModel, df: pd.DataFrame) -> pd.DataFrame:
    """Expected load and 95 % prediction interval per row, kg/ha, and in kg where `area_ha` is given.

    Columns: `load_kg_per_ha` (the expected load, the one to sum over farms), `pi_low`, `pi_high`; with an
    `area_ha` column also `load_kg`, `load_kg_low`, `load_kg_high`. Same index as `df`.
    """
    data = validate_prediction_data(df)
    matrix = prediction_design(model.design, data)
    eta = matrix @ model.params
    mean = _mean_factor(model, data) * np.exp(eta)
    param_var = _quadratic_forms(matrix, model.covariance_matrix)
    tail = (1.0 - CONFIDENCE) / 2.0
    if model.method == LOG_OLS:
        spread = stats.t.ppf(1.0 - tail, model.df_resid) * np.sqrt(param_var + model.scale)
        low, high = np.exp(eta - spread), np.exp(eta + spread)
    elif model.method == GAMMA_GLM:
        quantiles = log_gamma_quantiles(1.0 / model.scale, np.sqrt(param_var), (tail, 1.0 - tail))
        low, high = np.exp(eta + quantiles[:, 0]), np.exp(eta + quantiles[:, 1])
    else:
        effect, effect_var = _district_effects(model, data)
        spread = stats.norm.ppf(1.0 - tail) * np.sqrt(param_var + model.scale + effect_var)
        low, high = np.exp(eta + effect - spread), np.exp(eta + effect + spread)
    per_ha = (mean, low, high)
    result = pd.DataFrame(dict(zip(LOAD_COLUMNS, per_ha, strict=True)), index=data.index)
    if data.area is not None:
        for name, values in zip(AREA_COLUMNS, per_ha, strict=True):
            result[name] = values * data.area
    return result


def scenario_reduction(
    model: FittedModel,
    baseline_df: pd.DataFrame,
    scenario_df: pd.DataFrame,
    *,
    n_sim: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Expected reduction of the load (baseline - scenario) per row, with a 95 % interval.

    Columns: `baseline_kg_per_ha`, `scenario_kg_per_ha`, `reduction_kg_per_ha`, `reduction_low`,
    `reduction_high`; with `area_ha` in the baseline also `reduction_kg`, `reduction_kg_low`,
    `reduction_kg_high` (the baseline's area). A positive reduction means the scenario loses less.
    """
    if n_sim < MIN_SIMULATIONS:
        raise ValueError(TOO_FEW_SIMULATIONS.format(minimum=MIN_SIMULATIONS, n_sim=n_sim))
    baseline = validate_prediction_data(baseline_df)
    scenario = validate_prediction_data(scenario_df)
    if len(baseline.index) != len(scenario.index):
        raise RunoffDataError(
            SCENARIO_ROWS_DIFFER,
            problem=f"{len(baseline.index)} baseline rows, {len(scenario.index)} scenario rows",
        )
    if not baseline.index.equals(scenario.index):
        raise RunoffDataError(SCENARIO_ROWS_DIFFER, problem="the row labels differ")
    base_matrix = prediction_design(model.design, baseline)
    scen_matrix = prediction_design(model.design, scenario)
    base_factor = _mean_factor(model, baseline)
    scen_factor = _mean_factor(model, scenario)
    params = model.params
    base_mean = base_factor * np.exp(base_matrix @ params)
    scen_mean = scen_factor * np.exp(scen_matrix @ params)

    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(params, model.covariance_matrix, size=n_sim, method="eigh").T
    tail = (1.0 - CONFIDENCE) / 2.0
    # np.quantile's default (linear) interpolation between the order statistics around each tail, found with
    # one partial sort per chunk rather than a full sort per row.
    position = np.array([tail, 1.0 - tail]) * (n_sim - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, n_sim - 1)
    weight = position - below
    n = len(base_mean)
    low = np.empty(n)
    high = np.empty(n)
    step = max(1, SIMULATION_CHUNK // n_sim)
    for start in range(0, n, step):
        rows = slice(start, start + step)
        simulated = base_factor[rows, None] * np.exp(base_matrix[rows] @ draws)
        simulated -= scen_factor[rows, None] * np.exp(scen_matrix[rows] @ draws)
        simulated.partition(np.unique(np.concatenate([below, above])), axis=1)
        bounds = simulated[:, below] * (1.0 - weight) + simulated[:, above] * weight
        low[rows], high[rows] = bounds[:, 0], bounds[:, 1]
    reduction = (base_mean - scen_mean, low, high)
    columns = (base_mean, scen_mean, *reduction)
    result = pd.DataFrame(dict(zip(REDUCTION_COLUMNS, columns, strict=True)), index=baseline.index)
    if baseline.area is not None:
        for name, values in zip(REDUCTION_AREA_COLUMNS, reduction, strict=True):
            result[name] = values * baseline.area
    return result


def _quadratic_forms(matrix: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """x_i' V x_i for each row x_i of the design: the variance of the row's linear predictor.

    Worked on the transposed (column-major) design, so that every pass runs along contiguous memory.
    """
    columns = matrix.T
    return ((covariance @ columns) * columns).sum(axis=0)


def _district_effects(model: FittedModel, data: RunoffData) -> tuple[np.ndarray, np.ndarray]:
    """Each row's district intercept and its variance: the prediction for a district in the training data,
    0 and tau^2 for any other district or when there is no district column."""
    tau2 = float(model.random_effect_variance or 0.0)
    effect = np.zeros(data.n)
    variance = np.full(data.n, tau2)
    if data.district_codes is None or data.district_levels is None:
        return effect, variance
    known = {d.district: d for d in model.district_effects}
    level_effect = np.array([known[lv].effect if lv in known else 0.0 for lv in data.district_levels])
    level_var = np.array([known[lv].variance if lv in known else tau2 for lv in data.district_levels])
    return level_effect[data.district_codes], level_var[data.district_codes]


def _mean_factor(model: FittedModel, data: RunoffData) -> np.ndarray:
    """Expected load / exp(x' b) for each row: the retransformation from the log scale."""
    if model.method == LOG_OLS:
        return np.full(data.n, float(model.smearing_factor))  # type: ignore[arg-type]
    if model.method == GAMMA_GLM:
        return np.ones(data.n)
    effect, effect_var = _district_effects(model, data)
    return np.exp(effect + (model.scale + effect_var) / 2.0)
