"""`registry.selectors.farm_get`: readers of every farm get it from one hand-written query; it must be the
same farm, with the same town, village and irrigation district, as the ORM gives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from farmadvice.core.errors import NotFound
from farmadvice.registry.models import Farm, Village
from farmadvice.registry.selectors import farm_get
from tests.factories.registry import FarmFactory, IrrigationDistrictFactory

pytestmark = pytest.mark.django_db


def concrete(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.fixture
def full_farm(world):
    district = IrrigationDistrictFactory(town=world["chengqiao"], area_mu=Decimal("1250.50"))
    village = Village.objects.create(town=world["chengqiao"], name="侯南村")
    return FarmFactory(
        code="CQ-FULL",
        town=world["chengqiao"],
        village=village,
        irrigation_district=district,
        area_mu=Decimal("88.25"),
        latitude=Decimal("31.6234567"),
        longitude=Decimal("121.3987654"),
        registered_on=dt.date(2021, 3, 4),
        contact_name="施建国",
    )


@pytest.mark.parametrize("reader", ["committee", "agent_xh", "admin"])
def test_the_farm_equals_the_orms_with_its_related_rows(world, full_farm, reader):
    expected = Farm.objects.select_related("town", "village", "irrigation_district").get(code="CQ-FULL")
    with CaptureQueriesContext(connection) as queries:
        farm = farm_get(user=world[reader], code="CQ-FULL")
        related = (farm.town.code, farm.town.name_en, farm.village.name, farm.irrigation_district.code)
    assert len(queries) == 1
    assert concrete(farm) == concrete(expected)
    assert related == ("310151100", "Chengqiao", "侯南村", expected.irrigation_district.code)
    assert concrete(farm.town) == concrete(expected.town)
    # the fields not read with it load on first use, with their types
    assert concrete(farm.village) == concrete(expected.village)
    assert concrete(farm.irrigation_district) == concrete(expected.irrigation_district)
    assert farm.irrigation_district.area_mu == Decimal("1250.50")


def test_a_farm_without_village_or_district(world):
    farm = farm_get(user=world["committee"], code="CQ-A")
    assert farm.village is None and farm.irrigation_district is None
    assert farm.town == world["chengqiao"]


def test_an_unknown_code_is_not_found(world):
    with pytest.raises(NotFound):
        farm_get(user=world["committee"], code="NO-SUCH-FARM")


def test_operators_still_see_only_their_farms(world, full_farm):
    assert farm_get(user=world["operator_a"], code="CQ-A").pk == world["farm_a"].pk
    for code in ("XH-B", "CQ-FULL"):
        with pytest.raises(NotFound):
            farm_get(user=world["operator_a"], code=code)
