"""The runoff model's training DataFrame, assembled from the database (farmadvice.runoff.selectors)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from farmadvice.runoff import selectors
from farmadvice.runoff.stats import (
    CROP,
    DISTRICT,
    LOAD,
    RAINFALL,
    RATE,
    SIDE_DEEP,
    SLOW_RELEASE,
    STRAW_RETURN,
    training_fingerprint,
)
from tests.factories.indicators import fertiliser, season, straw, water
from tests.factories.registry import FarmFactory, IrrigationDistrictFactory
from tests.factories.runoff import observation

YEAR = 2025


@pytest.fixture
def rainfall(db):
    call_command("load_rainfall", verbosity=0)


@pytest.fixture
def district(world, rainfall):
    """District ID-R (1500 mu = 100 ha) with three farms' rice seasons and two paired summer events."""
    district = IrrigationDistrictFactory(code="ID-R", area_mu="1500", town=world["chengqiao"])
    farm_a = world["farm_a"]
    farm_a.irrigation_district = district
    farm_a.save()
    farm_c = FarmFactory(code="CQ-C", town=world["chengqiao"], irrigation_district=district)
    farm_d = FarmFactory(code="CQ-D", town=world["chengqiao"], irrigation_district=district)
    rice_a = season(farm_a, "rice", area="60")
    fertiliser(rice_a, kg="300", n="20", p="10", slow_release=True)  # 60 kg N (slow), 30 kg P2O5
    fertiliser(rice_a, kg="100", n="46")  # 46 kg N
    rice_c = season(farm_c, "rice", area="30")
    fertiliser(rice_c, kg="150", n="20", p="10", method="side_deep")  # 30 kg N, 15 kg P2O5, side-deep 30 mu
    straw(rice_c, "field_return", "6000")
    straw(rice_c, "feed", "3000", off_field=True)
    season(farm_d, "rice", area="10")  # no fertiliser record: rate unknown
    wheat_a = season(farm_a, "wheat", area="60", name="winter")
    fertiliser(wheat_a, kg="500", n="46")  # a winter season: not joined to summer events
    water(district, dt.date(YEAR, 7, 10), "inlet", volume="10000", tn_mg_per_l="1.5", tp_mg_per_l="0.1")
    water(district, dt.date(YEAR, 7, 10), "outlet", volume="9000", tn_mg_per_l="4.0", tp_mg_per_l="0.3")
    water(district, dt.date(YEAR, 8, 20), "inlet", volume="8000", tn_mg_per_l="2.0", tp_mg_per_l="0.1")
    water(district, dt.date(YEAR, 8, 20), "outlet", volume="8000", tn_mg_per_l="3.0", tp_mg_per_l="0.2")
    return district


def test_district_net_load_row_is_outlet_minus_inlet_per_ha_of_district(district):
    """A district season's load is Σ events (C_out×V_out − C_in×V_in)/1000 ÷ (area_mu / 15)."""
    data = selectors.training_data(target="tn", sources=("district",))
    row = data.frame.loc["district:ID-R:2025:summer"]
    # TN: (4.0×9000 − 1.5×10000)/1000 = 21 kg; (3.0×8000 − 2.0×8000)/1000 = 8 kg; 29 kg ÷ (1500/15 = 100 ha)
    assert row[LOAD] == pytest.approx(29 / 100)
    tp = selectors.training_data(target="tp", sources=("district",)).frame.loc["district:ID-R:2025:summer"]
    # TP: (0.3×9000 − 0.1×10000)/1000 = 1.7 kg; (0.2×8000 − 0.1×8000)/1000 = 0.8 kg; 2.5 kg ÷ 100 ha
    assert tp[LOAD] == pytest.approx(2.5 / 100)


def test_district_row_takes_area_weighted_rates_and_practices_of_its_farms(district):
    """Rate and practices come from the district's summer crop seasons that have fertiliser records."""
    row = selectors.training_data(target="tn", sources=("district",)).frame.loc["district:ID-R:2025:summer"]
    # N: 60 + 46 (CQ-A) + 30 (CQ-C) = 136 kg over the 60 + 30 = 90 recorded mu = 6 ha (CQ-D has no record)
    assert row[RATE] == pytest.approx(136 / 6)
    assert row[SLOW_RELEASE] == pytest.approx(60 / 136)
    assert row[SIDE_DEEP] == pytest.approx(30 / 90)
    assert row[STRAW_RETURN] == pytest.approx(6000 / 9000)
    assert (row[CROP], row[DISTRICT], row[RAINFALL]) == ("rice", "ID-R", 700.0)  # the summer normal
    assert (row["source"], row["data_source"]) == ("district", "measured")
    tp = selectors.training_data(target="tp", sources=("district",)).frame.loc["district:ID-R:2025:summer"]
    # P2O5 30 + 15 = 45 kg × 0.4364 = 19.638 kg P over 6 ha
    assert tp[RATE] == pytest.approx(45 * 0.4364 / 6)
    assert tp[SLOW_RELEASE] == pytest.approx(30 / 45)


def test_november_events_count_for_the_next_years_winter_season(district):
    """Events in November and December belong to the winter crop season harvested the next year."""
    water(district, dt.date(YEAR - 1, 11, 20), "inlet", volume="5000", tn_mg_per_l="1.0", tp_mg_per_l="0.1")
    water(district, dt.date(YEAR - 1, 11, 20), "outlet", volume="5000", tn_mg_per_l="2.0", tp_mg_per_l="0.2")
    loads = selectors.district_season_loads()
    winter = loads[(loads["season"] == "winter")].iloc[0]
    assert (int(winter["year"]), winter["tn_net_load_kg"]) == (
        YEAR,
        pytest.approx(5.0),
    )  # (2×5000−1×5000)/1000
    row = selectors.training_data(target="tn", sources=("district",)).frame.loc["district:ID-R:2025:winter"]
    assert row[CROP] == "wheat"
    assert row[RATE] == pytest.approx(500 * 0.46 / 4)  # 230 kg N over 60 mu = 4 ha
    assert row[RAINFALL] == 450.0


def test_districts_that_cannot_train_are_left_out_with_their_reason(district, world):
    """A negative net load, an incomplete event, no crop seasons, no records: left out and said why."""
    cleaned = IrrigationDistrictFactory(code="ID-CLEAN", area_mu="1200")
    FarmFactory(code="CQ-E", irrigation_district=cleaned)
    water(cleaned, dt.date(YEAR, 7, 1), "inlet", volume="1000", tn_mg_per_l="3.0", tp_mg_per_l="0.3")
    water(cleaned, dt.date(YEAR, 7, 1), "outlet", volume="1000", tn_mg_per_l="2.0", tp_mg_per_l="0.2")
    gap = IrrigationDistrictFactory(code="ID-GAP", area_mu="1200")
    water(gap, dt.date(YEAR, 7, 1), "inlet", volume="1000", tn_mg_per_l="1.0")
    water(gap, dt.date(YEAR, 7, 1), "outlet", tn_mg_per_l="3.0")  # no volume: the event has no load
    unfarmed = IrrigationDistrictFactory(code="ID-EMPTY", area_mu="1200")
    water(unfarmed, dt.date(YEAR, 7, 1), "inlet", volume="1000", tn_mg_per_l="1.0")
    water(unfarmed, dt.date(YEAR, 7, 1), "outlet", volume="1000", tn_mg_per_l="3.0")
    unrecorded = IrrigationDistrictFactory(code="ID-NOREC", area_mu="1200")
    season(FarmFactory(code="CQ-F", irrigation_district=unrecorded), "rice", area="20")
    water(unrecorded, dt.date(YEAR, 7, 1), "inlet", volume="1000", tn_mg_per_l="1.0")
    water(unrecorded, dt.date(YEAR, 7, 1), "outlet", volume="1000", tn_mg_per_l="3.0")

    data = selectors.training_data(target="tn", sources=("district",))
    reasons = {e.label: e.reason for e in data.exclusions}
    assert reasons == {
        "ID-CLEAN 2025 summer": selectors.EXCLUDED_LOAD_NOT_POSITIVE,
        "ID-GAP 2025 summer": selectors.EXCLUDED_INCOMPLETE_EVENT.format(count=1),
        "ID-EMPTY 2025 summer": selectors.EXCLUDED_NO_SEASONS,
        "ID-NOREC 2025 summer": selectors.EXCLUDED_NO_FERTILISER_RECORDS,
    }
    assert list(data.frame.index) == ["district:ID-R:2025:summer"]
    assert data.summary()["excluded"] == 4


def test_observations_without_a_rate_or_with_no_load_are_left_out(world, rainfall):
    """A measured TN load without an N rate, or a load of 0, is documented as left out; a TP-only
    observation is not a TN row at all."""
    farm = world["farm_a"]
    kept = observation(farm, tn_load_kg_per_ha="10", n_rate_kg_per_ha="200", slow_release_share="0.5")
    observation(farm, plot_code="P2", tn_load_kg_per_ha="8", n_rate_kg_per_ha=None)
    observation(farm, plot_code="P3", tn_load_kg_per_ha="0")
    observation(farm, plot_code="P4", tp_load_kg_per_ha="0.5")
    data = selectors.training_data(target="tn", sources=("observation",))
    assert list(data.frame.index) == [f"observation:{kept.pk}"]
    row = data.frame.iloc[0]
    assert (row[LOAD], row[RATE], row[SLOW_RELEASE], row[RAINFALL]) == (10.0, 200.0, 0.5, 700.0)
    assert row[DISTRICT] == "farm:CQ-A"  # a farm outside every district is its own group
    assert sorted(e.reason for e in data.exclusions) == sorted(
        [selectors.EXCLUDED_MISSING_RATE.format(nutrient="氮（N）"), selectors.EXCLUDED_LOAD_NOT_POSITIVE]
    )
    assert [o[LOAD] for _i, o in selectors.training_data(target="tp").frame.iterrows()] == [0.5]


def test_training_frame_is_in_the_stats_contract_and_has_a_fingerprint(district, world):
    """Both sources together validate against the statistics package (the fingerprint reads them)."""
    observation(world["farm_a"], tn_load_kg_per_ha="12")
    data = selectors.training_data(target="tn")
    assert sorted(data.frame["source"]) == ["district", "observation"]
    assert data.frame.loc[data.frame["source"] == "observation", DISTRICT].tolist() == ["ID-R"]
    assert len(training_fingerprint(data.frame)) == 64


def test_one_query_per_table_however_many_records(district, world, django_assert_num_queries):
    """The training frame costs the same queries for more farms, seasons, samples and observations."""
    with django_assert_num_queries(7) as before:
        selectors.training_data(target="tn")
    for number in range(5):
        farm = FarmFactory(code=f"CQ-X{number}", irrigation_district=district)
        fertiliser(season(farm, "rice", area="10"), kg="50", n="20")
        observation(farm, tn_load_kg_per_ha="9")
        water(
            district, dt.date(YEAR, 6, 1 + number), "inlet", volume="100", tn_mg_per_l="1", tp_mg_per_l="0.1"
        )
        water(
            district, dt.date(YEAR, 6, 1 + number), "outlet", volume="100", tn_mg_per_l="2", tp_mg_per_l="0.2"
        )
    with django_assert_num_queries(len(before.captured_queries)):
        selectors.training_data(target="tn")
