"""The indicator formulas, checked against figures computed by hand from INDICATORS.md.

No database and no Django: every figure is worked out in the comment beside it.
"""

import math

import pytest

from farmadvice.indicators.formulas import (
    COEFFICIENT_OUT_OF_RANGE,
    COUNT_EXCEEDS_TOTAL,
    DENSITY_REQUIRED,
    DUPLICATE_LIMIT,
    LAND_SHORT,
    LIMIT_MIN_ABOVE_MAX,
    LIMIT_WITHOUT_BOUND,
    LIQUID_STORAGE_SHORT,
    M2_PER_MU,
    MU_PER_HA,
    NEGATIVE_INPUT,
    NO_WATER_CLASSES,
    NOT_FINITE_INPUT,
    NOT_POSITIVE_INPUT,
    NOT_RAIN_PROOF,
    NUTRIENT_SUM_OVER_100,
    PERCENT_OUT_OF_RANGE,
    PRACTICE_AREA_EXCEEDS_SOWN,
    STANDARD_FILM_EXCEEDS_USED,
    UNKNOWN_STRAW_USE,
    UNKNOWN_UNIT,
    WORSE_THAN_ALL,
    Exceedance,
    FormulaError,
    Limit,
    ManureCheck,
    ManureCondition,
    NutrientKg,
    SampleStatus,
    StrawLedger,
    active_ingredient_kg,
    coverage_pct,
    facility_matching_rate_pct,
    farm_complies,
    film_recovery_pct,
    intensity_kg_per_mu,
    is_large_scale,
    is_standard_film,
    judge_sample,
    kg_per_ha_to_kg_per_mu,
    kg_per_mu_to_kg_per_ha,
    manure_facility_match,
    manure_utilisation_pct,
    monitoring_coverage_pct,
    must_be_monitored,
    net_load_kg,
    per_head,
    pig_equivalents,
    pure_nutrient_kg,
    rate_pct,
    reduction_pct,
    required_land_mu,
    required_storage_m3,
    standard_film_share_pct,
    straw_collectable_t,
    straw_produced_t,
    straw_utilisation,
    tailwater_compliance_pct,
    water_class,
)

# SC/T 9101-2007 class 2 (general waters), INDICATORS.md §7, mg/L; pH unitless.
TAILWATER_CLASS_2 = (
    Limit("SS", max_value=100),
    Limit("CODMn", max_value=25),
    Limit("TN", max_value=5.0),
    Limit("TP", max_value=1.0),
    Limit("pH", min_value=6, max_value=9),
)

# GB 3838-2002 classes III / IV / V, INDICATORS.md §8, mg/L (TP for rivers).
GB3838_CLASSES = (
    (
        "III",
        (
            Limit("CODMn", max_value=6),
            Limit("NH3-N", max_value=1.0),
            Limit("TP", max_value=0.2),
            Limit("TN", max_value=1.0),
        ),
    ),
    (
        "IV",
        (
            Limit("CODMn", max_value=10),
            Limit("NH3-N", max_value=1.5),
            Limit("TP", max_value=0.3),
            Limit("TN", max_value=1.5),
        ),
    ),
    (
        "V",
        (
            Limit("CODMn", max_value=15),
            Limit("NH3-N", max_value=2.0),
            Limit("TP", max_value=0.4),
            Limit("TN", max_value=2.0),
        ),
    ),
)


# --- Errors and the rate helper ---------------------------------------------------------------


def test_formula_error_is_a_value_error_carrying_its_template_params_and_field() -> None:
    """A FormulaError keeps the constant it came from, its parameters and the offending input."""
    with pytest.raises(FormulaError) as caught:
        pure_nutrient_kg(-5, 46, 0, 0)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.template is NEGATIVE_INPUT
    assert error.field == "product_kg"
    assert error.message == "product_kg must be zero or more; got -5."
    assert str(error) == error.message


def test_rate_pct_divides_and_scales_to_percent() -> None:
    """A rate is numerator ÷ denominator × 100."""
    # 1 / 4 × 100 = 25 %
    assert rate_pct(1, 4) == pytest.approx(25.0)


@pytest.mark.parametrize(("numerator", "denominator"), [(0, 0), (3, 0), (5, None), (None, 5)])
def test_rate_pct_without_denominator_or_data_is_missing(
    numerator: float | None, denominator: float | None
) -> None:
    """No denominator or no data gives None, never 0 % or 100 %."""
    assert rate_pct(numerator, denominator) is None


def test_rate_pct_of_zero_over_something_is_a_real_zero() -> None:
    """A numerator of 0 over a real denominator is 0 %, not missing."""
    assert rate_pct(0, 5) == 0.0


def test_rate_pct_refuses_negative_input() -> None:
    """A negative count or mass cannot be part of a rate."""
    with pytest.raises(FormulaError) as caught:
        rate_pct(-1, 4)
    assert caught.value.template is NEGATIVE_INPUT


def test_non_finite_input_raises() -> None:
    """NaN is refused with its own message rather than spreading through the sums."""
    with pytest.raises(FormulaError) as caught:
        intensity_kg_per_mu(math.nan, 10)
    assert caught.value.template is NOT_FINITE_INPUT


# --- Units ------------------------------------------------------------------------------------


def test_unit_constants() -> None:
    """1 ha = 15 mu; 1 mu = 10000 / 15 ≈ 666.67 m2."""
    assert MU_PER_HA == 15
    assert pytest.approx(666.67, abs=0.01) == M2_PER_MU


def test_kg_per_mu_to_kg_per_ha() -> None:
    """kg/ha = kg/mu × 15."""
    # 12 kg N/mu × 15 mu/ha = 180 kg N/ha
    assert kg_per_mu_to_kg_per_ha(12) == pytest.approx(180.0)


def test_kg_per_ha_to_kg_per_mu() -> None:
    """kg/mu = kg/ha ÷ 15."""
    # §9 field runoff 2.4 kg N/ha ÷ 15 = 0.16 kg N/mu
    assert kg_per_ha_to_kg_per_mu(2.4) == pytest.approx(0.16)


# --- §1 Fertiliser ----------------------------------------------------------------------------


def test_pure_nutrient_of_a_compound_keeps_each_nutrient() -> None:
    """Pure nutrient is kg × % / 100 for N, P2O5 and K2O separately, and their sum."""
    # 40 kg of 18-15-12: N 40×18/100 = 7.2, P2O5 40×15/100 = 6.0, K2O 40×12/100 = 4.8; total 18.0
    result = pure_nutrient_kg(40, 18, 15, 12)
    assert result.n_kg == pytest.approx(7.2)
    assert result.p2o5_kg == pytest.approx(6.0)
    assert result.k2o_kg == pytest.approx(4.8)
    assert result.total_kg == pytest.approx(18.0)


def test_pure_nutrient_reproduces_the_wheat_guidance_figure() -> None:
    """§1's 11-15 kg N/mu for wheat follows from compound plus urea topdress."""
    # low: 30 kg 18-15-12 → 30×0.18 = 5.4; 12 kg urea (46 % N) → 12×0.46 = 5.52; 5.4 + 5.52 = 10.92
    low = pure_nutrient_kg(30, 18, 15, 12).n_kg + pure_nutrient_kg(12, 46, 0, 0).n_kg
    # high: 42×0.18 = 7.56; 17×0.46 = 7.82; 7.56 + 7.82 = 15.38
    high = pure_nutrient_kg(42, 18, 15, 12).n_kg + pure_nutrient_kg(17, 46, 0, 0).n_kg
    assert low == pytest.approx(10.92)
    assert high == pytest.approx(15.38)


def test_pure_nutrient_result_is_frozen() -> None:
    """The result is an immutable value."""
    result = pure_nutrient_kg(10, 10, 10, 10)
    assert result == NutrientKg(1.0, 1.0, 1.0)
    with pytest.raises(AttributeError):
        result.n_kg = 2.0  # type: ignore[misc]


def test_nutrient_contents_above_100_pct_in_total_raise() -> None:
    """N% + P2O5% + K2O% > 100 is impossible and is refused."""
    # 50 + 30 + 25 = 105 %
    with pytest.raises(FormulaError) as caught:
        pure_nutrient_kg(10, 50, 30, 25)
    assert caught.value.template is NUTRIENT_SUM_OVER_100
    assert caught.value.params["total_pct"] == pytest.approx(105)


def test_nutrient_contents_of_exactly_100_pct_are_accepted() -> None:
    """A total of 100 %, even as a float sum of label values, is allowed."""
    # 33.3 + 33.3 + 33.4 = 100 (up to float rounding); 10 kg × 100 % = 10 kg
    assert pure_nutrient_kg(10, 33.3, 33.3, 33.4).total_kg == pytest.approx(10.0)


@pytest.mark.parametrize("n_pct", [-1, 100.5])
def test_nutrient_percentage_outside_0_to_100_raises(n_pct: float) -> None:
    """A single content outside [0, 100] is refused."""
    with pytest.raises(FormulaError) as caught:
        pure_nutrient_kg(10, n_pct, 0, 0)
    assert caught.value.template is PERCENT_OUT_OF_RANGE
    assert caught.value.field == "n_pct"


def test_intensity_counts_a_double_cropped_mu_twice() -> None:
    """Intensity is pure nutrient ÷ sown area, with each season's sowing counted."""
    # 50 mu sown twice = 100 mu sown; 1800 kg ÷ 100 mu = 18 kg/mu
    assert intensity_kg_per_mu(1800, 50 + 50) == pytest.approx(18.0)


@pytest.mark.parametrize("sown_area_mu", [0, None])
def test_intensity_without_sown_area_is_missing(sown_area_mu: float | None) -> None:
    """No sown area gives no intensity."""
    assert intensity_kg_per_mu(120, sown_area_mu) is None


def test_reduction_against_baseline() -> None:
    """Reduction is (baseline − intensity) ÷ baseline × 100."""
    # (20 − 18) / 20 × 100 = 10 %
    assert reduction_pct(20, 18) == pytest.approx(10.0)


def test_reduction_is_negative_when_use_went_up() -> None:
    """An increase is reported as a negative reduction."""
    # (20 − 22) / 20 × 100 = −10 %
    assert reduction_pct(20, 22) == pytest.approx(-10.0)


@pytest.mark.parametrize(("baseline", "intensity"), [(None, 18), (0, 18), (20, None)])
def test_reduction_without_baseline_is_missing(baseline: float | None, intensity: float | None) -> None:
    """A missing or zero baseline, or a missing intensity, gives no reduction."""
    assert reduction_pct(baseline, intensity) is None


# --- §2 Pesticide -----------------------------------------------------------------------------


def test_active_ingredient_of_a_product_in_kg() -> None:
    """kg product × a.i. % / 100."""
    # 0.5 kg × 20 % = 0.1 kg a.i.
    assert active_ingredient_kg(0.5, "kg", 20, None) == pytest.approx(0.1)


def test_active_ingredient_in_kg_ignores_density() -> None:
    """A density given for a product in kg changes nothing."""
    # 0.5 kg × 20 % = 0.1 kg a.i., whatever the density
    assert active_ingredient_kg(0.5, "kg", 20, 2.0) == pytest.approx(0.1)


def test_active_ingredient_of_a_liquid_uses_its_density() -> None:
    """L × kg/L turns litres into kg before the a.i. content applies."""
    # 2 L × 1.1 kg/L = 2.2 kg; 2.2 × 40 % = 0.88 kg a.i.
    assert active_ingredient_kg(2, "L", 40, 1.1) == pytest.approx(0.88)


def test_active_ingredient_of_a_liquid_without_density_raises() -> None:
    """A product in L without a density is refused, not read as kg."""
    with pytest.raises(FormulaError) as caught:
        active_ingredient_kg(2, "L", 40, None)
    assert caught.value.template is DENSITY_REQUIRED
    assert caught.value.field == "density_kg_per_l"


def test_active_ingredient_with_zero_density_raises() -> None:
    """A density must be positive."""
    with pytest.raises(FormulaError) as caught:
        active_ingredient_kg(2, "L", 40, 0)
    assert caught.value.template is NOT_POSITIVE_INPUT


def test_active_ingredient_with_unknown_unit_raises() -> None:
    """Only kg and L are units of a pesticide amount."""
    with pytest.raises(FormulaError) as caught:
        active_ingredient_kg(2, "ml", 40, 1.0)  # type: ignore[arg-type]
    assert caught.value.template is UNKNOWN_UNIT


def test_active_ingredient_content_above_100_pct_raises() -> None:
    """An a.i. content above 100 % is refused."""
    with pytest.raises(FormulaError) as caught:
        active_ingredient_kg(1, "kg", 120, None)
    assert caught.value.template is PERCENT_OUT_OF_RANGE


def test_pesticide_intensity_and_reduction_reuse_section_1() -> None:
    """§2 intensity and reduction are computed exactly as in §1."""
    # 0.88 kg a.i. ÷ 4 mu = 0.22 kg a.i./mu; baseline 0.25 → (0.25 − 0.22) / 0.25 × 100 = 12 %
    intensity = intensity_kg_per_mu(active_ingredient_kg(2, "L", 40, 1.1), 4)
    assert intensity == pytest.approx(0.22)
    assert reduction_pct(0.25, intensity) == pytest.approx(12.0)


# --- §3 Coverage ------------------------------------------------------------------------------


def test_coverage_of_a_practice() -> None:
    """Coverage is practice area ÷ sown area × 100."""
    # 60 mu side-deep placement of 80 mu sown = 75 %
    assert coverage_pct(60, 80) == pytest.approx(75.0)


def test_coverage_of_the_whole_sown_area_is_100() -> None:
    """A practice on all the sown area is 100 %."""
    assert coverage_pct(80, 80) == pytest.approx(100.0)


@pytest.mark.parametrize("sown_area_mu", [0, None])
def test_coverage_without_sown_area_is_missing(sown_area_mu: float | None) -> None:
    """No sown area gives no coverage."""
    assert coverage_pct(0, sown_area_mu) is None


def test_practice_area_above_sown_area_raises() -> None:
    """The practice cannot cover more than was sown."""
    with pytest.raises(FormulaError) as caught:
        coverage_pct(81, 80)
    assert caught.value.template is PRACTICE_AREA_EXCEEDS_SOWN
    assert caught.value.message == (
        "The area under the practice (81 mu) cannot exceed the sown area (80 mu); check both areas."
    )


def test_coverage_tolerates_float_noise_in_summed_areas() -> None:
    """Plot areas summed in floating point (0.1 + 0.2 = 0.30000000000000004) equal 0.3 mu sown."""
    assert coverage_pct(0.1 + 0.2, 0.3) == pytest.approx(100.0)


# --- §4 Straw ---------------------------------------------------------------------------------


def test_straw_produced_from_grain_and_ratio() -> None:
    """Produced = grain yield × straw-to-grain ratio."""
    # soybean, published ratio 1.50: 4 t × 1.50 = 6 t
    assert straw_produced_t(4, 1.50) == pytest.approx(6.0)


def test_straw_collectable_from_coefficient() -> None:
    """Collectable = produced × collection coefficient."""
    # 25 t × 0.8 = 20 t
    assert straw_collectable_t(25, 0.8) == pytest.approx(20.0)


@pytest.mark.parametrize("coefficient", [0, 1])
def test_collection_coefficient_bounds_are_allowed(coefficient: float) -> None:
    """0 and 1 lie in [0, 1]."""
    assert straw_collectable_t(10, coefficient) == pytest.approx(10 * coefficient)


@pytest.mark.parametrize("coefficient", [-0.1, 1.2])
def test_collection_coefficient_outside_0_to_1_raises(coefficient: float) -> None:
    """A coefficient outside [0, 1] is refused."""
    with pytest.raises(FormulaError) as caught:
        straw_collectable_t(10, coefficient)
    assert caught.value.template is COEFFICIENT_OUT_OF_RANGE


def test_straw_utilisation_counts_the_five_uses_and_not_unused() -> None:
    """Utilised is the sum of the uses; unused straw is left out; rates are over collectable."""
    result = straw_utilisation(20, {"field_return": 12, "feed": 3, "fuel": 2, "unused": 2, "burned": 1})
    # utilised = 12 + 3 + 2 = 17 t; 17 / 20 × 100 = 85 %; field return 12 / 20 × 100 = 60 %
    assert result.utilised_t == pytest.approx(17.0)
    assert result.utilisation_rate_pct == pytest.approx(85.0)
    assert result.field_return_t == pytest.approx(12.0)
    assert result.field_return_rate_pct == pytest.approx(60.0)
    assert result.over_collectable is False


def test_straw_utilisation_counts_every_utilised_use() -> None:
    """All six keys (field return plus the five uses) count."""
    uses = {
        "field_return": 1,
        "fertiliser": 2,
        "feed": 3,
        "fuel": 4,
        "substrate": 5,
        "raw_material": 6,
    }
    # 1 + 2 + 3 + 4 + 5 + 6 = 21 t of 30 t collectable = 70 %
    result = straw_utilisation(30, uses)
    assert result.utilised_t == pytest.approx(21.0)
    assert result.utilisation_rate_pct == pytest.approx(70.0)


def test_utilised_straw_above_collectable_is_flagged_not_capped() -> None:
    """Straw stored from last year can make utilised exceed collectable: flagged, rate above 100 %."""
    # 8 + 4 = 12 t utilised of 10 t collectable = 120 %
    result = straw_utilisation(10, {"field_return": 8, "fertiliser": 4})
    assert result.over_collectable is True
    assert result.utilisation_rate_pct == pytest.approx(120.0)


def test_utilised_straw_equal_to_collectable_is_not_flagged() -> None:
    """Exactly all the collectable straw used is 100 % and no flag."""
    result = straw_utilisation(10, {"feed": 10})
    assert result.over_collectable is False
    assert result.utilisation_rate_pct == pytest.approx(100.0)


def test_straw_utilisation_with_nothing_collectable_is_missing() -> None:
    """No collectable straw gives no rate."""
    result = straw_utilisation(0, {})
    assert result.utilisation_rate_pct is None
    assert result.field_return_rate_pct is None
    assert result.over_collectable is False


def test_unknown_straw_use_raises() -> None:
    """A use outside the ledger's list is refused rather than silently dropped."""
    with pytest.raises(FormulaError) as caught:
        straw_utilisation(10, {"landfill": 1})
    assert caught.value.template is UNKNOWN_STRAW_USE
    assert caught.value.params["use"] == "landfill"


def test_negative_straw_use_raises() -> None:
    """Tonnes of a use cannot be negative."""
    with pytest.raises(FormulaError) as caught:
        straw_utilisation(10, {"feed": -1})
    assert caught.value.template is NEGATIVE_INPUT


def test_straw_ledger_row_chains_produced_collectable_and_rate() -> None:
    """A ledger row computes produced, collectable and utilisation from its own figures."""
    uses = {"field_return": 12, "feed": 3, "fuel": 2}
    ledger = StrawLedger(grain_yield_t=10, straw_grain_ratio=2.5, collection_coefficient=0.8, uses_t=uses)
    # produced 10 × 2.5 = 25 t; collectable 25 × 0.8 = 20 t; utilised 17 t → 85 %
    assert ledger.produced_t == pytest.approx(25.0)
    assert ledger.collectable_t == pytest.approx(20.0)
    assert ledger.utilisation().utilisation_rate_pct == pytest.approx(85.0)
    uses["feed"] = 100
    assert ledger.uses_t["feed"] == 3


def test_straw_ledger_row_is_validated_on_construction() -> None:
    """A bad coefficient is refused when the row is built, not later."""
    with pytest.raises(FormulaError) as caught:
        StrawLedger(grain_yield_t=10, straw_grain_ratio=2.5, collection_coefficient=1.5)
    assert caught.value.template is COEFFICIENT_OUT_OF_RANGE


# --- §5 Mulch film ----------------------------------------------------------------------------


def test_film_exactly_at_the_minimum_thickness_is_standard() -> None:
    """GB 13735-2017: thickness ≥ 0.010 mm; exactly 0.010 meets it, 0.008 does not."""
    assert is_standard_film(0.010, 0.010) is True
    assert is_standard_film(0.008, 0.010) is False


def test_standard_film_share() -> None:
    """Standard share is standard kg ÷ used kg × 100."""
    # 850 / 1000 × 100 = 85 %
    assert standard_film_share_pct(850, 1000) == pytest.approx(85.0)


def test_standard_film_share_without_use_is_missing() -> None:
    """No film used gives no share."""
    assert standard_film_share_pct(0, 0) is None


def test_standard_film_above_used_raises() -> None:
    """Standard film is part of the film used and cannot exceed it."""
    with pytest.raises(FormulaError) as caught:
        standard_film_share_pct(1100, 1000)
    assert caught.value.template is STANDARD_FILM_EXCEEDS_USED


def test_film_recovery_rate() -> None:
    """Recovery is recovered kg ÷ used kg × 100."""
    # 820 / 1000 × 100 = 82 %
    result = film_recovery_pct(820, 1000)
    assert result.recovery_rate_pct == pytest.approx(82.0)
    assert result.over_used is False


def test_film_recovered_above_used_is_flagged_not_capped() -> None:
    """Old film recovered this year can exceed the use: flagged, rate above 100 %."""
    # 1100 / 1000 × 100 = 110 %
    result = film_recovery_pct(1100, 1000)
    assert result.recovery_rate_pct == pytest.approx(110.0)
    assert result.over_used is True


def test_film_recovery_without_use_is_missing() -> None:
    """No film used gives no rate (but recovered old film is still flagged)."""
    result = film_recovery_pct(50, 0)
    assert result.recovery_rate_pct is None
    assert result.over_used is True


# --- §6 Livestock manure ----------------------------------------------------------------------


def test_pig_farm_just_below_the_threshold_is_not_large_scale() -> None:
    """499 pigs a year against a threshold of 500 is not large-scale."""
    assert is_large_scale(499, 500) is False


def test_pig_farm_exactly_at_the_threshold_is_large_scale() -> None:
    """500 pigs a year against a threshold of 500 is large-scale."""
    assert is_large_scale(500, 500) is True


def test_large_scale_threshold_must_be_positive() -> None:
    """A zero threshold would make every farm large-scale and is refused."""
    with pytest.raises(FormulaError) as caught:
        is_large_scale(10, 0)
    assert caught.value.template is NOT_POSITIVE_INPUT


@pytest.mark.parametrize(
    ("heads", "heads_per_unit", "per_unit", "expected"),
    [
        (600, 30, 1, 20.0),  # 30 layers = 1 pig: 600 / 30 × 1 = 20
        (600, 60, 1, 10.0),  # 60 broilers = 1 pig: 600 / 60 × 1 = 10
        (12, 1, 10, 120.0),  # 1 dairy cow = 10 pigs: 12 / 1 × 10 = 120
        (40, 1, 5, 200.0),  # 1 beef cattle = 5 pigs: 40 / 1 × 5 = 200
        (90, 3, 1, 30.0),  # 3 sheep = 1 pig: 90 / 3 × 1 = 30
    ],
)
def test_pig_equivalents(heads: float, heads_per_unit: float, per_unit: float, expected: float) -> None:
    """Pig equivalents follow GB 18596's conversions."""
    assert pig_equivalents(heads, heads_per_unit, per_unit) == pytest.approx(expected)


def test_per_head_coefficient_from_per_100_pigs() -> None:
    """A coefficient per 100 pigs becomes per pig by dividing by 100."""
    # 3.5 m3 / 100 pigs / day = 0.035 m3 per pig per day
    assert per_head(3.5, 100) == pytest.approx(0.035)


def test_required_storage_summer_flushing() -> None:
    """Required m3 = per head per day × heads × days."""
    # 3.5 m3/100 pigs/day summer flushing: 0.035 × 600 pigs × 30 days = 630 m3
    assert required_storage_m3(per_head(3.5, 100), 600, 30) == pytest.approx(630.0)


def test_required_storage_poultry_dry_collection() -> None:
    """Poultry coefficients are per 1000 birds."""
    # 0.7 m3/1000 birds/day summer dry collection: 0.0007 × 20000 × 60 days = 840 m3
    assert required_storage_m3(per_head(0.7, 1000), 20000, 60) == pytest.approx(840.0)


def test_required_land() -> None:
    """Required land = pig equivalents ÷ carrying capacity per mu."""
    # 600 pig equivalents ÷ 2 per mu = 300 mu
    assert required_land_mu(600, 2) == pytest.approx(300.0)


def _pig_farm(**changes: object) -> ManureCheck:
    # 600 pigs: liquid 0.035 × 600 × 30 = 630 m3; land 600 ÷ 2 pig eq/mu = 300 mu
    figures: dict[str, object] = {
        "seepage_proof": True,
        "rain_proof": True,
        "overflow_proof": True,
        "liquid_storage_m3": 630.0,
        "required_liquid_storage_m3": required_storage_m3(per_head(3.5, 100), 600, 30),
        "solid_storage_m3": 40.0,
        "required_solid_storage_m3": 36.0,
        "treatment_in_operation": True,
        "land_mu": 300.0,
        "pig_equivalents": 600.0,
        "carrying_capacity_pig_eq_per_mu": 2.0,
    }
    figures.update(changes)
    return ManureCheck(**figures)  # type: ignore[arg-type]


def test_farm_meeting_every_condition_exactly_is_matched() -> None:
    """Storage and land exactly at their requirement pass."""
    result = manure_facility_match(_pig_farm())
    assert result.matched is True
    assert result.failures == ()


def test_liquid_storage_short_by_120_m3() -> None:
    """The failure names the condition and the hand-computed shortfall."""
    # required 0.035 × 600 × 30 = 630 m3; built 510 m3 → short by 630 − 510 = 120 m3
    result = manure_facility_match(_pig_farm(liquid_storage_m3=510.0))
    assert result.matched is False
    (failure,) = result.failures
    assert failure.condition is ManureCondition.LIQUID_STORAGE
    assert failure.template is LIQUID_STORAGE_SHORT
    assert failure.shortfall == pytest.approx(120.0)
    assert failure.unit == "m3"
    assert failure.required == pytest.approx(630.0)
    assert failure.actual == pytest.approx(510.0)
    assert failure.message == "liquid storage short by 120 m3 (needs 630, has 510)"


def test_land_short_by_50_mu() -> None:
    """Land below what the manure needs fails with its shortfall in mu."""
    # required 600 ÷ 2 = 300 mu; 250 mu available → short by 50 mu
    (failure,) = manure_facility_match(_pig_farm(land_mu=250.0)).failures
    assert failure.condition is ManureCondition.LAND
    assert failure.template is LAND_SHORT
    assert failure.shortfall == pytest.approx(50.0)
    assert failure.unit == "mu"
    assert failure.message == "land for application short by 50 mu (needs 300, has 250)"


def test_every_failing_condition_is_reported_in_order() -> None:
    """Several failures are all named, in the order of §6."""
    result = manure_facility_match(
        _pig_farm(
            rain_proof=False,
            treatment_in_operation=False,
            solid_storage_m3=30.5,
        )
    )
    assert [failure.condition for failure in result.failures] == [
        ManureCondition.RAIN_PROOF,
        ManureCondition.SOLID_STORAGE,
        ManureCondition.TREATMENT_IN_OPERATION,
    ]
    rain, solid, _ = result.failures
    assert rain.message == NOT_RAIN_PROOF
    assert rain.shortfall is None
    # 36 − 30.5 = 5.5 m3
    assert solid.shortfall == pytest.approx(5.5)
    assert solid.message == "solid storage short by 5.5 m3 (needs 36, has 30.5)"


def test_manure_check_refuses_a_zero_carrying_capacity() -> None:
    """A carrying capacity of 0 pig equivalents per mu cannot size land."""
    with pytest.raises(FormulaError) as caught:
        manure_facility_match(_pig_farm(carrying_capacity_pig_eq_per_mu=0.0))
    assert caught.value.template is NOT_POSITIVE_INPUT


def test_facility_matching_rate() -> None:
    """Matching rate = matched large-scale farms ÷ large-scale farms × 100."""
    # 9 / 12 × 100 = 75 %
    assert facility_matching_rate_pct(9, 12) == pytest.approx(75.0)


def test_facility_matching_rate_without_large_scale_farms_is_missing() -> None:
    """No large-scale farm gives no rate."""
    assert facility_matching_rate_pct(0, 0) is None


def test_more_matched_farms_than_large_scale_farms_raises() -> None:
    """Matched farms are a subset of the large-scale farms."""
    with pytest.raises(FormulaError) as caught:
        facility_matching_rate_pct(13, 12)
    assert caught.value.template is COUNT_EXCEEDS_TOTAL


def test_manure_utilisation_rate() -> None:
    """Manure utilisation = utilised ÷ produced × 100."""
    # 780 / 1000 × 100 = 78 %
    assert manure_utilisation_pct(780, 1000) == pytest.approx(78.0)


def test_manure_utilisation_without_production_is_missing() -> None:
    """No manure produced gives no rate."""
    assert manure_utilisation_pct(0, 0) is None


# --- §7 Aquaculture tailwater -----------------------------------------------------------------


def test_sample_with_values_exactly_at_the_limits_complies() -> None:
    """A value exactly at a limit complies, at a maximum (TN 5.0) and at a range bound (pH 9)."""
    values = {"SS": 100, "CODMn": 20, "TN": 5.0, "TP": 0.8, "pH": 9}
    result = judge_sample(values, TAILWATER_CLASS_2)
    assert result.complies is True
    assert result.exceedances == ()
    assert set(result.statuses.values()) == {SampleStatus.PASS}


def test_sample_above_a_limit_fails_with_its_excess() -> None:
    """A value above its maximum fails and is reported with how far above."""
    # TP 1.2 against 1.0 → excess 1.2 − 1.0 = 0.2 mg/L
    values = {"SS": 40, "CODMn": 20, "TN": 4.0, "TP": 1.2, "pH": 7.5}
    result = judge_sample(values, TAILWATER_CLASS_2)
    assert result.complies is False
    assert result.statuses["TP"] == "fail"
    (exceedance,) = result.exceedances
    assert exceedance.parameter == "TP"
    assert exceedance.value == pytest.approx(1.2)
    assert exceedance.limit == pytest.approx(1.0)
    assert exceedance.excess == pytest.approx(0.2)
    assert exceedance.bound == "max"


def test_ph_below_its_range_fails() -> None:
    """pH below 6 fails on the minimum."""
    # pH 5.5 against 6 → 0.5 below
    result = judge_sample({"SS": 40, "CODMn": 20, "TN": 4.0, "TP": 0.5, "pH": 5.5}, TAILWATER_CLASS_2)
    assert result.complies is False
    assert result.exceedances == (Exceedance("pH", 5.5, 6.0, 0.5, "min"),)


def test_not_measured_parameter_is_not_a_pass() -> None:
    """A sample with all measured values within limits but TN missing is incomplete, not compliant."""
    values = {"SS": 40, "CODMn": 20, "TN": None, "TP": 0.5}  # TN None, pH absent
    result = judge_sample(values, TAILWATER_CLASS_2)
    assert result.complies is None
    assert result.statuses["TN"] == "not_measured"
    assert result.statuses["pH"] == "not_measured"
    assert result.not_measured == ("TN", "pH")


def test_a_failure_outweighs_not_measured_parameters() -> None:
    """One failure makes the sample fail even when other parameters are missing."""
    result = judge_sample({"TP": 1.5}, TAILWATER_CLASS_2)
    assert result.complies is False


def test_parameters_without_a_limit_are_ignored() -> None:
    """A measured parameter the standard does not limit does not affect the judgement."""
    values = {"SS": 40, "CODMn": 20, "TN": 4.0, "TP": 0.5, "pH": 7, "DO": 1.0}
    result = judge_sample(values, TAILWATER_CLASS_2)
    assert result.complies is True
    assert "DO" not in result.statuses


def test_sample_with_no_limits_is_not_judged() -> None:
    """Nothing to judge against gives None."""
    assert judge_sample({"TP": 0.5}, ()).complies is None


def test_negative_concentration_raises() -> None:
    """A measured concentration cannot be negative."""
    with pytest.raises(FormulaError) as caught:
        judge_sample({"TP": -0.1}, TAILWATER_CLASS_2)
    assert caught.value.template is NEGATIVE_INPUT


def test_limit_needs_a_bound() -> None:
    """A limit with neither bound is refused."""
    with pytest.raises(FormulaError) as caught:
        Limit("TP")
    assert caught.value.template is LIMIT_WITHOUT_BOUND


def test_limit_minimum_above_maximum_raises() -> None:
    """A range whose minimum is above its maximum is refused."""
    with pytest.raises(FormulaError) as caught:
        Limit("pH", min_value=9, max_value=6)
    assert caught.value.template is LIMIT_MIN_ABOVE_MAX


def test_duplicate_limits_for_one_parameter_raise() -> None:
    """Two limits for one parameter are ambiguous and refused."""
    with pytest.raises(FormulaError) as caught:
        judge_sample({"pH": 7}, (Limit("pH", min_value=6), Limit("pH", max_value=9)))
    assert caught.value.template is DUPLICATE_LIMIT


@pytest.mark.parametrize(
    ("sample_results", "expected"),
    [
        ([True, True], True),
        ([True, False, None], False),
        ([True, None], None),
        ([], None),
    ],
)
def test_farm_complies_when_all_its_samples_comply(
    sample_results: list[bool | None], expected: bool | None
) -> None:
    """Any failing sample fails the farm; all complying passes; otherwise not known."""
    assert farm_complies(sample_results) is expected


def test_tailwater_compliance_rate() -> None:
    """Compliance = complying farms ÷ sampled farms × 100."""
    # 17 / 20 × 100 = 85 %
    assert tailwater_compliance_pct(17, 20) == pytest.approx(85.0)


def test_tailwater_compliance_without_sampled_farms_is_missing() -> None:
    """No sampled farm gives no rate."""
    assert tailwater_compliance_pct(0, 0) is None


def test_more_complying_than_sampled_farms_raises() -> None:
    """Complying farms are a subset of the sampled farms."""
    with pytest.raises(FormulaError) as caught:
        tailwater_compliance_pct(21, 20)
    assert caught.value.template is COUNT_EXCEEDS_TOTAL


def test_monitoring_coverage() -> None:
    """Coverage = sampled ÷ all that must be sampled × 100."""
    # 20 / 25 × 100 = 80 %
    assert monitoring_coverage_pct(20, 25) == pytest.approx(80.0)


def test_monitoring_coverage_with_nothing_to_monitor_is_missing() -> None:
    """No farm or district to monitor gives no coverage."""
    assert monitoring_coverage_pct(0, 0) is None


# --- §8 Irrigation districts ------------------------------------------------------------------


def test_net_load_of_an_event() -> None:
    """Net load = (C_out × V_out − C_in × V_in) / 1000, kg."""
    # TN: 2.0 mg/L × 50,000 m3 = 100,000 g out; 1.5 mg/L × 40,000 m3 = 60,000 g in;
    # (100,000 − 60,000) / 1000 = 40 kg
    assert net_load_kg(2.0, 50_000, 1.5, 40_000) == pytest.approx(40.0)


def test_negative_net_load_is_reported_as_it_is() -> None:
    """A district that cleaned the water has a negative net load."""
    # 1.0 × 30,000 = 30,000 g out; 2.0 × 40,000 = 80,000 g in; (30,000 − 80,000) / 1000 = −50 kg
    assert net_load_kg(1.0, 30_000, 2.0, 40_000) == pytest.approx(-50.0)


def test_negative_concentration_in_net_load_raises() -> None:
    """Concentrations and volumes cannot be negative, even though the load can."""
    with pytest.raises(FormulaError) as caught:
        net_load_kg(-1.0, 30_000, 2.0, 40_000)
    assert caught.value.template is NEGATIVE_INPUT


def test_net_load_per_mu() -> None:
    """Load per mu is the load ÷ district area, like an intensity."""
    # 40 kg ÷ 1250 mu = 0.032 kg/mu
    assert intensity_kg_per_mu(net_load_kg(2.0, 50_000, 1.5, 40_000), 1250) == pytest.approx(0.032)


def test_district_of_exactly_1000_mu_must_be_monitored() -> None:
    """1000 mu or more must be monitored."""
    assert must_be_monitored(1000, 1000) is True


def test_district_just_below_1000_mu_need_not_be_monitored() -> None:
    """999.9 mu is below the threshold."""
    assert must_be_monitored(999.9, 1000) is False


def test_water_class_is_the_best_class_whose_limits_hold() -> None:
    """TP and TN above class III but within class IV give class IV."""
    # TP 0.25 > 0.2 (III), ≤ 0.3 (IV); TN 1.2 > 1.0 (III), ≤ 1.5 (IV); CODMn 5 and NH3-N 0.8 are III
    values = {"CODMn": 5, "NH3-N": 0.8, "TP": 0.25, "TN": 1.2}
    assert water_class(values, GB3838_CLASSES) == "IV"


def test_water_class_at_a_limit_is_that_class() -> None:
    """TN exactly 2.0 is class V, not worse."""
    values = {"CODMn": 5, "NH3-N": 0.8, "TP": 0.1, "TN": 2.0}
    assert water_class(values, GB3838_CLASSES) == "V"


def test_water_worse_than_every_class_is_worse_than_v() -> None:
    """TN 2.5 > 2.0 (V) gives 劣V."""
    values = {"CODMn": 5, "NH3-N": 0.8, "TP": 0.1, "TN": 2.5}
    assert water_class(values, GB3838_CLASSES) == WORSE_THAN_ALL == "劣V"


def test_water_class_rests_on_the_parameters_measured() -> None:
    """Only TP measured, 0.1 ≤ 0.2, gives class III on that parameter."""
    assert water_class({"TP": 0.1, "TN": None}, GB3838_CLASSES) == "III"


def test_water_class_with_nothing_measured_is_missing() -> None:
    """No limited parameter measured gives no class."""
    assert water_class({"TN": None, "DO": 6.0}, GB3838_CLASSES) is None


def test_water_class_needs_classes() -> None:
    """An empty list of classes is refused."""
    with pytest.raises(FormulaError) as caught:
        water_class({"TN": 1.0}, ())
    assert caught.value.template is NO_WATER_CLASSES
