"""SYNTHETIC training data for the runoff model, simulated from known coefficients with a fixed seed.

For tests, demos and benchmarks only: every row says so in its `data_source` column ("synthetic"). Nothing
simulated here is a measurement.

The process, one row per field-season:

1. crop: rice (50 %), wheat (30 %), vegetable (20 %).
2. rate_kg_per_ha: TN: rice 150-300, wheat 150-250, vegetable 200-350 kg N/ha; TP: 30-90 kg P/ha for every
   crop (uniform); 3 % of rows are unfertilised control plots with rate 0.
3. rainfall_mm over the season, normal and cut at 50 mm: rice (summer, with the June-July plum rains and the
   typhoons) mean 700 sd 120, wheat (winter) mean 450 sd 100, vegetable mean 575 sd 150; about 1,150 mm a year
   on Chongming split between the summer and the winter season.
4. practices: slow_release_share 0 on 60 % of rows, else uniform 0.3-1; side_deep on 35 % of rice; fertigation
   on 50 % of vegetable; straw_return on 60 % of rice and wheat.
5. district: `n_districts` irrigation districts "D01", ... drawn uniformly, each with a random intercept
   u ~ N(0, district_sd^2); no `district` column when n_districts is 0.
6. eta = x' beta + u, with beta from `coefficients` (defaults below), then
   * distribution "lognormal": log load = eta + noise_sd * N(0, 1)  (exp(eta) is the median load);
   * distribution "gamma": load ~ Gamma(mean exp(eta), shape k) with trigamma(k) = noise_sd^2, so that the
     spread of log load matches the lognormal case (exp(eta) is the mean load).
7. area_ha: lognormal around 2 ha (median), at least 0.05 ha.

Default coefficients (log scale, per unit of the column) are set so that the reference season (rice, 250 kg
N/ha, 700 mm, no practice) loses 12.5 kg N/ha, 5 % of the N applied, as reported for rice and wheat on the
Yangtze delta plain (Xie et al. 2018, 生态与农村环境学报 34(9)); the rate effect 0.004 per kg N/ha is the slope of
log(0.05 x rate) at 250 kg/ha. TP: the reference season (60 kg P/ha) loses 0.6 kg P/ha, the published mean
field runoff loss across six provinces and Shanghai (per year; here per season, about 1 % of the P applied).
The published mean TN loss of the same survey, 2.4 kg N/ha a year, is far below 5 % of Chongming's N rates: it
averages over lower-input and upland fields, and is a floor to check demo data against, not a target. The
practice effects (slow release -0.3, side-deep -0.35, fertigation -0.25, straw return -0.1 for TN) are
illustrative assumptions of plausible size, not estimates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, special

from .data import (
    AREA,
    CROP,
    DISTRICT,
    FERTIGATION,
    LOAD,
    PRACTICE_COLUMNS,
    RAINFALL,
    RATE,
    SIDE_DEEP,
    SLOW_RELEASE,
    STRAW_RETURN,
)
from .design import INTERCEPT, candidate_columns, crop_term

DATA_SOURCE = "data_source"
SYNTHETIC = "synthetic"
CROPS = ("rice", "vegetable", "wheat")
CROP_SHARES = {"rice": 0.5, "vegetable": 0.2, "wheat": 0.3}
CONTROL_PLOT_SHARE = 0.03
RATE_RANGES_KG_PER_HA = {
    "tn": {"rice": (150.0, 300.0), "wheat": (150.0, 250.0), "vegetable": (200.0, 350.0)},
    "tp": {"rice": (30.0, 90.0), "wheat": (30.0, 90.0), "vegetable": (30.0, 90.0)},
}
SEASON_RAINFALL_MM = {"rice": (700.0, 120.0), "wheat": (450.0, 100.0), "vegetable": (575.0, 150.0)}
MIN_RAINFALL_MM = 50.0

DEFAULT_COEFFICIENTS: Mapping[str, Mapping[str, float]] = {
    "tn": {
        INTERCEPT: 0.48,
        "C(crop)[T.vegetable]": -0.35,
        "C(crop)[T.wheat]": 0.35,
        RATE: 0.004,
        RAINFALL: 0.0015,
        SLOW_RELEASE: -0.3,
        SIDE_DEEP: -0.35,
        FERTIGATION: -0.25,
        STRAW_RETURN: -0.1,
    },
    "tp": {
        INTERCEPT: -2.28,
        "C(crop)[T.vegetable]": 0.3,
        "C(crop)[T.wheat]": -0.2,
        RATE: 0.012,
        RAINFALL: 0.0015,
        SLOW_RELEASE: -0.15,
        SIDE_DEEP: -0.3,
        FERTIGATION: -0.3,
        STRAW_RETURN: 0.1,
    },
}

UNKNOWN_COEFFICIENT = "Unknown coefficient {name!r}; the simulation knows: {known}."


def simulate_training_data(
    n: int,
    *,
    target: Literal["tn", "tp"],
    seed: int,
    coefficients: Mapping[str, float] | None = None,
    n_districts: int = 12,
    district_sd: float = 0.3,
    noise_sd: float = 0.45,
    distribution: Literal["lognormal", "gamma"] = "lognormal",
) -> pd.DataFrame:
    """n SYNTHETIC field-seasons in the column contract of `data.py`, from the process in the module doc.

    `coefficients` overrides the defaults of `DEFAULT_COEFFICIENTS[target]` by term name (the names of the
    design columns, e.g. "rate_kg_per_ha", "C(crop)[T.wheat]").
    """
    if target not in DEFAULT_COEFFICIENTS:
        raise ValueError(f"target must be 'tn' or 'tp'; got {target!r}.")
    beta = dict(DEFAULT_COEFFICIENTS[target])
    for name, value in (coefficients or {}).items():
        if name not in beta:
            raise ValueError(UNKNOWN_COEFFICIENT.format(name=name, known=", ".join(beta)))
        beta[name] = float(value)
    rng = np.random.default_rng(seed)

    crop_codes = rng.choice(len(CROPS), size=n, p=[CROP_SHARES[c] for c in CROPS])
    crop = np.asarray(CROPS, dtype=object)[crop_codes]
    rate = np.empty(n)
    rainfall = np.empty(n)
    for code, name in enumerate(CROPS):
        rows = crop_codes == code
        low, high = RATE_RANGES_KG_PER_HA[target][name]
        rate[rows] = rng.uniform(low, high, rows.sum())
        mean, sd = SEASON_RAINFALL_MM[name]
        rainfall[rows] = np.maximum(rng.normal(mean, sd, rows.sum()), MIN_RAINFALL_MM)
    rate[rng.random(n) < CONTROL_PLOT_SHARE] = 0.0
    is_rice, is_wheat, is_vegetable = (crop == "rice"), (crop == "wheat"), (crop == "vegetable")
    slow_release = np.where(rng.random(n) < 0.6, 0.0, rng.uniform(0.3, 1.0, n))
    side_deep = (is_rice & (rng.random(n) < 0.35)).astype(float)
    fertigation = (is_vegetable & (rng.random(n) < 0.5)).astype(float)
    straw_return = ((is_rice | is_wheat) & (rng.random(n) < 0.6)).astype(float)

    frame = pd.DataFrame(
        {
            RATE: rate,
            RAINFALL: rainfall,
            CROP: crop,
            SLOW_RELEASE: slow_release,
            SIDE_DEEP: side_deep,
            FERTIGATION: fertigation,
            STRAW_RETURN: straw_return,
        }
    )
    values = {
        INTERCEPT: np.ones(n),
        crop_term("vegetable"): is_vegetable.astype(float),
        crop_term("wheat"): is_wheat.astype(float),
        **{name: frame[name].to_numpy() for name in (RATE, RAINFALL, *PRACTICE_COLUMNS)},
    }
    eta = sum(beta[name] * values[name] for name in candidate_columns(CROPS))
    if n_districts > 0:
        district = rng.integers(0, n_districts, n)
        eta = eta + rng.normal(0.0, district_sd, n_districts)[district]
        frame[DISTRICT] = np.array([f"D{i + 1:02d}" for i in range(n_districts)], dtype=object)[district]
    if distribution == "lognormal":
        load = np.exp(eta + noise_sd * rng.standard_normal(n))
    elif distribution == "gamma":
        shape = gamma_shape_for_log_sd(noise_sd)
        load = rng.gamma(shape, np.exp(eta) / shape)
    else:
        raise ValueError(f"distribution must be 'lognormal' or 'gamma'; got {distribution!r}.")
    frame.insert(0, LOAD, load)
    frame[AREA] = np.maximum(np.round(np.exp(np.log(2.0) + 0.8 * rng.standard_normal(n)), 2), 0.05)
    frame[DATA_SOURCE] = SYNTHETIC
    return frame


def gamma_shape_for_log_sd(log_sd: float) -> float:
    """The Gamma shape k whose log has standard deviation `log_sd`: trigamma(k) = log_sd^2."""
    target = log_sd**2
    return float(optimize.brentq(lambda k: special.polygamma(1, k) - target, 1e-3, 1e7))
