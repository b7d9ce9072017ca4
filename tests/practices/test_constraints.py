"""What must never be stored is refused by validation, and by the database if validation is bypassed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from farmadvice.core.errors import ValidationFailed
from farmadvice.core.services import validate_and_save
from farmadvice.practices.models import (
    CONCENTRATIONS,
    CropSeason,
    FertiliserApplication,
    PesticideApplication,
    TailwaterSample,
    WaterSample,
)
from farmadvice.reference.models import Crop, StandardLimit
from tests.factories.registry import IrrigationDistrictFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(world):
    rice = Crop.objects.get_or_create(
        code="rice", defaults={"name_zh": "水稻", "name_en": "Rice", "category": "grain"}
    )[0]
    return CropSeason.objects.create(
        farm=world["farm_a"], year=2025, season="summer", crop=rice, area_mu=Decimal("50")
    )


def fertiliser(season, **overrides):
    fields = {"season": season, "product": "复合肥 18-15-12", "n_pct": 18, "p2o5_pct": 15, "k2o_pct": 12}
    return FertiliserApplication(
        **{**fields, "product_kg": Decimal("40"), "area_mu": Decimal("1"), **overrides}
    )


def test_nutrient_shares_above_100_are_refused_naming_the_field(season, world):
    with pytest.raises(ValidationFailed) as caught:
        validate_and_save(
            fertiliser(season, n_pct=Decimal("46"), p2o5_pct=Decimal("46"), k2o_pct=Decimal("20")),
            user=world["agent_cq"],
        )
    assert "n_pct" in caught.value.errors
    assert "100" in caught.value.errors["n_pct"][0]
    assert not FertiliserApplication.objects.exists()


def test_a_single_share_above_100_is_refused(season, world):
    with pytest.raises(ValidationFailed) as caught:
        validate_and_save(
            fertiliser(season, n_pct=Decimal("101"), p2o5_pct=0, k2o_pct=0), user=world["agent_cq"]
        )
    assert "n_pct" in caught.value.errors
    assert not FertiliserApplication.objects.exists()


def test_the_database_refuses_shares_above_100_even_without_validation(season):
    with pytest.raises(IntegrityError), transaction.atomic():
        fertiliser(season, n_pct=Decimal("60"), p2o5_pct=Decimal("30"), k2o_pct=Decimal("30")).save()
    assert not FertiliserApplication.objects.exists()


def test_the_database_refuses_negative_amounts(season):
    with pytest.raises(IntegrityError), transaction.atomic():
        fertiliser(season, product_kg=Decimal("-1")).save()
    assert not FertiliserApplication.objects.exists()


def test_a_valid_application_is_stored_with_its_author(season, world):
    saved = validate_and_save(fertiliser(season), user=world["agent_cq"])
    assert saved.created_by == world["agent_cq"]
    assert saved.history.get().history_user == world["agent_cq"]


def test_litres_without_density_are_refused(season, world):
    application = PesticideApplication(
        season=season,
        product="吡虫啉",
        active_ingredient="imidacloprid",
        ai_content_pct=Decimal("10"),
        amount=Decimal("2"),
        amount_unit="L",
        area_mu=Decimal("10"),
    )
    with pytest.raises(ValidationFailed) as caught:
        validate_and_save(application, user=world["agent_cq"])
    assert "density_kg_per_l" in caught.value.errors


def test_a_tailwater_sample_without_any_measurement_is_refused(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        TailwaterSample.objects.create(farm=world["farm_a"], date=dt.date(2025, 7, 1))


def test_a_water_sample_with_neither_volume_nor_concentration_is_refused(world):
    district = IrrigationDistrictFactory()
    sample = WaterSample(district=district, date=dt.date(2025, 7, 1), point="outlet")
    with pytest.raises(ValidationFailed) as caught:
        validate_and_save(sample, user=world["agent_cq"])
    assert "__all__" in caught.value.errors
    assert not WaterSample.objects.exists()


def tailwater_sample(farm, **values):
    # pH is measured in every sample here, so a refusal is never "no measurement" but the negative value.
    return TailwaterSample(farm=farm, date=dt.date(2025, 7, 1), ph=Decimal("7.5"), **values)


def district_sample(**values):
    fields = {"district": IrrigationDistrictFactory(), "date": dt.date(2025, 7, 1), "point": "outlet"}
    return WaterSample(**fields, ph=Decimal("7.5"), **values)


@pytest.mark.parametrize("field", [*CONCENTRATIONS, "discharge_volume_m3"])
def test_the_database_refuses_every_negative_tailwater_amount(world, field):
    with pytest.raises(IntegrityError, match="tailwater_amounts_not_negative"), transaction.atomic():
        tailwater_sample(world["farm_a"], **{field: Decimal("-0.001")}).save()
    assert not TailwaterSample.objects.exists()


@pytest.mark.parametrize("field", [*CONCENTRATIONS, "volume_m3"])
def test_the_database_refuses_every_negative_district_water_amount(db, field):
    with pytest.raises(IntegrityError, match="water_amounts_not_negative"), transaction.atomic():
        district_sample(**{field: Decimal("-0.001")}).save()
    assert not WaterSample.objects.exists()


def test_zero_concentrations_and_volumes_are_stored(world):
    """Zero is a measurement (below the detection limit, or no discharge), not a negative amount."""
    zeros = dict.fromkeys(CONCENTRATIONS, Decimal("0"))
    tailwater_sample(world["farm_a"], discharge_volume_m3=Decimal("0"), **zeros).save()
    district_sample(volume_m3=Decimal("0"), **zeros).save()
    assert TailwaterSample.objects.count() == 1
    assert WaterSample.objects.count() == 1


def test_validation_names_the_negative_concentration(world):
    """Through the services the user is told which field is negative, not which constraint failed."""
    with pytest.raises(ValidationFailed) as caught:
        validate_and_save(
            tailwater_sample(world["farm_a"], tp_mg_per_l=Decimal("-1")), user=world["agent_cq"]
        )
    assert set(caught.value.errors) == {"tp_mg_per_l"}
    assert not TailwaterSample.objects.exists()


def test_the_database_refuses_a_pesticide_density_of_zero(season):
    application = PesticideApplication(
        season=season,
        product="阿维菌素乳油",
        active_ingredient="abamectin",
        ai_content_pct=Decimal("1.8"),
        amount=Decimal("2"),
        amount_unit="L",
        density_kg_per_l=Decimal("0"),
        area_mu=Decimal("10"),
    )
    with pytest.raises(IntegrityError, match="pesticide_density_positive"), transaction.atomic():
        application.save()
    assert not PesticideApplication.objects.exists()


@pytest.mark.parametrize("bound", ["min_value", "max_value"])
def test_the_database_refuses_a_negative_standard_limit(db, bound):
    limit = StandardLimit(
        standard="SC/T 9101-2007",
        use="tailwater",
        level="2",
        level_rank=2,
        parameter="tn_mg_per_l",
        source="tests",
        status="provisional",
        valid_from=dt.date(2020, 1, 1),
        **{bound: Decimal("-1")},
    )
    with pytest.raises(IntegrityError, match=f"standard_limit_{bound}_not_negative"), transaction.atomic():
        limit.save()
    assert not StandardLimit.objects.exists()
