"""Fitting the runoff regression of a season's TN or TP load, and the fitted model as plain data.

The model, for one target (TN or TP) and one season row i with design x_i (see `design.py`):

* `log_ols`:   log load_i = x_i' b + e_i, e_i ~ N(0, sigma^2). The expected load is exp(x' b) times Duan's
  smearing factor mean(exp(residual)).
* `gamma_glm`: load_i ~ Gamma(mean mu_i, dispersion phi), log mu_i = x_i' b. The expected load is exp(x' b).
* `mixedlm`:   log load_i = x_i' b + u_district + e_i, u ~ N(0, tau^2), fitted by REML. The expected load of
  a known district is exp(x' b + u_hat + (sigma^2 + Var(u | data)) / 2); of another, exp(x' b + (tau^2 +
  sigma^2) / 2).

Each coefficient is the change in log load per unit of its column: exp(b) - 1 is the relative change.

Standard errors are robust: cluster-robust by district when there are at least `MIN_CLUSTERS` districts
(seasons of one district share its soil, drainage and weather, so they are not independent), HC3 otherwise;
for mixedlm the model-based REML covariance, since the random intercept already carries the district
correlation. `method="auto"` fits the candidates on k folds and keeps the one with the best held-out log score
(`cv.py`), and the CV table stays in the diagnostics to say why.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLMParams

from . import engines
from .cv import GAMMA_GLM, LOG_OLS, MIXEDLM, CVResult, cross_validate
from .data import DISTRICT, LOAD, RunoffData, fingerprint_of, validate_training_data
from .design import MIN_OBSERVATIONS_PER_EFFECT, DesignSpec, DroppedTerm, build_training_design
from .errors import InsufficientDataError, RunoffModelError

Target = Literal["tn", "tp"]
Method = Literal["auto", "gamma_glm", "log_ols", "mixedlm"]
TARGETS = ("tn", "tp")
METHODS = ("auto", GAMMA_GLM, LOG_OLS, MIXEDLM)
AUTO_ORDER = (LOG_OLS, GAMMA_GLM, MIXEDLM)

# About ten observations per estimated parameter, the usual rule of thumb against overfitting (e.g. Harrell,
# Regression Modeling Strategies): the smallest model -- intercept, rate, rainfall, four practices and the
# dispersion, one crop -- has 8 parameters, hence 80. Each further crop level or the district variance adds ten.
OBS_PER_PARAMETER = MIN_OBSERVATIONS_PER_EFFECT
MIN_OBSERVATIONS = 80
# With fewer districts cluster-robust errors are themselves unreliable (Cameron & Miller 2015), so HC3; a
# judgement, softened above it by t(G - 1) critical values.
MIN_CLUSTERS = 10
CONFIDENCE = 0.95
RESIDUAL_QUANTILES = (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0)
SCHEMA = "farmadvice.runoff.model/1"

UNKNOWN_TARGET = "target must be 'tn' or 'tp'; got {target!r}."
UNKNOWN_METHOD = "method must be one of auto, gamma_glm, log_ols, mixedlm; got {method!r}."
BAD_K_FOLDS = "k_folds must be a whole number from 2 to the number of observations ({n}); got {k_folds!r}."
MODEL_DICT_INVALID = "The stored runoff model cannot be read ({problem}); refit it."

NO_DISTRICT_COLUMN = "the training data has no district column"
ONE_DISTRICT = "the training data has only one district ({district!r})"
NO_REPEATED_DISTRICT = "no district has more than one observation"
TOO_FEW_FOR_MIXEDLM = "{n} observations are too few to estimate the district variance as well"
MIXEDLM_FALLBACK = (
    "mixedlm requested, but {why}: fitted log_ols, the same model without the district random intercept"
)
MIXEDLM_NOT_CANDIDATE = "auto: mixedlm not a candidate, because {why}"
FEW_CLUSTERS = (
    "HC3 standard errors: {n_districts} districts are too few for cluster-robust ones (at least {minimum})"
)
ZERO_DISTRICT_VARIANCE = (
    "the district random-intercept variance is estimated at 0: districts do not differ beyond chance"
)


@dataclass(frozen=True)
class Coefficient:
    """One coefficient on the log scale, with its robust standard error, 95 % CI and two-sided p-value."""

    name: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class Diagnostics:
    """What a reviewer asks for; fields that a method does not define are None.

    `aic` is statsmodels' (log_ols: of log load; gamma_glm: of load; None for REML), so compare methods by the
    CV log score, not by AIC. `residual_kind` says which residuals `residual_quantiles` summarises.
    """

    requested_method: str
    k_folds: int
    cv_table: tuple[CVResult, ...]
    selection: str
    cov_type: str
    aic: float | None
    deviance: float | None
    r_squared: float | None
    log_likelihood: float | None
    residual_kind: str
    residual_quantiles: tuple[tuple[float, float], ...]
    n_districts: int
    converged: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class DistrictEffect:
    """A district's predicted random intercept (log scale), its conditional variance and its observations."""

    district: str
    effect: float
    variance: float
    n_obs: int


@dataclass(frozen=True)
class LibraryVersions:
    statsmodels: str
    numpy: str
    pandas: str
    scipy: str


@dataclass(frozen=True)
class FittedModel:
    """A fitted runoff model: everything needed to report it and to predict, without refitting.

    `scale` is sigma^2 of log load (log_ols, mixedlm) or the Gamma dispersion phi (gamma_glm, Pearson);
    `covariance` is the robust covariance of the coefficients in the order of `coefficients`.
    """

    target: str
    method: str
    formula: str
    coefficients: tuple[Coefficient, ...]
    covariance: tuple[tuple[float, ...], ...]
    n_obs: int
    df_resid: float
    scale: float
    smearing_factor: float | None
    random_effect_variance: float | None
    district_effects: tuple[DistrictEffect, ...]
    design: DesignSpec
    diagnostics: Diagnostics
    versions: LibraryVersions
    training_fingerprint: str

    schema: ClassVar[str] = SCHEMA

    @property
    def params(self) -> np.ndarray:
        return np.array([c.estimate for c in self.coefficients])

    @property
    def covariance_matrix(self) -> np.ndarray:
        return np.array(self.covariance, dtype=np.float64)

    @property
    def cv(self) -> CVResult:
        """The cross-validated error of the fitted method."""
        return next(row for row in self.diagnostics.cv_table if row.method == self.method)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (lists, str, finite floats, None) from which `from_dict` rebuilds the model."""
        return {"schema": SCHEMA, **_listify(asdict(self))}

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> FittedModel:
        try:
            if payload.get("schema") != SCHEMA:
                raise ValueError(f"schema {payload.get('schema')!r}, expected {SCHEMA!r}")
            if payload["method"] not in AUTO_ORDER:
                raise ValueError(f"unknown method {payload['method']!r}")
            design = payload["design"]
            diagnostics = payload["diagnostics"]
            return cls(
                target=str(payload["target"]),
                method=str(payload["method"]),
                formula=str(payload["formula"]),
                coefficients=tuple(Coefficient(**c) for c in payload["coefficients"]),
                covariance=tuple(tuple(float(v) for v in row) for row in payload["covariance"]),
                n_obs=int(payload["n_obs"]),
                df_resid=float(payload["df_resid"]),
                scale=float(payload["scale"]),
                smearing_factor=_optional_float(payload["smearing_factor"]),
                random_effect_variance=_optional_float(payload["random_effect_variance"]),
                district_effects=tuple(DistrictEffect(**d) for d in payload["district_effects"]),
                design=DesignSpec(
                    crop_levels=tuple(design["crop_levels"]),
                    columns=tuple(design["columns"]),
                    terms=tuple(design["terms"]),
                    dropped=tuple(
                        DroppedTerm(
                            name=d["name"],
                            reason=d["reason"],
                            relation=tuple((str(n), float(w)) for n, w in d["relation"]),
                        )
                        for d in design["dropped"]
                    ),
                ),
                diagnostics=Diagnostics(
                    **{
                        **diagnostics,
                        "cv_table": tuple(CVResult(**row) for row in diagnostics["cv_table"]),
                        "residual_quantiles": tuple(
                            (float(q), float(v)) for q, v in diagnostics["residual_quantiles"]
                        ),
                        "notes": tuple(diagnostics["notes"]),
                    }
                ),
                versions=LibraryVersions(**payload["versions"]),
                training_fingerprint=str(payload["training_fingerprint"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise RunoffModelError(MODEL_DICT_INVALID, problem=str(error)) from error


def required_observations(n_parameters: int) -> int:
    """OBS_PER_PARAMETER per estimated parameter, and never fewer than MIN_OBSERVATIONS."""
    return max(MIN_OBSERVATIONS, OBS_PER_PARAMETER * n_parameters)


def fit_runoff_model(
    df: pd.DataFrame,
    *,
    target: Target,
    method: Method = "auto",
    k_folds: int = 5,
    seed: int = 0,
) -> FittedModel:
    """Fit the runoff model of `target` to the observations in `df` (column contract: `data.py`).

    Raises `RunoffDataError` for input that breaks the contract and `InsufficientDataError(n, required)`
    below `required_observations` (at least MIN_OBSERVATIONS); `seed` fixes the CV folds.
    """
    if target not in TARGETS:
        raise ValueError(UNKNOWN_TARGET.format(target=target))
    if method not in METHODS:
        raise ValueError(UNKNOWN_METHOD.format(method=method))
    data = validate_training_data(df)
    fingerprint = fingerprint_of(data)
    design = build_training_design(data)
    matrix = design.matrix
    load = data.load[design.rows]  # type: ignore[index]
    log_load = np.log(load)
    n, p = matrix.shape
    notes = list(design.notes)

    groups, district_levels, why_not_mixed = _district_groups(data, design.rows)
    n_districts = len(district_levels)
    candidates: tuple[str, ...]
    if method == "auto":
        candidates = AUTO_ORDER if why_not_mixed is None else (LOG_OLS, GAMMA_GLM)
        if why_not_mixed is not None and groups is not None:
            notes.append(MIXEDLM_NOT_CANDIDATE.format(why=why_not_mixed))
    elif method == MIXEDLM and why_not_mixed is not None:
        notes.append(MIXEDLM_FALLBACK.format(why=why_not_mixed))
        candidates = (LOG_OLS,)
    else:
        candidates = (method,)

    # Coefficients and the scale; mixedlm adds the district variance.
    required = required_observations(p + 1)
    if n < required:
        raise InsufficientDataError(n, required)
    if MIXEDLM in candidates and n < required_observations(p + 2):
        if method == MIXEDLM:
            raise InsufficientDataError(n, required_observations(p + 2))
        candidates = (LOG_OLS, GAMMA_GLM)
        notes.append(MIXEDLM_NOT_CANDIDATE.format(why=TOO_FEW_FOR_MIXEDLM.format(n=n)))
    if not isinstance(k_folds, int) or isinstance(k_folds, bool) or not 2 <= k_folds <= n:
        raise ValueError(BAD_K_FOLDS.format(n=n, k_folds=k_folds))

    every_row = np.ones((n, 1), dtype=bool)
    gamma_full = None
    if GAMMA_GLM in candidates:
        gamma_full = engines.gamma_fits(matrix, load, every_row).params[:, 0]
    cv_table = cross_validate(
        matrix,
        load,
        methods=candidates,
        k_folds=k_folds,
        seed=seed,
        groups=groups,
        n_groups=n_districts,
        gamma_start=gamma_full,
        log_load=log_load,
    )
    chosen, selection = _choose(method, cv_table, k_folds)

    cluster = groups is not None and n_districts >= MIN_CLUSTERS and chosen != MIXEDLM
    if chosen != MIXEDLM and groups is not None and 2 <= n_districts < MIN_CLUSTERS:
        notes.append(FEW_CLUSTERS.format(n_districts=n_districts, minimum=MIN_CLUSTERS))
    robust_groups = groups if cluster else None
    if chosen == LOG_OLS:
        fit = _fit_log_ols(matrix, log_load, robust_groups, n_districts)
    elif chosen == GAMMA_GLM:
        fit = _fit_gamma_glm(matrix, load, robust_groups, n_districts, gamma_full)
    else:
        fit = _fit_mixedlm(matrix, log_load, groups, district_levels)  # type: ignore[arg-type]
    notes += fit.notes
    if cluster:
        cov_type = f"cluster-robust by district ({n_districts} districts)"
        df_inference = float(n_districts - 1)
    elif chosen == MIXEDLM:
        cov_type = "model-based (REML)"
        df_inference = np.inf
    else:
        cov_type = "HC3"
        df_inference = float(fit.df_resid)

    response = f"np.log({LOAD})" if chosen in (LOG_OLS, MIXEDLM) else LOAD
    formula = design.spec.formula(response)
    if chosen == MIXEDLM:
        formula += f" + (1 | {DISTRICT})"
    return FittedModel(
        target=target,
        method=chosen,
        formula=formula,
        coefficients=_coefficients(design.spec.terms, fit.params, fit.covariance, df_inference),
        covariance=tuple(tuple(float(v) for v in row) for row in fit.covariance),
        n_obs=n,
        df_resid=float(fit.df_resid),
        scale=float(fit.scale),
        smearing_factor=fit.smearing_factor,
        random_effect_variance=fit.random_effect_variance,
        district_effects=fit.district_effects,
        design=design.spec,
        diagnostics=Diagnostics(
            requested_method=method,
            k_folds=k_folds,
            cv_table=cv_table,
            selection=selection,
            cov_type=cov_type,
            aic=fit.aic,
            deviance=fit.deviance,
            r_squared=fit.r_squared,
            log_likelihood=fit.log_likelihood,
            residual_kind=fit.residual_kind,
            residual_quantiles=tuple(
                (q, float(v)) for q, v in zip(RESIDUAL_QUANTILES, _quantiles(fit.residuals), strict=True)
            ),
            n_districts=n_districts,
            converged=fit.converged,
            notes=tuple(notes),
        ),
        versions=LibraryVersions(
            statsmodels=statsmodels.__version__,
            numpy=np.__version__,
            pandas=pd.__version__,
            scipy=scipy.__version__,
        ),
        training_fingerprint=fingerprint,
    )


@dataclass(frozen=True, eq=False)
class _Fit:
    params: np.ndarray
    covariance: np.ndarray
    df_resid: float
    scale: float
    residuals: np.ndarray
    residual_kind: str
    converged: bool
    aic: float | None = None
    deviance: float | None = None
    r_squared: float | None = None
    log_likelihood: float | None = None
    smearing_factor: float | None = None
    random_effect_variance: float | None = None
    district_effects: tuple[DistrictEffect, ...] = ()
    notes: tuple[str, ...] = ()


def _district_groups(
    data: RunoffData, rows: np.ndarray
) -> tuple[np.ndarray | None, tuple[str, ...], str | None]:
    """District codes of the used rows (re-coded to the districts present), the levels, why not mixedlm."""
    if data.district_codes is None or data.district_levels is None:
        return None, (), NO_DISTRICT_COLUMN
    codes = data.district_codes if rows.all() else data.district_codes[rows]
    counts = np.bincount(codes, minlength=len(data.district_levels))
    present = counts > 0
    groups = (np.cumsum(present) - 1)[codes]
    levels = tuple(level for level, used in zip(data.district_levels, present, strict=True) if used)
    if len(levels) < 2:
        return groups, levels, ONE_DISTRICT.format(district=levels[0])
    if counts.max() < 2:
        return groups, levels, NO_REPEATED_DISTRICT
    return groups, levels, None


def _choose(method: str, cv_table: tuple[CVResult, ...], k_folds: int) -> tuple[str, str]:
    if method != "auto":
        fitted = cv_table[0].method
        return fitted, f"method {fitted!r} as requested; cross-validated over {k_folds} folds"
    best = max(cv_table, key=lambda row: row.log_score)
    others = ", ".join(f"{row.method} {row.log_score:.4f}" for row in cv_table if row is not best)
    return best.method, (
        f"auto: {best.method} has the highest mean held-out log score over {k_folds} folds "
        f"({best.log_score:.4f} nats per observation; {others})"
    )


def _quantiles(residuals: np.ndarray) -> np.ndarray:
    """np.quantile(residuals, RESIDUAL_QUANTILES), the same figures: on a sorted copy, which numpy's selection of
    seven order statistics at once reaches faster than on the residuals themselves."""
    return np.quantile(np.sort(residuals), RESIDUAL_QUANTILES, overwrite_input=True)


def _coefficients(
    names: tuple[str, ...], params: np.ndarray, covariance: np.ndarray, df_inference: float
) -> tuple[Coefficient, ...]:
    se = np.sqrt(np.diag(covariance))
    critical = stats.t.ppf(0.5 + CONFIDENCE / 2, df_inference)
    p_values = 2.0 * stats.t.sf(np.abs(params / se), df_inference)
    return tuple(
        Coefficient(
            name=name,
            estimate=float(b),
            std_error=float(s),
            ci_low=float(b - critical * s),
            ci_high=float(b + critical * s),
            p_value=float(pv),
        )
        for name, b, s, pv in zip(names, params, se, p_values, strict=True)
    )


def _fit_log_ols(matrix: np.ndarray, log_load: np.ndarray, groups: np.ndarray | None, n_groups: int) -> _Fit:
    result = sm.OLS(log_load, matrix).fit()
    residuals = np.asarray(result.resid)
    return _Fit(
        params=np.asarray(result.params),
        covariance=engines.sandwich_covariance(matrix, residuals, groups=groups, n_groups=n_groups),
        df_resid=float(result.df_resid),
        scale=float(result.scale),
        residuals=residuals,
        residual_kind="log load minus fitted log load",
        converged=True,
        aic=float(result.aic),
        r_squared=float(result.rsquared),
        log_likelihood=float(result.llf),
        smearing_factor=float(np.mean(np.exp(residuals))),
    )


def _fit_gamma_glm(
    matrix: np.ndarray,
    load: np.ndarray,
    groups: np.ndarray | None,
    n_groups: int,
    start: np.ndarray | None,
) -> _Fit:
    family = sm.families.Gamma(sm.families.links.Log())
    result = sm.GLM(load, matrix, family=family).fit(start_params=start)
    mu = np.asarray(result.mu)
    score = (load - mu) / mu
    return _Fit(
        params=np.asarray(result.params),
        covariance=engines.sandwich_covariance(matrix, score, groups=groups, n_groups=n_groups),
        df_resid=float(result.df_resid),
        scale=float(result.scale),
        residuals=np.asarray(result.resid_deviance),
        residual_kind="deviance residual",
        converged=bool(result.converged),
        aic=float(result.aic),
        deviance=float(result.deviance),
        log_likelihood=float(result.llf),
    )


def _fit_mixedlm(
    matrix: np.ndarray, log_load: np.ndarray, groups: np.ndarray, levels: tuple[str, ...]
) -> _Fit:
    p = matrix.shape[1]
    # statsmodels starts from the exact profile-REML optimum of engines.py and only confirms it.
    start = engines.random_intercept_fit(matrix, log_load, groups, len(levels))
    start_params = MixedLMParams.from_components(
        fe_params=start.params, cov_re=np.array([[start.tau2 / start.sigma2]])
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sm.MixedLM(log_load, matrix, groups=groups).fit(reml=True, start_params=start_params)
    # statsmodels' model warnings (convergence, a variance on the boundary) belong in the diagnostics.
    notes = [f"statsmodels: {w.message}" for w in caught if issubclass(w.category, UserWarning)]
    for w in caught:
        if not issubclass(w.category, UserWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    sigma2 = float(result.scale)
    tau2 = float(np.asarray(result.cov_re)[0, 0])
    counts = np.bincount(groups, minlength=len(levels))
    shrink = tau2 / (sigma2 + counts * tau2)
    # The BLUP of a random intercept, shrink × the group's summed fixed-effect residuals, computed here
    # because statsmodels' `random_effects` raises when REML puts the district variance at exactly 0.
    fixed_residuals = log_load - matrix @ np.asarray(result.fe_params)
    blups = shrink * np.bincount(groups, weights=fixed_residuals, minlength=len(levels))
    effects = tuple(
        DistrictEffect(
            district=level,
            effect=float(blups[code]),
            variance=float(sigma2 * shrink[code]),
            n_obs=int(counts[code]),
        )
        for code, level in enumerate(levels)
    )
    covariance = np.asarray(result.cov_params())[:p, :p]
    if tau2 <= 1e-10 * sigma2:
        notes.append(ZERO_DISTRICT_VARIANCE)
        # On the boundary the model is OLS with the REML scale; statsmodels' Hessian there can be singular.
        covariance = sigma2 * np.linalg.pinv(matrix.T @ matrix)
    return _Fit(
        params=np.asarray(result.fe_params),
        covariance=covariance,
        df_resid=float(len(log_load) - p),
        scale=sigma2,
        residuals=fixed_residuals - blups[groups],
        residual_kind="log load minus fitted log load, district effect included",
        converged=bool(result.converged),
        log_likelihood=float(result.llf),
        random_effect_variance=tau2,
        district_effects=effects,
        notes=tuple(notes),
    )


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _listify(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_listify(item) for item in value]
    if isinstance(value, float) and not np.isfinite(value):
        raise RunoffModelError(MODEL_DICT_INVALID, problem="a figure is not finite")
    return value


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
