"""Targets the committee is judged against, and the base years reductions are measured from."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from farmadvice.core.models import SourcedModel
from farmadvice.registry.models import Farm, Town


class Indicator(models.TextChoices):
    """The indicators of INDICATORS.md, by section."""

    FERTILISER_INTENSITY = "fertiliser_intensity_kg_per_mu", _("化肥施用强度（kg/亩）")
    FERTILISER_REDUCTION = "fertiliser_reduction_pct", _("化肥减量率（%）")
    PESTICIDE_INTENSITY = "pesticide_intensity_kg_per_mu", _("农药施用强度（kg/亩）")
    PESTICIDE_REDUCTION = "pesticide_reduction_pct", _("农药减量率（%）")
    SLOW_RELEASE_COVERAGE = "slow_release_coverage_pct", _("缓控释肥覆盖率（%）")
    SIDE_DEEP_COVERAGE = "side_deep_coverage_pct", _("侧深施肥覆盖率（%）")
    FERTIGATION_COVERAGE = "fertigation_coverage_pct", _("水肥一体化覆盖率（%）")
    SOIL_TEST_COVERAGE = "soil_test_coverage_pct", _("测土配方施肥覆盖率（%）")
    STRAW_UTILISATION = "straw_utilisation_pct", _("秸秆综合利用率（%）")
    STRAW_FIELD_RETURN = "straw_field_return_pct", _("秸秆直接还田率（%）")
    FILM_STANDARD_SHARE = "film_standard_share_pct", _("标准地膜使用率（%）")
    FILM_RECOVERY = "film_recovery_pct", _("农膜回收率（%）")
    MANURE_FACILITY_MATCHING = (
        "manure_facility_matching_pct",
        _("规模养殖场粪污处理设施装备配套率（%）"),
    )
    MANURE_UTILISATION = "manure_utilisation_pct", _("畜禽粪污综合利用率（%）")
    TAILWATER_COMPLIANCE = "tailwater_compliance_pct", _("水产养殖尾水达标排放率（%）")
    TAILWATER_MONITORING = "tailwater_monitoring_pct", _("养殖尾水监测覆盖率（%）")
    DISTRICT_MONITORING = "district_monitoring_pct", _("千亩以上灌区水质监测覆盖率（%）")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("不低于")
    AT_MOST = "at_most", _("不高于")


class ScopeKind(models.TextChoices):
    DISTRICT = "district", _("全区")
    TOWN = "town", _("乡镇")
    FARM = "farm", _("农场")


class Target(SourcedModel):
    """A target value for an indicator, a scope and a year (e.g. manure facility matching 100 % in 2027)."""

    indicator = models.CharField(_("指标"), max_length=40, choices=Indicator.choices)
    scope = models.CharField(
        _("范围"),
        max_length=8,
        choices=[(ScopeKind.DISTRICT, _("全区")), (ScopeKind.TOWN, _("乡镇"))],
    )
    town = models.ForeignKey(Town, verbose_name=_("乡镇"), on_delete=models.PROTECT, null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    value = models.DecimalField(_("目标值"), max_digits=10, decimal_places=3)
    direction = models.CharField(
        _("方向"), max_length=8, choices=Direction.choices, default=Direction.AT_LEAST
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["indicator", "year", "-valid_from"]
        constraints = [
            # Two partial constraints, because SQLite cannot make NULL towns collide.
            models.UniqueConstraint(
                fields=["indicator", "year", "valid_from"],
                condition=Q(town__isnull=True),
                name="target_unique_district",
            ),
            models.UniqueConstraint(
                fields=["indicator", "town", "year", "valid_from"],
                condition=Q(town__isnull=False),
                name="target_unique_town",
            ),
            models.CheckConstraint(
                condition=(Q(scope="town") & Q(town__isnull=False))
                | (Q(scope="district") & Q(town__isnull=True)),
                name="target_scope_matches_town",
            ),
        ]

    def __str__(self) -> str:
        where = self.town or _("全区")
        return (
            f"{self.get_indicator_display()} {where} {self.year}: {self.get_direction_display()} {self.value}"
        )

    def is_met(self, value: float | None) -> bool | None:
        """None when the value is missing: a missing rate neither meets nor misses a target."""
        if value is None:
            return None
        target = float(self.value)
        return value >= target if self.direction == Direction.AT_LEAST else value <= target


class BaselineKind(models.TextChoices):
    FERTILISER = "fertiliser", _("化肥")
    PESTICIDE = "pesticide", _("农药")


class Baseline(SourcedModel):
    """The base year a reduction is measured from, per scope (INDICATORS.md §1). A farm without its own
    base-year record falls back to its town's, then the district's.

    A reference figure like the others: a base year the committee changes (or confirms, replacing a
    provisional one) is a new row from its `valid_from`, so past reports keep the base year they used.
    """

    kind = models.CharField(_("类别"), max_length=16, choices=BaselineKind.choices)
    scope = models.CharField(_("范围"), max_length=8, choices=ScopeKind.choices)
    town = models.ForeignKey(Town, verbose_name=_("乡镇"), on_delete=models.CASCADE, null=True, blank=True)
    farm = models.ForeignKey(Farm, verbose_name=_("农场"), on_delete=models.CASCADE, null=True, blank=True)
    base_year = models.PositiveSmallIntegerField(
        _("基准年"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("减量基准年")
        verbose_name_plural = _("减量基准年")
        ordering = ["kind", "scope", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "valid_from"], condition=Q(scope="district"), name="baseline_unique_district"
            ),
            models.UniqueConstraint(
                fields=["kind", "town", "valid_from"], condition=Q(scope="town"), name="baseline_unique_town"
            ),
            models.UniqueConstraint(
                fields=["kind", "farm", "valid_from"], condition=Q(scope="farm"), name="baseline_unique_farm"
            ),
            models.CheckConstraint(
                condition=(Q(scope="district") & Q(town__isnull=True) & Q(farm__isnull=True))
                | (Q(scope="town") & Q(town__isnull=False) & Q(farm__isnull=True))
                | (Q(scope="farm") & Q(farm__isnull=False) & Q(town__isnull=True)),
                name="baseline_scope_matches",
            ),
        ]

    def __str__(self) -> str:
        where = self.farm or self.town or _("全区")
        return f"{self.get_kind_display()} {where}: {self.base_year}"
