"""k-fold cross-validation of the candidate methods on one common scale.

Rows are split into k folds at random (seeded); each fold is predicted from a fit to the other k - 1. Three
figures per method, all on held-out rows:

* `log_score`: the mean log predictive density of the measured load in kg/ha (nats per observation; higher is
  better). It judges the whole predictive distribution -- lognormal for log_ols and mixedlm, Gamma for
  gamma_glm -- on the same scale, so the methods can be ranked by it; "auto" picks the highest.
* `rmse_log`: root mean squared error of log load against the predicted mean of log load.
* `mae_kg_per_ha`: mean absolute error of the predicted mean load, kg/ha.

The fits per fold are the exact estimators of `engines.py` (the same as statsmodels'), with the dispersion,
smearing factor or variance components re-estimated on each training fold. log_ols's k fits come in closed form
from per-fold sums of squares and cross-products (`engines.ols_fold_fits`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import engines
from .intervals import gamma_logpdf, gamma_mean_log_offset, lognormal_logpdf

LOG_OLS = "log_ols"
GAMMA_GLM = "gamma_glm"
MIXEDLM = "mixedlm"


@dataclass(frozen=True)
class CVResult:
    """Held-out performance of one method (see the module doc for the three figures)."""

    method: str
    log_score: float
    rmse_log: float
    mae_kg_per_ha: float


def cross_validate(
    matrix: np.ndarray,
    load: np.ndarray,
    *,
    methods: Sequence[str],
    k_folds: int,
    seed: int,
    groups: np.ndarray | None = None,
    n_groups: int = 0,
    gamma_start: np.ndarray | None = None,
    log_load: np.ndarray | None = None,
) -> tuple[CVResult, ...]:
    """One `CVResult` per method, all on the same folds. mixedlm needs `groups` (codes < n_groups).

    `log_load` is np.log(load), for a caller that has it already.
    """
    folds = engines.make_folds(len(load), k_folds, seed)
    fold = folds.fold
    rows = np.arange(len(load))
    if log_load is None:
        log_load = np.log(load)
    results = []
    for method in methods:
        if method == LOG_OLS:
            fits, mean_log = engines.ols_fold_fits(matrix, log_load, folds)
            variance = fits.sigma2[fold]
            log_density = lognormal_logpdf(log_load, mean_log, variance)
            mean = fits.smearing[fold] * np.exp(mean_log)
        elif method == GAMMA_GLM:
            fits = engines.gamma_fits(matrix, load, folds.train_masks(), start=gamma_start)
            eta = (matrix @ fits.params)[rows, fold]
            shape = 1.0 / fits.dispersion[fold]
            mean = np.exp(eta)
            log_density = gamma_logpdf(load, mean, shape)
            mean_log = eta + gamma_mean_log_offset(shape)
        elif method == MIXEDLM:
            if groups is None:
                raise ValueError("mixedlm cross-validation needs district groups.")
            train = folds.train_masks()
            mean_log = np.empty(len(load))
            variance = np.empty(len(load))
            for k in range(k_folds):
                fit = engines.random_intercept_fit(matrix, log_load, groups, n_groups, train[:, k])
                held = fold == k
                mean_log[held] = matrix[held] @ fit.params + fit.blup[groups[held]]
                variance[held] = fit.sigma2 + fit.blup_variance[groups[held]]
            log_density = lognormal_logpdf(log_load, mean_log, variance)
            mean = np.exp(mean_log + variance / 2.0)
        else:
            raise ValueError(f"Unknown method {method!r}.")
        results.append(
            CVResult(
                method=method,
                log_score=float(np.mean(log_density)),
                rmse_log=float(np.sqrt(np.mean((log_load - mean_log) ** 2))),
                mae_kg_per_ha=float(np.mean(np.abs(load - mean))),
            )
        )
    return tuple(results)
