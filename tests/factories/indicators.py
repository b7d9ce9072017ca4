"""Test data for the indicator queries: reference rows as INDICATORS.md gives them, and records.

Plain functions (not fixtures) so each test module can make the fixtures it needs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.management import call_command

from farmadvice.indicators.models import Target
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    LivestockHerd,
    ManureFacility,
    MulchFilm,
    PesticideApplication,
    StrawUse,
    TailwaterSample,
    WaterSample,
)
from farmadvice.reference.models import Crop

D = Decimal
YEAR = 2025
SINCE = dt.date(2020, 1, 1)


def crop(code: str, name_zh: str | None = None, category: str = "grain") -> Crop:
    names = {"rice": "水稻", "wheat": "小麦", "barley": "大麦", "soybean": "大豆", "vegetables": "蔬菜"}
    return Crop.objects.get_or_create(
        code=code,
        defaults={"name_zh": name_zh or names.get(code, code), "name_en": code.title(), "category": category},
    )[0]


def _sourced(status: str, valid_from: dt.date = SINCE, source: str = "tests") -> dict:
    return {"status": status, "valid_from": valid_from, "source": source}


def load_reference() -> None:
    """The reference figures of data/*.csv, loaded as in production."""
    call_command("load_reference", verbosity=0)


def season(
    farm,
    crop_code: str = "rice",
    *,
    area: str = "50",
    yield_kg: str | None = None,
    year: int = YEAR,
    name: str = "summer",
) -> CropSeason:
    return CropSeason.objects.create(
        farm=farm,
        year=year,
        season=name,
        crop=crop(crop_code),
        area_mu=D(area),
        yield_kg=None if yield_kg is None else D(yield_kg),
    )


def fertiliser(
    of: CropSeason, *, kg: str, n: str = "0", p: str = "0", k: str = "0", area: str | None = None, **extra
) -> FertiliserApplication:
    return FertiliserApplication.objects.create(
        season=of,
        product=extra.pop("product", "复合肥"),
        n_pct=D(n),
        p2o5_pct=D(p),
        k2o_pct=D(k),
        product_kg=D(kg),
        area_mu=D(area) if area is not None else of.area_mu,
        **extra,
    )


def pesticide(
    of: CropSeason, *, amount: str, ai_pct: str, unit: str = "kg", density: str | None = None
) -> PesticideApplication:
    return PesticideApplication.objects.create(
        season=of,
        product="农药",
        active_ingredient="有效成分",
        ai_content_pct=D(ai_pct),
        amount=D(amount),
        amount_unit=unit,
        density_kg_per_l=None if density is None else D(density),
        area_mu=of.area_mu,
    )


def straw(of: CropSeason, use: str, kg: str, **extra) -> StrawUse:
    return StrawUse.objects.create(season=of, use=use, straw_kg=D(kg), **extra)


def film(of: CropSeason, *, used: str, thickness: str | None, recovered: str = "0") -> MulchFilm:
    return MulchFilm.objects.create(
        season=of,
        used_kg=D(used),
        thickness_mm=None if thickness is None else D(thickness),
        recovered_kg=D(recovered),
    )


def herd(
    farm, species: str = "pig", *, stock: int, output: int = 0, method: str = "dry", year: int = YEAR
) -> LivestockHerd:
    return LivestockHerd.objects.create(
        farm=farm,
        year=year,
        species=species,
        stock_heads=stock,
        annual_output_heads=output,
        collection_method=method,
    )


def facility(
    farm,
    *,
    liquid: str = "0",
    solid: str = "0",
    land: str = "0",
    proof: bool = True,
    operating: bool = True,
    produced: str | None = None,
    utilised: str | None = None,
    year: int = YEAR,
) -> ManureFacility:
    return ManureFacility.objects.create(
        farm=farm,
        year=year,
        liquid_storage_m3=D(liquid),
        solid_storage_m3=D(solid),
        land_for_application_mu=D(land),
        seepage_proof=proof,
        rain_proof=proof,
        overflow_proof=proof,
        treatment="compost",
        treatment_in_operation=operating,
        manure_produced_t=None if produced is None else D(produced),
        manure_utilised_t=None if utilised is None else D(utilised),
    )


def tailwater(farm, date: dt.date, **values: str) -> TailwaterSample:
    return TailwaterSample.objects.create(farm=farm, date=date, **{k: D(v) for k, v in values.items()})


def water(district, date: dt.date, point: str, *, volume: str | None = None, **values: str) -> WaterSample:
    return WaterSample.objects.create(
        district=district,
        date=date,
        point=point,
        volume_m3=None if volume is None else D(volume),
        **{k: D(v) for k, v in values.items()},
    )


def target(
    indicator: str,
    value: str,
    *,
    year: int = YEAR,
    town=None,
    direction: str = "at_least",
    status: str = "official",
) -> Target:
    return Target.objects.create(
        indicator=indicator,
        scope="town" if town is not None else "district",
        town=town,
        year=year,
        value=D(value),
        direction=direction,
        **_sourced(status),
    )
