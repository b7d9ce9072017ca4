"""The indicator queries over the database, against figures worked out by hand from INDICATORS.md.

Reference figures are data/*.csv as `load_reference` loads them (for 2025: rice straw-to-grain ratio
1.00 and collection coefficient 0.85, both provisional; storage 90 days, land 1.4 pig eq/mu and solid
manure 0.002 m3 per pig eq per day, provisional; pig dry collection 1.8 m3 per 100 pigs per day in
summer, flushing 3.5; sheep 3 = 1 pig; SC/T 9101 class 2: SS 100, CODMn 25, TN 5.0, TP 1.0, pH 6-9;
GB 3838 classes III/IV/V; film 0.010 mm; districts of 1000 mu). The district's base years are a
configuration choice, so the reduction tests set them (2021) themselves. Every expected figure has its
arithmetic beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pytest

from farmadvice.core.errors import ApplicationError, NotFound, PermissionDenied
from farmadvice.indicators import formulas
from farmadvice.indicators import queries as q
from farmadvice.indicators.models import Baseline
from farmadvice.indicators.queries.common import SYSTEM_READER
from farmadvice.indicators.queries.tailwater import (
    PARAMETERS,
    judge_matrix,
    limit_arrays,
    verdicts,
)
from farmadvice.indicators.reference import MSG_CROP_COEFFICIENT_MISSING, reference_date
from farmadvice.registry.models import FarmType
from tests.factories.indicators import (
    facility,
    fertiliser,
    film,
    herd,
    load_reference,
    pesticide,
    season,
    straw,
    tailwater,
    water,
)
from tests.factories.registry import FarmFactory, IrrigationDistrictFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
CHENGQIAO, XINHE, BAOZHEN, DISTRICT = "310151100", "310151102", "310151101", "310151"


@pytest.fixture
def ref(world):
    load_reference()
    return world


def value(frame: q.IndicatorFrame, code: str):
    row = frame.row(code)
    assert row is not None, f"no row {code}"
    return row["value"]


def rows(indicator, scope, **kwargs):
    return getattr(q, indicator)(user=SYSTEM_READER, year=YEAR, scope=scope, **kwargs)


# --- §1 Fertiliser --------------------------------------------------------------------------------


@pytest.fixture
def fertilised(ref):
    district = IrrigationDistrictFactory(code="ID-1")
    farm_a, farm_b = ref["farm_a"], ref["farm_b"]
    farm_a.irrigation_district = district
    farm_a.save()
    rice = season(farm_a, "rice", area="50")
    season(farm_a, "wheat", area="30", name="winter")  # sown, no fertiliser: counts in the area
    fertiliser(rice, kg="1000", n="18", p="15", k="12")  # 180 N + 150 P2O5 + 120 K2O = 450 kg
    fertiliser(rice, kg="300", n="46", product="尿素")  # 138 N
    fertiliser(rice, kg="1000", n="2", p="1", k="1", organic=True)  # organic: 20 + 10 + 10, kept apart
    fertiliser(season(farm_b, "rice", area="10"), kg="100", n="46")  # 46 N
    return ref


def test_fertiliser_intensity_per_farm_keeps_each_nutrient(fertilised):
    """Chemical pure nutrient ÷ sown area of all the farm's seasons (a second season counts)."""
    frame = rows("fertiliser_intensity", "farm")
    farm_a = frame.row("CQ-A")
    # (450 + 138) kg ÷ (50 + 30) mu = 588 / 80 = 7.35 kg/mu
    assert farm_a["value"] == pytest.approx(7.35)
    assert farm_a["n_kg"] == pytest.approx(318)  # 180 + 138
    assert farm_a["n_kg_per_mu"] == pytest.approx(3.975)  # 318 / 80
    assert farm_a["p2o5_kg_per_mu"] == pytest.approx(1.875)  # 150 / 80
    assert farm_a["k2o_kg_per_mu"] == pytest.approx(1.5)  # 120 / 80
    assert farm_a["organic_n_kg"] == pytest.approx(20)  # 1000 × 2 %, not in the intensity
    assert farm_a["seasons"] == 2
    assert value(frame, "XH-B") == pytest.approx(4.6)  # 46 / 10


def test_fertiliser_intensity_per_town_district_and_irrigation_district(fertilised):
    """The same sums grouped by town, irrigation district, and for the whole district."""
    assert value(rows("fertiliser_intensity", "town"), CHENGQIAO) == pytest.approx(7.35)
    assert value(rows("fertiliser_intensity", "town"), XINHE) == pytest.approx(4.6)
    # (588 + 46) / (80 + 10) = 634 / 90
    assert value(rows("fertiliser_intensity", "district"), DISTRICT) == pytest.approx(634 / 90)
    assert value(rows("fertiliser_intensity", "irrigation_district"), "ID-1") == pytest.approx(7.35)


def test_a_town_without_data_is_missing_not_zero(fertilised):
    """Baozhen has no crop season: its row is there, its value None."""
    frame = rows("fertiliser_intensity", "town")
    assert value(frame, BAOZHEN) is None
    assert frame.row(BAOZHEN)["sown_area_mu"] is None


def test_the_town_filter_narrows_the_farms(fertilised):
    frame = rows("fertiliser_intensity", "farm", town="Xinhe")
    assert list(frame.frame["scope_code"]) == ["XH-B"]


# --- §1-2 Reduction --------------------------------------------------------------------------------


BASE_YEAR_SOURCE = {"source": "tests", "status": "provisional", "valid_from": dt.date(2020, 1, 1)}


def district_base_year(year: int) -> None:
    Baseline.objects.filter(scope="district").update(base_year=year)


@pytest.fixture
def reductions(fertilised):
    district_base_year(2021)
    chengqiao = fertilised["chengqiao"]
    farm_c = FarmFactory(code="CQ-C", town=chengqiao)
    Baseline.objects.create(
        kind="fertiliser", scope="town", town=chengqiao, base_year=2022, **BASE_YEAR_SOURCE
    )
    Baseline.objects.create(
        kind="fertiliser", scope="farm", farm=fertilised["farm_b"], base_year=2023, **BASE_YEAR_SOURCE
    )
    fertiliser(season(farm_c, area="20", year=2022), kg="400", n="15", p="15", k="15")  # 180 kg: 9 kg/mu
    fertiliser(season(farm_c, area="20"), kg="300", n="15", p="15", k="15")  # 135 kg: 6.75 kg/mu
    fertiliser(season(fertilised["farm_b"], area="10", year=2023), kg="150", n="46")  # 69 kg: 6.9 kg/mu
    return fertilised


def test_reduction_against_the_farms_own_base_year_data(reductions):
    """CQ-C: base year 2022 from its town's Baseline; its own 2022 intensity 9.0 kg/mu."""
    farm_c = rows("fertiliser_reduction", "farm").row("CQ-C")
    assert farm_c["base_year"] == 2022
    assert farm_c["base_year_scope"] == "town"
    assert farm_c["baseline_from"] == "own"
    assert farm_c["value"] == pytest.approx(25.0)  # (9 − 6.75) / 9 × 100


def test_reduction_falls_back_to_the_towns_baseline_when_the_farm_has_no_base_year_data(reductions):
    """CQ-A sowed nothing in 2022: its baseline is Chengqiao's 2022 intensity (only CQ-C: 9.0)."""
    farm_a = rows("fertiliser_reduction", "farm").row("CQ-A")
    assert farm_a["baseline_from"] == "town"
    assert farm_a["baseline_intensity_kg_per_mu"] == pytest.approx(9.0)
    assert farm_a["value"] == pytest.approx((9 - 7.35) / 9 * 100)  # 18.33 %


def test_reduction_with_a_farm_baseline_row(reductions):
    """XH-B has its own Baseline (2023, 6.9 kg/mu) and uses 4.6 kg/mu in 2025."""
    farm_b = rows("fertiliser_reduction", "farm").row("XH-B")
    assert farm_b["base_year_scope"] == "farm"
    assert farm_b["value"] == pytest.approx((6.9 - 4.6) / 6.9 * 100)  # 33.33 %


def test_town_reduction_uses_the_towns_base_year(reductions):
    """Chengqiao 2025: (588 + 135) / (80 + 20) = 7.23 kg/mu against its 2022 intensity 9.0."""
    assert value(rows("fertiliser_reduction", "town"), CHENGQIAO) == pytest.approx((9 - 7.23) / 9 * 100)


def test_reduction_without_base_year_data_is_missing(reductions):
    """The district's base year is 2021 here, and nothing was sown in 2021."""
    assert value(rows("fertiliser_reduction", "district"), DISTRICT) is None
    assert value(rows("fertiliser_reduction", "town"), XINHE) is None  # Xinhe → district 2021


def test_pesticide_intensity_and_reduction(ref):
    """Litres become kg through the density; the reduction uses the district's base year (2021)."""
    district_base_year(2021)
    farm_a = ref["farm_a"]
    now = season(farm_a, area="50")
    pesticide(now, amount="5", ai_pct="20", unit="L", density="1.2")  # 5 × 1.2 × 20 % = 1.2 kg a.i.
    pesticide(now, amount="2", ai_pct="50")  # 1.0 kg a.i.
    pesticide(season(farm_a, area="50", year=2021), amount="5", ai_pct="50")  # 2.5 kg: 0.05 kg/mu
    assert value(rows("pesticide_intensity", "farm"), "CQ-A") == pytest.approx(0.044)  # 2.2 / 50
    # (0.05 − 0.044) / 0.05 × 100 = 12 %
    assert value(rows("pesticide_reduction", "farm"), "CQ-A") == pytest.approx(12.0)
    assert value(rows("pesticide_reduction", "district"), DISTRICT) == pytest.approx(12.0)


# --- §3 Coverage -------------------------------------------------------------------------------------


def test_coverage_counts_an_area_once_per_practice_and_season(ref):
    """Per season the largest area of a practice's applications, capped at the season's area."""
    rice = season(ref["farm_a"], area="50")
    fertiliser(rice, kg="500", n="15", area="40", method="side_deep")
    fertiliser(rice, kg="200", n="46", area="30", method="side_deep")  # a second pass: not 70 mu
    fertiliser(rice, kg="100", n="15", area="60", slow_release=True)  # mistyped 60 mu: capped at 50
    fertiliser(rice, kg="100", n="15", area="20", soil_test_formula=True)
    fertiliser(season(ref["farm_b"], area="10"), kg="50", n="15", method="side_deep")  # 10 of 10 mu
    farm_a = rows("side_deep_coverage", "farm").row("CQ-A")
    assert farm_a["value"] == pytest.approx(80.0)  # max(40, 30) / 50
    assert farm_a["side_deep_area_mu"] == pytest.approx(40)
    assert value(rows("slow_release_coverage", "farm"), "CQ-A") == pytest.approx(100.0)  # min(50, 60) / 50
    assert value(rows("soil_test_coverage", "farm"), "CQ-A") == pytest.approx(40.0)  # 20 / 50
    assert value(rows("fertigation_coverage", "farm"), "CQ-A") == 0.0  # sown, not used: 0, not missing
    assert value(rows("side_deep_coverage", "district"), DISTRICT) == pytest.approx(
        50 / 60 * 100
    )  # (40 + 10) / 60
    assert value(rows("side_deep_coverage", "town"), BAOZHEN) is None


# --- §4 Straw ----------------------------------------------------------------------------------------


@pytest.fixture
def strawed(ref):
    rice = season(ref["farm_a"], "rice", yield_kg="25500")  # 25.5 t × 1.00 × 0.85 = 21.675 t collectable
    straw(rice, "field_return", "15000")
    straw(rice, "feed", "2000", off_field=True)
    straw(rice, "unused", "1000")
    season(ref["farm_a"], "wheat", yield_kg="10000", name="winter")  # no straw record: not in the ledger
    over = season(ref["farm_b"], "rice", area="10", yield_kg="5000")  # 5 × 0.85 = 4.25 t
    straw(over, "field_return", "3000")
    straw(over, "fuel", "2000", off_field=True)  # 5 t used > 4.25 t collectable
    return ref


def test_straw_utilisation_follows_the_ledger(strawed):
    farm_a = rows("straw_utilisation", "farm").row("CQ-A")
    assert farm_a["produced_t"] == pytest.approx(25.5)
    assert farm_a["collectable_t"] == pytest.approx(21.675)
    assert farm_a["utilised_t"] == pytest.approx(17.0)  # 15 + 2; "unused" is not utilised
    assert farm_a["value"] == pytest.approx(17 / 21.675 * 100)  # 78.43 %
    assert value(rows("straw_field_return", "farm"), "CQ-A") == pytest.approx(15 / 21.675 * 100)  # 69.20 %
    assert farm_a["ledger_seasons"] == 1  # the wheat season recorded no straw


def test_straw_used_above_collectable_is_flagged_not_capped(strawed):
    farm_b = rows("straw_utilisation", "farm").row("XH-B")
    assert farm_b["value"] == pytest.approx(5 / 4.25 * 100)  # 117.6 %
    assert farm_b["over_collectable"] is True
    # The district: (17 + 5) / (21.675 + 4.25) = 22 / 25.925
    district = rows("straw_utilisation", "district").row(DISTRICT)
    assert district["value"] == pytest.approx(22 / 25.925 * 100)
    assert district["over_collectable"] is False
    flagged = q.straw.straw_over_collectable_farms(q.selection(user=SYSTEM_READER, year=YEAR))
    assert list(flagged["farm_code"]) == ["XH-B"]


def test_straw_reports_its_provisional_coefficients(strawed):
    frame = rows("straw_utilisation", "town")
    names = {use.name for use in frame.provisional}
    assert {"straw_grain_ratio[rice]", "collection_coefficient[rice]"} <= names
    assert value(frame, BAOZHEN) is None


def test_a_ledger_season_without_yield_is_left_out_and_counted(ref):
    straw(season(ref["farm_a"], yield_kg=None), "field_return", "1000")
    farm_a = rows("straw_utilisation", "farm").row("CQ-A")
    assert farm_a["seasons_missing_yield"] == 1
    assert farm_a["value"] is None


def test_a_crop_without_a_coefficient_is_a_clear_error(ref):
    """Vegetables have no straw-to-grain ratio in data/: the error names the crop and the figure."""
    straw(season(ref["farm_a"], "vegetables", yield_kg="8000"), "feed", "500")
    with pytest.raises(ApplicationError) as caught:
        rows("straw_utilisation", "town")
    assert caught.value.message == MSG_CROP_COEFFICIENT_MISSING.format(
        crop="蔬菜",
        code="vegetables",
        on=reference_date(YEAR),
        coefficient="草谷比",
        kind="straw_grain_ratio",
    )


# --- §5 Film ---------------------------------------------------------------------------------------


def test_film_standard_share_counts_exactly_the_minimum_as_standard(ref):
    rice = season(ref["farm_a"])
    film(rice, used="100", thickness="0.010", recovered="120")  # exactly 0.010 mm: standard
    film(rice, used="50", thickness="0.008")
    film(rice, used="20", thickness=None)  # unknown thickness: used, not shown to be standard
    farm_a = rows("film_standard_share", "farm").row("CQ-A")
    assert farm_a["value"] == pytest.approx(100 / 170 * 100)  # 58.8 %
    assert farm_a["unknown_thickness_kg"] == pytest.approx(20)
    assert value(rows("film_recovery", "farm"), "CQ-A") == pytest.approx(120 / 170 * 100)  # 70.6 %
    assert [use.name for use in rows("film_standard_share", "farm").references] == [
        "film_standard_min_thickness_mm"
    ]


def test_film_recovered_above_used_is_flagged(ref):
    film(season(ref["farm_b"]), used="40", thickness="0.012", recovered="50")
    farm_b = rows("film_recovery", "farm").row("XH-B")
    assert farm_b["value"] == pytest.approx(125.0)  # 50 / 40, not capped
    assert farm_b["over_used"] is True
    assert value(rows("film_recovery", "town"), CHENGQIAO) is None  # no film used: missing


# --- §6 Livestock ----------------------------------------------------------------------------------


@pytest.fixture
def livestock(ref):
    chengqiao, xinhe = ref["chengqiao"], ref["xinhe"]
    p1 = FarmFactory(code="PIG-1", farm_type=FarmType.LIVESTOCK, town=chengqiao)
    herd(p1, "pig", stock=600, output=1200, method="dry")
    # Needs: liquid 1.8/100 × 600 × 90 = 972 m3; solid 600 × 0.002 × 90 = 108 m3; land 600 / 1.4 = 428.57 mu
    facility(p1, liquid="852", solid="108", land="500", produced="1000", utilised="800")
    p2 = FarmFactory(code="PIG-2", farm_type=FarmType.LIVESTOCK, town=chengqiao)
    herd(p2, "pig", stock=300, output=499)  # one below the threshold of 500 a year
    facility(p2, produced="100", utilised="100")
    p3 = FarmFactory(code="PIG-3", farm_type=FarmType.LIVESTOCK, town=xinhe)
    herd(p3, "pig", stock=300, output=500)  # exactly at it: large-scale
    # Needs: liquid 0.018 × 300 × 90 = 486; solid 300 × 0.002 × 90 = 54; land 300 / 1.4 = 214.29
    facility(p3, liquid="500", solid="60", land="220", produced="500", utilised="450")
    s1 = FarmFactory(code="SHEEP-1", farm_type=FarmType.LIVESTOCK, town=chengqiao)
    herd(s1, "sheep_goat", stock=150, output=200, method="flushing")  # large-scale, no facility record
    return ref


def test_large_scale_at_the_threshold_and_not_one_below(livestock):
    farms = q.livestock.livestock_farms(q.selection(user=SYSTEM_READER, year=YEAR)).frame.set_index(
        "farm_code"
    )
    assert not farms.loc["PIG-2", "large_scale"]  # 499 < 500
    assert farms.loc["PIG-3", "large_scale"]  # 500 = 500
    assert farms.loc["PIG-1", "large_scale_herds"] == ["生猪 年出栏 1200 ≥ 500"]


def test_facility_matching_names_the_failing_condition_and_its_shortfall(livestock):
    farms = q.livestock.livestock_farms(q.selection(user=SYSTEM_READER, year=YEAR)).frame.set_index(
        "farm_code"
    )
    pig1 = farms.loc["PIG-1"]
    assert pig1["required_liquid_storage_m3"] == pytest.approx(972)
    assert pig1["required_solid_storage_m3"] == pytest.approx(108)  # exactly what it has: passes
    assert pig1["matched"] is False
    assert [f["message"] for f in pig1["failures"]] == ["liquid storage short by 120 m3 (needs 972, has 852)"]
    assert pig1["reasons"] == ["液体贮存容积缺 120 m3（需 972，现有 852）"]
    assert farms.loc["PIG-3", "matched"] is True


def test_sheep_are_sized_as_pigs_through_their_pig_equivalents(livestock):
    """150 sheep = 50 pig eq; flushing 3.5/100 × 50 × 90 = 157.5 m3; land 50 / 1.4 = 35.71 mu."""
    farms = q.livestock.livestock_farms(q.selection(user=SYSTEM_READER, year=YEAR)).frame.set_index(
        "farm_code"
    )
    sheep = farms.loc["SHEEP-1"]
    assert sheep["pig_equivalents"] == pytest.approx(50)
    assert sheep["required_liquid_storage_m3"] == pytest.approx(157.5)
    assert sheep["required_land_mu"] == pytest.approx(50 / 1.4)
    assert sheep["assessed"] == False  # noqa: E712 (numpy bool)
    assert sheep["reasons"] == ["2025 年无粪污处理设施记录，按未配套计"]


def test_facility_matching_rate_is_over_all_large_scale_farms(livestock):
    """Matched large-scale farms ÷ large-scale farms (INDICATORS.md §6), with or without a facility record."""
    district = rows("manure_facility_matching", "district").row(DISTRICT)
    assert district["large_scale_farms"] == 3  # PIG-1, PIG-3, SHEEP-1 (PIG-2 is not)
    assert district["matched_farms"] == 1  # PIG-3
    assert district["not_assessed_farms"] == 1  # SHEEP-1: no facility record, still in the denominator
    assert district["value"] == pytest.approx(100 / 3)  # 1 matched of 3 large-scale = 33.33 %
    towns = rows("manure_facility_matching", "town")
    assert value(towns, CHENGQIAO) == 0.0  # 0 of 2: PIG-1 not matched, SHEEP-1 no record
    assert value(towns, XINHE) == 100.0  # 1 of 1: PIG-3
    assert value(towns, BAOZHEN) is None  # no large-scale farm: missing
    assert {"manure_storage_days", "manure_land_capacity_pig_eq_per_mu"} <= {
        u.name for u in towns.provisional
    }


def test_a_large_scale_farm_without_a_facility_record_counts_as_not_matched(livestock):
    """It is in the denominator and not the numerator, with the reason; its conditions are not judged."""
    pig4 = FarmFactory(code="PIG-4", farm_type=FarmType.LIVESTOCK, town=livestock["xinhe"])
    herd(pig4, "pig", stock=600, output=1200)  # large-scale, no facility record
    farms = q.livestock.livestock_farms(q.selection(user=SYSTEM_READER, year=YEAR)).frame.set_index(
        "farm_code"
    )
    assert farms.loc["PIG-4", "matched"] is False
    assert farms.loc["PIG-4", "failures"] == []
    assert farms.loc["PIG-4", "reasons"] == ["2025 年无粪污处理设施记录，按未配套计"]
    xinhe = rows("manure_facility_matching", "town").row(XINHE)
    # PIG-3 matched, PIG-4 without a record: 1 ÷ 2 = 50 % (not 1 ÷ 1 over the farms with a record)
    assert (xinhe["large_scale_farms"], xinhe["matched_farms"], xinhe["not_assessed_farms"]) == (2, 1, 1)
    assert xinhe["value"] == pytest.approx(50.0)
    assert value(rows("manure_facility_matching", "farm"), "PIG-4") == 0.0  # 0 of 1


def test_facility_matching_rate_without_large_scale_farms_is_missing(ref):
    """Only farms below the threshold (one with a matched facility): no denominator, so no rate, not 0 or 100."""
    small = FarmFactory(code="PIG-S", farm_type=FarmType.LIVESTOCK, town=ref["xinhe"])
    herd(small, "pig", stock=300, output=499)
    facility(small, liquid="1000", solid="100", land="500")
    towns = rows("manure_facility_matching", "town")
    assert towns.row(XINHE)["large_scale_farms"] == 0
    assert value(towns, XINHE) is None
    assert value(rows("manure_facility_matching", "district"), DISTRICT) is None
    assert value(rows("manure_facility_matching", "farm"), "PIG-S") is None


def test_manure_utilisation(livestock):
    # (800 + 100 + 450) / (1000 + 100 + 500) = 1350 / 1600
    assert value(rows("manure_utilisation", "district"), DISTRICT) == pytest.approx(84.375)


# --- §7 Tailwater ----------------------------------------------------------------------------------


@pytest.fixture
def fishponds(ref):
    xinhe = ref["xinhe"]

    def pond(code, tailwater_class="2"):
        return FarmFactory(
            code=code, farm_type=FarmType.AQUACULTURE, town=xinhe, tailwater_class=tailwater_class
        )

    at_limit = dict(ph="6", ss_mg_per_l="100", codmn_mg_per_l="25", tn_mg_per_l="5.0", tp_mg_per_l="1.0")
    tailwater(pond("F1"), dt.date(2025, 5, 1), **at_limit)  # every value exactly at its class 2 limit
    tailwater(pond("F2"), dt.date(2025, 7, 1), **{**at_limit, "tn_mg_per_l": "5.5"})
    tailwater(
        pond("F3", "1"), dt.date(2025, 6, 1), ph="7", ss_mg_per_l="30", codmn_mg_per_l="10", tn_mg_per_l="2"
    )
    pond("F4")  # discharges, not sampled
    tailwater(pond("F5"), dt.date(2025, 8, 1), **{**at_limit, "ph": "5.5"})
    return ref


def test_tailwater_farm_compliance_and_reasons(fishponds):
    farms = q.tailwater.tailwater_farms(q.selection(user=SYSTEM_READER, year=YEAR)).farms.set_index(
        "farm_code"
    )
    assert farms.loc["F1", "complies"] is True  # exactly at the limits complies
    assert farms.loc["F2", "complies"] is False
    assert farms.loc["F2", "reasons"] == ["2025-07-01 TN 5.5 超过限值 5"]
    assert farms.loc["F3", "complies"] is None  # TP not measured: not a pass
    assert farms.loc["F3", "reasons"] == ["2025-06-01 TP 未检测"]
    assert farms.loc["F5", "reasons"] == ["2025-08-01 pH 5.5 低于下限 6"]
    assert farms.loc["F4", "reasons"] == ["2025 年无排放口样品"]


def test_tailwater_compliance_and_monitoring_rates(fishponds):
    town = rows("tailwater_compliance", "town").row(XINHE)
    assert town["sampled_farms"] == 4
    assert town["value"] == pytest.approx(25.0)  # F1 of F1, F2, F3, F5
    assert value(rows("tailwater_monitoring", "town"), XINHE) == pytest.approx(80.0)  # 4 of 5
    assert value(rows("tailwater_compliance", "town"), CHENGQIAO) is None  # no sampled farm
    assert "SC/T 9101-2007[2].tn_mg_per_l" in {
        u.name for u in rows("tailwater_compliance", "district").provisional
    }


def test_the_vectorised_judgement_agrees_with_the_formula():
    """judge_matrix + verdicts give judge_sample's verdict on 500 seeded samples with gaps."""
    rng = np.random.default_rng(3)
    limits = [
        formulas.Limit("ph", 6, 9),
        formulas.Limit("ss_mg_per_l", max_value=100),
        formulas.Limit("tn_mg_per_l", max_value=5.0),
        formulas.Limit("tp_mg_per_l", max_value=1.0),
    ]
    values = rng.choice([4.0, 5.0, 6.0, 9.0, 9.5, 100.0, 1.0, 0.5], size=(500, len(PARAMETERS)))
    values[rng.random(values.shape) < 0.15] = np.nan
    got = verdicts(judge_matrix(values, *limit_arrays(limits)))
    for row, verdict in zip(values, got, strict=True):
        measured = {p: (None if math.isnan(v) else float(v)) for p, v in zip(PARAMETERS, row, strict=True)}
        assert verdict == formulas.judge_sample(measured, limits).complies


# --- §8 Irrigation districts -----------------------------------------------------------------------


@pytest.fixture
def districts(ref):
    d1 = IrrigationDistrictFactory(code="D1", area_mu=Decimal("1000"), town=ref["chengqiao"])  # exactly 1000
    IrrigationDistrictFactory(code="D2", area_mu=Decimal("999.99"), town=ref["chengqiao"])
    d3 = IrrigationDistrictFactory(code="D3", area_mu=Decimal("1500"), town=ref["xinhe"])
    july, august = dt.date(2025, 7, 10), dt.date(2025, 8, 20)
    water(d1, july, "inlet", volume="1000", tn_mg_per_l="1.0", tp_mg_per_l="0.1")
    water(
        d1,
        july,
        "outlet",
        volume="800",
        tn_mg_per_l="2.5",
        tp_mg_per_l="0.3",
        codmn_mg_per_l="5",
        nh3n_mg_per_l="0.5",
    )
    water(d1, august, "inlet", volume="2000", tn_mg_per_l="2.0", tp_mg_per_l="0.2")
    water(
        d1,
        august,
        "outlet",
        volume="1000",
        tn_mg_per_l="1.2",
        tp_mg_per_l="0.15",
        codmn_mg_per_l="8",
        nh3n_mg_per_l="0.9",
    )
    water(
        d1,
        dt.date(2025, 9, 1),
        "outlet",
        volume="500",
        tn_mg_per_l="1.8",
        tp_mg_per_l="0.2",
        codmn_mg_per_l="6",
        nh3n_mg_per_l="0.8",
    )
    water(d3, july, "outlet", volume="600", tn_mg_per_l="1.0")
    return ref


def test_a_district_of_exactly_1000_mu_must_be_monitored(districts):
    frame = rows("district_monitoring", "irrigation_district")
    assert frame.row("D1")["must_monitor"] is True
    assert frame.row("D2")["must_monitor"] is False  # 999.99 mu
    assert frame.row("D3")["reasons"] == ["2025 年无进水口样品"]
    assert value(rows("district_monitoring", "district"), DISTRICT) == pytest.approx(50.0)  # D1 of D1, D3
    assert value(rows("district_monitoring", "town"), CHENGQIAO) == pytest.approx(100.0)
    assert value(rows("district_monitoring", "town"), BAOZHEN) is None


def test_net_loads_pair_inlet_and_outlet_by_date(districts):
    """July: TN (2.5 × 800 − 1.0 × 1000) / 1000 = 1.0 kg; August: (1.2 × 1000 − 2.0 × 2000) / 1000 = −2.8
    kg (the district cleaned the water: reported negative). The 1 September outlet has no inlet."""
    data = q.districts.district_data(q.selection(user=SYSTEM_READER, year=YEAR))
    events = data.events.set_index("date")
    assert events.loc[dt.date(2025, 7, 10), "tn_net_load_kg"] == pytest.approx(1.0)
    assert events.loc[dt.date(2025, 8, 20), "tn_net_load_kg"] == pytest.approx(-2.8)
    assert events.loc[dt.date(2025, 7, 10), "tp_net_load_kg"] == pytest.approx(0.14)  # (240 − 100) / 1000
    d1 = rows("district_net_load", "irrigation_district").row("D1")
    assert d1["unpaired_samples"] == 1
    assert d1["tn_net_load_kg"] == pytest.approx(-1.8)  # 1.0 − 2.8
    assert d1["value"] == pytest.approx(-0.0018)  # −1.8 kg / 1000 mu
    assert d1["tp_net_load_kg"] == pytest.approx(-0.11)  # 0.14 + (150 − 400) / 1000


def test_outlet_water_class(districts):
    """Samples: July TN 2.5 > 2.0 → 劣V; August TN 1.2, CODMn 8 → IV; September TN 1.8 → V. Mean
    outlet TN (2.5 + 1.2 + 1.8) / 3 = 1.83 → V."""
    data = q.districts.district_data(q.selection(user=SYSTEM_READER, year=YEAR))
    outlets = data.samples[data.samples["district_id"] == data.districts.iloc[0]["district_id"]]
    assert sorted(c for c in outlets["water_class"] if c) == ["IV", "V", "劣V"]
    d1 = rows("district_outlet_class", "irrigation_district").row("D1")
    assert d1["value"] == "V"
    assert d1["worst_outlet_class"] == "劣V"


def test_the_vectorised_water_class_agrees_with_the_formula(ref):
    """Outlet classes on 300 seeded samples equal formulas.water_class sample by sample."""
    from farmadvice.indicators.queries.districts import _classes
    from farmadvice.indicators.reference import standard_levels

    levels = standard_levels(year=YEAR, use="surface")
    rng = np.random.default_rng(5)
    values = rng.choice(
        [0.1, 0.2, 0.3, 0.4, 1.0, 1.5, 2.0, 2.5, 6.0, 10.0, 15.0, 20.0], size=(300, len(PARAMETERS))
    )
    values[rng.random(values.shape) < 0.3] = np.nan
    import pandas as pd

    frame = pd.DataFrame(values, columns=PARAMETERS)
    got = _classes(frame, levels)
    for row, klass in zip(values, got, strict=True):
        measured = {p: (None if math.isnan(v) else float(v)) for p, v in zip(PARAMETERS, row, strict=True)}
        assert klass == formulas.water_class(measured, levels.classes())


# --- Access ----------------------------------------------------------------------------------------


def test_operators_get_only_their_own_farm(fertilised):
    frame = q.fertiliser_intensity(user=fertilised["operator_a"], year=YEAR, scope="farm")
    assert list(frame.frame["scope_code"]) == ["CQ-A"]


def test_operators_are_refused_town_figures(fertilised):
    with pytest.raises(PermissionDenied):
        q.fertiliser_intensity(user=fertilised["operator_a"], year=YEAR, scope="town")


def test_another_operators_farm_is_not_found(fertilised):
    with pytest.raises(NotFound):
        q.farm_indicators(user=fertilised["operator_a"], code="XH-B", year=YEAR)


def test_farm_indicators_gather_every_farm_scope_indicator(fertilised):
    result = q.farm_indicators(user=fertilised["operator_a"], code="CQ-A", year=YEAR)
    by_key = {frame.indicator: frame for frame in result.indicators}
    assert by_key["fertiliser_intensity_kg_per_mu"].records()[0]["value"] == pytest.approx(7.35)
    assert "district_monitoring_pct" not in by_key  # no farm scope
    assert result.livestock is None and result.tailwater is None
