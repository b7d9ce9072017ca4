"""The runoff model's data in the database (DESIGN.md, "The runoff model"; INDICATORS.md §9).

- `RunoffObservation`: a measured field or plot season (a record, like the others: client UUID, history).
- `SeasonRainfall`: season rainfall on Chongming, a reference figure with source, status and valid_from.
- `RunoffModelVersion`: one fit of the statistics package, stored whole (coefficients, diagnostics, the
  `FittedModel` dict that predicts), and whether it is the active one of its target. At most one version per
  target is active (a partial unique constraint); activation is an explicit act, never a side effect of a fit.
- `RunoffFitJob`: a fit requested through the API and run by a background task.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from farmadvice.core.models import SourcedModel
from farmadvice.practices.models import Record, Season
from farmadvice.reference.models import Crop
from farmadvice.registry.models import Farm

ZERO = Decimal("0")
ONE = Decimal("1")
SHARE = [MinValueValidator(ZERO), MaxValueValidator(ONE)]
NOT_NEGATIVE = [MinValueValidator(ZERO)]


class Target(models.TextChoices):
    TN = "tn", _("总氮 TN")
    TP = "tp", _("总磷 TP")


class FitMethod(models.TextChoices):
    """The statistics package's methods (docs/runoff-model.md); `auto` chooses by cross-validation."""

    AUTO = "auto", _("自动（交叉验证选择）")
    GAMMA_GLM = "gamma_glm", _("Gamma GLM（对数连接）")
    LOG_OLS = "log_ols", _("对数 OLS（smearing 还原）")
    MIXEDLM = "mixedlm", _("混合模型（灌区随机截距）")


class DataSource(models.TextChoices):
    MEASURED = "measured", _("实测")
    SYNTHETIC = "synthetic", _("模拟数据（仅供演示）")


def _share(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=4, default=ZERO, validators=SHARE)


def _rate(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=10, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )


def _load(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=10, decimal_places=4, null=True, blank=True, validators=NOT_NEGATIVE
    )


class RunoffObservation(Record):
    """A field or plot season whose runoff TN and/or TP load was measured, with what the model needs.

    Rates and loads are per hectare, as field studies report them; the P rate is elemental P (kg P, not
    P2O5). A load of 0 is a valid measurement but cannot train the log-scale model (it is left out, and the
    fit says so); a season with a load but no rate for that nutrient is left out likewise.
    """

    farm = models.ForeignKey(
        Farm, verbose_name=_("农场"), on_delete=models.PROTECT, related_name="runoff_observations"
    )
    plot_code = models.CharField(
        _("监测地块编号"), max_length=64, blank=True, help_text=_("农场内的监测小区或田块编号。")
    )
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    season = models.CharField(_("季节"), max_length=8, choices=Season.choices)
    crop = models.ForeignKey(
        Crop, verbose_name=_("作物"), on_delete=models.PROTECT, related_name="runoff_observations"
    )
    rainfall_mm = models.DecimalField(
        _("季内降雨量（mm）"), max_digits=7, decimal_places=1, validators=NOT_NEGATIVE
    )
    n_rate_kg_per_ha = _rate(_("施氮量（kg N/公顷）"))
    p_rate_kg_per_ha = _rate(_("施磷量（kg P/公顷，纯磷）"))
    slow_release_share = _share(_("缓控释肥占比（0-1）"))
    side_deep_share = _share(_("侧深施肥面积占比（0-1）"))
    fertigation_share = _share(_("水肥一体化面积占比（0-1）"))
    straw_return_share = _share(_("秸秆还田占比（0-1）"))
    tn_load_kg_per_ha = _load(_("径流TN负荷（kg/公顷）"))
    tp_load_kg_per_ha = _load(_("径流TP负荷（kg/公顷）"))
    data_source = models.CharField(
        _("数据来源"), max_length=16, choices=DataSource.choices, default=DataSource.MEASURED
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("径流观测")
        verbose_name_plural = _("径流观测")
        ordering = ["-year", "farm__code", "plot_code", "season"]
        indexes = [models.Index(fields=["year", "farm"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(tn_load_kg_per_ha__isnull=False) | Q(tp_load_kg_per_ha__isnull=False),
                name="runoff_observation_has_a_load",
                violation_error_message=_("至少需要填写径流TN负荷或TP负荷（kg/公顷）。"),
            ),
            models.CheckConstraint(
                condition=(Q(tn_load_kg_per_ha__isnull=True) | Q(tn_load_kg_per_ha__gte=0))
                & (Q(tp_load_kg_per_ha__isnull=True) | Q(tp_load_kg_per_ha__gte=0))
                & (Q(n_rate_kg_per_ha__isnull=True) | Q(n_rate_kg_per_ha__gte=0))
                & (Q(p_rate_kg_per_ha__isnull=True) | Q(p_rate_kg_per_ha__gte=0))
                & Q(rainfall_mm__gte=0),
                name="runoff_observation_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(slow_release_share__gte=0, slow_release_share__lte=1)
                & Q(side_deep_share__gte=0, side_deep_share__lte=1)
                & Q(fertigation_share__gte=0, fertigation_share__lte=1)
                & Q(straw_return_share__gte=0, straw_return_share__lte=1),
                name="runoff_observation_shares_0_1",
            ),
        ]

    def __str__(self) -> str:
        plot = f" {self.plot_code}" if self.plot_code else ""
        return f"{self.farm.code}{plot} {self.year} {self.get_season_display()} {self.crop}"


class SeasonRainfall(SourcedModel):
    """Rainfall over a crop season on Chongming, mm. A row without `year` is the long-term normal of the
    season, used for every year that has no row of its own (data/rainfall.csv; data/README.md)."""

    year = models.PositiveSmallIntegerField(
        _("年份"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("空白表示多年平均值。"),
    )
    season = models.CharField(_("季节"), max_length=8, choices=Season.choices)
    months = models.CharField(_("时段"), max_length=32, help_text=_("该茬口季节对应的月份，如 6-10 月。"))
    rainfall_mm = models.DecimalField(
        _("降雨量（mm）"), max_digits=7, decimal_places=1, validators=NOT_NEGATIVE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("季节降雨量")
        verbose_name_plural = _("季节降雨量")
        ordering = ["season", "year", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "season", "valid_from"],
                condition=Q(year__isnull=False),
                name="season_rainfall_unique_per_year",
            ),
            models.UniqueConstraint(
                fields=["season", "valid_from"],
                condition=Q(year__isnull=True),
                name="season_rainfall_unique_normal",
            ),
            models.CheckConstraint(condition=Q(rainfall_mm__gte=0), name="season_rainfall_not_negative"),
        ]

    def __str__(self) -> str:
        year = self.year if self.year is not None else _("多年平均")
        return f"{year} {self.get_season_display()} {self.rainfall_mm} mm"


class RunoffModelVersion(models.Model):
    """One stored fit of the runoff model for one target (TN or TP).

    `model` is `FittedModel.to_dict()`: it predicts without the training data. `coefficients` and
    `diagnostics` repeat its parts for reading; `training` says what the fit was trained on (rows by source,
    synthetic rows, the rows left out and why); `fit_points` is a seeded sample of observed and predicted
    loads for the diagnostics plot. A version is never changed after the fit, except for its activation.
    """

    target = models.CharField(_("指标"), max_length=2, choices=Target.choices)
    method = models.CharField(_("方法"), max_length=16, choices=FitMethod.choices)
    requested_method = models.CharField(
        _("请求的方法"), max_length=16, choices=FitMethod.choices, default=FitMethod.AUTO
    )
    formula = models.TextField(_("模型公式"))
    coefficients = models.JSONField(_("系数（含 95% 置信区间）"))
    n_obs = models.PositiveIntegerField(_("观测数"))
    n_synthetic = models.PositiveIntegerField(
        _("其中模拟数据"), default=0, help_text=_("大于 0 时，该版本部分或全部基于模拟数据，仅供演示。")
    )
    diagnostics = models.JSONField(_("诊断"))
    model = models.JSONField(_("模型（预测用）"))
    training = models.JSONField(_("训练数据说明"), default=dict)
    fit_points = models.JSONField(_("观测值与预测值（抽样，用于诊断图）"), default=dict)
    training_fingerprint = models.CharField(_("训练集指纹（sha256）"), max_length=64, db_index=True)
    library_versions = models.JSONField(_("软件版本"))
    k_folds = models.PositiveSmallIntegerField(_("交叉验证折数"), default=5)
    seed = models.IntegerField(_("随机种子"), default=0)
    created_at = models.DateTimeField(_("拟合时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("拟合人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用中"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("启用人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # The activation changes are the audit trail worth keeping; the large JSON stays out of the history.
    history = HistoricalRecords(
        excluded_fields=["coefficients", "diagnostics", "model", "training", "fit_points", "library_versions"]
    )

    class Meta:
        verbose_name = _("径流模型版本")
        verbose_name_plural = _("径流模型版本")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"], condition=Q(is_active=True), name="runoff_one_active_version_per_target"
            ),
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(activated_at__isnull=False),
                name="runoff_active_version_has_activation_time",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The version as reports cite it, e.g. "TN#3 log_ols"."""
        return f"{self.target.upper()}#{self.pk} {self.method}"

    @property
    def synthetic(self) -> bool:
        return self.n_synthetic > 0


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("完成")
    FAILED = "failed", _("失败")


class RunoffFitJob(models.Model):
    """A fit requested through the API, run by the background task `runoff_fit_run`."""

    targets = models.CharField(_("指标"), max_length=8, help_text=_("tn、tp 或 both。"))
    method = models.CharField(_("方法"), max_length=16, choices=FitMethod.choices, default=FitMethod.AUTO)
    k_folds = models.PositiveSmallIntegerField(_("交叉验证折数"), default=5)
    seed = models.IntegerField(_("随机种子"), default=0)
    status = models.CharField(_("状态"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("请求人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("请求时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    versions = models.ManyToManyField(
        RunoffModelVersion, verbose_name=_("生成的版本"), blank=True, related_name="fit_jobs"
    )
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("模型拟合任务")
        verbose_name_plural = _("模型拟合任务")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.targets} {self.method} ({self.get_status_display()})"
