"""Towns, villages, irrigation districts and farms: who and where (DESIGN.md, domain model)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from farmadvice.core.models import AuditedModel

ZERO = Decimal("0")


class TownKind(models.TextChoices):
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")


class Town(models.Model):
    """One of Chongming's 18 township-level divisions, seeded from data/towns.csv."""

    code = models.CharField(_("代码"), max_length=12, unique=True)
    name_zh = models.CharField(_("名称"), max_length=32, unique=True)
    name_en = models.CharField(_("英文名"), max_length=64)
    kind = models.CharField(_("类型"), max_length=8, choices=TownKind.choices)
    source = models.TextField(_("来源"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("乡镇")
        verbose_name_plural = _("乡镇")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_zh


class Village(AuditedModel):
    town = models.ForeignKey(Town, verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("名称"), max_length=64)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("村")
        verbose_name_plural = _("村")
        ordering = ["town__code", "name"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="village_unique_per_town")]

    def __str__(self) -> str:
        return f"{self.town}{self.name}"


class IrrigationDistrict(AuditedModel):
    """An irrigation district (灌区); those of 1000 mu and more must be monitored (INDICATORS.md §8)."""

    code = models.CharField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    town = models.ForeignKey(
        Town, verbose_name=_("所在乡镇"), on_delete=models.PROTECT, related_name="districts"
    )
    area_mu = models.DecimalField(
        _("面积（亩）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    receiving_water = models.CharField(_("受纳水体"), max_length=128, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("灌区")
        verbose_name_plural = _("灌区")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(area_mu__gt=0), name="district_area_positive")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FarmType(models.TextChoices):
    CROP = "crop", _("种植")
    LIVESTOCK = "livestock", _("畜禽养殖")
    AQUACULTURE = "aquaculture", _("水产养殖")
    MIXED = "mixed", _("种养结合")


class OperatorKind(models.TextChoices):
    FAMILY_FARM = "family_farm", _("家庭农场")
    COOPERATIVE = "cooperative", _("合作社")
    ENTERPRISE = "enterprise", _("企业")
    SMALLHOLDER = "smallholder", _("散户")


class TailwaterClass(models.TextChoices):
    """SC/T 9101-2007 classes by receiving water (INDICATORS.md §7)."""

    CLASS_1 = "1", _("一级（特殊保护水域）")
    CLASS_2 = "2", _("二级（一般水域）")


class Farm(AuditedModel):
    """A farm, its operators and where it is. `code` is stable so field devices can refer to it offline."""

    code = models.CharField(
        _("编号"),
        max_length=32,
        unique=True,
        help_text=_("稳定编号，例如 CM-CQ-0001；创建后不应更改。"),
    )
    name = models.CharField(_("名称"), max_length=128)
    farm_type = models.CharField(_("类型"), max_length=16, choices=FarmType.choices)
    operator_kind = models.CharField(
        _("经营主体"), max_length=16, choices=OperatorKind.choices, default=OperatorKind.FAMILY_FARM
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经营者账号"),
        related_name="operated_farms",
        blank=True,
    )
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    town = models.ForeignKey(Town, verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="farms")
    village = models.ForeignKey(
        Village,
        verbose_name=_("村"),
        on_delete=models.PROTECT,
        related_name="farms",
        null=True,
        blank=True,
    )
    area_mu = models.DecimalField(
        _("面积（亩）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    irrigation_district = models.ForeignKey(
        IrrigationDistrict,
        verbose_name=_("所属灌区"),
        on_delete=models.PROTECT,
        related_name="farms",
        null=True,
        blank=True,
    )
    tailwater_class = models.CharField(
        _("尾水排放标准级别"),
        max_length=2,
        choices=TailwaterClass.choices,
        blank=True,
        help_text=_("水产养殖场：受纳水体适用的 SC/T 9101 级别。"),
    )
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    active = models.BooleanField(_("在营"), default=True)

    history = HistoricalRecords(excluded_fields=["operators"])

    class Meta:
        verbose_name = _("农场")
        verbose_name_plural = _("农场")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(area_mu__gte=0), name="farm_area_not_negative"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="farm_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="farm_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.village_id and self.town_id and self.village.town_id != self.town_id:
            raise ValidationError({"village": _("该村不属于所选乡镇。")})
