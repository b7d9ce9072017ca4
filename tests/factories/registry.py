from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import factory
from django.conf import settings

from farmadvice.registry.models import Farm, FarmType, IrrigationDistrict, Town


def town(code_or_name: str) -> Town:
    """A Chongming town from data/towns.csv, created on first use."""
    with Path(settings.REFERENCE_DATA_DIR, "towns.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if code_or_name in (row["code"], row["name_zh"], row["name_en"]):
                return Town.objects.get_or_create(
                    code=row["code"],
                    defaults={"name_zh": row["name_zh"], "name_en": row["name_en"], "kind": row["kind"]},
                )[0]
    raise LookupError(code_or_name)


class IrrigationDistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IrrigationDistrict
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ID-{n:04d}")
    name = factory.Sequence(lambda n: f"灌区{n}")
    town = factory.LazyFunction(lambda: town("Chengqiao"))
    area_mu = Decimal("1200")


class FarmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Farm
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"TEST-{n:04d}")
    name = factory.Sequence(lambda n: f"测试家庭农场{n}")
    farm_type = FarmType.CROP
    town = factory.LazyFunction(lambda: town("Chengqiao"))
    area_mu = Decimal("100")

    @factory.post_generation
    def operators(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.operators.add(*extracted)
