"""The records: what each farm did and what was measured (DESIGN.md, domain model).

Records are facts; indicators, loads, advice and reports are derived from them. Every record has a
client-generated UUID as its primary key, so a field device can retry a write without making a duplicate.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from farmadvice.core.models import AuditedModel
from farmadvice.reference.models import CollectionMethod, Crop, Species
from farmadvice.registry.models import Farm, IrrigationDistrict

ZERO = Decimal("0")
HUNDRED = Decimal("100")
NOT_NEGATIVE = [MinValueValidator(ZERO)]
PERCENT = [MinValueValidator(ZERO), MaxValueValidator(HUNDRED)]


def _amount(verbose_name: str, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=3, validators=NOT_NEGATIVE, **kwargs
    )


def _percent(verbose_name: str, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=6, decimal_places=3, validators=PERCENT, **kwargs)


def _concentration(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
    )


def _nullable_not_negative(name: str, *fields: str) -> models.CheckConstraint:
    """Each of these optional amounts is empty or not negative. One constraint, not one per field: model
    validation checks every constraint with a query of its own, row by row in a bulk import, while each
    field's validator has already named the negative field to the user."""
    condition = Q()
    for field in fields:
        condition &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0})
    return models.CheckConstraint(condition=condition, name=name)


class Record(AuditedModel):
    """Common to every record: a client-supplied UUID and the visit it was entered in, if any."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(
        "practices.Visit",
        verbose_name=_("走访"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        abstract = True


class Visit(AuditedModel):
    """An extension agent's visit to a farm; the records entered during it point to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    farm = models.ForeignKey(Farm, verbose_name=_("农场"), on_delete=models.PROTECT, related_name="visits")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("农技人员"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    date = models.DateField(_("日期"))
    notes = models.TextField(_("记录"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        ordering = ["-date"]
        indexes = [models.Index(fields=["farm", "date"])]

    def __str__(self) -> str:
        return f"{self.farm.code} {self.date}"


class Season(models.TextChoices):
    SPRING = "spring", _("春季")
    SUMMER = "summer", _("夏季")
    AUTUMN = "autumn", _("秋季")
    WINTER = "winter", _("冬季")


class CropSeason(Record):
    """One crop grown on a farm in one season. A mu sown twice in a year is two seasons (INDICATORS.md §1)."""

    farm = models.ForeignKey(Farm, verbose_name=_("农场"), on_delete=models.PROTECT, related_name="seasons")
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    season = models.CharField(_("季节"), max_length=8, choices=Season.choices)
    crop = models.ForeignKey(Crop, verbose_name=_("作物"), on_delete=models.PROTECT, related_name="seasons")
    area_mu = models.DecimalField(
        _("播种面积（亩）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    yield_kg = _amount(_("产量（kg）"), null=True, blank=True)
    green_certified = models.BooleanField(_("绿色食品/两无化认证"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("作物茬口")
        verbose_name_plural = _("作物茬口")
        ordering = ["-year", "farm__code", "season"]
        indexes = [models.Index(fields=["year", "farm"])]
        constraints = [
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="season_area_positive"),
            models.CheckConstraint(
                condition=Q(yield_kg__isnull=True) | Q(yield_kg__gte=0), name="season_yield_ok"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.farm.code} {self.year} {self.get_season_display()} {self.crop}"


class FertiliserMethod(models.TextChoices):
    BROADCAST = "broadcast", _("撒施")
    SIDE_DEEP = "side_deep", _("侧深施肥")
    FERTIGATION = "fertigation", _("水肥一体化")
    BAND = "band", _("条施/穴施")


class FertiliserApplication(Record):
    """A fertiliser application; pure nutrient = kg × (N% + P2O5% + K2O%) / 100 (INDICATORS.md §1)."""

    season = models.ForeignKey(
        CropSeason,
        verbose_name=_("茬口"),
        on_delete=models.PROTECT,
        related_name="fertiliser_applications",
    )
    date = models.DateField(_("施用日期"), null=True, blank=True)
    product = models.CharField(_("产品"), max_length=128)
    n_pct = _percent(_("N（%）"), default=ZERO)
    p2o5_pct = _percent(_("P2O5（%）"), default=ZERO)
    k2o_pct = _percent(_("K2O（%）"), default=ZERO)
    product_kg = _amount(_("用量（kg）"))
    area_mu = models.DecimalField(
        _("施用面积（亩）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    method = models.CharField(
        _("施用方式"),
        max_length=16,
        choices=FertiliserMethod.choices,
        default=FertiliserMethod.BROADCAST,
    )
    slow_release = models.BooleanField(_("缓控释肥"), default=False)
    soil_test_formula = models.BooleanField(_("测土配方"), default=False)
    organic = models.BooleanField(_("有机肥"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("施肥记录")
        verbose_name_plural = _("施肥记录")
        ordering = ["season", "date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(n_pct__gte=0, p2o5_pct__gte=0, k2o_pct__gte=0)
                & Q(n_pct__lte=100, p2o5_pct__lte=100, k2o_pct__lte=100),
                name="fertiliser_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(n_pct__lte=HUNDRED - F("p2o5_pct") - F("k2o_pct")),
                name="fertiliser_pct_sum_le_100",
            ),
            models.CheckConstraint(condition=Q(product_kg__gte=0), name="fertiliser_kg_not_negative"),
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="fertiliser_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.product_kg} kg"

    def clean(self) -> None:
        total = (self.n_pct or ZERO) + (self.p2o5_pct or ZERO) + (self.k2o_pct or ZERO)
        if total > HUNDRED:
            raise ValidationError(
                {"n_pct": _("N、P2O5、K2O 含量之和不能超过 100%%（现为 %(total)s%%）。") % {"total": total}}
            )


class AmountUnit(models.TextChoices):
    KG = "kg", _("千克")
    L = "L", _("升")


class PesticideApplication(Record):
    """A pesticide application; active ingredient = amount × a.i.% / 100 (INDICATORS.md §2)."""

    season = models.ForeignKey(
        CropSeason,
        verbose_name=_("茬口"),
        on_delete=models.PROTECT,
        related_name="pesticide_applications",
    )
    date = models.DateField(_("施用日期"), null=True, blank=True)
    product = models.CharField(_("产品"), max_length=128)
    active_ingredient = models.CharField(_("有效成分"), max_length=128)
    ai_content_pct = _percent(_("有效成分含量（%）"))
    amount = _amount(_("用量"))
    amount_unit = models.CharField(_("单位"), max_length=2, choices=AmountUnit.choices, default=AmountUnit.KG)
    density_kg_per_l = models.DecimalField(
        _("密度（kg/L）"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("5"))],
    )
    area_mu = models.DecimalField(
        _("施用面积（亩）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    green_control = models.BooleanField(_("绿色防控（生物/物理）"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("用药记录")
        verbose_name_plural = _("用药记录")
        ordering = ["season", "date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ai_content_pct__gte=0, ai_content_pct__lte=100), name="pesticide_pct"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="pesticide_amount_not_negative"),
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="pesticide_area_positive"),
            models.CheckConstraint(
                condition=Q(amount_unit="kg") | Q(density_kg_per_l__isnull=False),
                name="pesticide_litres_need_density",
            ),
            models.CheckConstraint(
                condition=Q(density_kg_per_l__isnull=True) | Q(density_kg_per_l__gt=0),
                name="pesticide_density_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.amount} {self.amount_unit}"

    def clean(self) -> None:
        if self.amount_unit == AmountUnit.L and self.density_kg_per_l is None:
            raise ValidationError(
                {"density_kg_per_l": _("以升计量时必须填写密度（kg/L），用于折算有效成分。")}
            )


class StrawUseKind(models.TextChoices):
    """The five uses of the straw ledger; direct field return counts under fertiliser (INDICATORS.md §4)."""

    FIELD_RETURN = "field_return", _("直接还田（肥料化）")
    FERTILISER = "fertiliser", _("离田肥料化")
    FEED = "feed", _("饲料化")
    FUEL = "fuel", _("燃料化")
    SUBSTRATE = "substrate", _("基料化")
    RAW_MATERIAL = "raw_material", _("原料化")
    UNUSED = "unused", _("未利用（废弃/焚烧）")


class StrawUse(Record):
    season = models.ForeignKey(
        CropSeason, verbose_name=_("茬口"), on_delete=models.PROTECT, related_name="straw_uses"
    )
    use = models.CharField(_("利用方式"), max_length=16, choices=StrawUseKind.choices)
    straw_kg = _amount(_("秸秆量（kg）"))
    off_field = models.BooleanField(_("离田"), default=False)
    destination = models.CharField(_("去向"), max_length=128, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("秸秆利用")
        verbose_name_plural = _("秸秆利用")
        constraints = [
            models.CheckConstraint(condition=Q(straw_kg__gte=0), name="straw_kg_not_negative"),
            models.CheckConstraint(
                condition=~Q(use="field_return", off_field=True), name="field_return_is_on_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_use_display()} {self.straw_kg} kg"


class MulchFilm(Record):
    """Film used in a season, its thickness, and what was recovered (INDICATORS.md §5)."""

    season = models.ForeignKey(
        CropSeason, verbose_name=_("茬口"), on_delete=models.PROTECT, related_name="mulch_films"
    )
    used_kg = _amount(_("使用量（kg）"))
    thickness_mm = models.DecimalField(
        _("厚度（mm）"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(ZERO)],
        null=True,
        blank=True,
    )
    recovered_kg = _amount(_("回收量（kg）"), default=ZERO)
    biodegradable = models.BooleanField(_("全生物降解膜"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("农膜")
        verbose_name_plural = _("农膜")
        constraints = [
            models.CheckConstraint(
                condition=Q(used_kg__gte=0, recovered_kg__gte=0), name="film_kg_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(thickness_mm__isnull=True) | Q(thickness_mm__gte=0),
                name="film_thickness_ok",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.used_kg} kg / {self.thickness_mm} mm"


class LivestockHerd(Record):
    """A species kept on a livestock farm in a year: stock and annual output (INDICATORS.md §6)."""

    farm = models.ForeignKey(Farm, verbose_name=_("农场"), on_delete=models.PROTECT, related_name="herds")
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    species = models.CharField(_("畜种"), max_length=16, choices=Species.choices)
    stock_heads = models.PositiveIntegerField(_("存栏（头/只）"))
    annual_output_heads = models.PositiveIntegerField(_("年出栏（头/只）"), default=0)
    collection_method = models.CharField(
        _("清粪方式"), max_length=16, choices=CollectionMethod.choices, default=CollectionMethod.DRY
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("畜禽存出栏")
        verbose_name_plural = _("畜禽存出栏")
        ordering = ["-year", "farm__code", "species"]
        constraints = [
            models.UniqueConstraint(fields=["farm", "year", "species"], name="herd_unique_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.farm.code} {self.year} {self.get_species_display()}"


class Treatment(models.TextChoices):
    COMPOST = "compost", _("堆肥")
    ANAEROBIC = "anaerobic", _("厌氧发酵（沼气）")
    FERMENTATION_BED = "fermentation_bed", _("发酵床")
    LAND_APPLICATION = "land_application", _("贮存后还田")
    OFFSITE = "offsite", _("委托第三方处理")
    NONE = "none", _("无")


class ManureFacility(Record):
    """A livestock farm's manure storage, treatment and land in a year. Matching is derived, never typed."""

    farm = models.ForeignKey(
        Farm, verbose_name=_("农场"), on_delete=models.PROTECT, related_name="manure_facilities"
    )
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    liquid_storage_m3 = _amount(_("液体贮存容积（m3）"), default=ZERO)
    solid_storage_m3 = _amount(_("固体贮存容积（m3）"), default=ZERO)
    seepage_proof = models.BooleanField(_("防渗"), default=False)
    rain_proof = models.BooleanField(_("防雨"), default=False)
    overflow_proof = models.BooleanField(_("防溢流"), default=False)
    treatment = models.CharField(
        _("处理方式"), max_length=20, choices=Treatment.choices, default=Treatment.NONE
    )
    treatment_in_operation = models.BooleanField(_("处理设施正常运行"), default=False)
    land_for_application_mu = _amount(_("配套消纳土地（亩）"), default=ZERO)
    manure_produced_t = _amount(_("粪污产生量（t）"), null=True, blank=True)
    manure_utilised_t = _amount(_("粪污利用量（t）"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("粪污处理设施")
        verbose_name_plural = _("粪污处理设施")
        ordering = ["-year", "farm__code"]
        constraints = [
            models.UniqueConstraint(fields=["farm", "year"], name="manure_facility_unique_per_year"),
            models.CheckConstraint(
                condition=Q(
                    liquid_storage_m3__gte=0,
                    solid_storage_m3__gte=0,
                    land_for_application_mu__gte=0,
                ),
                name="manure_facility_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(manure_produced_t__isnull=True) | Q(manure_produced_t__gte=0))
                & (Q(manure_utilised_t__isnull=True) | Q(manure_utilised_t__gte=0)),
                name="manure_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.farm.code} {self.year}"


CONCENTRATIONS = ("ss_mg_per_l", "codmn_mg_per_l", "tn_mg_per_l", "tp_mg_per_l", "nh3n_mg_per_l")

_ANY_CONCENTRATION = (
    Q(ph__isnull=False)
    | Q(ss_mg_per_l__isnull=False)
    | Q(codmn_mg_per_l__isnull=False)
    | Q(tn_mg_per_l__isnull=False)
    | Q(tp_mg_per_l__isnull=False)
    | Q(nh3n_mg_per_l__isnull=False)
)


class WaterQuality(Record):
    """Measured parameters of a water sample, mg/L (pH unitless). A missing parameter is 'not measured'."""

    date = models.DateField(_("采样日期"))
    ph = models.DecimalField(
        "pH",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("14"))],
    )
    ss_mg_per_l = _concentration(_("SS（mg/L）"))
    codmn_mg_per_l = _concentration(_("CODMn（mg/L）"))
    tn_mg_per_l = _concentration(_("TN（mg/L）"))
    tp_mg_per_l = _concentration(_("TP（mg/L）"))
    nh3n_mg_per_l = _concentration(_("NH3-N（mg/L）"))
    laboratory = models.CharField(_("检测单位"), max_length=128, blank=True)

    class Meta:
        abstract = True

    PARAMETERS = (
        "ph",
        "ss_mg_per_l",
        "codmn_mg_per_l",
        "tn_mg_per_l",
        "tp_mg_per_l",
        "nh3n_mg_per_l",
    )

    def measured(self) -> dict[str, Decimal | None]:
        return {p: getattr(self, p) for p in self.PARAMETERS}


class TailwaterSample(WaterQuality):
    """A discharge sample of an aquaculture farm (INDICATORS.md §7)."""

    farm = models.ForeignKey(
        Farm, verbose_name=_("农场"), on_delete=models.PROTECT, related_name="tailwater_samples"
    )
    discharge_volume_m3 = _amount(_("排放量（m3）"), null=True, blank=True)
    is_discharge = models.BooleanField(_("排放口样品"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("养殖尾水样品")
        verbose_name_plural = _("养殖尾水样品")
        ordering = ["-date"]
        indexes = [models.Index(fields=["farm", "date"])]
        constraints = [
            models.CheckConstraint(condition=_ANY_CONCENTRATION, name="tailwater_has_a_measurement"),
            models.CheckConstraint(
                condition=Q(ph__isnull=True) | Q(ph__gte=0, ph__lte=14), name="tailwater_ph_range"
            ),
            _nullable_not_negative("tailwater_amounts_not_negative", *CONCENTRATIONS, "discharge_volume_m3"),
        ]

    def __str__(self) -> str:
        return f"{self.farm.code} {self.date}"


class SamplePoint(models.TextChoices):
    INLET = "inlet", _("进水口（灌溉水）")
    OUTLET = "outlet", _("出水口（排水）")


class WaterSample(WaterQuality):
    """An inlet or outlet sample of an irrigation district, with the volume it represents (INDICATORS.md §8)."""

    district = models.ForeignKey(
        IrrigationDistrict,
        verbose_name=_("灌区"),
        on_delete=models.PROTECT,
        related_name="water_samples",
    )
    point = models.CharField(_("采样点"), max_length=8, choices=SamplePoint.choices)
    volume_m3 = _amount(_("水量（m3）"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("灌区水质样品")
        verbose_name_plural = _("灌区水质样品")
        ordering = ["-date"]
        indexes = [models.Index(fields=["district", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=_ANY_CONCENTRATION | Q(volume_m3__isnull=False),
                name="water_sample_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(ph__isnull=True) | Q(ph__gte=0, ph__lte=14), name="water_ph_range"
            ),
            _nullable_not_negative("water_amounts_not_negative", *CONCENTRATIONS, "volume_m3"),
        ]

    def __str__(self) -> str:
        return f"{self.district.code} {self.date} {self.get_point_display()}"
