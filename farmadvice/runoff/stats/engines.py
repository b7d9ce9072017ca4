"""Fast numpy estimators for cross-validation and warm starts, and the robust (sandwich) covariances.

The reported fit is always statsmodels' (`models.py`). These functions compute the same estimators for many
training folds at once, which statsmodels would do one slow fit at a time; the tests check them against
statsmodels on the full data.

* OLS on log load: the normal equations, one fold's Gram matrix subtracted from the whole one. For k-fold
  cross-validation (`ols_fold_fits`) the same holds for X'y, so all k fits cost one pass over the rows.
* Gamma GLM with log link: Fisher scoring. For this family and link the working weights are all 1
  (w = 1 / (V(mu) g'(mu)^2) = 1 / (mu^2 mu^-2)), so every iteration is a least-squares solve against the
  same X'X; all folds iterate together as the columns of one matrix.
* Linear mixed model with a random intercept per district, REML: with lambda = tau^2 / sigma^2 the
  restricted likelihood profiles to one dimension and needs only per-district sums, so each evaluation costs
  O(districts x p^2), not O(n).

Columns are scaled to unit root-mean-square before solving, which keeps X'X well conditioned when rates
(~10^2 kg/ha) and rainfall (~10^3 mm) sit beside 0/1 practices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

MAX_ITERATIONS = 100
TOLERANCE = 1e-10
# Profile REML is searched over log(lambda) on this grid, then refined around the best point.
LOG_LAMBDA_GRID = np.linspace(-14.0, 8.0, 45)


def column_scale(matrix: np.ndarray) -> np.ndarray:
    """Root-mean-square of each column (1 for an all-zero column)."""
    rms = np.sqrt(np.einsum("ij,ij->j", matrix, matrix) / len(matrix))
    return np.where(rms > 0, rms, 1.0)


@dataclass(frozen=True, eq=False)
class Folds:
    """A k-fold split of n rows: `fold[i]` is the fold that holds row i out.

    `order` lists the rows fold by fold, fold k's rows being `order[bounds[k]:bounds[k + 1]]`.
    """

    fold: np.ndarray
    order: np.ndarray
    bounds: np.ndarray

    @property
    def k(self) -> int:
        return len(self.bounds) - 1

    def train_masks(self) -> np.ndarray:
        """An n x k boolean matrix: True where a row trains fold k."""
        return self.fold[:, None] != np.arange(self.k)


def make_folds(n: int, k_folds: int, seed: int) -> Folds:
    """Deal the rows into k folds at random (seeded): row i goes to fold position_i mod k, with the positions a
    random permutation of 0 .. n - 1, so the folds differ in size by at most one row."""
    fold = np.random.default_rng(seed).permutation(n) % k_folds
    # A stable sort of the smallest integer type (a radix sort): each fold's rows stay in ascending order,
    # so gathering them reads the data front to back.
    order = np.argsort(fold.astype(np.min_scalar_type(k_folds - 1)), kind="stable")
    return Folds(fold, order, np.concatenate(([0], np.cumsum(np.bincount(fold, minlength=k_folds)))))


def fold_masks(n: int, k_folds: int, seed: int) -> np.ndarray:
    """An n x k boolean matrix: True where a row trains fold k. Each row is held out exactly once."""
    return make_folds(n, k_folds, seed).train_masks()


@dataclass(frozen=True, eq=False)
class LogNormalFits:
    """OLS on log load for each column of a training mask: coefficients (p x k), residual variance, smearing."""

    params: np.ndarray
    sigma2: np.ndarray
    smearing: np.ndarray


def ols_fits(matrix: np.ndarray, log_load: np.ndarray, train: np.ndarray) -> LogNormalFits:
    """OLS of log load on the design, once per column of the boolean `train` (n x k)."""
    scale = column_scale(matrix)
    scaled = matrix / scale
    weights = train.astype(np.float64)
    grams = _grams(scaled, train)
    rhs = scaled.T @ (weights * log_load[:, None])
    params = np.linalg.solve(grams, rhs.T[..., None])[..., 0].T
    residuals = log_load[:, None] - scaled @ params
    n_train = weights.sum(axis=0)
    p = matrix.shape[1]
    sigma2 = np.einsum("ik,ik->k", weights, residuals**2) / (n_train - p)
    smearing = np.einsum("ik,ik->k", weights, np.exp(residuals)) / n_train
    return LogNormalFits(params / scale[:, None], sigma2, smearing)


def ols_fold_fits(matrix: np.ndarray, log_load: np.ndarray, folds: Folds) -> tuple[LogNormalFits, np.ndarray]:
    """OLS of log load for each fold's training rows, and each row's fitted log load from the fit that held it out.

    From sufficient statistics: with Z = [X y], fold k's training Z'Z is the whole Z'Z less fold k's own, so
    the k fits cost one pass over the rows and k solves of p x p (column-scaled, as everywhere here). The
    residual variance and Duan's smearing factor need every training row's residual under every fit: one
    k x n product, and exp(residual) of each fit's training rows, which the fold-by-fold order keeps in two
    contiguous runs.
    """
    n, p = matrix.shape
    # Z' with the rows in fold order, so that a fold's rows are one run of columns. (The indices are in range;
    # mode="clip" only spares take() the buffer it fills first under the default mode="raise".)
    stacked = np.empty((p + 1, n))
    np.take(matrix.T, folds.order, axis=1, out=stacked[:p], mode="clip")
    np.take(log_load, folds.order, out=stacked[p], mode="clip")
    spans = list(zip(folds.bounds[:-1], folds.bounds[1:], strict=True))
    own = np.stack([stacked[:, start:stop] @ stacked[:, start:stop].T for start, stop in spans])
    whole = own.sum(axis=0)
    scale = np.sqrt(np.diag(whole)[:p] / n)  # column_scale(matrix)
    scale = np.where(scale > 0, scale, 1.0)
    train = whole - own
    scaled = np.linalg.solve(train[:, :p, :p] / np.outer(scale, scale), train[:, :p, p:] / scale[:, None])
    params = scaled[..., 0] / scale
    # y - x'b of every row under every fit, as one product with the coefficients (-b, 1).
    residuals = np.column_stack([-params, np.ones(folds.k)]) @ stacked
    sse = np.empty(folds.k)
    exp_sum = np.empty(folds.k)
    held_out = []
    for k, (start, stop) in enumerate(spans):
        held_out.append(stacked[p, start:stop] - residuals[k, start:stop])
        before, after = residuals[k, :start], residuals[k, stop:]
        sse[k] = before @ before + after @ after
        exp_sum[k] = np.exp(before).sum() + np.exp(after).sum()
    n_train = n - np.diff(folds.bounds)
    fitted = np.empty(n)
    fitted[folds.order] = np.concatenate(held_out)
    return LogNormalFits(params.T, sse / (n_train - p), exp_sum / n_train), fitted


def _grams(scaled: np.ndarray, train: np.ndarray) -> np.ndarray:
    """X_k' X_k over the training rows of each column k of `train`, stacked (k x p x p).

    The whole X'X less the held-out rows' part: a fold holds out few rows, so this costs about one pass.
    """
    whole = scaled.T @ scaled
    grams = []
    for column in train.T:
        held = scaled[~column]
        grams.append(whole - held.T @ held)
    return np.stack(grams)


@dataclass(frozen=True, eq=False)
class GammaFits:
    """Gamma GLM (log link) per training mask: coefficients (p x k), Pearson dispersion, convergence."""

    params: np.ndarray
    dispersion: np.ndarray
    converged: bool


def gamma_fits(
    matrix: np.ndarray, load: np.ndarray, train: np.ndarray, start: np.ndarray | None = None
) -> GammaFits:
    """Fisher scoring for each column of `train`, from `start` (p, or p x k) or from OLS on log load."""
    scale = column_scale(matrix)
    scaled = matrix / scale
    weights = train.astype(np.float64)
    k = train.shape[1]
    p = matrix.shape[1]
    grams = _grams(scaled, train)
    if start is None:
        params = ols_fits(matrix, np.log(load), train).params * scale[:, None]
    else:
        start = np.asarray(start, dtype=np.float64).reshape(p, -1)
        params = np.array(np.broadcast_to(start * scale[:, None], (p, k)))
    log_load = np.log(load)[:, None]

    def state(params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """eta, y / mu and the deviance 2 sum(y / mu - log(y / mu) - 1) of each column."""
        eta = scaled @ params
        ratio = load[:, None] * np.exp(-eta)
        deviance = 2.0 * np.einsum("ik,ik->k", weights, ratio + eta - log_load - 1.0)
        return eta, ratio, deviance

    eta, ratio, deviance = state(params)
    converged = False
    for _ in range(MAX_ITERATIONS):
        working = eta + ratio - 1.0
        proposal = np.linalg.solve(grams, (scaled.T @ (weights * working)).T[..., None])[..., 0].T
        new = state(proposal)
        # Step halving where scoring overshoots (rare from an OLS start, kept for safety).
        for _ in range(30):
            worse = new[2] > deviance * (1 + 1e-12)
            if not worse.any():
                break
            proposal[:, worse] = (proposal[:, worse] + params[:, worse]) / 2
            new = state(proposal)
        step = np.max(np.abs(proposal - params))
        params, (eta, ratio, deviance) = proposal, new
        if step < TOLERANCE * (1 + np.max(np.abs(params))):
            converged = True
            break
    pearson = np.einsum("ik,ik->k", weights, (ratio - 1.0) ** 2)
    dispersion = pearson / (weights.sum(axis=0) - p)
    return GammaFits(params / scale[:, None], dispersion, converged)


@dataclass(frozen=True, eq=False)
class RandomInterceptFit:
    """REML fit of log load = X b + u[district] + e, u ~ N(0, tau2), e ~ N(0, sigma2).

    `blup[g]` is the predicted intercept of district g and `blup_variance[g]` its conditional variance
    Var(u_g | data) = sigma2 * lambda / (1 + n_g lambda); a district without training rows has 0 and tau2.
    """

    params: np.ndarray
    covariance: np.ndarray
    sigma2: float
    tau2: float
    blup: np.ndarray
    blup_variance: np.ndarray


def random_intercept_fit(
    matrix: np.ndarray,
    log_load: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    train: np.ndarray | None = None,
) -> RandomInterceptFit:
    """Profile REML over lambda = tau2 / sigma2 from per-district sums (rows where `train` is True)."""
    scale = column_scale(matrix)
    scaled = matrix / scale
    weights = np.ones(len(log_load)) if train is None else train.astype(np.float64)
    n = weights.sum()
    p = matrix.shape[1]
    wx = scaled * weights[:, None]
    gram = scaled.T @ wx
    xty = wx.T @ log_load
    yty = float(weights @ log_load**2)
    group_n = np.bincount(groups, weights=weights, minlength=n_groups)
    group_x = np.column_stack([np.bincount(groups, weights=wx[:, j], minlength=n_groups) for j in range(p)])
    group_y = np.bincount(groups, weights=weights * log_load, minlength=n_groups)

    def solve(lam: float) -> tuple[float, np.ndarray, np.ndarray, float, float]:
        shrink = lam / (1.0 + group_n * lam)
        a = gram - group_x.T @ (shrink[:, None] * group_x)
        b = xty - group_x.T @ (shrink * group_y)
        chol = np.linalg.cholesky(a)
        params = np.linalg.solve(a, b)
        quad = yty - float(shrink @ group_y**2) - float(b @ params)
        log_det = 2.0 * float(np.log(np.diag(chol)).sum())
        criterion = (n - p) * np.log(quad / (n - p)) + float(np.log1p(group_n * lam).sum()) + log_det
        return criterion, params, a, quad / (n - p), float(lam)

    values = [solve(float(np.exp(t)))[0] for t in LOG_LAMBDA_GRID]
    best = int(np.argmin(values))
    lo = LOG_LAMBDA_GRID[max(best - 1, 0)]
    hi = LOG_LAMBDA_GRID[min(best + 1, len(LOG_LAMBDA_GRID) - 1)]
    refined = optimize.minimize_scalar(
        lambda t: solve(float(np.exp(t)))[0],
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-10},
    )
    candidates = [solve(float(np.exp(refined.x))), solve(0.0)]
    _, params, a, sigma2, lam = min(candidates, key=lambda c: c[0])
    shrink = lam / (1.0 + group_n * lam)
    blup = shrink * (group_y - group_x @ params)
    covariance = sigma2 * np.linalg.inv(a) / np.outer(scale, scale)
    return RandomInterceptFit(
        params=params / scale,
        covariance=covariance,
        sigma2=sigma2,
        tau2=lam * sigma2,
        blup=blup,
        blup_variance=sigma2 * shrink,
    )


def sandwich_covariance(
    matrix: np.ndarray,
    score_residuals: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    n_groups: int = 0,
) -> np.ndarray:
    """Robust covariance of the coefficients: HC3, or cluster-robust by `groups` when given.

    With bread B = (X'X)^-1 and score residuals r (OLS: y - x'b; Gamma GLM with log link: (y - mu) / mu,
    for which the expected information is X'X / phi and phi cancels; statsmodels' own GLM option uses the
    observed Hessian instead, which differs by O(1 / sqrt(n))):

    * HC3: B [sum x_i x_i' r_i^2 / (1 - h_i)^2] B, h_i the leverage x_i' B x_i;
    * cluster: c B [sum_g s_g s_g'] B with s_g = sum over district g of x_i r_i and
      c = G / (G - 1) * (n - 1) / (n - p), statsmodels' default small-sample correction.
    """
    n, p = matrix.shape
    gram = matrix.T @ matrix
    # column_scale(matrix), from the Gram matrix's diagonal.
    scale = np.sqrt(np.diag(gram) / n)
    scale = np.where(scale > 0, scale, 1.0)
    bread = np.linalg.inv(gram / np.outer(scale, scale))
    if groups is None:
        scaled = matrix / scale
        leverage = ((scaled @ bread) * scaled).sum(axis=1)
        adjusted = score_residuals / np.maximum(1.0 - leverage, 1e-12)
        meat = scaled.T @ (scaled * adjusted[:, None] ** 2)
    else:
        sums = np.column_stack(
            [np.bincount(groups, weights=column * score_residuals, minlength=n_groups) for column in matrix.T]
        )
        sums /= scale
        n_used = int(np.count_nonzero(np.bincount(groups, minlength=n_groups)))
        correction = n_used / (n_used - 1) * (n - 1) / (n - p)
        meat = correction * (sums.T @ sums)
    covariance = bread @ meat @ bread
    return covariance / np.outer(scale, scale)
