"""The runoff model's writes and derived results (DESIGN.md, "The runoff model"; INDICATORS.md §9).

Writes: `runoff_model_fit` fits the statistics package on the training data of the database and stores a
new `RunoffModelVersion`; it never changes which version is active unless asked (`activate=True`, the
command's `--activate`). `runoff_model_activate` / `runoff_model_deactivate` are the explicit acts, for
committee staff and admins. `runoff_fit_request` queues a fit as a background task (`tasks.py`).

Results (frozen dataclasses, the figures the reports and the advice engine take):

* `farm_loads(user=, code=, year=)`: each crop season's TN and TP load, kg/ha and kg, with the 95 %
  prediction interval of the ACTIVE version, and the farm's totals.
* `farm_scenarios(user=, code=, year=)`: the same farm with an advised change (N or P rate cut to the
  recommended rate, slow-release fertiliser, side-deep placement, straw return, all of them); the expected
  reduction with its 95 % interval (`stats.scenario_reduction`).
* `area_loads(user=, year=, town=)`: town and district totals, beside the measured district loads of §8.

Fallback (docs: the final report and data/README.md). Where the model cannot answer, a season's load is its
crop's export coefficient in force (`CropCoefficient` export_tn_kg_per_ha / export_tp_kg_per_ha, with its
source and status), flagged `method="export_coefficient"`, `fallback=True` and the reason:

* no active version of the target: never fitted, or the training data were below the statistics package's
  minimum (`InsufficientDataError`: max(80, 10 per estimated parameter) observations; `fit_runoff_model`
  refuses to fit below it, so such a version cannot exist, let alone be active);
* the season has no fertiliser record (its rate is unknown, and a rate of 0 would understate the load);
* no rainfall figure for the season; a crop the model was not fitted on; a practice the model dropped.

The export coefficient is one figure per crop and season, not a distribution: the fallback has no interval
(`low`/`high` None), and it does not depend on the farm's rate or practices. Its scenario reductions say so:
cutting the rate to the recommended one is estimated as 5 % of the N (or P) no longer applied, the share of
applied N that runoff carries on rice and wheat in the Yangtze delta (Xie et al. 2018, INDICATORS.md §9;
for P the same share is assumed, as the export coefficients of data/ assume it, provisional), without an
interval; practices get no estimate at all (`reduction_kg` None and a note).

Totals: expected loads add up; prediction intervals do not. A farm's total interval is the sum of its
seasons' bounds (`TOTAL_INTERVAL_NOTE`), given only when every season has a model interval. Town and
district totals are expected loads without an interval.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.core import figures
from farmadvice.core.errors import ApplicationError, NotFound, PermissionDenied
from farmadvice.core.models import Status
from farmadvice.core.services import validate_and_save
from farmadvice.indicators.queries.common import DISTRICT_CODE, DISTRICT_NAME, SYSTEM_READER, town_get
from farmadvice.indicators.reference import ReferenceUse, unique_uses
from farmadvice.practices.models import Season
from farmadvice.reference.models import CoefficientKind, CropCategory
from farmadvice.registry.models import IrrigationDistrict, Town
from farmadvice.registry.selectors import farm_get
from farmadvice.runoff import selectors
from farmadvice.runoff.models import (
    FitMethod,
    JobStatus,
    RunoffFitJob,
    RunoffModelVersion,
    SeasonRainfall,
    Target,
)
from farmadvice.runoff.plots import diagnostics_svg
from farmadvice.runoff.selectors import MU_PER_HA, P_PER_P2O5, SOURCES
from farmadvice.runoff.stats import (
    FERTIGATION,
    LOAD,
    MIN_OBSERVATIONS,
    PREDICTOR_COLUMNS,
    RATE,
    SIDE_DEEP,
    SLOW_RELEASE,
    STRAW_RETURN,
    FittedModel,
    InsufficientDataError,
    RunoffDataError,
    RunoffModelError,
    fit_runoff_model,
    predict_loads,
    scenario_reduction,
)

logger = logging.getLogger(__name__)

EXPORT_COEFFICIENT = "export_coefficient"
TARGETS = tuple(Target.values)
# Share of the applied N carried off by runoff on rice and wheat, Yangtze delta plain (Xie et al. 2018,
# 生态与农村环境学报 34(9); INDICATORS.md §9). Used for P as well, as the export coefficients of data/ do.
RUNOFF_SHARE = 0.05
RUNOFF_SHARE_SOURCE = ReferenceUse(
    name="runoff_share_of_applied_n",
    value="0.05",
    unit="1",
    status=Status.PUBLISHED,
    source="Xie et al. 2018, 生态与农村环境学报 34(9): runoff carries about 5 % of the N applied to rice and "
    "wheat on the Yangtze delta plain (INDICATORS.md §9); applied to P as an assumption (provisional).",
    valid_from=dt.date(2020, 1, 1),
)
FIT_POINTS = 1000
MIN_K_FOLDS = 2
SCENARIO_SIMULATIONS = 2000

# Messages (Chinese source strings, translated when raised; tests assert them).
MSG_MODEL_ROLE = gettext_noop("只有管委会和管理员可以拟合或启用径流模型。")
MSG_UNKNOWN_TARGET = gettext_noop("指标须为 tn、tp 或 both；收到：{value}")
MSG_UNKNOWN_METHOD = gettext_noop("方法须为 auto、gamma_glm、log_ols 或 mixedlm；收到：{value}")
MSG_INSUFFICIENT_DATA = gettext_noop(
    "{target} 训练数据不足：本模型至少需要 {required} 条观测，现有 {n} 条（另有 {excluded} 条因数据问题未用）。"
    "在补充田块或灌区监测数据之前，负荷按输出系数估算。"
)
MSG_TRAINING_DATA_INVALID = gettext_noop("训练数据有误，请修正后再拟合：{detail}")
MSG_BAD_K_FOLDS = gettext_noop("交叉验证折数须在 2 到观测数（{n}）之间；收到：{k_folds}")
MSG_FIT_FAILED = gettext_noop(
    "统计拟合失败（方法 {method}；{detail}）：可改用 --method log_ols 或 gamma_glm 重新拟合，并将此问题报告维护人员。"
)
MSG_JOB_NOT_FOUND = gettext_noop("拟合任务不存在：{id}")
MSG_RAINFALL_REFUSED = gettext_noop("降雨量数据有 {count} 处错误，未写入任何数据：{errors}")

# Why a season's load is estimated with the export coefficients (NutrientLoad.reason), and the notes of
# the loads and scenarios: translated when the loads are computed, in the reader's language.
REASON_NO_ACTIVE_MODEL = gettext_noop(
    "没有启用的 {target} 径流模型（尚未拟合、训练数据不足或尚未启用）：按输出系数估算。"
)
REASON_NO_FERTILISER_RECORDS = gettext_noop("该茬口没有施肥记录，施用量未知，模型无法估算：按输出系数估算。")
REASON_NO_RAINFALL = gettext_noop("缺少该季降雨量（data/rainfall.csv），模型无法估算：按输出系数估算。")
REASON_CROP_NOT_IN_MODEL = gettext_noop(
    "模型未包含作物“{crop}”（训练数据中该作物观测不足）：按输出系数估算。"
)
REASON_MODEL_REFUSED = gettext_noop("模型无法估算该茬口（{detail}）：按输出系数估算。")
REASON_NO_COEFFICIENT = gettext_noop("作物“{crop}”没有 {year} 年生效的{kind}：无法估算。")
TOTAL_INTERVAL_NOTE = gettext_noop(
    "合计的区间为各茬口 95% 预测区间上下限之和：各季负荷相互独立时偏宽（保守），完全同向变化时恰好。"
)
SYNTHETIC_NOTE = gettext_noop(
    "所用模型版本 {label} 的训练数据含 {n} 条模拟数据（仅供演示），估算不代表实测。"
)

SCENARIO_NOT_APPLICABLE = gettext_noop("本场本年没有可调整之处（已采用或不适用）。")
SCENARIO_NO_RATE = gettext_noop("该茬口没有施肥记录，无法估算减量效果。")
SCENARIO_FALLBACK_RATE = gettext_noop(
    "输出系数法：按径流约带走施用量 5% 估算（Xie et al. 2018；磷沿用同一比例，暂定），无区间；"
    "输出系数本身不随施肥量变化，故不给出调整后的负荷。"
)
SCENARIO_FALLBACK_PRACTICE = gettext_noop("输出系数法不含措施效果，无法估算；需要启用的径流模型。")
SCENARIO_FALLBACK_ALL = gettext_noop("其中缓控释肥、侧深施肥、秸秆还田的效果无法按输出系数法估算，未计入。")
SCENARIO_MODEL_REFUSED = gettext_noop("模型无法估算该措施的效果（{detail}）。")
SCENARIO_NO_RECOMMENDED = gettext_noop("作物“{crop}”没有 {year} 年生效的推荐施用量。")


class InsufficientTrainingData(ApplicationError):
    """Too few training rows for the model: the fallback stays in use."""

    def __init__(self, message: str, *, n: int, required: int):
        super().__init__(message, extra={"n": n, "required": required})
        self.n = n
        self.required = required


# --- Result types -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimate:
    """A figure and its 95 % interval; `low`/`high` are None where there is no interval (the fallback)."""

    value: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class NutrientLoad:
    """One season's load of one nutrient. `kg_per_ha`/`kg` are None where nothing could be estimated.

    `method` is the fitted method (gamma_glm, log_ols, mixedlm) or "export_coefficient"; `reason` says why
    the fallback was used ("" when the model answered). `rate_kg_per_ha` is the N (TN) or elemental P (TP)
    rate the model used, None where the season has no fertiliser record.
    """

    target: str
    kg_per_ha: Estimate | None
    kg: Estimate | None
    method: str
    fallback: bool
    reason: str
    version_id: int | None
    rate_kg_per_ha: float | None


@dataclass(frozen=True, slots=True)
class SeasonLoads:
    season_id: uuid.UUID
    farm_code: str
    year: int
    season: str
    crop: str
    crop_name: str
    area_mu: float
    tn: NutrientLoad
    tp: NutrientLoad

    @property
    def area_ha(self) -> float:
        return self.area_mu / MU_PER_HA


@dataclass(frozen=True, slots=True)
class ModelUse:
    """Which model answered for a target: the version (None: no active version) and how many seasons it
    estimated or left to the fallback."""

    target: str
    version_id: int | None
    label: str
    method: str
    synthetic: bool
    model_seasons: int
    fallback_seasons: int


@dataclass(frozen=True, slots=True)
class LoadTotal:
    """A farm's load of one nutrient in the year: Σ over the seasons with an estimate.

    `kg.low/high` (TOTAL_INTERVAL_NOTE) only when every season has a model interval; `complete` is False
    when some season has no estimate at all (`missing_seasons`).
    """

    target: str
    kg: Estimate | None
    kg_per_ha: float | None
    area_ha: float
    seasons: int
    fallback_seasons: int
    missing_seasons: int

    @property
    def complete(self) -> bool:
        return self.missing_seasons == 0


@dataclass(frozen=True, slots=True)
class MeasuredDistrictLoad:
    """The farm's irrigation district's measured net export in the year (INDICATORS.md §8), beside the
    estimates; kg/ha of district area. None where the district had no paired samples."""

    district_code: str
    year: int
    events: int
    tn_kg_per_ha: float | None
    tp_kg_per_ha: float | None
    incomplete_events: int


@dataclass(frozen=True)
class FarmLoads:
    farm_code: str
    farm_name: str
    town_code: str
    year: int
    seasons: tuple[SeasonLoads, ...]
    tn_total: LoadTotal
    tp_total: LoadTotal
    models: tuple[ModelUse, ...]
    measured: MeasuredDistrictLoad | None
    references: tuple[ReferenceUse, ...]
    notes: tuple[str, ...]

    @property
    def fallback(self) -> bool:
        return any(use.fallback_seasons for use in self.models)

    @property
    def provisional(self) -> tuple[ReferenceUse, ...]:
        return tuple(use for use in self.references if use.provisional)

    def total(self, target: str) -> LoadTotal:
        return self.tn_total if target == Target.TN else self.tp_total


@dataclass(frozen=True, slots=True)
class ScenarioSeason:
    season_id: uuid.UUID
    season: str
    crop: str
    area_mu: float
    changed: bool
    baseline_kg: Estimate | None
    scenario_kg: Estimate | None
    reduction_kg: Estimate | None
    reduction_kg_per_ha: Estimate | None
    method: str
    fallback: bool
    reason: str


@dataclass(frozen=True, slots=True)
class ScenarioOutcome:
    """One scenario for one nutrient on the farm in the year.

    `reduction_kg` is baseline minus scenario (positive: the change removes load) with the 95 % interval of
    the expected effect (`stats.scenario_reduction`); None where nothing could be estimated. `scenario_kg`
    is the farm's load under the scenario with the sum of the seasons' prediction bounds, None in the
    fallback. `method` is the model's, "export_coefficient", "mixed" or "" (nothing changes).
    """

    scenario: str
    label: str
    target: str
    applies: bool
    baseline_kg: Estimate | None
    scenario_kg: Estimate | None
    reduction_kg: Estimate | None
    method: str
    fallback: bool
    note: str
    seasons: tuple[ScenarioSeason, ...]


@dataclass(frozen=True)
class FarmScenarios:
    farm_code: str
    farm_name: str
    year: int
    outcomes: tuple[ScenarioOutcome, ...]
    models: tuple[ModelUse, ...]
    references: tuple[ReferenceUse, ...]
    notes: tuple[str, ...]

    def outcome(self, scenario: str, target: str) -> ScenarioOutcome | None:
        return next((o for o in self.outcomes if o.scenario == scenario and o.target == target), None)


@dataclass(frozen=True, slots=True)
class AreaLoadRow:
    """A town's (or the whole district's, scope "district") expected loads, kg, beside the measured
    irrigation-district net loads of §8 in the year (kg, over `measured_area_ha`)."""

    scope: str
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


@dataclass(frozen=True)
class AreaLoads:
    year: int
    rows: tuple[AreaLoadRow, ...]
    models: tuple[ModelUse, ...]
    references: tuple[ReferenceUse, ...]
    notes: tuple[str, ...]
    as_of: figures.AsOf | None = None  # the data version computed from (cached figures)


# --- Access and arguments -----------------------------------------------------------------------


def _require_model_admin(user: Any | None) -> None:
    """Committee staff and admins fit and activate. None is a server-side caller (a management command),
    which runs with the shell's authority."""
    if user is not None and access.role_of(user) not in (Role.ADMIN, Role.COMMITTEE):
        raise PermissionDenied(_(MSG_MODEL_ROLE))


def _targets(value: str) -> tuple[str, ...]:
    if value == "both":
        return TARGETS
    if value not in TARGETS:
        raise ApplicationError(_(MSG_UNKNOWN_TARGET).format(value=value), field="target")
    return (value,)


def _method(value: str) -> str:
    if value not in FitMethod.values:
        raise ApplicationError(_(MSG_UNKNOWN_METHOD).format(value=value), field="method")
    return value


def _user_or_none(user: Any | None) -> Any | None:
    return user if user is not None and getattr(user, "pk", None) is not None else None


# --- Fitting and versions -----------------------------------------------------------------------


def runoff_model_fit(
    *,
    user: Any | None,
    target: str,
    method: str = FitMethod.AUTO,
    k_folds: int = 5,
    seed: int = 0,
    activate: bool = False,
    sources: Sequence[str] = SOURCES,
) -> RunoffModelVersion:
    """Fit `target` (tn or tp) on the training data of the database and store a new version.

    The version is not active unless `activate` is True (then it replaces the active one of its target,
    as `runoff_model_activate` does). Raises `InsufficientTrainingData` below the statistics package's
    minimum (the fallback stays in use) and `ApplicationError` naming the rows for data it refuses.
    """
    _require_model_admin(user)
    (target,) = _targets(target)
    method = _method(method)
    data = selectors.training_data(target=target, sources=sources)
    model = _fit(data, method=method, k_folds=k_folds, seed=seed)
    payload = model.to_dict()
    version = RunoffModelVersion(
        target=target,
        method=model.method,
        requested_method=method,
        formula=model.formula,
        coefficients=payload["coefficients"],
        n_obs=model.n_obs,
        n_synthetic=data.n_synthetic,
        diagnostics=payload["diagnostics"],
        model=payload,
        training=data.summary(),
        fit_points=_fit_points(model, data.frame, seed=seed),
        training_fingerprint=model.training_fingerprint,
        library_versions=payload["versions"],
        k_folds=k_folds,
        seed=seed,
        created_by=_user_or_none(user),
    )
    with transaction.atomic():
        validate_and_save(version, user=_user_or_none(user))
        if activate:
            version = runoff_model_activate(user=user, version_id=version.pk)
    return version


def _fit(data: selectors.TrainingData, *, method: str, k_folds: int, seed: int) -> FittedModel:
    if k_folds < MIN_K_FOLDS or (data.n >= MIN_OBSERVATIONS and k_folds > data.n):
        raise ApplicationError(_(MSG_BAD_K_FOLDS).format(k_folds=k_folds, n=data.n), field="k_folds")
    try:
        if data.n == 0:
            raise InsufficientDataError(0, MIN_OBSERVATIONS)
        return fit_runoff_model(data.frame, target=data.target, method=method, k_folds=k_folds, seed=seed)  # type: ignore[arg-type]
    except InsufficientDataError as error:
        message = _(MSG_INSUFFICIENT_DATA).format(
            target=data.target.upper(), required=error.required, n=error.n, excluded=len(data.exclusions)
        )
        raise InsufficientTrainingData(message, n=error.n, required=error.required) from error
    except RunoffDataError as error:
        raise ApplicationError(
            _(MSG_TRAINING_DATA_INVALID).format(detail=error.message), field=error.column
        ) from error
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
        raise ApplicationError(
            _(MSG_FIT_FAILED).format(method=method, detail=f"{type(error).__name__}: {error}")
        ) from error


def fitted_model(version: RunoffModelVersion) -> FittedModel:
    """The stored fit, ready to predict (`FittedModel.from_dict`)."""
    return FittedModel.from_dict(version.model)


def _round(values: Iterable[float]) -> list[float]:
    return [float(f"{v:.6g}") for v in values]


def _fit_points(model: FittedModel, frame: pd.DataFrame, *, seed: int) -> dict[str, Any]:
    """Observed and predicted loads of at most FIT_POINTS training rows (seeded sample), for the plot."""
    predictions, _refused = _predict_rows(model, frame)
    if predictions.empty:
        return {"n": 0, "sampled": 0}
    rows = frame.loc[predictions.index]
    rng = np.random.default_rng(seed)
    take = np.sort(rng.choice(len(rows), size=min(FIT_POINTS, len(rows)), replace=False))
    return {
        "n": len(rows),
        "sampled": len(take),
        "observed": _round(rows[LOAD].to_numpy(dtype="float64")[take]),
        "expected": _round(predictions["load_kg_per_ha"].to_numpy()[take]),
        "pi_low": _round(predictions["pi_low"].to_numpy()[take]),
        "pi_high": _round(predictions["pi_high"].to_numpy()[take]),
        "source": [str(s) for s in rows["source"].to_numpy()[take]],
    }


def version_cv(version: RunoffModelVersion) -> dict[str, Any] | None:
    """The cross-validated error of the fitted method (one row of the diagnostics' CV table)."""
    table = (version.diagnostics or {}).get("cv_table") or []
    return next((row for row in table if row.get("method") == version.method), None)


def runoff_model_diagnostics_svg(*, user: Any, version_id: int) -> str:
    """The version's diagnostics plot (committee, agents, admins): observed vs predicted, residuals."""
    selectors.require_reads_all(user, _(selectors.MSG_DIAGNOSTICS_ROLE))
    version = selectors.runoff_model_get(user=user, version_id=version_id)
    cv = version_cv(version)
    parts = [f"{version.get_method_display()}", f"n = {version.n_obs}"]
    if cv:
        parts.append(f"交叉验证 对数得分 {cv['log_score']:.3f}，对数 RMSE {cv['rmse_log']:.3f}")
    points = version.fit_points or {}
    if points.get("sampled") and points.get("sampled") != points.get("n"):
        parts.append(f"图中抽样 {points['sampled']} / {points['n']} 点")
    if version.synthetic:
        parts.append(f"含模拟数据 {version.n_synthetic} 条（仅供演示）")
    return diagnostics_svg(points, title=f"径流模型 {version.label} 诊断", subtitle="；".join(parts))


@transaction.atomic
def runoff_model_activate(*, user: Any | None, version_id: int) -> RunoffModelVersion:
    """Make a version the active one of its target; the previously active one is deactivated, in one
    transaction (at most one active version per target is also a database constraint). Idempotent."""
    _require_model_admin(user)
    version = RunoffModelVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        raise NotFound(_(selectors.MSG_VERSION_NOT_FOUND).format(id=version_id))
    if version.is_active:
        return version
    actor = _user_or_none(user)
    for current in RunoffModelVersion.objects.select_for_update().filter(
        target=version.target, is_active=True
    ):
        current.is_active = False
        validate_and_save(current, user=actor)
    version.is_active = True
    version.activated_at = timezone.now()
    version.activated_by = actor
    return validate_and_save(version, user=actor)


@transaction.atomic
def runoff_model_deactivate(*, user: Any | None, version_id: int) -> RunoffModelVersion:
    """Take a version out of use: its target falls back to the export coefficients until another is
    activated."""
    _require_model_admin(user)
    version = RunoffModelVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        raise NotFound(_(selectors.MSG_VERSION_NOT_FOUND).format(id=version_id))
    if version.is_active:
        version.is_active = False
        validate_and_save(version, user=_user_or_none(user))
    return version


def runoff_fit_request(
    *, user: Any, targets: str = "both", method: str = FitMethod.AUTO, k_folds: int = 5, seed: int = 0
) -> RunoffFitJob:
    """Queue a fit (committee, admins); the task runs it once the request's transaction has committed."""
    if user is None:
        raise PermissionDenied(_(MSG_MODEL_ROLE))
    _require_model_admin(user)
    _targets(targets)
    job = RunoffFitJob(targets=targets, method=_method(method), k_folds=k_folds, seed=seed, requested_by=user)
    validate_and_save(job, user=user)
    from farmadvice.runoff.tasks import runoff_fit_run

    transaction.on_commit(lambda: runoff_fit_run.enqueue(job.pk))
    return job


def runoff_fit_job_get(*, user: Any, job_id: int) -> RunoffFitJob:
    if access.role_of(user) not in (Role.ADMIN, Role.COMMITTEE):
        raise PermissionDenied(_(MSG_MODEL_ROLE))
    job = RunoffFitJob.objects.filter(pk=job_id).prefetch_related("versions").first()
    if job is None:
        raise NotFound(_(MSG_JOB_NOT_FOUND).format(id=job_id))
    return job


def runoff_fit_job_run(*, job_id: int) -> str:
    """Run a queued fit job (the task's body); a job already started is not run twice. Returns its status."""
    with transaction.atomic():
        job = RunoffFitJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED:
            return job.status if job is not None else JobStatus.FAILED
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    errors: list[str] = []
    for target in _targets(job.targets):
        try:
            version = runoff_model_fit(
                user=job.requested_by, target=target, method=job.method, k_folds=job.k_folds, seed=job.seed
            )
            job.versions.add(version)
        except ApplicationError as error:
            errors.append(f"{target.upper()}: {error.message}")
        except Exception as error:  # a bug must not leave the job "running" for ever; the worker logs it
            logger.exception("runoff fit job %s failed", job.pk)
            errors.append(f"{target.upper()}: {type(error).__name__}: {error}")
    job.status = JobStatus.FAILED if errors else JobStatus.DONE
    job.error = "\n".join(errors)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job.status


# --- Rainfall reference data --------------------------------------------------------------------

RAINFALL_FILE = "rainfall.csv"
RAINFALL_COLUMNS = ("year", "season", "months", "rainfall_mm", "source", "status", "valid_from")


@dataclass(frozen=True, slots=True)
class RainfallLoadReport:
    created: int
    unchanged: int


def season_rainfall_load(*, data_dir: Path | None = None) -> RainfallLoadReport:
    """Load data/rainfall.csv into `SeasonRainfall`: every row checked first, all or nothing, and a stored
    figure never overwritten (a changed figure is a new row with a later valid_from), as load_reference
    does for the other reference tables."""
    path = Path(data_dir or settings.REFERENCE_DATA_DIR) / RAINFALL_FILE
    errors: list[str] = []
    rows: list[SeasonRainfall] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            records = list(csv.DictReader(handle))
    except OSError as error:
        raise ApplicationError(_(MSG_RAINFALL_REFUSED).format(count=1, errors=f"{path}: {error}")) from error
    if records and set(RAINFALL_COLUMNS) - set(records[0]):
        missing = ", ".join(sorted(set(RAINFALL_COLUMNS) - set(records[0])))
        raise ApplicationError(
            _(MSG_RAINFALL_REFUSED).format(count=1, errors=f"{RAINFALL_FILE}: missing {missing}")
        )
    for number, record in enumerate(records, start=2):
        row, problems = _rainfall_row(record)
        errors += [f"{RAINFALL_FILE}:{number}: {problem}" for problem in problems]
        if row is not None:
            rows.append(row)
    keys = [(r.year, r.season, r.valid_from) for r in rows]
    if len(set(keys)) != len(keys):
        errors.append(f"{RAINFALL_FILE}: the same year, season and valid_from appear twice")
    stored = {(r.year, r.season, r.valid_from): r for r in SeasonRainfall.objects.all()}
    new: list[SeasonRainfall] = []
    for row, key in zip(rows, keys, strict=True):
        old = stored.get(key)
        if old is None:
            new.append(row)
        elif (old.rainfall_mm, old.status) != (row.rainfall_mm, row.status):
            errors.append(
                f"{RAINFALL_FILE}: {key[0] or 'normal'} {key[1]} {key[2]}: {row.rainfall_mm} mm differs from "
                f"the stored {old.rainfall_mm} mm; a changed figure needs a new row with a later valid_from"
            )
    if errors:
        raise ApplicationError(
            _(MSG_RAINFALL_REFUSED).format(count=len(errors), errors="; ".join(errors[:10]))
        )
    with transaction.atomic():
        for row in new:
            validate_and_save(row, user=None)
    return RainfallLoadReport(created=len(new), unchanged=len(rows) - len(new))


def _rainfall_row(record: dict[str, str]) -> tuple[SeasonRainfall | None, list[str]]:
    problems: list[str] = []
    text = {key: (record.get(key) or "").strip() for key in RAINFALL_COLUMNS}
    year: int | None = None
    if text["year"]:
        try:
            year = int(text["year"])
        except ValueError:
            problems.append(f"year: not a whole number ({text['year']!r})")
    if text["season"] not in Season.values:
        problems.append(f"season: must be one of {', '.join(Season.values)}")
    if text["status"] not in Status.values:
        problems.append(f"status: must be one of {', '.join(Status.values)}")
    for column in ("months", "source"):
        if not text[column]:
            problems.append(f"{column}: required")
    try:
        rainfall = Decimal(text["rainfall_mm"])
        if not rainfall.is_finite() or rainfall < 0:
            raise InvalidOperation
    except InvalidOperation:
        problems.append(f"rainfall_mm: not a number of 0 or more ({text['rainfall_mm']!r})")
        rainfall = Decimal(0)
    try:
        valid_from = dt.date.fromisoformat(text["valid_from"])
    except ValueError:
        problems.append("valid_from: not a date (YYYY-MM-DD)")
        valid_from = dt.date(2020, 1, 1)
    if problems:
        return None, problems
    return (
        SeasonRainfall(
            year=year,
            season=text["season"],
            months=text["months"],
            rainfall_mm=rainfall,
            source=text["source"],
            status=text["status"],
            valid_from=valid_from,
        ),
        [],
    )


# --- Predictions --------------------------------------------------------------------------------


def _predict_rows(model: FittedModel, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """`predict_loads` on the rows the model can answer for; the others, with the package's reason.

    The package refuses a whole frame when some rows ask for a dropped practice or an unknown crop, and
    names those rows: they are set aside and the rest predicted (each pass removes at least one row).
    """
    refused: dict[str, str] = {}
    rows = frame
    while len(rows):
        try:
            return predict_loads(model, rows), refused
        except RunoffModelError as error:
            bad = [label for label in error.rows if label in rows.index]
            if not bad:
                raise
            refused.update(dict.fromkeys((str(label) for label in bad), error.message))
            rows = rows.drop(index=bad)
    return pd.DataFrame(columns=["load_kg_per_ha", "pi_low", "pi_high"]), refused


@dataclass(frozen=True, eq=False)
class _Predicted:
    """Per season of a farm-season frame, one target: the figures and how they were made."""

    target: str
    frame: pd.DataFrame  # kg_per_ha, low, high, kg, kg_low, kg_high, method, fallback, reason, rate
    model: FittedModel | None
    version: RunoffModelVersion | None
    model_rows: pd.Index
    references: tuple[ReferenceUse, ...]


def _predict(seasons: pd.DataFrame, target: str, version: RunoffModelVersion | None, year: int) -> _Predicted:
    columns = ["kg_per_ha", "low", "high", "kg", "kg_low", "kg_high"]
    out = pd.DataFrame(np.nan, index=seasons.index, columns=columns)
    out["method"] = EXPORT_COEFFICIENT
    out["fallback"] = True
    out["version_id"] = None
    stats_frame = selectors.model_frame(seasons, target)
    out["rate"] = stats_frame[RATE]
    reasons = pd.Series("", index=seasons.index, dtype=object)
    crop_names = _crop_names(seasons)
    references: list[ReferenceUse] = []
    model = None
    model_rows = pd.Index([])
    if version is None:
        reasons[:] = _(REASON_NO_ACTIVE_MODEL).format(target=target.upper())
    else:
        model = fitted_model(version)

        def mark(condition: pd.Series, reason: pd.Series | str) -> None:
            take = condition & (reasons == "")
            reasons[take] = reason[take] if isinstance(reason, pd.Series) else reason

        mark(~seasons["has_fertiliser_records"], _(REASON_NO_FERTILISER_RECORDS))
        mark(seasons["rainfall_mm"].isna(), _(REASON_NO_RAINFALL))
        unknown = ~seasons["crop"].isin(model.design.crop_levels)
        not_in_model = _(REASON_CROP_NOT_IN_MODEL)
        mark(unknown, crop_names.map(lambda crop: not_in_model.format(crop=crop)))
        eligible = reasons == ""
        predicted, refused = _predict_rows(
            model, stats_frame.loc[eligible, [*PREDICTOR_COLUMNS, "district", "area_ha"]]
        )
        for label, detail in refused.items():
            reasons[label] = _(REASON_MODEL_REFUSED).format(detail=detail)
        model_rows = predicted.index
        if len(model_rows):
            out.loc[model_rows, columns] = predicted[
                ["load_kg_per_ha", "pi_low", "pi_high", "load_kg", "load_kg_low", "load_kg_high"]
            ].to_numpy()
            out.loc[model_rows, "method"] = model.method
            out.loc[model_rows, "fallback"] = False
            out.loc[model_rows, "version_id"] = version.pk
            references += [use for use in seasons.loc[model_rows, "rainfall_use"] if use is not None]
    fallback = reasons != ""
    if fallback.any():
        kind = CoefficientKind.EXPORT_TN if target == Target.TN else CoefficientKind.EXPORT_TP
        figures = selectors.crop_figures(kind, crop_codes=seasons.loc[fallback, "crop"], year=year)
        value = seasons["crop"].map({code: figure.value for code, figure in figures.items()})
        has = fallback & value.notna()
        out.loc[has, "kg_per_ha"] = value[has]
        out.loc[has, "kg"] = value[has] * seasons.loc[has, "area_ha"]
        lacking = fallback & value.isna()
        no_coefficient = _(REASON_NO_COEFFICIENT)
        kind_label = str(CoefficientKind(kind).label)
        reasons[lacking] = [
            _sentences(reason, no_coefficient.format(crop=crop, year=year, kind=kind_label))
            for reason, crop in zip(reasons[lacking], crop_names[lacking], strict=True)
        ]
        references += [figures[code].use for code in sorted(set(seasons.loc[has, "crop"]))]
    out["reason"] = reasons
    return _Predicted(
        target=target,
        frame=out,
        model=model,
        version=version,
        model_rows=model_rows,
        references=tuple(references),
    )


def _crop_names(seasons: pd.DataFrame) -> pd.Series:
    """Each season's crop name for a message in the active language: the English name when English is
    active (the Chinese one where a crop has none), else the Chinese."""
    if not (translation.get_language() or "").startswith("en"):
        return seasons["crop_name"]
    english = seasons["crop_name_en"].fillna("")
    return english.where(english != "", seasons["crop_name"])


def _sentences(first: str, second: str) -> str:
    """Two sentences of one message: run together after a Chinese full stop, a space apart otherwise."""
    return first + second if first.endswith("。") else f"{first} {second}"


def _estimate(value: float, low: float | None = None, high: float | None = None) -> Estimate | None:
    if value is None or not np.isfinite(value):
        return None
    has_interval = low is not None and high is not None and np.isfinite(low) and np.isfinite(high)
    return Estimate(float(value), float(low) if has_interval else None, float(high) if has_interval else None)


def _nutrient_load(predicted: _Predicted, label: str) -> NutrientLoad:
    row = predicted.frame.loc[label]
    rate = row["rate"]
    return NutrientLoad(
        target=predicted.target,
        kg_per_ha=_estimate(row["kg_per_ha"], row["low"], row["high"]),
        kg=_estimate(row["kg"], row["kg_low"], row["kg_high"]),
        method=str(row["method"]),
        fallback=bool(row["fallback"]),
        reason=str(row["reason"]),
        version_id=None if row["version_id"] is None else int(row["version_id"]),
        rate_kg_per_ha=None if pd.isna(rate) else float(rate),
    )


def _total(predicted: _Predicted, area_ha: pd.Series) -> LoadTotal:
    frame = predicted.frame
    estimated = frame["kg"].notna()
    kg = float(frame.loc[estimated, "kg"].sum())
    all_model = bool(len(frame)) and not frame["fallback"].any()
    low = float(frame["kg_low"].sum()) if all_model else None
    high = float(frame["kg_high"].sum()) if all_model else None
    area = float(area_ha[estimated].sum())
    return LoadTotal(
        target=predicted.target,
        kg=Estimate(kg, low, high) if estimated.any() else None,
        kg_per_ha=kg / area if area > 0 else None,
        area_ha=float(area_ha.sum()),
        seasons=len(frame),
        fallback_seasons=int(frame["fallback"].sum()),
        missing_seasons=int((~estimated).sum()),
    )


def _model_use(predicted: _Predicted) -> ModelUse:
    version = predicted.version
    fallback = int(predicted.frame["fallback"].sum())
    return ModelUse(
        target=predicted.target,
        version_id=version.pk if version else None,
        label=version.label if version else "",
        method=version.method if version else EXPORT_COEFFICIENT,
        synthetic=bool(version and version.synthetic),
        model_seasons=len(predicted.frame) - fallback,
        fallback_seasons=fallback,
    )


def _notes(predictions: Iterable[_Predicted]) -> list[str]:
    notes: list[str] = []
    for predicted in predictions:
        version = predicted.version
        if version is not None and version.synthetic and len(predicted.model_rows):
            notes.append(_(SYNTHETIC_NOTE).format(label=version.label, n=version.n_synthetic))
    return notes


def _predict_both(seasons: pd.DataFrame, year: int) -> dict[str, _Predicted]:
    active = selectors.active_versions()
    return {target: _predict(seasons, target, active.get(target), year) for target in TARGETS}


def farm_loads(*, user: Any, code: str, year: int) -> FarmLoads:
    """Every crop season's TN and TP load on the farm in the year, and the farm's totals (NotFound for a
    farm the user may not see). Seasons come in season order."""
    farm = farm_get(user=user, code=code)
    seasons = selectors.farm_seasons(user=user, year=year, farm_id=farm.pk)
    order = seasons["season"].map({s: i for i, s in enumerate(Season.values)})
    seasons = seasons.assign(_order=order).sort_values(["_order", "crop"]).drop(columns="_order")
    predicted = _predict_both(seasons, year)
    season_loads = tuple(
        SeasonLoads(
            season_id=uuid.UUID(label),
            farm_code=farm.code,
            year=year,
            season=str(row["season"]),
            crop=str(row["crop"]),
            crop_name=str(row["crop_name"]),
            area_mu=float(row["area_mu"]),
            tn=_nutrient_load(predicted[Target.TN], label),
            tp=_nutrient_load(predicted[Target.TP], label),
        )
        for label, row in seasons.iterrows()  # the farm's seasons: a handful of rows
    )
    notes = _notes(predicted.values())
    if any(predicted[t].frame["kg_low"].notna().any() for t in TARGETS):
        notes.append(_(TOTAL_INTERVAL_NOTE))
    return FarmLoads(
        farm_code=farm.code,
        farm_name=farm.name,
        town_code=farm.town.code,
        year=year,
        seasons=season_loads,
        tn_total=_total(predicted[Target.TN], seasons["area_ha"]),
        tp_total=_total(predicted[Target.TP], seasons["area_ha"]),
        models=tuple(_model_use(p) for p in predicted.values()),
        measured=_measured(farm.irrigation_district_id, year),
        references=unique_uses(use for p in predicted.values() for use in p.references),
        notes=tuple(notes),
    )


def _measured(district_id: int | None, year: int) -> MeasuredDistrictLoad | None:
    if district_id is None:
        return None
    loads = selectors.district_season_loads(districts=IrrigationDistrict.objects.filter(pk=district_id))
    loads = loads[loads["year"] == year]
    if loads.empty:
        return None
    area_ha = float(loads["area_mu"].iloc[0]) / MU_PER_HA

    def per_ha(target: str) -> float | None:
        return float(loads[f"{target}_net_load_kg"].sum()) / area_ha

    return MeasuredDistrictLoad(
        district_code=str(loads["district_code"].iloc[0]),
        year=year,
        events=int(loads["events"].sum()),
        tn_kg_per_ha=per_ha(Target.TN),
        tp_kg_per_ha=per_ha(Target.TP),
        incomplete_events=int(
            loads[["tn_incomplete_events", "tp_incomplete_events"]].to_numpy().max(axis=1).sum()
        ),
    )


def area_loads(*, user: Any, year: int, town: str | None = None) -> AreaLoads:
    """Town and whole-district totals of the expected loads in the year (committee, agents, admins; a farm
    operator is refused), with the measured irrigation-district net loads of §8 beside them. Cached until
    the data change (`farmadvice.core.figures`)."""
    selectors.require_reads_all(user, _(selectors.MSG_AREA_LOADS_ROLE))
    return figures.cached("area_loads", year, town)


def _area_loads(*, user: Any, year: int, town: str | None) -> AreaLoads:
    town_obj: Town | None = town_get(town) if town else None
    seasons = selectors.farm_seasons(user=user, year=year, town_id=town_obj.pk if town_obj else None)
    predicted = _predict_both(seasons, year)
    frame = seasons[["farm_id", "town_code", "town_name", "area_ha"]].copy()
    for target in TARGETS:
        p = predicted[target].frame
        frame[f"{target}_kg"] = p["kg"].astype("float64")
        frame[f"{target}_fallback"] = p["fallback"].astype(bool)
        frame[f"{target}_missing"] = p["kg"].isna()
    districts = IrrigationDistrict.objects.all()
    if town_obj is not None:
        districts = districts.filter(town=town_obj)
    measured = selectors.district_season_loads(districts=districts)
    measured = measured[measured["year"] == year]
    district_towns = dict(districts.values_list("code", "town__code"))
    measured = measured.assign(town_code=measured["district_code"].map(district_towns))
    towns = Town.objects.order_by("code")
    if town_obj is not None:
        towns = towns.filter(pk=town_obj.pk)
    rows = [
        _area_row(
            "town", code, name, frame[frame["town_code"] == code], measured[measured["town_code"] == code]
        )
        for code, name in towns.values_list("code", "name_zh")
    ]
    if town_obj is None:
        rows.append(_area_row("district", DISTRICT_CODE, DISTRICT_NAME, frame, measured))
    return AreaLoads(
        year=year,
        rows=tuple(rows),
        models=tuple(_model_use(p) for p in predicted.values()),
        references=unique_uses(use for p in predicted.values() for use in p.references),
        notes=tuple(_notes(predicted.values())),
    )


def _area_row(scope: str, code: str, name: str, frame: pd.DataFrame, measured: pd.DataFrame) -> AreaLoadRow:
    area = float(frame["area_ha"].sum())
    figures: dict[str, Any] = {}
    for target in TARGETS:
        estimated = frame[f"{target}_kg"].notna()
        kg = float(frame.loc[estimated, f"{target}_kg"].sum()) if estimated.any() else None
        estimated_area = float(frame.loc[estimated, "area_ha"].sum())
        figures[f"{target}_kg"] = kg
        figures[f"{target}_kg_per_ha"] = (
            kg / estimated_area if kg is not None and estimated_area > 0 else None
        )
        figures[f"{target}_fallback_seasons"] = int(frame[f"{target}_fallback"].sum())
        figures[f"{target}_missing_seasons"] = int(frame[f"{target}_missing"].sum())
        figures[f"measured_{target}_kg"] = (
            float(measured[f"{target}_net_load_kg"].sum()) if len(measured) else None
        )
    district_areas = (
        measured.drop_duplicates("district_code")["area_mu"] if len(measured) else pd.Series(dtype=float)
    )
    return AreaLoadRow(
        scope=scope,
        code=code,
        name=name,
        farms=int(frame["farm_id"].nunique()),
        seasons=len(frame),
        area_ha=area,
        measured_districts=int(measured["district_code"].nunique()) if len(measured) else 0,
        measured_area_ha=float(district_areas.sum()) / MU_PER_HA,
        **figures,
    )


# --- Scenarios ----------------------------------------------------------------------------------

RATE_RECOMMENDED = "rate_recommended"
SLOW_RELEASE_ADOPTED = "slow_release"
SIDE_DEEP_ADOPTED = "side_deep"
STRAW_RETURNED = "straw_return"
ALL_ADVISED = "all_advised"

SCENARIO_LABELS = {
    RATE_RECOMMENDED: gettext_noop("施肥量降至推荐用量"),
    SLOW_RELEASE_ADOPTED: gettext_noop("全部改用缓控释肥"),
    SIDE_DEEP_ADOPTED: gettext_noop("采用侧深施肥（粮食作物）"),
    STRAW_RETURNED: gettext_noop("秸秆全量还田（产秸秆作物）"),
    ALL_ADVISED: gettext_noop("以上措施全部采用"),
}
PRACTICE_SCENARIOS = {
    SLOW_RELEASE_ADOPTED: SLOW_RELEASE,
    SIDE_DEEP_ADOPTED: SIDE_DEEP,
    STRAW_RETURNED: STRAW_RETURN,
}
SCENARIOS = (RATE_RECOMMENDED, SLOW_RELEASE_ADOPTED, SIDE_DEEP_ADOPTED, STRAW_RETURNED, ALL_ADVISED)


def _recommended_rates(
    seasons: pd.DataFrame, year: int
) -> tuple[dict[str, pd.Series], list[ReferenceUse], list[str]]:
    """The recommended N and elemental P rates, kg/ha, of each season's crop in force for the year."""
    crops = set(seasons["crop"])
    rates: dict[str, pd.Series] = {}
    uses: list[ReferenceUse] = []
    notes: list[str] = []
    crop_names = _crop_names(seasons)
    for target, kind, factor in (
        (Target.TN, CoefficientKind.RECOMMENDED_N, MU_PER_HA),
        (Target.TP, CoefficientKind.RECOMMENDED_P2O5, MU_PER_HA * P_PER_P2O5),
    ):
        figures = selectors.crop_figures(kind, crop_codes=crops, year=year)
        rates[target] = (
            seasons["crop"].map({c: f.value * factor for c, f in figures.items()}).astype("float64")
        )
        uses += [figures[c].use for c in sorted(figures)]
        notes += [
            _(SCENARIO_NO_RECOMMENDED).format(crop=name, year=year)
            for name in sorted(set(crop_names[rates[target].isna()]))
        ]
    return rates, uses, sorted(set(notes))


def _scenario_frame(
    scenario: str, stats_frame: pd.DataFrame, seasons: pd.DataFrame, recommended: pd.Series, straw: set[str]
) -> pd.DataFrame:
    """The farm's predictor frame under `scenario` (for one target)."""
    changed = stats_frame.copy()
    parts = [scenario] if scenario != ALL_ADVISED else [RATE_RECOMMENDED, *PRACTICE_SCENARIOS]
    for part in parts:
        if part == RATE_RECOMMENDED:
            cut = recommended.notna() & (changed[RATE] > recommended)
            changed.loc[cut, RATE] = recommended[cut]
        else:
            column = PRACTICE_SCENARIOS[part]
            applies = pd.Series(True, index=changed.index)
            if part == SIDE_DEEP_ADOPTED:
                applies &= seasons["crop_category"] == CropCategory.GRAIN
            if part == STRAW_RETURNED:
                applies &= seasons["crop"].isin(straw)
            changed.loc[applies, column] = 1.0
    return changed


def farm_scenarios(
    *, user: Any, code: str, year: int, n_sim: int = SCENARIO_SIMULATIONS, seed: int = 0
) -> FarmScenarios:
    """The farm's loads under each scenario of SCENARIOS, per nutrient, against its loads now (NotFound
    for a farm the user may not see). See the module docstring for the fallback."""
    farm = farm_get(user=user, code=code)
    seasons = selectors.farm_seasons(user=user, year=year, farm_id=farm.pk)
    predicted = _predict_both(seasons, year)
    recommended, uses, notes = _recommended_rates(seasons, year)
    straw = selectors.straw_crops(crop_codes=seasons["crop"], year=year)
    outcomes: list[ScenarioOutcome] = []
    references: list[ReferenceUse] = [*uses]
    for target in TARGETS:
        stats_frame = selectors.model_frame(seasons, target)[[*PREDICTOR_COLUMNS, "district", "area_ha"]]
        for scenario in SCENARIOS:
            frame = _scenario_frame(scenario, stats_frame, seasons, recommended[target], straw)
            outcome, used = _outcome(
                scenario, target, seasons, stats_frame, frame, predicted[target], n_sim, seed
            )
            outcomes.append(outcome)
            references += used
        references += predicted[target].references
    return FarmScenarios(
        farm_code=farm.code,
        farm_name=farm.name,
        year=year,
        outcomes=tuple(outcomes),
        models=tuple(_model_use(p) for p in predicted.values()),
        references=unique_uses(references),
        notes=tuple([*notes, *_notes(predicted.values())]),
    )


def _differs(a: pd.DataFrame, b: pd.DataFrame) -> pd.Series:
    numeric = [RATE, SLOW_RELEASE, SIDE_DEEP, FERTIGATION, STRAW_RETURN]
    left, right = a[numeric].to_numpy(dtype="float64"), b[numeric].to_numpy(dtype="float64")
    same = (left == right) | (np.isnan(left) & np.isnan(right))
    return pd.Series(~same.all(axis=1), index=a.index)


def _outcome(
    scenario: str,
    target: str,
    seasons: pd.DataFrame,
    baseline: pd.DataFrame,
    changed: pd.DataFrame,
    predicted: _Predicted,
    n_sim: int,
    seed: int,
) -> tuple[ScenarioOutcome, list[ReferenceUse]]:
    base = predicted.frame
    differs = _differs(baseline, changed)
    if scenario == RATE_RECOMMENDED:
        # A season without fertiliser records may or may not be above the recommended rate: unknown.
        differs |= baseline[RATE].isna()
    columns = ["baseline", "baseline_low", "baseline_high", "scenario", "scenario_low", "scenario_high"]
    columns += ["reduction", "reduction_low", "reduction_high"]
    out = pd.DataFrame(np.nan, index=seasons.index, columns=columns)
    out["baseline"] = base["kg"]
    out["baseline_low"], out["baseline_high"] = base["kg_low"], base["kg_high"]
    reasons = pd.Series("", index=seasons.index, dtype=object)
    used: list[ReferenceUse] = []
    unchanged = ~differs
    out.loc[unchanged, ["scenario", "scenario_low", "scenario_high"]] = out.loc[
        unchanged, ["baseline", "baseline_low", "baseline_high"]
    ].to_numpy()
    out.loc[unchanged & base["kg"].notna(), ["reduction", "reduction_low", "reduction_high"]] = 0.0

    model_rows = predicted.model_rows.intersection(seasons.index[differs])
    if len(model_rows) and predicted.model is not None:
        model = predicted.model
        scenario_loads, refused = _predict_rows(model, changed.loc[model_rows])
        for label, detail in refused.items():
            reasons[label] = _(SCENARIO_MODEL_REFUSED).format(detail=detail)
        ok = scenario_loads.index
        if len(ok):
            out.loc[ok, ["scenario", "scenario_low", "scenario_high"]] = scenario_loads[
                ["load_kg", "load_kg_low", "load_kg_high"]
            ].to_numpy()
            reduction = scenario_reduction(model, baseline.loc[ok], changed.loc[ok], n_sim=n_sim, seed=seed)
            out.loc[ok, ["reduction", "reduction_low", "reduction_high"]] = reduction[
                ["reduction_kg", "reduction_kg_low", "reduction_kg_high"]
            ].to_numpy()
    fallback_rows = differs & base["fallback"].astype(bool)
    if scenario in (RATE_RECOMMENDED, ALL_ADVISED):
        reasons[fallback_rows & baseline[RATE].isna()] = _(SCENARIO_NO_RATE)
        cut = fallback_rows & baseline[RATE].notna()
        cut_kg_per_ha = baseline.loc[cut, RATE] - changed.loc[cut, RATE]
        out.loc[cut, "reduction"] = RUNOFF_SHARE * cut_kg_per_ha * seasons.loc[cut, "area_ha"]
        out.loc[cut, ["reduction_low", "reduction_high", "scenario", "scenario_low", "scenario_high"]] = (
            np.nan
        )
        note = _(SCENARIO_FALLBACK_RATE)
        if scenario == ALL_ADVISED:
            note = _sentences(note, _(SCENARIO_FALLBACK_ALL))
        reasons[cut] = note
        if cut.any():
            used.append(RUNOFF_SHARE_SOURCE)
    else:
        reasons[fallback_rows] = _(SCENARIO_FALLBACK_PRACTICE)
    season_rows = tuple(
        _scenario_season(
            label, seasons.loc[label], out.loc[label], base.loc[label], bool(differs[label]), reasons[label]
        )
        for label in seasons.index  # the farm's seasons
    )
    return _summarise(scenario, target, out, base, differs, reasons, season_rows), used


def _scenario_season(
    label: str, season: pd.Series, row: pd.Series, base: pd.Series, changed: bool, reason: str
) -> ScenarioSeason:
    area_ha = float(season["area_ha"])
    reduction = _estimate(row["reduction"], row["reduction_low"], row["reduction_high"])
    per_ha = (
        Estimate(
            reduction.value / area_ha,
            None if reduction.low is None else reduction.low / area_ha,
            None if reduction.high is None else reduction.high / area_ha,
        )
        if reduction is not None and area_ha > 0
        else None
    )
    fallback = bool(base["fallback"])
    return ScenarioSeason(
        season_id=uuid.UUID(label),
        season=str(season["season"]),
        crop=str(season["crop"]),
        area_mu=float(season["area_mu"]),
        changed=changed,
        baseline_kg=_estimate(row["baseline"], row["baseline_low"], row["baseline_high"]),
        scenario_kg=_estimate(row["scenario"], row["scenario_low"], row["scenario_high"]),
        reduction_kg=reduction,
        reduction_kg_per_ha=per_ha,
        method=str(base["method"]),
        fallback=fallback,
        reason=reason or (str(base["reason"]) if fallback else ""),
    )


def _sum(frame: pd.DataFrame, column: str, rows: pd.Series) -> Estimate | None:
    """Σ `column` over `rows` (None when any of them lacks it), with the sum of the bounds when every row
    has an interval (TOTAL_INTERVAL_NOTE)."""
    values = frame.loc[rows, column]
    if not rows.any() or values.isna().any():
        return None
    lows, highs = frame.loc[rows, f"{column}_low"], frame.loc[rows, f"{column}_high"]
    if lows.isna().any() or highs.isna().any():
        return Estimate(float(values.sum()))
    return Estimate(float(values.sum()), float(lows.sum()), float(highs.sum()))


def _summarise(
    scenario: str,
    target: str,
    out: pd.DataFrame,
    base: pd.DataFrame,
    differs: pd.Series,
    reasons: pd.Series,
    seasons: tuple[ScenarioSeason, ...],
) -> ScenarioOutcome:
    estimated = out["baseline"].notna()
    changed_fallback = differs & base["fallback"].astype(bool)
    changed_model = differs & ~base["fallback"].astype(bool)
    if changed_fallback.any() and changed_model.any():
        method = "mixed"
    elif changed_fallback.any():
        method = EXPORT_COEFFICIENT
    elif changed_model.any():
        method = str(base.loc[changed_model, "method"].iloc[0])
    else:
        method = ""
    estimable = out["reduction"].notna()
    reduction = _sum(out, "reduction", estimable)
    notes = sorted({r for r in reasons[differs] if r})
    if not differs.any():
        notes = [_(SCENARIO_NOT_APPLICABLE)]
    return ScenarioOutcome(
        scenario=scenario,
        label=_(SCENARIO_LABELS[scenario]),
        target=target,
        applies=bool(differs.any()),
        baseline_kg=_sum(out, "baseline", estimated),
        scenario_kg=_sum(out, "scenario", estimated),
        reduction_kg=reduction if estimable.any() else None,
        method=method,
        fallback=bool(changed_fallback.any()),
        note=" ".join(notes),
        seasons=seasons,
    )


figures.register("area_loads", lambda year, town: _area_loads(user=SYSTEM_READER, year=year, town=town))
