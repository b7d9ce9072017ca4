"""Bodies and answers for the records (farmadvice.practices).

Per record type: `<Type>In` (POST body), `<Type>Patch` (PATCH body: the same fields, all optional, no id),
`<Type>Out` (list item) and `<Type>Detail` (one record, with its plausibility warnings), and the list
filters. Every quantity names its unit in the field name and the description. Constraints here mirror the
model's, so the client learns of a bad value from the schema before the database refuses it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from ninja import Field, Schema
from pydantic import create_model
from pydantic.fields import FieldInfo

from farmadvice.practices import plausibility
from farmadvice.practices.models import (
    AmountUnit,
    FertiliserMethod,
    SamplePoint,
    Season,
    StrawUseKind,
    Treatment,
)
from farmadvice.reference.models import CollectionMethod, Species
from farmadvice.runoff.models import DataSource

ID_DESCRIPTION = (
    "Client-generated UUID of the record. Resending a POST with the same id and content is safe: the "
    "stored record comes back (200) and nothing is written twice; the same id with other content is "
    "refused (409). Omit it and the server generates one."
)


@dataclass(frozen=True)
class RecordSchemas:
    """The schemas of one record type, as the router needs them."""

    create: type[Schema]
    patch: type[Schema]
    out: type[Schema]
    detail: type[Schema]
    filters: type[Schema]


def _amount(description: str, default: object = ...) -> FieldInfo:
    """A non-negative quantity stored to 3 decimals (kg, t, m3 or mu: the description names the unit)."""
    return Field(default, ge=0, max_digits=14, decimal_places=3, description=description)


def _mu(description: str) -> FieldInfo:
    return Field(..., gt=0, max_digits=12, decimal_places=2, description=description)


def _pct(description: str, default: object = ...) -> FieldInfo:
    return Field(default, ge=0, le=100, max_digits=6, decimal_places=3, description=description)


def _mg_per_l(description: str) -> FieldInfo:
    return Field(None, ge=0, max_digits=10, decimal_places=4, description=f"{description}, mg/L")


def _year() -> FieldInfo:
    return Field(..., ge=2000, le=2100, description="Calendar year (harvest year for a crop season)")


def _patch_of(schema: type[Schema]) -> type[Schema]:
    """The PATCH body of a record type: the POST body's fields and constraints, all optional, without id.

    A field left out is unchanged; null is accepted only where the POST body accepts it.
    """
    fields = {
        name: (info.annotation, FieldInfo.merge_field_infos(info, default=None))
        for name, info in schema.model_fields.items()
        if name != "id"
    }
    name = schema.__name__.removesuffix("In") + "Patch"
    return create_model(name, __base__=Schema, __module__=__name__, **fields)


# -- common parts ------------------------------------------------------------------------------------


class WarningOut(Schema):
    code: str = Field(..., description="Stable code of the check, e.g. large_n_rate")
    message: str = Field(..., description="What looks implausible and what to check")


class WithWarnings(Schema):
    warnings: list[WarningOut] = Field(
        ...,
        description="Plausibility warnings. The record is stored as sent; these values deserve a second look.",
    )

    @staticmethod
    def resolve_warnings(obj: object) -> list[plausibility.Warning]:
        return plausibility.record_warnings(obj)


class AuditOut(Schema):
    id: uuid.UUID
    created_at: dt.datetime = Field(..., description="When it was entered")
    created_by: str | None = Field(None, alias="created_by.username", description="Who entered it (username)")
    updated_at: dt.datetime = Field(..., description="When it was last changed")
    updated_by: str | None = Field(None, alias="updated_by.username", description="Who last changed it")


class RecordIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_DESCRIPTION)
    visit_id: uuid.UUID | None = Field(
        None, description="The visit this record was entered in (a visit to the same farm), if any"
    )
    note: str = Field("", description="Free-text note")


class DateRangeFilters(Schema):
    date_from: dt.date | None = Field(None, description="On or after this date")
    date_to: dt.date | None = Field(None, description="On or before this date")


# -- crop seasons ------------------------------------------------------------------------------------


class CropSeasonIn(RecordIn):
    year: int = _year()
    season: Season
    crop: str = Field(
        ..., min_length=1, max_length=32, description="Crop code (rice, wheat, …) or Chinese name (水稻)"
    )
    area_mu: Decimal = _mu("Sown area, mu (1 mu = 666.67 m²); a mu sown twice a year is two seasons")
    yield_kg: Decimal | None = _amount("Harvested yield of the whole sown area, kg", None)
    green_certified: bool = Field(False, description="Green-food or 两无化 certified")


CropSeasonPatch = _patch_of(CropSeasonIn)


class CropSeasonOut(AuditOut, CropSeasonIn):
    farm: str = Field(..., alias="farm.code", description="Farm code")
    crop: str = Field(..., alias="crop.code", description="Crop code")


class CropSeasonDetail(WithWarnings, CropSeasonOut):
    pass


class CropSeasonFilters(Schema):
    year: int | None = None
    season: Season | None = None
    crop: str | None = Field(None, description="Crop code")


CROP_SEASON = RecordSchemas(CropSeasonIn, CropSeasonPatch, CropSeasonOut, CropSeasonDetail, CropSeasonFilters)


# -- fertiliser applications -------------------------------------------------------------------------


class FertiliserApplicationIn(RecordIn):
    date: dt.date | None = Field(None, description="Application date (YYYY-MM-DD)")
    product: str = Field(..., min_length=1, max_length=128, description="Product name as on the bag")
    n_pct: Decimal = _pct("N content, % of product mass", Decimal(0))
    p2o5_pct: Decimal = _pct("P2O5 content, % of product mass", Decimal(0))
    k2o_pct: Decimal = _pct("K2O content, % of product mass; N + P2O5 + K2O ≤ 100", Decimal(0))
    product_kg: Decimal = _amount("Product applied, kg (not pure nutrient)")
    area_mu: Decimal = _mu("Area it was applied on, mu; at most the season's sown area")
    method: FertiliserMethod = Field(FertiliserMethod.BROADCAST, description="Placement method")
    slow_release: bool = Field(False, description="Slow- or controlled-release fertiliser (缓控释肥)")
    soil_test_formula: bool = Field(False, description="Formula fertilisation from soil tests (测土配方)")
    organic: bool = Field(False, description="Organic fertiliser")


FertiliserApplicationPatch = _patch_of(FertiliserApplicationIn)


class FertiliserApplicationOut(AuditOut, FertiliserApplicationIn):
    season_id: uuid.UUID


class FertiliserApplicationDetail(WithWarnings, FertiliserApplicationOut):
    pass


class FertiliserApplicationFilters(DateRangeFilters):
    method: FertiliserMethod | None = None
    slow_release: bool | None = None


FERTILISER_APPLICATION = RecordSchemas(
    FertiliserApplicationIn,
    FertiliserApplicationPatch,
    FertiliserApplicationOut,
    FertiliserApplicationDetail,
    FertiliserApplicationFilters,
)


# -- pesticide applications --------------------------------------------------------------------------


class PesticideApplicationIn(RecordIn):
    date: dt.date | None = Field(None, description="Application date (YYYY-MM-DD)")
    product: str = Field(..., min_length=1, max_length=128, description="Product name as on the label")
    active_ingredient: str = Field(..., min_length=1, max_length=128, description="Active ingredient")
    ai_content_pct: Decimal = _pct("Active-ingredient content, % of product")
    amount: Decimal = Field(
        ...,
        ge=0,
        max_digits=14,
        decimal_places=3,
        description="Product applied, in amount_unit (kg or L)",
    )
    amount_unit: AmountUnit = Field(AmountUnit.KG, description="Unit of amount: kg or L")
    density_kg_per_l: Decimal | None = Field(
        None,
        ge=Decimal("0.1"),
        le=5,
        max_digits=6,
        decimal_places=3,
        description="Density, kg/L; required when amount_unit is L",
    )
    area_mu: Decimal = _mu("Area sprayed, mu; at most the season's sown area")
    green_control: bool = Field(False, description="Green (biological or physical) control")


PesticideApplicationPatch = _patch_of(PesticideApplicationIn)


class PesticideApplicationOut(AuditOut, PesticideApplicationIn):
    season_id: uuid.UUID


class PesticideApplicationDetail(WithWarnings, PesticideApplicationOut):
    pass


class PesticideApplicationFilters(DateRangeFilters):
    green_control: bool | None = None


PESTICIDE_APPLICATION = RecordSchemas(
    PesticideApplicationIn,
    PesticideApplicationPatch,
    PesticideApplicationOut,
    PesticideApplicationDetail,
    PesticideApplicationFilters,
)


# -- straw uses --------------------------------------------------------------------------------------


class StrawUseIn(RecordIn):
    use: StrawUseKind = Field(..., description="Use in the straw ledger; field return counts as fertiliser")
    straw_kg: Decimal = _amount("Straw put to this use, kg")
    off_field: bool = Field(False, description="Moved off the field (never true for field_return)")
    destination: str = Field("", max_length=128, description="Where off-field straw went")


StrawUsePatch = _patch_of(StrawUseIn)


class StrawUseOut(AuditOut, StrawUseIn):
    season_id: uuid.UUID


class StrawUseDetail(WithWarnings, StrawUseOut):
    pass


class StrawUseFilters(Schema):
    use: StrawUseKind | None = None
    off_field: bool | None = None


STRAW_USE = RecordSchemas(StrawUseIn, StrawUsePatch, StrawUseOut, StrawUseDetail, StrawUseFilters)


# -- mulch films -------------------------------------------------------------------------------------


class MulchFilmIn(RecordIn):
    used_kg: Decimal = _amount("Film used, kg")
    thickness_mm: Decimal | None = Field(
        None, ge=0, max_digits=6, decimal_places=4, description="Film thickness, mm (standard: ≥ 0.010)"
    )
    recovered_kg: Decimal = _amount("Film recovered after the season, kg", Decimal(0))
    biodegradable: bool = Field(False, description="Fully biodegradable film")


MulchFilmPatch = _patch_of(MulchFilmIn)


class MulchFilmOut(AuditOut, MulchFilmIn):
    season_id: uuid.UUID


class MulchFilmDetail(WithWarnings, MulchFilmOut):
    pass


class MulchFilmFilters(Schema):
    biodegradable: bool | None = None


MULCH_FILM = RecordSchemas(MulchFilmIn, MulchFilmPatch, MulchFilmOut, MulchFilmDetail, MulchFilmFilters)


# -- livestock herds ---------------------------------------------------------------------------------


class LivestockHerdIn(RecordIn):
    year: int = _year()
    species: Species
    stock_heads: int = Field(..., ge=0, description="Animals in stock, heads")
    annual_output_heads: int = Field(0, ge=0, description="Animals sold or slaughtered in the year, heads")
    collection_method: CollectionMethod = Field(
        CollectionMethod.DRY, description="Manure collection: flushing or dry"
    )


LivestockHerdPatch = _patch_of(LivestockHerdIn)


class LivestockHerdOut(AuditOut, LivestockHerdIn):
    farm: str = Field(..., alias="farm.code", description="Farm code")


class LivestockHerdDetail(WithWarnings, LivestockHerdOut):
    pass


class LivestockHerdFilters(Schema):
    year: int | None = None
    species: Species | None = None


LIVESTOCK_HERD = RecordSchemas(
    LivestockHerdIn, LivestockHerdPatch, LivestockHerdOut, LivestockHerdDetail, LivestockHerdFilters
)


# -- manure facilities -------------------------------------------------------------------------------


class ManureFacilityIn(RecordIn):
    year: int = _year()
    liquid_storage_m3: Decimal = _amount("Liquid manure storage volume, m3", Decimal(0))
    solid_storage_m3: Decimal = _amount("Solid manure storage volume, m3", Decimal(0))
    seepage_proof: bool = Field(False, description="Storage is seepage-proof (防渗)")
    rain_proof: bool = Field(False, description="Storage is rain-proof (防雨)")
    overflow_proof: bool = Field(False, description="Storage is overflow-proof (防溢流)")
    treatment: Treatment = Field(Treatment.NONE, description="Treatment or utilisation")
    treatment_in_operation: bool = Field(False, description="Treatment is in operation")
    land_for_application_mu: Decimal = _amount("Land available for manure application, mu", Decimal(0))
    manure_produced_t: Decimal | None = _amount("Manure produced in the year, t", None)
    manure_utilised_t: Decimal | None = _amount("Manure utilised in the year, t", None)


ManureFacilityPatch = _patch_of(ManureFacilityIn)


class ManureFacilityOut(AuditOut, ManureFacilityIn):
    farm: str = Field(..., alias="farm.code", description="Farm code")


class ManureFacilityDetail(WithWarnings, ManureFacilityOut):
    pass


class ManureFacilityFilters(Schema):
    year: int | None = None


MANURE_FACILITY = RecordSchemas(
    ManureFacilityIn, ManureFacilityPatch, ManureFacilityOut, ManureFacilityDetail, ManureFacilityFilters
)


# -- water samples -----------------------------------------------------------------------------------


class WaterQualityIn(RecordIn):
    date: dt.date = Field(..., description="Sampling date (YYYY-MM-DD)")
    ph: Decimal | None = Field(None, ge=0, le=14, max_digits=4, decimal_places=2, description="pH (0-14)")
    ss_mg_per_l: Decimal | None = _mg_per_l("Suspended solids (SS)")
    codmn_mg_per_l: Decimal | None = _mg_per_l("Permanganate index (CODMn)")
    tn_mg_per_l: Decimal | None = _mg_per_l("Total nitrogen (TN)")
    tp_mg_per_l: Decimal | None = _mg_per_l("Total phosphorus (TP)")
    nh3n_mg_per_l: Decimal | None = _mg_per_l("Ammonia nitrogen (NH3-N)")
    laboratory: str = Field("", max_length=128, description="Laboratory that measured the sample")


class TailwaterSampleIn(WaterQualityIn):
    discharge_volume_m3: Decimal | None = _amount("Tailwater discharged in the event, m3", None)
    is_discharge: bool = Field(True, description="Taken at the discharge outlet")


TailwaterSamplePatch = _patch_of(TailwaterSampleIn)


class TailwaterSampleOut(AuditOut, TailwaterSampleIn):
    farm: str = Field(..., alias="farm.code", description="Farm code")


class TailwaterSampleDetail(WithWarnings, TailwaterSampleOut):
    pass


class TailwaterSampleFilters(DateRangeFilters):
    year: int | None = None
    is_discharge: bool | None = None


TAILWATER_SAMPLE = RecordSchemas(
    TailwaterSampleIn, TailwaterSamplePatch, TailwaterSampleOut, TailwaterSampleDetail, TailwaterSampleFilters
)


class WaterSampleIn(WaterQualityIn):
    point: SamplePoint = Field(..., description="inlet (irrigation water) or outlet (drainage)")
    volume_m3: Decimal | None = _amount("Water volume the sample represents, m3", None)


WaterSamplePatch = _patch_of(WaterSampleIn)


class WaterSampleOut(AuditOut, WaterSampleIn):
    district: str = Field(..., alias="district.code", description="Irrigation district code")


class WaterSampleDetail(WithWarnings, WaterSampleOut):
    pass


class WaterSampleFilters(DateRangeFilters):
    year: int | None = None
    point: SamplePoint | None = None


WATER_SAMPLE = RecordSchemas(
    WaterSampleIn, WaterSamplePatch, WaterSampleOut, WaterSampleDetail, WaterSampleFilters
)


# -- visits ------------------------------------------------------------------------------------------


class VisitIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_DESCRIPTION)
    date: dt.date = Field(..., description="Visit date (YYYY-MM-DD)")
    notes: str = Field("", description="What was seen and advised")


VisitPatch = _patch_of(VisitIn)


class VisitOut(AuditOut, VisitIn):
    farm: str = Field(..., alias="farm.code", description="Farm code")
    agent: str = Field(..., alias="agent.username", description="The agent who visited")


class VisitDetail(WithWarnings, VisitOut):
    pass


class VisitFilters(DateRangeFilters):
    year: int | None = None


VISIT = RecordSchemas(VisitIn, VisitPatch, VisitOut, VisitDetail, VisitFilters)


# -- runoff observations -----------------------------------------------------------------------------


def _per_ha(description: str) -> FieldInfo:
    return Field(None, ge=0, max_digits=10, decimal_places=2, description=description)


def _load_per_ha(description: str) -> FieldInfo:
    return Field(None, ge=0, max_digits=10, decimal_places=4, description=description)


def _share(description: str) -> FieldInfo:
    return Field(Decimal(0), ge=0, le=1, max_digits=5, decimal_places=4, description=f"{description}, 0-1")


class RunoffObservationIn(RecordIn):
    plot_code: str = Field("", max_length=64, description="Monitoring plot or field within the farm")
    year: int = _year()
    season: Season
    crop: str = Field(
        ..., min_length=1, max_length=32, description="Crop code (rice, wheat, …) or Chinese name (水稻)"
    )
    rainfall_mm: Decimal = Field(
        ..., ge=0, max_digits=7, decimal_places=1, description="Rainfall over the season, mm"
    )
    n_rate_kg_per_ha: Decimal | None = _per_ha("Nitrogen applied in the season, kg N per hectare")
    p_rate_kg_per_ha: Decimal | None = _per_ha(
        "Phosphorus applied in the season, kg elemental P per hectare (P2O5 × 0.4364)"
    )
    slow_release_share: Decimal = _share(
        "Share of the nutrient applied as slow/controlled-release fertiliser"
    )
    side_deep_share: Decimal = _share("Share of the area fertilised by side-deep placement")
    fertigation_share: Decimal = _share("Share of the area under fertigation")
    straw_return_share: Decimal = _share("Share of the straw returned to the field")
    tn_load_kg_per_ha: Decimal | None = _load_per_ha("Measured runoff total-nitrogen load, kg per hectare")
    tp_load_kg_per_ha: Decimal | None = _load_per_ha(
        "Measured runoff total-phosphorus load, kg per hectare (at least one of the two loads)"
    )
    data_source: DataSource = Field(
        DataSource.MEASURED, description="measured, or synthetic (demonstration data only)"
    )


RunoffObservationPatch = _patch_of(RunoffObservationIn)


class RunoffObservationOut(AuditOut, RunoffObservationIn):
    farm: str = Field(..., alias="farm.code", description="Farm code")
    crop: str = Field(..., alias="crop.code", description="Crop code")


class RunoffObservationDetail(WithWarnings, RunoffObservationOut):
    pass


class RunoffObservationFilters(Schema):
    year: int | None = None
    season: Season | None = None
    crop: str | None = Field(None, description="Crop code")
    data_source: DataSource | None = None


RUNOFF_OBSERVATION = RecordSchemas(
    RunoffObservationIn,
    RunoffObservationPatch,
    RunoffObservationOut,
    RunoffObservationDetail,
    RunoffObservationFilters,
)
