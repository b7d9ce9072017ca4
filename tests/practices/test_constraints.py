"""What must never be stored is refused by validation, and by the database if validation is bypassed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from farmadvice.core.errors import ValidationFailed
from farmadvice.core.services import validate_and_save
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    PesticideApplication,
    TailwaterSample,
    WaterSample,
)
from farmadvice.reference.models import Crop
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
