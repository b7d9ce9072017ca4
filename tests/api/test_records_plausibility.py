"""Plausibility warnings: implausible-but-possible values are stored and answered with warnings beside the
record; thresholds come from reference figures, and a missing figure means no check, not a crash."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from farmadvice.practices import plausibility
from farmadvice.practices.models import FertiliserApplication, StrawUse
from farmadvice.reference.models import CoefficientKind, CropCoefficient
from farmadvice.registry.models import FarmType
from tests.factories.practices import (
    CropSeasonFactory,
    FertiliserApplicationFactory,
    crop,
    reference_value,
)
from tests.factories.registry import FarmFactory, IrrigationDistrictFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(world):
    """A 10 mu rice season on CQ-A."""
    return CropSeasonFactory(farm=world["farm_a"], area_mu=Decimal("10"))


@pytest.fixture
def n_threshold(db):
    return reference_value(plausibility.N_RATE_KEY, "40", "kg N/mu")


def post_fertiliser(api_client, world, season, product_kg: str, n_pct: str = "15"):
    body = {"product": "复合肥", "n_pct": n_pct, "product_kg": product_kg, "area_mu": "10"}
    return api_client(world["agent_cq"]).post(f"/seasons/{season.pk}/fertiliser-applications", json=body)


def codes(response) -> list[str]:
    return [w["code"] for w in response.json()["warnings"]]


class TestNitrogenRate:
    def test_45_kg_n_per_mu_is_stored_with_a_warning(self, world, api_client, season, n_threshold):
        """Season N = Σ product_kg × N% / 100 ÷ season area: 2000 × 15 % = 300 kg N → 30 kg/mu, no warning;
        a second 1000 kg × 15 % = 150 kg N → 450 kg N ÷ 10 mu = 45 kg/mu > 40: warned and stored."""
        first = post_fertiliser(api_client, world, season, "2000")
        assert first.status_code == 201
        assert first.json()["warnings"] == []

        second = post_fertiliser(api_client, world, season, "1000")
        assert second.status_code == 201
        assert second.json()["warnings"] == [
            {
                "code": "large_n_rate",
                "message": plausibility.MSG_LARGE_N_RATE.format(rate="45", threshold="40"),
            }
        ]
        assert FertiliserApplication.objects.filter(season=season).count() == 2

    def test_the_season_and_every_application_carry_the_warning(self, world, api_client, season, n_threshold):
        FertiliserApplicationFactory(season=season, product_kg=Decimal("3000"))  # 450 kg N / 10 mu
        client = api_client(world["committee"])
        assert codes(client.get(f"/seasons/{season.pk}")) == ["large_n_rate"]
        application = FertiliserApplication.objects.get()
        assert codes(client.get(f"/fertiliser-applications/{application.pk}")) == ["large_n_rate"]

    def test_exactly_at_the_threshold_is_not_warned(self, world, api_client, season, n_threshold):
        """2000 × 20 % = 400 kg N ÷ 10 mu = 40 kg/mu: not above 40."""
        assert post_fertiliser(api_client, world, season, "2000", n_pct="20").json()["warnings"] == []

    def test_lowering_the_amount_clears_the_warning(self, world, api_client, season, n_threshold):
        application = FertiliserApplicationFactory(season=season, product_kg=Decimal("3000"))
        response = api_client(world["agent_cq"]).patch(
            f"/fertiliser-applications/{application.pk}", json={"product_kg": "300"}
        )
        assert response.json()["warnings"] == []

    def test_without_the_reference_figure_there_is_no_warning_and_no_error(self, world, api_client, season):
        response = post_fertiliser(api_client, world, season, "3000")
        assert response.status_code == 201
        assert response.json()["warnings"] == []

    def test_an_unsaved_application_counts_itself_once(self, season, n_threshold):
        """The import checks rows before storing them: 1000 kg stored + 2000 kg unsaved, both at 15 %:
        (150 + 300) kg N ÷ 10 mu = 45 kg/mu."""
        FertiliserApplicationFactory(season=season, product_kg=Decimal("1000"))
        unsaved = FertiliserApplication(
            season=season, product="复合肥", n_pct=Decimal("15"), product_kg=Decimal("2000"), area_mu=10
        )
        assert [w.code for w in plausibility.record_warnings(unsaved)] == ["large_n_rate"]

    def test_a_saved_application_is_not_counted_twice(self, season, n_threshold):
        """One stored application of 2500 kg × 15 % = 375 kg N ÷ 10 mu = 37.5 kg/mu (75 if counted twice)."""
        application = FertiliserApplicationFactory(season=season, product_kg=Decimal("2500"))
        assert plausibility.record_warnings(application) == []


class TestYield:
    def test_a_yield_far_above_the_crops_range_is_warned(self, world, api_client, season):
        """20000 kg on 10 mu = 2000 kg/mu, above the 900 kg/mu given for rice."""
        reference_value(plausibility.YIELD_MIN_KEY + "rice", "150", "kg/mu")
        reference_value(plausibility.YIELD_MAX_KEY + "rice", "900", "kg/mu")
        response = api_client(world["agent_cq"]).patch(f"/seasons/{season.pk}", json={"yield_kg": "20000"})
        assert response.status_code == 200
        assert response.json()["warnings"] == [
            {
                "code": "yield_out_of_range",
                "message": plausibility.MSG_YIELD_OUT_OF_RANGE.format(
                    yield_per_mu="2000", crop="水稻", low="150", high="900"
                ),
            }
        ]
        season.refresh_from_db()
        assert season.yield_kg == Decimal("20000")

    def test_a_usual_yield_or_a_crop_without_bounds_is_not_warned(self, world, api_client, season):
        reference_value(plausibility.YIELD_MAX_KEY + "rice", "900", "kg/mu")
        client = api_client(world["agent_cq"])
        # 6000 kg ÷ 10 mu = 600 kg/mu
        assert client.patch(f"/seasons/{season.pk}", json={"yield_kg": "6000"}).json()["warnings"] == []
        crop("wheat")
        wheat = client.post(
            "/farms/CQ-A/seasons",
            json={"year": 2025, "season": "winter", "crop": "wheat", "area_mu": "10", "yield_kg": "50000"},
        )
        assert wheat.status_code == 201
        assert wheat.json()["warnings"] == []


class TestOtherChecks:
    def test_straw_above_what_the_harvest_produced(self, world, api_client, season):
        """Rice 5000 kg × straw-to-grain ratio 1.0 = 5000 kg of straw; 4000 + 1500 = 5500 kg used."""
        season.yield_kg = Decimal("5000")
        season.save()
        CropCoefficient.objects.create(
            crop=season.crop,
            kind=CoefficientKind.STRAW_GRAIN_RATIO,
            value=Decimal("1.0"),
            source="test",
            status="provisional",
            valid_from=dt.date(2020, 1, 1),
        )
        client = api_client(world["agent_cq"])
        url = f"/seasons/{season.pk}/straw-uses"
        assert client.post(url, json={"use": "field_return", "straw_kg": "4000"}).json()["warnings"] == []
        second = client.post(url, json={"use": "feed", "straw_kg": "1500", "off_field": True})
        assert second.status_code == 201
        assert codes(second) == ["straw_above_produced"]
        assert "5500" in second.json()["warnings"][0]["message"]
        assert StrawUse.objects.filter(season=season).count() == 2

    def test_film_recovered_above_used(self, world, api_client, season):
        response = api_client(world["agent_cq"]).post(
            f"/seasons/{season.pk}/mulch-films", json={"used_kg": "20", "recovered_kg": "26"}
        )
        assert response.status_code == 201
        assert response.json()["warnings"] == [
            {
                "code": "film_recovered_above_used",
                "message": plausibility.MSG_FILM_RECOVERED_ABOVE_USED.format(recovered_kg="26", used_kg="20"),
            }
        ]

    def test_manure_utilised_above_produced(self, world, api_client):
        FarmFactory(code="CQ-PIG", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"])
        response = api_client(world["agent_cq"]).post(
            "/farms/CQ-PIG/manure-facilities",
            json={"year": 2025, "manure_produced_t": "1200", "manure_utilised_t": "1300"},
        )
        assert response.status_code == 201
        assert codes(response) == ["manure_utilised_above_produced"]

    @pytest.mark.parametrize(
        ("farm_type", "url", "extra"),
        [
            (FarmType.AQUACULTURE, "/farms/CQ-W/tailwater-samples", {}),
            (FarmType.CROP, "/districts/CQ-D1/water-samples", {"point": "outlet"}),
        ],
    )
    def test_total_nitrogen_below_ammonia_is_stored_and_warned(
        self, world, api_client, farm_type, url, extra
    ):
        FarmFactory(code="CQ-W", farm_type=farm_type, town=world["chengqiao"])
        IrrigationDistrictFactory(code="CQ-D1", town=world["chengqiao"])
        body = {"date": "2025-08-01", "tn_mg_per_l": "0.5", "nh3n_mg_per_l": "0.8", **extra}
        response = api_client(world["agent_cq"]).post(url, json=body)
        assert response.status_code == 201
        assert response.json()["warnings"] == [
            {"code": "tn_below_nh3n", "message": plausibility.MSG_TN_BELOW_NH3N.format(tn="0.5", nh3n="0.8")}
        ]

    def test_records_without_checks_have_no_warnings(self, world):
        assert plausibility.record_warnings(world["farm_a"]) == []
