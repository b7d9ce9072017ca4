"""The figures in data/ are the ones INDICATORS.md gives, with the status it gives them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from farmadvice.indicators.models import Baseline, Target
from farmadvice.reference.loading import load_reference
from farmadvice.reference.models import (
    CropCoefficient,
    LivestockThreshold,
    PigEquivalent,
    ReferenceValue,
    StandardLimit,
    WastewaterCoefficient,
)
from farmadvice.reference.selectors import reference_value

from .csvfiles import DATA_DIR

MU_PER_HA = 15
RUNOFF_SHARE_OF_APPLIED_N = Decimal("0.05")  # INDICATORS.md §9, rice and wheat
P_PER_P2O5 = Decimal("0.4364")
PROVINCES_MEAN_TN_KG_PER_HA_YEAR = Decimal("2.4")  # INDICATORS.md §9


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    """Load data/ once for the module, inside a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference(DATA_DIR)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def loaded(loaded_once, db):
    """Each test runs in a savepoint inside the module's transaction."""


def coefficient(crop: str, kind: str) -> CropCoefficient:
    return CropCoefficient.objects.get(crop__code=crop, kind=kind)


@pytest.mark.parametrize(
    ("indicator", "year", "value", "status"),
    [
        ("manure_facility_matching_pct", 2027, "100", "official"),  # §6
        ("straw_utilisation_pct", 2020, "96", "published"),  # §4, Shanghai 2018-2020 plan
        ("film_recovery_pct", 2020, "80", "published"),  # §5
        ("manure_utilisation_pct", 2020, "75", "published"),  # §6
        # §8 and §7 give no year: the plan's 2027 horizon is ours, so provisional.
        ("district_monitoring_pct", 2027, "100", "provisional"),
        ("tailwater_compliance_pct", 2027, "100", "provisional"),
    ],
)
def test_district_targets_are_the_indicators_targets(loaded, indicator, year, value, status):
    target = Target.objects.get(indicator=indicator, scope="district", town=None)
    assert (target.year, target.value, target.direction, target.status) == (
        year,
        Decimal(value),
        "at_least",
        status,
    )


@pytest.mark.parametrize(
    ("standard", "level", "parameter", "min_value", "max_value", "status"),
    [
        # SC/T 9101-2007, class 1 / class 2 (§7, provisional)
        *[
            ("SC/T 9101-2007", level, parameter, None, limit, "provisional")
            for level, limits in (("1", ("50", "15", "3.0", "0.5")), ("2", ("100", "25", "5.0", "1.0")))
            for parameter, limit in zip(
                ("ss_mg_per_l", "codmn_mg_per_l", "tn_mg_per_l", "tp_mg_per_l"), limits, strict=True
            )
        ],
        ("SC/T 9101-2007", "1", "ph", "6", "9", "provisional"),
        ("SC/T 9101-2007", "2", "ph", "6", "9", "provisional"),
        # GB 3838-2002, classes III / IV / V (§8, official)
        *[
            ("GB 3838-2002", level, parameter, None, limit, "official")
            for parameter, limits in (
                ("codmn_mg_per_l", ("6", "10", "15")),
                ("nh3n_mg_per_l", ("1.0", "1.5", "2.0")),
                ("tp_mg_per_l", ("0.2", "0.3", "0.4")),
                ("tn_mg_per_l", ("1.0", "1.5", "2.0")),
            )
            for level, limit in zip(("III", "IV", "V"), limits, strict=True)
        ],
    ],
)
def test_water_standard_limits_are_the_indicators_limits(
    loaded, standard, level, parameter, min_value, max_value, status
):
    limit = StandardLimit.objects.get(standard=standard, level=level, parameter=parameter)
    expected_min = None if min_value is None else Decimal(min_value)
    assert (limit.min_value, limit.max_value, limit.status) == (expected_min, Decimal(max_value), status)


def test_each_standard_is_entered_for_its_use_with_classes_ranked_strictest_first(loaded):
    ranks = {(row.standard, row.use, row.level, row.level_rank) for row in StandardLimit.objects.all()}
    assert ranks == {
        ("SC/T 9101-2007", "tailwater", "1", 1),
        ("SC/T 9101-2007", "tailwater", "2", 2),
        ("GB 3838-2002", "surface", "III", 3),
        ("GB 3838-2002", "surface", "IV", 4),
        ("GB 3838-2002", "surface", "V", 5),
    }


@pytest.mark.parametrize(
    ("species", "basis", "min_heads"),
    [
        ("pig", "annual_output", 500),
        ("beef_cattle", "annual_output", 50),
        ("dairy_cow", "in_stock", 100),
        ("sheep_goat", "annual_output", 200),
        ("broiler", "annual_output", 10_000),
        ("layer", "in_stock", 2_000),
        ("meat_duck", "annual_output", 10_000),
        ("laying_duck", "in_stock", 2_000),
        ("goose", "annual_output", 5_000),
        ("rabbit", "annual_output", 5_000),
    ],
)
def test_large_scale_thresholds_are_the_national_ones_from_2025_09_01(loaded, species, basis, min_heads):
    threshold = LivestockThreshold.objects.get(species=species, valid_from=dt.date(2025, 9, 1))
    assert (threshold.basis, threshold.min_heads, threshold.status) == (basis, min_heads, "published")
    # Earlier years are assessed with the same figure, marked provisional until the earlier standard is entered.
    earlier = LivestockThreshold.objects.get(species=species, valid_from=dt.date(2020, 1, 1))
    assert (earlier.basis, earlier.min_heads, earlier.status) == (basis, min_heads, "provisional")


@pytest.mark.parametrize(
    ("species", "heads", "pig_equivalents", "status"),
    [
        ("pig", "1", "1", "published"),
        ("layer", "30", "1", "published"),
        ("broiler", "60", "1", "published"),
        ("dairy_cow", "1", "10", "published"),
        ("beef_cattle", "1", "5", "published"),
        ("sheep_goat", "3", "1", "published"),
        ("meat_duck", "60", "1", "provisional"),
        ("laying_duck", "30", "1", "provisional"),
    ],
)
def test_pig_equivalents_are_gb_18596s(loaded, species, heads, pig_equivalents, status):
    row = PigEquivalent.objects.get(species=species)
    assert (row.heads, row.pig_equivalents, row.status) == (Decimal(heads), Decimal(pig_equivalents), status)


@pytest.mark.parametrize(
    ("group", "method", "summer", "winter", "per_heads"),
    [
        ("pig", "flushing", "3.5", "2.5", 100),
        ("pig", "dry", "1.8", "1.2", 100),
        ("poultry", "flushing", "1.2", "0.8", 1000),
        ("poultry", "dry", "0.7", "0.5", 1000),
        ("cattle", "flushing", "30", "20", 100),
        ("cattle", "dry", "20", "17", 100),
    ],
)
def test_wastewater_coefficients_are_gb_18596s(loaded, group, method, summer, winter, per_heads):
    row = WastewaterCoefficient.objects.get(group=group, method=method)
    assert (row.summer_m3_per_day, row.winter_m3_per_day, row.per_heads, row.status) == (
        Decimal(summer),
        Decimal(winter),
        per_heads,
        "published",
    )


@pytest.mark.parametrize(
    ("key", "value", "status", "valid_from"),
    [
        ("district_monitoring_min_area_mu", "1000", "official", dt.date(2020, 1, 1)),
        ("film_standard_min_thickness_mm", "0.010", "official", dt.date(2018, 5, 1)),
        ("tailwater_treatment_area_min_pct", "6", "published", dt.date(2020, 1, 1)),
        ("tailwater_treatment_area_max_pct", "15", "published", dt.date(2020, 1, 1)),
        ("large_n_rate_warning_kg_per_mu", "40", "provisional", dt.date(2020, 1, 1)),
        ("manure_storage_days", "90", "provisional", dt.date(2020, 1, 1)),
        ("manure_land_capacity_pig_eq_per_mu", "1.4", "provisional", dt.date(2020, 1, 1)),
        ("solid_manure_m3_per_pig_eq_per_day", "0.002", "provisional", dt.date(2020, 1, 1)),
    ],
)
def test_reference_values(loaded, key, value, status, valid_from):
    row = ReferenceValue.objects.get(key=key)
    assert (row.value, row.status, row.valid_from) == (Decimal(value), status, valid_from)


def test_the_film_thickness_is_not_in_force_before_gb_13735_became_mandatory(loaded):
    assert reference_value("film_standard_min_thickness_mm", on=dt.date(2018, 5, 1)) == Decimal("0.010")
    assert not ReferenceValue.objects.filter(
        key="film_standard_min_thickness_mm", valid_from__lte=dt.date(2018, 4, 30)
    ).exists()


@pytest.mark.parametrize(
    ("crop", "ratio"),
    [("soybean", "1.50"), ("rapeseed", "2.87"), ("peanut", "1.14"), ("potato", "0.71"), ("cotton", "2.91")],
)
def test_published_straw_ratios_are_xie_2011s(loaded, crop, ratio):
    row = coefficient(crop, "straw_grain_ratio")
    assert (row.value, row.status) == (Decimal(ratio), "published")
    assert "Xie Guanghui" in row.source


@pytest.mark.parametrize("crop", ["rice", "wheat", "barley", "maize"])
def test_cereal_straw_ratios_are_provisional(loaded, crop):
    assert coefficient(crop, "straw_grain_ratio").status == "provisional"


def test_every_collection_coefficient_is_provisional_and_within_0_8_to_0_9(loaded):
    rows = CropCoefficient.objects.filter(kind="collection_coefficient")
    assert rows.exists()
    assert {row.status for row in rows} == {"provisional"}
    assert all(Decimal("0.8") <= row.value <= Decimal("0.9") for row in rows)


def test_every_crop_with_a_straw_ratio_has_a_collection_coefficient(loaded):
    with_ratio = set(
        CropCoefficient.objects.filter(kind="straw_grain_ratio").values_list("crop__code", flat=True)
    )
    with_collection = set(
        CropCoefficient.objects.filter(kind="collection_coefficient").values_list("crop__code", flat=True)
    )
    assert with_ratio == with_collection


def test_wheat_n_is_the_published_guidance_midpoint_and_rice_n_is_provisional(loaded):
    wheat = coefficient("wheat", "recommended_n_kg_per_mu")
    rice = coefficient("rice", "recommended_n_kg_per_mu")
    # 30-42 kg of 18-15-12 plus 12-17 kg of urea: 11-15 kg N/mu (INDICATORS.md §1).
    assert (wheat.value, wheat.status) == (Decimal("13"), "published")
    assert Decimal("16") <= rice.value <= Decimal("18")
    assert rice.status == "provisional"


@pytest.mark.parametrize(
    "crop", ["rice", "wheat", "vegetables", "watermelon", "citrus", "green_manure", "rapeseed", "maize"]
)
def test_main_crops_have_rates_and_export_coefficients(loaded, crop):
    kinds = set(CropCoefficient.objects.filter(crop__code=crop).values_list("kind", flat=True))
    assert {
        "recommended_n_kg_per_mu",
        "recommended_p2o5_kg_per_mu",
        "export_tn_kg_per_ha",
        "export_tp_kg_per_ha",
    } <= kinds


@pytest.mark.parametrize("crop", ["rice", "wheat", "rapeseed", "maize"])
def test_main_straw_crops_have_a_ratio_and_a_collection_coefficient(loaded, crop):
    kinds = set(CropCoefficient.objects.filter(crop__code=crop).values_list("kind", flat=True))
    assert {"straw_grain_ratio", "collection_coefficient"} <= kinds


@pytest.mark.parametrize("crop", ["rice", "wheat"])
def test_rice_and_wheat_tn_export_is_five_percent_of_the_recommended_n(loaded, crop):
    n_kg_per_ha = coefficient(crop, "recommended_n_kg_per_mu").value * MU_PER_HA
    tn = coefficient(crop, "export_tn_kg_per_ha").value
    assert tn == pytest.approx(n_kg_per_ha * RUNOFF_SHARE_OF_APPLIED_N, abs=Decimal("0.01"))


def test_export_coefficients_are_plausible_and_explain_their_derivation(loaded):
    exports = CropCoefficient.objects.filter(kind__in=["export_tn_kg_per_ha", "export_tp_kg_per_ha"])
    for crop in set(exports.values_list("crop__code", flat=True)):
        tn = coefficient(crop, "export_tn_kg_per_ha").value
        tp = coefficient(crop, "export_tp_kg_per_ha").value
        p_kg_per_ha = coefficient(crop, "recommended_p2o5_kg_per_mu").value * P_PER_P2O5 * MU_PER_HA
        assert 0 < tp < tn < 20, crop
        assert tp == pytest.approx(p_kg_per_ha * RUNOFF_SHARE_OF_APPLIED_N, abs=Decimal("0.01")), crop
    # Unfertilised green manure loses less N than the six-province mean for a whole year.
    assert coefficient("green_manure", "export_tn_kg_per_ha").value < PROVINCES_MEAN_TN_KG_PER_HA_YEAR
    assert {row.status for row in exports} == {"provisional"}
    assert all("derived" in row.source for row in exports)


def test_no_recommended_n_rate_reaches_the_implausible_n_warning(loaded):
    warning = reference_value("large_n_rate_warning_kg_per_mu")
    rates = CropCoefficient.objects.filter(kind="recommended_n_kg_per_mu").values_list("value", flat=True)
    assert max(rates) < warning


def test_every_provisional_figure_says_so_in_its_source(loaded):
    for model in (CropCoefficient, StandardLimit, PigEquivalent, ReferenceValue, Target, Baseline):
        for row in model.objects.filter(status="provisional"):
            assert "provisional" in row.source.lower(), row


def test_reduction_base_years_are_2022_for_the_district_and_marked_provisional(loaded):
    baselines = {(b.kind, b.scope, b.town_id, b.base_year, b.status) for b in Baseline.objects.all()}
    assert baselines == {
        ("fertiliser", "district", None, 2022, "provisional"),
        ("pesticide", "district", None, 2022, "provisional"),
    }
    assert all("provisional" in b.source.lower() for b in Baseline.objects.all())


def test_the_monitoring_threshold_is_readable_through_the_selector(loaded):
    assert reference_value("district_monitoring_min_area_mu", on=dt.date(2027, 1, 1)) == Decimal("1000")
