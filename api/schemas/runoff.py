"""Bodies and answers of the runoff model (farmadvice.runoff): versions, fits, loads and scenarios.

Loads are INDICATORS.md §9 figures: kg/ha and kg per crop season with 95 % prediction intervals, or the
export-coefficient fallback (`fallback` true, `method` "export_coefficient", no interval, and the reason).
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from api.schemas.common import AsOfOut
from farmadvice.practices.models import Season
from farmadvice.runoff.models import FitMethod, JobStatus, Target
from farmadvice.runoff.services import version_cv

# -- model versions ----------------------------------------------------------------------------------


class CoefficientOut(Schema):
    name: str = Field(..., description="Design term, e.g. rate_kg_per_ha or C(crop)[T.wheat]")
    estimate: float = Field(..., description="Change in log load per unit of the term")
    std_error: float = Field(..., description="Robust standard error (see diagnostics.cov_type)")
    ci_low: float = Field(..., description="95 % confidence interval, lower bound (log scale)")
    ci_high: float = Field(..., description="95 % confidence interval, upper bound (log scale)")
    p_value: float
    relative_change_pct: float = Field(..., description="(exp(estimate) - 1) × 100: % change of the load")

    @staticmethod
    def resolve_relative_change_pct(obj: dict[str, Any]) -> float:
        return (math.exp(obj["estimate"]) - 1) * 100


class CVOut(Schema):
    method: str
    log_score: float = Field(..., description="Mean held-out log predictive density, nats per observation")
    rmse_log: float = Field(..., description="Held-out RMSE of log load")
    mae_kg_per_ha: float = Field(..., description="Held-out mean absolute error, kg/ha")


class ModelVersionOut(Schema):
    id: int
    label: str = Field(..., description="As reports cite it, e.g. TN#3 log_ols")
    target: Target
    method: str = Field(..., description="Fitted method: gamma_glm, log_ols or mixedlm")
    requested_method: FitMethod
    formula: str
    n_obs: int
    n_synthetic: int = Field(..., description="Training rows that are SYNTHETIC (demo data)")
    synthetic: bool = Field(..., description="True when any training row is synthetic: demo only")
    training_fingerprint: str = Field(
        ..., description="sha256 of the training set (stats.training_fingerprint)"
    )
    created_at: dt.datetime
    created_by: str | None = Field(None, alias="created_by.username")
    is_active: bool
    activated_at: dt.datetime | None
    activated_by: str | None = Field(None, alias="activated_by.username")
    cv: CVOut | None = Field(None, description="Cross-validated error of the fitted method")

    @staticmethod
    def resolve_cv(obj: Any) -> dict[str, Any] | None:
        return version_cv(obj)


class ModelVersionDetail(ModelVersionOut):
    coefficients: list[CoefficientOut]
    diagnostics: dict[str, Any] = Field(
        ..., description="AIC, deviance or R², log-likelihood, residual quantiles, CV table, selection, notes"
    )
    training: dict[str, Any] = Field(..., description="Rows by source, synthetic rows, rows left out and why")
    library_versions: dict[str, str]
    k_folds: int
    seed: int


class ModelListQuery(Schema):
    target: Target | None = None


class FitIn(Schema):
    target: Literal["tn", "tp", "both"] = "both"
    method: FitMethod = FitMethod.AUTO
    k_folds: int = Field(5, ge=2, le=20, description="Folds of the cross-validation")
    seed: int = Field(0, description="Seed of the folds")


class FitJobOut(Schema):
    id: int
    targets: str
    method: FitMethod
    k_folds: int
    seed: int
    status: JobStatus
    requested_by: str = Field(..., alias="requested_by.username")
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    versions: list[int] = Field(..., description="Versions the fit stored (not active until activated)")
    error: str

    @staticmethod
    def resolve_versions(obj: Any) -> list[int]:
        return sorted(v.pk for v in obj.versions.all())


# -- loads ---------------------------------------------------------------------------------------------


class YearQuery(Schema):
    year: int = Field(..., ge=2000, le=2100, description="Calendar (harvest) year")


class AreaLoadQuery(YearQuery):
    town: str | None = Field(
        None, description="Town code or Chinese name; all towns and the district if absent"
    )


class EstimateOut(Schema):
    value: float
    low: float | None = Field(None, description="95 % interval, lower bound; null without an interval")
    high: float | None = Field(None, description="95 % interval, upper bound; null without an interval")


class NutrientLoadOut(Schema):
    target: Target
    kg_per_ha: EstimateOut | None = Field(
        None, description="Expected load, kg/ha, with its 95 % prediction interval"
    )
    kg: EstimateOut | None = Field(None, description="kg/ha × area_mu / 15")
    method: str = Field(..., description="gamma_glm, log_ols, mixedlm or export_coefficient")
    fallback: bool
    reason: str = Field(..., description="Why the export coefficient was used; empty when the model answered")
    version_id: int | None
    rate_kg_per_ha: float | None = Field(None, description="N (TN) or elemental P (TP) rate used, kg/ha")


class SeasonLoadsOut(Schema):
    season_id: uuid.UUID
    season: Season
    crop: str
    crop_name: str
    area_mu: float
    area_ha: float
    tn: NutrientLoadOut
    tp: NutrientLoadOut


class LoadTotalOut(Schema):
    target: Target
    kg: EstimateOut | None = Field(
        None, description="Σ over seasons with an estimate; interval = Σ of the seasons' bounds, model only"
    )
    kg_per_ha: float | None
    area_ha: float
    seasons: int
    fallback_seasons: int
    missing_seasons: int
    complete: bool


class ModelUseOut(Schema):
    target: Target
    version_id: int | None = Field(None, description="null: no active version, export coefficients used")
    label: str
    method: str
    synthetic: bool
    model_seasons: int
    fallback_seasons: int


class MeasuredOut(Schema):
    district_code: str
    year: int
    events: int
    tn_kg_per_ha: float | None
    tp_kg_per_ha: float | None
    incomplete_events: int


class ReferenceOut(Schema):
    name: str
    value: str
    unit: str
    status: str
    source: str
    valid_from: dt.date
    provisional: bool


class FarmLoadsOut(Schema):
    farm_code: str
    farm_name: str
    town_code: str
    year: int
    fallback: bool = Field(..., description="True when any season used the export coefficients")
    seasons: list[SeasonLoadsOut]
    tn_total: LoadTotalOut
    tp_total: LoadTotalOut
    models: list[ModelUseOut]
    measured: MeasuredOut | None = Field(
        None, description="The farm's irrigation district's measured net export (INDICATORS.md §8), kg/ha"
    )
    references: list[ReferenceOut]
    notes: list[str]


class ScenarioSeasonOut(Schema):
    season_id: uuid.UUID
    season: Season
    crop: str
    area_mu: float
    changed: bool
    baseline_kg: EstimateOut | None
    scenario_kg: EstimateOut | None
    reduction_kg: EstimateOut | None
    reduction_kg_per_ha: EstimateOut | None
    method: str
    fallback: bool
    reason: str


class ScenarioOut(Schema):
    scenario: str = Field(
        ..., description="rate_recommended, slow_release, side_deep, straw_return, all_advised"
    )
    label: str
    target: Target
    applies: bool
    baseline_kg: EstimateOut | None
    scenario_kg: EstimateOut | None
    reduction_kg: EstimateOut | None = Field(
        None, description="Expected reduction (baseline − scenario), kg, with its 95 % interval"
    )
    method: str
    fallback: bool
    note: str
    seasons: list[ScenarioSeasonOut]


class FarmScenariosOut(Schema):
    farm_code: str
    farm_name: str
    year: int
    outcomes: list[ScenarioOut]
    models: list[ModelUseOut]
    references: list[ReferenceOut]
    notes: list[str]


class AreaLoadRowOut(Schema):
    scope: Literal["town", "district"]
    code: str
    name: str
    farms: int
    seasons: int
    area_ha: float
    tn_kg: float | None
    tp_kg: float | None
    tn_kg_per_ha: float | None
    tp_kg_per_ha: float | None
    tn_fallback_seasons: int
    tp_fallback_seasons: int
    tn_missing_seasons: int
    tp_missing_seasons: int
    measured_districts: int
    measured_area_ha: float
    measured_tn_kg: float | None
    measured_tp_kg: float | None


class AreaLoadsOut(Schema):
    year: int
    rows: list[AreaLoadRowOut]
    models: list[ModelUseOut]
    references: list[ReferenceOut]
    notes: list[str]
    as_of: AsOfOut | None = None
