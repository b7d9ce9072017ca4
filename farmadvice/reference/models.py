"""Reference figures: coefficients, standards' limits, thresholds (INDICATORS.md).

Each table is loaded from a CSV in data/ by `manage.py load_reference` and editable in the admin. A figure
that changes gets a new row with a later `valid_from`; the figure in force on a date is the row with the
latest `valid_from` not after it (see selectors.in_force).
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from farmadvice.core.models import SourcedModel


class CropCategory(models.TextChoices):
    GRAIN = "grain", _("粮食")
    OILSEED = "oilseed", _("油料")
    VEGETABLE = "vegetable", _("蔬菜")
    FRUIT = "fruit", _("果树")
    MELON = "melon", _("瓜类")
    GREEN_MANURE = "green_manure", _("绿肥")
    OTHER = "other", _("其他")


class Crop(models.Model):
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name_zh = models.CharField(_("名称"), max_length=32)
    name_en = models.CharField(_("英文名"), max_length=64)
    category = models.CharField(_("类别"), max_length=16, choices=CropCategory.choices)
    source = models.TextField(_("来源"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("作物")
        verbose_name_plural = _("作物")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_zh


class CoefficientKind(models.TextChoices):
    STRAW_GRAIN_RATIO = "straw_grain_ratio", _("草谷比")
    COLLECTION_COEFFICIENT = "collection_coefficient", _("可收集系数")
    RECOMMENDED_N = "recommended_n_kg_per_mu", _("推荐施氮量（kg N/亩）")
    RECOMMENDED_P2O5 = "recommended_p2o5_kg_per_mu", _("推荐施磷量（kg P2O5/亩）")
    EXPORT_TN = "export_tn_kg_per_ha", _("径流TN输出系数（kg/公顷·季）")
    EXPORT_TP = "export_tp_kg_per_ha", _("径流TP输出系数（kg/公顷·季）")


COEFFICIENT_UNITS = {
    CoefficientKind.STRAW_GRAIN_RATIO: "t/t",
    CoefficientKind.COLLECTION_COEFFICIENT: "1",
    CoefficientKind.RECOMMENDED_N: "kg/mu",
    CoefficientKind.RECOMMENDED_P2O5: "kg/mu",
    CoefficientKind.EXPORT_TN: "kg/ha",
    CoefficientKind.EXPORT_TP: "kg/ha",
}


class CropCoefficient(SourcedModel):
    crop = models.ForeignKey(
        Crop, verbose_name=_("作物"), on_delete=models.PROTECT, related_name="coefficients"
    )
    kind = models.CharField(_("系数"), max_length=32, choices=CoefficientKind.choices)
    value = models.DecimalField(_("数值"), max_digits=12, decimal_places=4, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("作物系数")
        verbose_name_plural = _("作物系数")
        ordering = ["crop__code", "kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["crop", "kind", "valid_from"], name="crop_coefficient_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="crop_coefficient_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="collection_coefficient") | Q(value__lte=1),
                name="collection_coefficient_at_most_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.crop} {self.get_kind_display()} = {self.value} ({self.valid_from})"

    @property
    def unit(self) -> str:
        return COEFFICIENT_UNITS[CoefficientKind(self.kind)]


class WaterUse(models.TextChoices):
    TAILWATER = "tailwater", _("养殖尾水排放")
    SURFACE = "surface", _("地表水环境质量")
    IRRIGATION = "irrigation", _("农田灌溉水质")


class Parameter(models.TextChoices):
    PH = "ph", "pH"
    SS = "ss_mg_per_l", _("悬浮物 SS")
    CODMN = "codmn_mg_per_l", _("高锰酸盐指数 CODMn")
    TN = "tn_mg_per_l", _("总氮 TN")
    TP = "tp_mg_per_l", _("总磷 TP")
    NH3N = "nh3n_mg_per_l", _("氨氮 NH3-N")


class StandardLimit(SourcedModel):
    """One parameter's limit in one class of a water standard. A value exactly at a limit complies."""

    standard = models.CharField(_("标准"), max_length=32)
    use = models.CharField(_("用途"), max_length=16, choices=WaterUse.choices)
    level = models.CharField(_("级别/类别"), max_length=8)
    level_rank = models.PositiveSmallIntegerField(_("级别序号"), help_text=_("1 为最严，依次放宽。"))
    parameter = models.CharField(_("指标"), max_length=16, choices=Parameter.choices)
    min_value = models.DecimalField(_("下限"), max_digits=10, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("上限"), max_digits=10, decimal_places=4, null=True, blank=True)
    precedence = models.PositiveSmallIntegerField(
        _("优先级"),
        default=0,
        help_text=_("同一用途有多个标准时，数值大的优先（如上海地方标准）。"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("水质标准限值")
        verbose_name_plural = _("水质标准限值")
        ordering = ["use", "standard", "level_rank", "parameter", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "level", "parameter", "valid_from"],
                name="standard_limit_unique",
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=False) | Q(max_value__isnull=False),
                name="standard_limit_has_a_bound",
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="standard_limit_min_below_max",
            ),
            # Every parameter (pH and the concentrations in mg/L) is non-negative, and so are its limits.
            models.CheckConstraint(
                condition=Q(min_value__isnull=True) | Q(min_value__gte=0),
                name="standard_limit_min_value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(max_value__isnull=True) | Q(max_value__gte=0),
                name="standard_limit_max_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} {self.level} {self.get_parameter_display()}"


class Species(models.TextChoices):
    PIG = "pig", _("生猪")
    BEEF_CATTLE = "beef_cattle", _("肉牛")
    DAIRY_COW = "dairy_cow", _("奶牛")
    SHEEP_GOAT = "sheep_goat", _("羊")
    BROILER = "broiler", _("肉鸡")
    LAYER = "layer", _("蛋鸡")
    MEAT_DUCK = "meat_duck", _("肉鸭")
    LAYING_DUCK = "laying_duck", _("蛋鸭")
    GOOSE = "goose", _("鹅")
    RABBIT = "rabbit", _("兔")


class HeadBasis(models.TextChoices):
    ANNUAL_OUTPUT = "annual_output", _("年出栏")
    IN_STOCK = "in_stock", _("存栏")


class LivestockThreshold(SourcedModel):
    """Large-scale farm threshold for a species (INDICATORS.md §6): at or above it the farm is large-scale."""

    species = models.CharField(_("畜种"), max_length=16, choices=Species.choices)
    basis = models.CharField(_("口径"), max_length=16, choices=HeadBasis.choices)
    min_heads = models.PositiveIntegerField(_("规模下限（头/只）"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规模养殖场标准")
        verbose_name_plural = _("规模养殖场标准")
        ordering = ["species", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["species", "valid_from"], name="threshold_unique")]

    def __str__(self) -> str:
        return f"{self.get_species_display()} ≥ {self.min_heads} ({self.get_basis_display()})"


class PigEquivalent(SourcedModel):
    """`heads` of a species count as `pig_equivalents` pigs (GB 18596), e.g. 30 layers = 1 pig."""

    species = models.CharField(_("畜种"), max_length=16, choices=Species.choices)
    heads = models.DecimalField(_("头数"), max_digits=10, decimal_places=3, validators=[MinValueValidator(0)])
    pig_equivalents = models.DecimalField(
        _("折合猪当量"), max_digits=10, decimal_places=3, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("猪当量换算")
        verbose_name_plural = _("猪当量换算")
        ordering = ["species", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["species", "valid_from"], name="pig_equivalent_unique"),
            models.CheckConstraint(
                condition=Q(heads__gt=0) & Q(pig_equivalents__gt=0), name="pig_eq_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.heads} {self.get_species_display()} = {self.pig_equivalents}"


class AnimalGroup(models.TextChoices):
    PIG = "pig", _("猪")
    POULTRY = "poultry", _("禽")
    CATTLE = "cattle", _("牛")


class CollectionMethod(models.TextChoices):
    FLUSHING = "flushing", _("水冲粪")
    DRY = "dry", _("干清粪")


class WastewaterCoefficient(SourcedModel):
    """Wastewater per `per_heads` animals per day (GB 18596), by collection method and season."""

    group = models.CharField(_("畜禽类别"), max_length=16, choices=AnimalGroup.choices)
    method = models.CharField(_("清粪方式"), max_length=16, choices=CollectionMethod.choices)
    summer_m3_per_day = models.DecimalField(_("夏季（m3/天）"), max_digits=8, decimal_places=3)
    winter_m3_per_day = models.DecimalField(_("冬季（m3/天）"), max_digits=8, decimal_places=3)
    per_heads = models.PositiveIntegerField(_("每多少头/只"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("养殖废水量系数")
        verbose_name_plural = _("养殖废水量系数")
        ordering = ["group", "method", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["group", "method", "valid_from"], name="wastewater_unique"),
            models.CheckConstraint(
                condition=Q(summer_m3_per_day__gte=0) & Q(winter_m3_per_day__gte=0) & Q(per_heads__gt=0),
                name="wastewater_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.get_method_display()}"


class ReferenceValue(SourcedModel):
    """A single named figure (storage days, land carrying capacity, film thickness, monitoring threshold…)."""

    key = models.SlugField(_("键"), max_length=64)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=6)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    description = models.CharField(_("说明"), max_length=256, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参考值")
        verbose_name_plural = _("参考值")
        ordering = ["key", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="reference_value_unique")]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} {self.unit}"
