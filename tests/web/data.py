"""Records for the dashboard and farm-page tests (plain functions; the browser tests use them too)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from farmadvice.practices.models import CropSeason, StrawUse, TailwaterSample
from farmadvice.registry.models import FarmType
from tests.factories.practices import crop
from tests.factories.registry import FarmFactory

YEAR = 2025


def ponds(town) -> tuple:
    """Two crab ponds in `town` (SC/T 9101 class 2: TN ≤ 5 mg/L) sampled in 2025: CQ-P fails on
    TN 8 mg/L, CQ-Q complies on every parameter. Tailwater compliance of the town: 1 of 2 = 50 %."""
    failing = FarmFactory(
        code="CQ-P", name="丙蟹塘", farm_type=FarmType.AQUACULTURE, town=town, tailwater_class="2", area_mu=80
    )
    passing = FarmFactory(
        code="CQ-Q", name="丁蟹塘", farm_type=FarmType.AQUACULTURE, town=town, tailwater_class="2", area_mu=60
    )
    values = {
        "ph": Decimal("7.5"),
        "ss_mg_per_l": Decimal("40"),
        "codmn_mg_per_l": Decimal("12"),
        "tn_mg_per_l": Decimal("2.5"),
        "tp_mg_per_l": Decimal("0.4"),
    }
    TailwaterSample.objects.create(
        farm=failing, date=dt.date(YEAR, 7, 1), **{**values, "tn_mg_per_l": Decimal("8")}
    )
    TailwaterSample.objects.create(farm=passing, date=dt.date(YEAR, 7, 2), **values)
    return failing, passing


def straw_short(farm) -> CropSeason:
    """Rice on `farm` in 2025, 5,000 kg of grain: collectable straw 5 t × 1.00 × 0.85 = 4.25 t
    (data/crop_coefficients.csv); 3 t returned to the field = 70.6 %, below the 96 % target."""
    season = CropSeason.objects.create(
        farm=farm,
        year=YEAR,
        season="summer",
        crop=crop("rice"),
        area_mu=Decimal("10"),
        yield_kg=Decimal("5000"),
    )
    StrawUse.objects.create(season=season, use="field_return", straw_kg=Decimal("3000"))
    return season
