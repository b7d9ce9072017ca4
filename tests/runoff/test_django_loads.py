"""Loads per farm-season with the active model or the export-coefficient fallback, totals, scenarios."""

from __future__ import annotations

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from farmadvice.core.errors import NotFound, PermissionDenied
from farmadvice.runoff import services
from farmadvice.runoff.models import SeasonRainfall
from farmadvice.runoff.stats import predict_loads
from tests.factories.indicators import fertiliser, season
from tests.factories.registry import FarmFactory
from tests.factories.runoff import demo_versions, districts_with_farms, load_runoff_reference, observation

YEAR = 2025


@pytest.fixture
def reference(world):
    load_runoff_reference()
    return world


@pytest.fixture
def farm_a(reference):
    """CQ-A: rice on 45 mu (3 ha) with 900 kg N and 300 kg P2O5, i.e. 300 kg N/ha and 43.64 kg P/ha."""
    rice = season(reference["farm_a"], "rice", area="45")
    fertiliser(rice, kg="3000", n="30", p="10", k="10")
    return rice


@pytest.fixture
def models(reference):
    """Active TN and TP versions (log_ols) fitted on the demo training set."""
    districts_with_farms(12)
    return demo_versions()


def test_a_farm_season_load_is_the_models_kg_per_ha_times_its_hectares(farm_a, models, world):
    """kg = kg/ha × area_mu / 15, the kg/ha and its 95 % PI being the active version's prediction."""
    loads = services.farm_loads(user=world["operator_a"], code="CQ-A", year=YEAR)
    [rice] = loads.seasons
    assert (rice.tn.method, rice.tn.fallback, rice.tn.version_id) == ("log_ols", False, models["tn"].pk)
    assert rice.tn.rate_kg_per_ha == pytest.approx(300.0)  # 3000 kg × 30 % = 900 kg N over 45/15 = 3 ha
    row = pd.DataFrame(
        {
            "rate_kg_per_ha": [300.0],
            "rainfall_mm": [700.0],  # the summer normal of data/rainfall.csv
            "crop": ["rice"],
            "slow_release_share": [0.0],
            "side_deep": [0.0],
            "fertigation": [0.0],
            "straw_return": [0.0],
        }
    )
    expected = predict_loads(services.fitted_model(models["tn"]), row).iloc[0]
    assert rice.tn.kg_per_ha.value == pytest.approx(expected["load_kg_per_ha"])
    assert (rice.tn.kg_per_ha.low, rice.tn.kg_per_ha.high) == (
        pytest.approx(expected["pi_low"]),
        pytest.approx(expected["pi_high"]),
    )
    assert rice.tn.kg.value == pytest.approx(rice.tn.kg_per_ha.value * 45 / 15)
    assert rice.tn.kg.high == pytest.approx(rice.tn.kg_per_ha.high * 45 / 15)
    assert rice.tp.rate_kg_per_ha == pytest.approx(300 * 0.4364 / 3)  # P2O5 × 0.4364 over 3 ha
    assert loads.tn_total.kg == rice.tn.kg  # one season: the total is the season
    assert not loads.fallback
    assert any("模拟数据" in note for note in loads.notes)  # the model was trained on synthetic data


def test_without_an_active_model_loads_come_from_the_export_coefficients(farm_a, world):
    """No active version: the crop's export coefficient × area, flagged, with its reason, no interval."""
    loads = services.farm_loads(user=world["agent_cq"], code="CQ-A", year=YEAR)
    [rice] = loads.seasons
    # rice export_tn_kg_per_ha 12.75 (data/crop_coefficients.csv) × 45 mu / 15 = 38.25 kg
    assert rice.tn.kg == services.Estimate(38.25)
    assert rice.tn.kg_per_ha == services.Estimate(12.75)
    # rice export_tp_kg_per_ha 1.31 × 3 ha = 3.93 kg
    assert rice.tp.kg.value == pytest.approx(3.93)
    assert (rice.tn.method, rice.tn.fallback) == ("export_coefficient", True)
    assert rice.tn.reason == services.REASON_NO_ACTIVE_MODEL.format(target="TN")
    assert rice.tn.kg.low is None and rice.tn.kg.high is None
    assert loads.fallback
    [coefficient] = [r for r in loads.references if r.name == "export_tn_kg_per_ha[rice]"]
    assert (coefficient.value, coefficient.status) == ("12.75", "provisional")
    assert "Xie et al. 2018" in coefficient.source
    assert loads.tn_total.kg == services.Estimate(38.25)  # no interval in the fallback
    assert [use.version_id for use in loads.models] == [None, None]


def test_too_few_observations_leave_the_farm_on_the_fallback(farm_a, world):
    """Observations below the minimum: the fit is refused, so the loads stay on export coefficients."""
    for number in range(10):
        observation(world["farm_b"], plot_code=f"P{number}", tn_load_kg_per_ha="9")
    with pytest.raises(services.InsufficientTrainingData):
        services.runoff_model_fit(user=None, target="tn", activate=True)
    [rice] = services.farm_loads(user=world["committee"], code="CQ-A", year=YEAR).seasons
    assert (rice.tn.fallback, rice.tn.kg.value) == (True, 38.25)


def test_seasons_the_model_cannot_answer_fall_back_one_by_one(farm_a, models, world):
    """A crop the model was not fitted on, or a season without fertiliser records, falls back alone;
    a crop without an export coefficient has no estimate (missing, not 0), and the total says so."""
    maize = season(world["farm_a"], "maize", area="15", name="autumn")
    fertiliser(maize, kg="500", n="30")
    season(world["farm_a"], "wheat", area="30", name="winter")  # no fertiliser record
    season(world["farm_a"], "soybean", area="30", name="spring")
    loads = services.farm_loads(user=world["committee"], code="CQ-A", year=YEAR)
    by_crop = {s.crop: s for s in loads.seasons}
    assert by_crop["rice"].tn.fallback is False
    assert by_crop["maize"].tn.reason == services.REASON_CROP_NOT_IN_MODEL.format(crop="玉米")
    assert by_crop["maize"].tn.kg.value == pytest.approx(11.25 * 15 / 15)  # maize 11.25 kg/ha × 1 ha
    assert by_crop["wheat"].tn.reason == services.REASON_NO_FERTILISER_RECORDS
    assert by_crop["wheat"].tn.rate_kg_per_ha is None  # unknown, not 0
    assert by_crop["wheat"].tn.kg.value == pytest.approx(9.75 * 2)  # wheat 9.75 kg/ha × 30/15 ha
    assert by_crop["soybean"].tn.kg is None  # data/crop_coefficients.csv has no export figure for soybean
    assert "没有 2025 年生效的" in by_crop["soybean"].tn.reason
    total = loads.tn_total
    assert (total.seasons, total.fallback_seasons, total.missing_seasons, total.complete) == (4, 3, 1, False)
    assert total.kg.value == pytest.approx(by_crop["rice"].tn.kg.value + 11.25 + 19.5)
    assert total.kg.low is None  # fallback seasons have no interval, so neither has the total


def test_operators_see_only_their_own_farms(farm_a, world):
    with pytest.raises(NotFound):
        services.farm_loads(user=world["operator_b"], code="CQ-A", year=YEAR)
    with pytest.raises(NotFound):
        services.farm_scenarios(user=world["operator_b"], code="CQ-A", year=YEAR)


def test_cutting_n_to_the_recommended_rate_reduces_tn_with_an_interval(farm_a, models, world):
    """300 kg N/ha cut to rice's 17 kg N/mu × 15 = 255 kg N/ha: a positive reduction, its 95 % CI above 0."""
    scenarios = services.farm_scenarios(user=world["operator_a"], code="CQ-A", year=YEAR)
    cut = scenarios.outcome("rate_recommended", "tn")
    assert cut.applies and not cut.fallback and cut.method == "log_ols"
    assert 0 < cut.reduction_kg.low < cut.reduction_kg.value < cut.reduction_kg.high
    assert cut.baseline_kg.value - cut.scenario_kg.value == pytest.approx(cut.reduction_kg.value)
    loads = services.farm_loads(user=world["operator_a"], code="CQ-A", year=YEAR)
    assert cut.baseline_kg == loads.tn_total.kg
    [rice] = cut.seasons
    assert rice.changed and rice.reduction_kg_per_ha.value == pytest.approx(rice.reduction_kg.value / 3)
    for practice in ("slow_release", "side_deep", "straw_return"):
        outcome = scenarios.outcome(practice, "tn")
        assert outcome.applies and outcome.reduction_kg.value > 0, practice
    everything = scenarios.outcome("all_advised", "tn")
    assert everything.reduction_kg.value > cut.reduction_kg.value
    assert scenarios.outcome("rate_recommended", "tp").reduction_kg.value > 0  # P cut to 4 kg P2O5/mu


def test_a_practice_already_in_use_is_not_a_scenario(farm_a, models, world):
    """A farm already all slow-release: the scenario does not apply and removes nothing."""
    farm_a.fertiliser_applications.update(slow_release=True)
    outcome = services.farm_scenarios(user=world["committee"], code="CQ-A", year=YEAR).outcome(
        "slow_release", "tn"
    )
    assert not outcome.applies
    assert outcome.reduction_kg == services.Estimate(0.0, 0.0, 0.0)
    assert outcome.note == services.SCENARIO_NOT_APPLICABLE


def test_fallback_scenarios_use_the_published_runoff_share_or_say_they_cannot(farm_a, world):
    """Without a model: cutting N removes 5 % of the N no longer applied (INDICATORS.md §9), no interval;
    a practice cannot be priced by export coefficients and gets no estimate."""
    scenarios = services.farm_scenarios(user=world["committee"], code="CQ-A", year=YEAR)
    cut = scenarios.outcome("rate_recommended", "tn")
    # 5 % × (300 − 17 × 15 = 255 kg N/ha) × 3 ha = 6.75 kg N
    assert cut.reduction_kg == services.Estimate(pytest.approx(6.75))
    assert (cut.method, cut.fallback, cut.scenario_kg) == ("export_coefficient", True, None)
    assert cut.note == services.SCENARIO_FALLBACK_RATE
    tp = scenarios.outcome("rate_recommended", "tp")
    # P: 43.64 kg P/ha cut to 4 kg P2O5/mu × 0.4364 × 15 = 26.184 kg P/ha; 5 % × 17.456 × 3 ha = 2.6184 kg
    assert tp.reduction_kg.value == pytest.approx(0.05 * (43.64 - 26.184) * 3)
    slow = scenarios.outcome("slow_release", "tn")
    assert slow.applies and slow.reduction_kg is None
    assert slow.note == services.SCENARIO_FALLBACK_PRACTICE
    assert any(r.name == "runoff_share_of_applied_n" for r in scenarios.references)


def test_town_and_district_totals_add_up_the_farms(farm_a, models, world):
    """A town's total is the sum of its farms' expected loads; the district's, the sum of its towns'."""
    fertiliser(season(world["farm_b"], "rice", area="30"), kg="1000", n="30")
    totals = services.area_loads(user=world["agent_xh"], year=YEAR)
    rows = {row.code: row for row in totals.rows}
    cq, xh, district = rows[world["chengqiao"].code], rows[world["xinhe"].code], rows["310151"]
    farm_a_tn = services.farm_loads(user=world["committee"], code="CQ-A", year=YEAR).tn_total.kg.value
    farm_b_tn = services.farm_loads(user=world["committee"], code="XH-B", year=YEAR).tn_total.kg.value
    assert cq.tn_kg == pytest.approx(farm_a_tn)
    assert xh.tn_kg == pytest.approx(farm_b_tn)
    assert district.tn_kg == pytest.approx(farm_a_tn + farm_b_tn)
    assert (district.seasons, district.area_ha, district.tn_fallback_seasons) == (2, pytest.approx(5.0), 0)
    one_town = services.area_loads(user=world["committee"], year=YEAR, town="城桥镇")
    assert [row.code for row in one_town.rows] == [world["chengqiao"].code]


def test_operators_are_refused_town_totals(world):
    with pytest.raises(PermissionDenied, match="乡镇和全区负荷汇总"):
        services.area_loads(user=world["operator_a"], year=YEAR)


def test_without_rainfall_figures_the_model_seasons_fall_back(farm_a, models, world):
    """The model needs the season's rainfall; without data/rainfall.csv loaded the season falls back."""
    SeasonRainfall.objects.all().delete()
    [rice] = services.farm_loads(user=world["committee"], code="CQ-A", year=YEAR).seasons
    assert (rice.tn.fallback, rice.tn.reason) == (True, services.REASON_NO_RAINFALL)


def test_a_farm_without_seasons_has_no_loads_rather_than_zero(reference, world):
    loads = services.farm_loads(user=world["operator_b"], code="XH-B", year=YEAR)
    assert loads.seasons == ()
    assert (loads.tn_total.kg, loads.tn_total.kg_per_ha, loads.tn_total.seasons) == (None, None, 0)
    outcome = services.farm_scenarios(user=world["operator_b"], code="XH-B", year=YEAR).outcome(
        "slow_release", "tn"
    )
    assert (outcome.applies, outcome.reduction_kg) == (False, None)


def test_area_totals_cost_the_same_queries_for_more_farms(farm_a, models, world, django_assert_num_queries):
    """Town totals are pandas over one query per table, not a query per farm."""
    with CaptureQueriesContext(connection) as before:
        services.area_loads(user=world["committee"], year=YEAR)
    for number in range(6):
        farm = FarmFactory(code=f"CQ-N{number}", town=world["chengqiao"])
        fertiliser(season(farm, "rice", area="20"), kg="500", n="30")
    with django_assert_num_queries(len(before.captured_queries)):
        services.area_loads(user=world["committee"], year=YEAR)
