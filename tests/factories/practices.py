from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import factory
from django.conf import settings

from farmadvice.practices.models import CropSeason, FertiliserApplication, Visit
from farmadvice.reference.models import Crop, ReferenceValue
from tests.factories.registry import FarmFactory


def crop(code_or_name: str) -> Crop:
    """A crop from data/crops.csv, created on first use."""
    with Path(settings.REFERENCE_DATA_DIR, "crops.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if code_or_name in (row["code"], row["name_zh"], row["name_en"]):
                return Crop.objects.get_or_create(
                    code=row["code"],
                    defaults={
                        "name_zh": row["name_zh"],
                        "name_en": row["name_en"],
                        "category": row["category"],
                    },
                )[0]
    raise LookupError(code_or_name)


def reference_value(key: str, value: str, unit: str = "") -> ReferenceValue:
    """A named reference figure in force since 2020 (what load_reference would store)."""
    return ReferenceValue.objects.create(
        key=key,
        value=Decimal(value),
        unit=unit,
        source="test",
        status="provisional",
        valid_from=dt.date(2020, 1, 1),
    )


class CropSeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CropSeason

    farm = factory.SubFactory(FarmFactory)
    year = 2025
    season = "summer"
    crop = factory.LazyFunction(lambda: crop("rice"))
    area_mu = Decimal("10")


class FertiliserApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FertiliserApplication

    season = factory.SubFactory(CropSeasonFactory)
    product = "复合肥 15-15-15"
    n_pct = Decimal("15")
    p2o5_pct = Decimal("15")
    k2o_pct = Decimal("15")
    product_kg = Decimal("40")
    area_mu = Decimal("10")


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    farm = factory.SubFactory(FarmFactory)
    date = dt.date(2025, 6, 18)
