"""Each advice rule on hand-built records: a case computed by hand, and a case where it does not apply.

No runoff model is active in these tests, so reductions are the export-coefficient fallback's (or none).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from farmadvice.advice import rules
from farmadvice.advice.types import Severity
from farmadvice.registry.models import FarmType
from tests.factories.indicators import facility, fertiliser, film, herd, season, straw, tailwater
from tests.factories.registry import FarmFactory

# --- N above the recommended rate ---------------------------------------------------------------------


@pytest.fixture
def rice(reference):
    """CQ-A: rice on 45 mu (3 ha): 2000 kg of 30 % N compound (600 kg N) and 2000 kg of 15 % N organic
    fertiliser (300 kg N): 900 kg N = 20 kg N/mu, against rice's recommended 17 kg N/mu."""
    rice = season(reference["farm_a"], "rice", area="45")
    fertiliser(rice, kg="2000", n="30", p="10", k="10")
    fertiliser(rice, kg="2000", n="15", organic=True)
    return rice


def test_n_above_the_recommended_rate_is_cut_to_it_with_the_fallback_reduction(rice, world, facts_of):
    """X = 900 kg N / 45 mu = 20 kg N/mu (organic N counts), Y = 17: cut 3 kg N/mu on 45 mu = 135 kg N.
    Fallback TN reduction: 5 % × (300 − 17 × 15 = 255 kg N/ha) × 3 ha = 6.75 kg (2.25 kg/ha), no interval."""
    [rec] = rules.n_above_recommended(facts_of(world["farm_a"]))
    assert (rec.code, rec.subject, rec.severity) == ("n_above_recommended", str(rice.pk), Severity.PRACTICE)
    assert (rec.current, rec.target) == (pytest.approx(20.0), 17.0)
    assert rec.quantity == pytest.approx(135.0)
    assert (rec.tn.kg.value, rec.tn.kg.low, rec.tn.kg.high) == (pytest.approx(6.75), None, None)
    assert rec.tn.kg_per_ha.value == pytest.approx(2.25)
    assert rec.tn.area_ha == pytest.approx(3.0)
    assert rec.tp is None  # cutting N does not cut P
    assert (rec.method.name, rec.method.fallback, rec.method.model_version) == (
        "export_coefficient",
        True,
        "",
    )
    assert [use.name for use in rec.basis] == ["recommended_n_kg_per_mu[rice]", "runoff_share_of_applied_n"]
    assert rec.status == "provisional" and rec.provisional  # rice's rate is provisional
    with translation.override("zh-hans"):
        assert rec.title == "夏季水稻施氮量从每亩 20.0 kg 降到 17.0 kg"
        assert "共施氮 900.0 kg" in rec.text and "少施氮 135.0 kg" in rec.text


def test_n_at_the_recommended_rate_is_not_advised_down(reference, world, facts_of):
    """2556 kg × 30 % = 766.8 kg N / 45 mu = 17.04 kg N/mu, shown as 17.0: no cut "from 17.0 to 17.0"."""
    fertiliser(season(world["farm_a"], "rice", area="45"), kg="2556", n="30")
    assert rules.n_above_recommended(facts_of(world["farm_a"])) == []


def test_a_crop_without_a_recommended_rate_gets_a_note_not_a_guess(reference, world, facts_of):
    """Soybean has no recommended N rate in data/: no N advice, and a note naming the crop."""
    fertiliser(season(world["farm_a"], "soybean", area="10"), kg="1000", n="30")
    facts = facts_of(world["farm_a"])
    assert rules.n_above_recommended(facts) == []
    with translation.override("zh-hans"):
        assert any("大豆没有 2025-12-31 起生效的推荐施氮量" in str(note) for note in facts.notes)


# --- Slow-release fertiliser and side-deep placement ----------------------------------------------------


def test_slow_release_share_below_all_is_advised(reference, world, facts_of):
    """1500 kg + 500 kg slow-release, both 30 % N: 150 of 600 kg chemical N slow-release = 25 %."""
    rice = season(world["farm_a"], "rice", area="45")
    fertiliser(rice, kg="1500", n="30")
    fertiliser(rice, kg="500", n="30", slow_release=True)
    [rec] = rules.slow_release_adoption(facts_of(world["farm_a"]))
    assert (rec.code, rec.subject, rec.current, rec.target) == ("slow_release", str(rice.pk), 25.0, 100.0)
    assert rec.quantity == 45.0  # mu concerned
    # The fallback cannot price a practice: no reduction, flagged, with the reason.
    assert rec.tn is None and rec.tp is None
    assert rec.method.fallback and rec.method.name == "export_coefficient"
    assert str(rec.method.note) == str(rules.NOTE_FALLBACK_PRACTICE)
    assert [use.name for use in rec.basis] == ["action_plan[green_fertilisation]"]


def test_slow_release_is_not_advised_where_all_n_is_slow_release_or_organic(reference, world, facts_of):
    """All chemical N slow-release: nothing to switch. Organic fertiliser only ("two-no" rice): no
    chemical fertiliser to switch either."""
    fertiliser(season(world["farm_a"], "rice", area="45"), kg="2000", n="30", slow_release=True)
    fertiliser(season(world["farm_a"], "wheat", area="45", name="winter"), kg="2000", n="3", organic=True)
    assert rules.slow_release_adoption(facts_of(world["farm_a"])) == []


def test_side_deep_placement_on_part_of_a_grain_crop_is_advised(reference, world, facts_of):
    """Side-deep on 15 of 45 mu of rice = 33.3 % coverage."""
    rice = season(world["farm_a"], "rice", area="45")
    fertiliser(rice, kg="1500", n="30")
    fertiliser(rice, kg="500", n="30", area="15", method="side_deep")
    [rec] = rules.side_deep_adoption(facts_of(world["farm_a"]))
    assert (rec.code, rec.current, rec.target) == ("side_deep", pytest.approx(100 / 3), 100.0)


def test_side_deep_is_not_advised_off_grain_crops_or_where_it_covers_all(reference, world, facts_of):
    """Vegetables are not a crop the side-deep scenario applies to; rice with side-deep on all 45 mu
    already does it."""
    fertiliser(season(world["farm_a"], "vegetables", area="10", name="spring"), kg="500", n="20")
    fertiliser(season(world["farm_a"], "rice", area="45"), kg="1500", n="30", method="side_deep")
    assert rules.side_deep_adoption(facts_of(world["farm_a"])) == []


# --- Straw --------------------------------------------------------------------------------------------


@pytest.fixture
def rice_straw(reference):
    """Rice yielding 27 t: produced 27 t × 1.00 = 27 t, collectable 27 × 0.85 = 22.95 t."""
    return season(reference["farm_a"], "rice", area="45", yield_kg="27000")


def test_straw_below_target_names_the_tonnes_to_move(rice_straw, world, facts_of):
    """10 t returned, 5 t unused: rate 10 / 22.95 = 43.57 % < 96 %; to reach it 0.96 × 22.95 − 10 =
    12.032 t more must be used, more than the 5 t recorded unused, so 12.032 t."""
    straw(rice_straw, "field_return", "10000")
    straw(rice_straw, "unused", "5000")
    [rec] = rules.straw_utilisation(facts_of(world["farm_a"]))
    assert (rec.code, rec.severity, rec.unit) == ("straw_utilisation", Severity.TARGET, "%")
    assert rec.current == pytest.approx(10 / 22.95 * 100)
    assert rec.target == 96.0
    assert rec.quantity == pytest.approx(0.96 * 22.95 - 10)
    assert rec.quantity_unit == "t"
    assert rec.tn is None and rec.method.fallback  # the straw-return scenario needs the model
    names = {use.name for use in rec.basis}
    assert {"straw_grain_ratio[rice]", "collection_coefficient[rice]"} <= names
    assert "target[straw_utilisation_pct][310151][2020]" in names
    with translation.override("zh-hans"):
        assert rec.title == "将 12.0 t 秸秆还田或离田利用"
        assert "有 5.0 t 秸秆记为未利用" in rec.text


def test_unused_straw_is_advised_on_even_above_the_target(rice_straw, world, facts_of):
    """22.5 t returned (98.04 % ≥ 96 %) but 0.45 t left unused: move those 0.45 t."""
    straw(rice_straw, "field_return", "22500")
    straw(rice_straw, "unused", "450")
    [rec] = rules.straw_utilisation(facts_of(world["farm_a"]))
    assert rec.quantity == pytest.approx(0.45)
    assert rec.current == pytest.approx(22.5 / 22.95 * 100)


def test_straw_all_used_gets_no_straw_advice(rice_straw, world, facts_of):
    straw(rice_straw, "field_return", "12000")
    straw(rice_straw, "feed", "10950", off_field=True)
    assert rules.straw_utilisation(facts_of(world["farm_a"])) == []


# --- Mulch film ---------------------------------------------------------------------------------------


@pytest.fixture
def films(reference):
    """Watermelon on CQ-A: 100 kg of 0.008 mm film, 50 kg of 0.012 mm, 20 kg of unknown thickness
    (170 kg), 60 kg recovered."""
    melon = season(reference["farm_a"], "watermelon", area="20")
    film(melon, used="100", thickness="0.008", recovered="60")
    film(melon, used="50", thickness="0.012")
    film(melon, used="20", thickness=None)
    return melon


def test_film_thinner_than_gb_13735_is_a_legal_failure(films, world, facts_of):
    """Thinner than 0.010 mm: 170 − 50 standard − 20 unknown = 100 kg; standard share 50 / 170 = 29.4 %."""
    [rec] = rules.film_standard(facts_of(world["farm_a"]))
    assert (rec.code, rec.severity, rec.quantity, rec.quantity_unit) == (
        "film_standard",
        Severity.LEGAL,
        100.0,
        "kg",
    )
    assert (rec.current, rec.target) == (pytest.approx(50 / 170 * 100), 100.0)
    assert [(use.name, use.status) for use in rec.basis] == [("film_standard_min_thickness_mm", "official")]
    with translation.override("en"):
        assert rec.title == "Use mulch film at least 0.010 mm thick (GB 13735-2017)"


def test_film_recovery_below_target_names_the_kg_to_recover(films, world, facts_of):
    """60 of 170 kg recovered = 35.3 % < 80 %: recover 0.8 × 170 − 60 = 76 kg more."""
    [rec] = rules.film_recovery(facts_of(world["farm_a"]))
    assert (rec.code, rec.severity, rec.quantity, rec.target) == (
        "film_recovery",
        Severity.TARGET,
        pytest.approx(76.0),
        80.0,
    )
    assert rec.current == pytest.approx(60 / 170 * 100)
    assert rec.basis[0].status == "published"


def test_standard_film_recovered_to_target_gets_no_film_advice(reference, world, facts_of):
    """0.010 mm exactly meets GB 13735-2017; 140 of 170 kg recovered = 82.4 % ≥ 80 %."""
    melon = season(world["farm_a"], "watermelon", area="20")
    film(melon, used="170", thickness="0.010", recovered="140")
    facts = facts_of(world["farm_a"])
    assert rules.film_standard(facts) == [] and rules.film_recovery(facts) == []
    assert rules.record_film_thickness(facts) == []


def test_film_of_unknown_thickness_is_to_be_recorded(films, world, facts_of):
    [rec] = rules.record_film_thickness(facts_of(world["farm_a"]))
    assert (rec.code, rec.severity) == ("record_film_thickness", Severity.DATA)
    with translation.override("zh-hans"):
        assert rec.text.startswith("20.0 kg 地膜没有记录厚度")


# --- Manure -------------------------------------------------------------------------------------------


@pytest.fixture
def piggery(reference):
    """A pig farm: 600 in stock, 1000 a year (≥ 500: large-scale), dry collection.
    Needs: liquid 1.8 / 100 × 600 × 90 = 972 m3; solid 600 × 0.002 × 90 = 108 m3; land 600 / 1.4 =
    428.57 mu."""
    farm = FarmFactory(code="CQ-PIG", farm_type=FarmType.LIVESTOCK, town=reference["chengqiao"])
    herd(farm, "pig", stock=600, output=1000, method="dry")
    return farm


def test_each_failing_manure_condition_is_one_recommendation_with_its_shortfall(piggery, facts_of):
    """Has 500 m3 liquid, 200 m3 solid, 300 mu, storage not proofed: seepage, rain and overflow fail;
    liquid short by 972 − 500 = 472 m3; land short by 428.57 − 300 = 128.57 mu; solid and treatment pass."""
    facility(piggery, liquid="500", solid="200", land="300", proof=False)
    found = {rec.code: rec for rec in rules.manure_conditions(facts_of(piggery))}
    assert set(found) == {
        "manure_seepage_proof",
        "manure_rain_proof",
        "manure_overflow_proof",
        "manure_liquid_storage",
        "manure_land",
    }
    liquid = found["manure_liquid_storage"]
    assert (liquid.current, liquid.target, liquid.quantity) == (
        500.0,
        pytest.approx(972.0),
        pytest.approx(472.0),
    )
    assert liquid.unit == "m3" and liquid.severity == Severity.LEGAL
    land = found["manure_land"]
    assert land.quantity == pytest.approx(600 / 1.4 - 300)
    with translation.override("zh-hans"):
        assert liquid.title == "新建或扩建液体粪污贮存设施 472 m3"
        assert land.title == "再落实粪肥消纳用地 129 亩"  # whole numbers from 100 up
    with translation.override("en"):
        assert liquid.title == "Build 472 m3 more liquid manure storage"
        assert found["manure_rain_proof"].title == "Make the manure storage rain-proof"
    names = [use.name for use in liquid.basis]
    assert names[0] == "target[manure_facility_matching_pct][310151][2027]"  # official action plan
    assert {"manure_storage_days", "wastewater_summer[pig/dry]", "large_scale_threshold[pig]"} <= set(names)
    assert liquid.provisional  # the storage days are provisional


def test_matched_or_small_livestock_farms_get_no_manure_advice(piggery, reference, facts_of):
    """Enough of everything, proofed and running: matched. A 200-a-year pig farm is not large-scale."""
    facility(piggery, liquid="1000", solid="200", land="500", proof=True)
    assert rules.manure_conditions(facts_of(piggery)) == []
    small = FarmFactory(code="CQ-SMALL", farm_type=FarmType.LIVESTOCK, town=reference["chengqiao"])
    herd(small, "pig", stock=100, output=200)
    facility(small, liquid="0", proof=False, operating=False)
    assert rules.manure_conditions(facts_of(small)) == []


def test_a_large_scale_farm_without_a_facility_record_is_asked_for_it(piggery, facts_of):
    [rec] = rules.record_livestock(facts_of(piggery))
    assert (rec.code, rec.severity) == ("record_manure_facility", Severity.DATA)
    assert rules.manure_conditions(facts_of(piggery)) == []  # not assessed: nothing to fix yet


def test_a_livestock_farm_without_herds_is_asked_for_them(reference, facts_of):
    farm = FarmFactory(code="CQ-HERD", farm_type=FarmType.LIVESTOCK, town=reference["chengqiao"])
    [rec] = rules.record_livestock(facts_of(farm))
    assert rec.code == "record_herds"
    assert rules.record_livestock(facts_of(reference["farm_a"])) == []  # a crop farm has no herds to record


# --- Tailwater ----------------------------------------------------------------------------------------


@pytest.fixture
def pond(reference):
    """XH-B as an aquaculture farm of 80 mu discharging into general waters (class 2)."""
    farm = reference["farm_b"]
    farm.farm_type, farm.tailwater_class, farm.area_mu = FarmType.AQUACULTURE, "2", 80
    farm.save()
    return farm


def test_each_parameter_above_its_limit_gets_treatment_sized_from_the_culture_area(pond, facts_of):
    """SS 120 > 100 on 1 July; TN 6.1 (1 July) and 5.5 (1 August) > 5; pH 9.5 > 9 on 1 August. Treatment
    area 6-15 % of 80 mu = 4.8-12 mu."""
    tailwater(
        pond,
        dt.date(2025, 7, 1),
        ph="7",
        ss_mg_per_l="120",
        codmn_mg_per_l="20",
        tn_mg_per_l="6.1",
        tp_mg_per_l="0.8",
    )
    tailwater(
        pond,
        dt.date(2025, 8, 1),
        ph="9.5",
        ss_mg_per_l="80",
        codmn_mg_per_l="20",
        tn_mg_per_l="5.5",
        tp_mg_per_l="0.9",
    )
    found = {rec.subject: rec for rec in rules.tailwater_treatment(facts_of(pond))}
    assert set(found) == {"ph", "ss_mg_per_l", "tn_mg_per_l"}
    tn = found["tn_mg_per_l"]
    assert (tn.current, tn.target, tn.unit, tn.severity) == (6.1, 5.0, "mg/L", Severity.LEGAL)
    assert tn.quantity == pytest.approx(4.8) and tn.quantity_unit == "亩"
    assert (found["ph"].current, found["ph"].target, found["ph"].unit) == (9.5, 9.0, "")
    with translation.override("zh-hans"):
        assert tn.title == "针对 TN 超标增设尾水处理：“三池两坝” 4.8–12.0 亩"
        assert tn.text.startswith("2025-07-01 排放口 TN 6.1 mg/L，超过 SC/T 9101-2007 限值 5 mg/L。")
    with translation.override("en"):
        assert tn.title == "Add tailwater treatment for TN: “three ponds, two dams” (三池两坝) of 4.8–12.0 mu"
    names = [use.name for use in tn.basis]
    assert names == [
        "SC/T 9101-2007[2].tn_mg_per_l",
        "target[tailwater_compliance_pct][310151][2027]",
        "tailwater_treatment_area_min_pct",
        "tailwater_treatment_area_max_pct",
    ]
    assert rules.tailwater_measure(facts_of(pond)) == []  # every parameter measured


def test_tailwater_within_limits_needs_no_treatment_and_a_value_at_the_limit_passes(pond, facts_of):
    """TN exactly 5.0 and SS exactly 100 comply (a value at a limit complies)."""
    tailwater(
        pond,
        dt.date(2025, 7, 1),
        ph="6",
        ss_mg_per_l="100",
        codmn_mg_per_l="25",
        tn_mg_per_l="5.0",
        tp_mg_per_l="1.0",
    )
    assert rules.tailwater_treatment(facts_of(pond)) == []


def test_parameters_not_measured_are_to_be_measured(pond, facts_of):
    """TP and CODMn missing from the sample: not a pass; measure them."""
    tailwater(pond, dt.date(2025, 7, 1), ph="7", ss_mg_per_l="30", tn_mg_per_l="2")
    [rec] = rules.tailwater_measure(facts_of(pond))
    assert (rec.code, rec.subject, rec.severity) == (
        "tailwater_measure",
        "codmn_mg_per_l,tp_mg_per_l",
        Severity.DATA,
    )
    with translation.override("zh-hans"):
        assert rec.title == "排放口样品补测 CODMn、TP"
    with translation.override("en"):
        assert rec.title == "Have CODMn, TP measured in every discharge sample"
    assert rules.tailwater_treatment(facts_of(pond)) == []


def test_a_pond_without_samples_or_class_is_asked_for_both(reference, facts_of):
    farm = FarmFactory(code="CQ-POND", farm_type=FarmType.AQUACULTURE, town=reference["chengqiao"])
    codes = [rec.code for rec in rules.record_tailwater(facts_of(farm))]
    assert codes == ["set_tailwater_class", "record_tailwater_samples"]
    assert rules.record_tailwater(facts_of(reference["farm_a"])) == []  # a crop farm discharges no tailwater


# --- Missing data -------------------------------------------------------------------------------------


def test_a_crop_farm_without_seasons_is_asked_to_record_them(reference, world, facts_of):
    [rec] = rules.record_crop_seasons(facts_of(world["farm_a"]))
    assert (rec.code, rec.severity) == ("record_crop_seasons", Severity.DATA)
    with translation.override("zh-hans"):
        assert rec.title == "录入 2025 年的作物茬口"
    fertiliser(season(world["farm_a"], "rice", area="10"), kg="100", n="30")
    assert rules.record_crop_seasons(facts_of(world["farm_a"])) == []


def test_a_season_without_fertiliser_records_is_asked_for_them(reference, world, facts_of):
    wheat = season(world["farm_a"], "wheat", area="30", name="winter")
    fertiliser(season(world["farm_a"], "rice", area="30"), kg="500", n="30")
    [rec] = rules.record_fertiliser(facts_of(world["farm_a"]))
    assert (rec.code, rec.subject) == ("record_fertiliser", str(wheat.pk))
    with translation.override("en"):
        assert rec.title == "Record the fertiliser applications of Wheat (winter)"


def test_straw_crops_without_straw_records_or_yield_are_asked_for_them(reference, world, facts_of):
    """Rice without straw records: record its straw; wheat with a straw record but no yield: record the
    yield; vegetables leave no straw in the ledger: nothing."""
    rice = season(world["farm_a"], "rice", area="30", yield_kg="18000")
    wheat = season(world["farm_a"], "wheat", area="30", name="winter")
    straw(wheat, "field_return", "5000")
    season(world["farm_a"], "vegetables", area="5", name="spring")
    found = {(rec.code, rec.subject) for rec in rules.record_straw(facts_of(world["farm_a"]))}
    assert found == {("record_straw", str(rice.pk)), ("record_yield", str(wheat.pk))}
