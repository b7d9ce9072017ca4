"""The demo generator: deterministic, Chongming-shaped, plausible against INDICATORS.md, and with failures
for every indicator to show.

No database. Reference figures are read from data/*.csv, so these tests also catch the demo drifting away
from the reference tables it was sized against.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from farmadvice.demo.generator import (
    AGENT,
    AGENT2,
    AGENT_TOWNS,
    FARM_KINDS,
    OPERATOR,
    OPERATOR2,
    TOWNS,
    DemoDataset,
    DemoParams,
    generate,
)
from farmadvice.indicators.formulas import (
    Limit,
    ManureCheck,
    ManureCondition,
    SampleJudgement,
    farm_complies,
    judge_sample,
    manure_facility_match,
    net_load_kg,
    pig_equivalents,
    required_storage_m3,
)

DATA = Path(__file__).resolve().parents[2] / "data"
SMALL = DemoParams(seed=7, n_farms=60, years=(2024, 2025))


@pytest.fixture(scope="module")
def small() -> DemoDataset:
    return generate(SMALL)


@pytest.fixture(scope="module")
def default() -> DemoDataset:
    return generate()


def frame(specs) -> pd.DataFrame:
    return pd.DataFrame([dataclasses.asdict(spec) for spec in specs])


@cache
def rows(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def coefficient(crop: str, kind: str) -> float:
    return next(
        float(r["value"]) for r in rows("crop_coefficients") if r["crop"] == crop and r["kind"] == kind
    )


def reference_value(key: str) -> float:
    return next(float(r["value"]) for r in rows("reference_values") if r["key"] == key)


def season_n(dataset: DemoDataset) -> pd.DataFrame:
    """Seasons with their total N, kg/mu (INDICATORS.md §1: kg × N% / 100 ÷ sown area)."""
    seasons = frame(dataset.seasons).set_index("id")
    fert = frame(dataset.fertiliser_applications)
    fert["n_kg"] = fert.product_kg * fert.n_pct / 100
    seasons["n_kg"] = fert.groupby("season_id").n_kg.sum()
    seasons["n_kg"] = seasons.n_kg.fillna(0.0)
    seasons["n_rate"] = seasons.n_kg / seasons.area_mu
    return seasons


def district_exports(dataset: DemoDataset) -> pd.DataFrame:
    """Net TN and TP export per district and year, kg/ha (INDICATORS.md §8), where both points were sampled."""
    samples = frame(dataset.water_samples)
    areas = {d.code: d.area_mu for d in dataset.districts}
    inlet = samples[samples.point == "inlet"].set_index(["district_code", "date"])
    outlet = samples[samples.point == "outlet"].set_index(["district_code", "date"])
    events = inlet.join(outlet, lsuffix="_in", rsuffix="_out", how="inner").reset_index()
    for nutrient in ("tn", "tp"):
        events[f"{nutrient}_kg"] = [
            net_load_kg(c_out, v_out, c_in, v_in)
            for c_out, v_out, c_in, v_in in zip(
                events[f"{nutrient}_mg_per_l_out"],
                events.volume_m3_out,
                events[f"{nutrient}_mg_per_l_in"],
                events.volume_m3_in,
                strict=True,
            )
        ]
    events["year"] = [d.year for d in events.date]
    loads = events.groupby(["district_code", "year"])[["tn_kg", "tp_kg"]].sum().reset_index()
    loads["area_ha"] = [areas[code] / 15 for code in loads.district_code]
    loads["tn_kg_per_ha"] = loads.tn_kg / loads.area_ha
    loads["tp_kg_per_ha"] = loads.tp_kg / loads.area_ha
    return loads


# --- Determinism -----------------------------------------------------------------------------


def test_the_same_params_give_an_equal_dataset(small):
    assert generate(SMALL) == small


def test_another_seed_gives_another_population(small):
    other = generate(dataclasses.replace(SMALL, seed=8))
    assert [f.name for f in other.farms] != [f.name for f in small.farms]


def test_record_ids_are_unique_uuid5s(small):
    ids = [
        spec.id
        for name in small.counts()
        if name not in ("villages", "districts", "farms")
        for spec in getattr(small, name)
    ]
    assert len(ids) == len(set(ids))
    assert {i.version for i in ids} == {5}


def test_a_farm_keeps_its_code_and_records_when_the_seed_is_reused(small):
    again = generate(SMALL)
    assert [(f.code, f.name) for f in again.farms] == [(f.code, f.name) for f in small.farms]
    assert [s.id for s in again.seasons] == [s.id for s in small.seasons]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_farms": 5}, "--farms must be between"),
        ({"years": ()}, "Years must be distinct"),
        ({"years": (2024, 2024)}, "Years must be distinct"),
        ({"seed": -1}, "The seed must be zero"),
    ],
)
def test_params_are_validated(params, message):
    with pytest.raises(ValueError, match=message):
        DemoParams(**params)


# --- Farms and districts ---------------------------------------------------------------------


def test_every_town_has_farms_and_the_outer_islands_have_the_fewest(small, default):
    assert {f.town for f in small.farms} == {t.name_zh for t in TOWNS}
    counts = Counter(f.town for f in default.farms)
    fewest = {town for town, _count in counts.most_common()[-2:]}
    assert fewest == {"长兴镇", "横沙乡"}


@pytest.mark.parametrize("n_farms", [20, 21, 30, 37])
def test_the_smallest_populations_still_cover_every_town_and_kind(n_farms):
    dataset = generate(DemoParams(seed=7, n_farms=n_farms, years=(2025,)))
    towns = Counter(f.town for f in dataset.farms)
    assert len(towns) == 18
    assert towns["城桥镇"] >= 3
    assert {f.kind for f in dataset.farms} == {k.key for k in FARM_KINDS}


def test_every_farm_kind_farm_type_and_operator_kind_is_present(small):
    assert {f.kind for f in small.farms} == {k.key for k in FARM_KINDS}
    assert {f.farm_type for f in small.farms} == {"crop", "livestock", "aquaculture", "mixed"}
    assert {f.operator_kind for f in small.farms} == {
        "family_farm",
        "cooperative",
        "enterprise",
        "smallholder",
    }


def test_farm_codes_follow_the_town_pattern_and_names_are_unique(small):
    abbreviations = {t.name_zh: t.abbr for t in TOWNS}
    for farm in small.farms:
        assert re.fullmatch(rf"CM-{abbreviations[farm.town]}-\d{{4}}", farm.code)
    assert len({f.code for f in small.farms}) == len(small.farms)
    assert len({f.name for f in small.farms}) == len(small.farms)


def test_farms_lie_on_their_islands(default):
    for farm in default.farms:
        if farm.town in ("长兴镇", "横沙乡"):
            assert 31.35 <= farm.latitude <= 31.45 and 121.55 <= farm.longitude <= 121.85
        else:
            assert 31.45 <= farm.latitude <= 31.85 and 121.15 <= farm.longitude <= 121.95


def test_only_aquaculture_farms_have_a_tailwater_class(small):
    for farm in small.farms:
        assert (farm.tailwater_class in ("1", "2")) == (farm.farm_type == "aquaculture")


def test_districts_lie_on_both_sides_of_1000_mu_and_one_exactly_at_it(small, default):
    for dataset in (small, default):
        areas = [d.area_mu for d in dataset.districts]
        assert 1000.0 in areas
        assert any(a < 1000 for a in areas)
        assert any(a > 1000 for a in areas)
    assert 25 <= len(default.districts) <= 35


def test_district_farms_lie_in_the_districts_town_and_fit_in_it(default):
    districts = {d.code: d for d in default.districts}
    area = defaultdict(float)
    for farm in default.farms:
        if farm.district_code:
            assert farm.farm_type in ("crop", "mixed")
            assert districts[farm.district_code].town == farm.town
            area[farm.district_code] += farm.area_mu
    assert all(area[code] <= districts[code].area_mu for code in area)
    assert len(area) >= 0.8 * len(districts)


# --- Crops -----------------------------------------------------------------------------------


def test_each_seasons_area_fits_within_the_farm(default):
    farms = {f.code: f.area_mu for f in default.farms}
    seasons = frame(default.seasons)
    per_season = seasons.groupby(["farm_code", "year", "season"]).area_mu.sum()
    for (code, _year, _season), area in per_season.items():
        assert area <= farms[code]


def test_n_rates_are_plausible(default):
    """INDICATORS.md §1: rice ~14-20, wheat 11-15 kg N/mu; nothing above the large-rate warning."""
    seasons = season_n(default)
    by_crop = seasons.groupby("crop").n_rate.mean()
    assert 12 <= by_crop["rice"] <= 22
    assert 11 <= by_crop["wheat"] <= 15
    assert by_crop["vegetables"] > coefficient("vegetables", "recommended_n_kg_per_mu")
    assert seasons.n_rate.max() <= reference_value("large_n_rate_warning_kg_per_mu")


def test_yields_are_plausible(default):
    seasons = frame(default.seasons)
    seasons["per_mu"] = seasons.yield_kg / seasons.area_mu
    by_crop = seasons.groupby("crop").per_mu.mean()
    assert 550 <= by_crop["rice"] <= 650
    assert 300 <= by_crop["wheat"] <= 400
    assert seasons[seasons.crop == "green_manure"].yield_kg.isna().all()


def test_fertiliser_and_pesticide_records_are_valid(default):
    for application in default.fertiliser_applications:
        assert application.n_pct + application.p2o5_pct + application.k2o_pct <= 100
        assert application.product_kg > 0
    for application in default.pesticide_applications:
        assert application.amount > 0
        assert application.amount_unit in ("kg", "L")
        assert application.amount_unit == "kg" or application.density_kg_per_l is not None


def test_green_practices_spread_and_rice_n_falls_over_the_years(default):
    seasons = frame(default.seasons).set_index("id")
    fert = frame(default.fertiliser_applications)

    def coverage(applications: pd.DataFrame, year: int) -> float:
        sown = seasons[seasons.year == year]
        return sown[sown.index.isin(applications.season_id)].area_mu.sum() / sown.area_mu.sum()

    first, last = default.params.years[0], default.params.years[-1]
    for practice in (fert[fert.slow_release], fert[fert.soil_test_formula], fert[fert.method == "side_deep"]):
        assert coverage(practice, last) > coverage(practice, first)
    rice = season_n(default)
    rice = rice[rice.crop == "rice"]
    assert rice[rice.year == last].n_rate.mean() < rice[rice.year == first].n_rate.mean()


def test_some_farms_apply_more_n_than_recommended(small):
    seasons = season_n(small)
    rice = seasons[seasons.crop == "rice"]
    assert (rice.n_rate > 1.25 * coefficient("rice", "recommended_n_kg_per_mu")).any()


def test_straw_is_mostly_used_with_some_farms_far_behind(default, small):
    """INDICATORS.md §4: utilised ÷ (yield × straw-grain ratio × collection coefficient)."""
    for dataset in (default, small):
        seasons = frame(dataset.seasons).set_index("id")
        straw = frame(dataset.straw_uses)
        used = straw[straw.use != "unused"].groupby("season_id").straw_kg.sum()
        reported = straw.groupby("season_id").straw_kg.sum()
        grain = seasons.loc[used.index]
        produced = grain.yield_kg * [coefficient(c, "straw_grain_ratio") for c in grain.crop]
        collectable = produced * [coefficient(c, "collection_coefficient") for c in grain.crop]
        rate = used / collectable * 100
        assert rate.median() >= 95
        assert (rate < 80).any()
        assert (reported <= produced).all()
        assert not straw[straw.use == "field_return"].off_field.any()


def test_a_few_farms_report_more_straw_used_than_collectable(default):
    """Stored straw from last year: INDICATORS.md §4 flags it, never caps it."""
    seasons = frame(default.seasons).set_index("id")
    straw = frame(default.straw_uses)
    used = straw[straw.use != "unused"].groupby("season_id").straw_kg.sum()
    grain = seasons.loc[used.index]
    collectable = grain.yield_kg * [
        coefficient(c, "straw_grain_ratio") * coefficient(c, "collection_coefficient") for c in grain.crop
    ]
    assert 0 < (used > collectable).mean() < 0.1


def test_film_recovery_is_mostly_above_80_percent_with_some_below(small):
    films = frame(small.mulch_films)
    recovered = films[~films.biodegradable]
    rate = recovered.recovered_kg / recovered.used_kg * 100
    assert (rate < 80).any()
    assert (rate >= 80).mean() > 0.6
    assert (films.recovered_kg <= films.used_kg).all()
    assert (films.thickness_mm < 0.010).any()


# --- Livestock -------------------------------------------------------------------------------


def manure_checks(dataset: DemoDataset) -> pd.DataFrame:
    """Each facility judged by INDICATORS.md §6 with the figures in data/ (goats sized as pig equivalents)."""
    thresholds = {r["species"]: (r["basis"], float(r["min_heads"])) for r in rows("livestock_thresholds")}
    equivalents = {
        r["species"]: (float(r["heads"]), float(r["pig_equivalents"])) for r in rows("pig_equivalents")
    }
    wastewater = {
        (r["group"], r["method"]): float(r["summer_m3_per_day"]) / float(r["per_heads"])
        for r in rows("wastewater_coefficients")
    }
    days = reference_value("manure_storage_days")
    solid_per_pig_eq = reference_value("solid_manure_m3_per_pig_eq_per_day")
    capacity = reference_value("manure_land_capacity_pig_eq_per_mu")
    herds = {(h.farm_code, h.year): h for h in dataset.herds}
    out = []
    for facility in dataset.manure_facilities:
        herd = herds[(facility.farm_code, facility.year)]
        basis, threshold = thresholds[herd.species]
        heads = herd.annual_output_heads if basis == "annual_output" else herd.stock_heads
        pig_eq = pig_equivalents(herd.stock_heads, *equivalents[herd.species])
        if herd.species in ("layer", "broiler"):
            liquid_required = required_storage_m3(
                wastewater[("poultry", herd.collection_method)], herd.stock_heads, days
            )
        else:
            liquid_required = required_storage_m3(wastewater[("pig", herd.collection_method)], pig_eq, days)
        result = manure_facility_match(
            ManureCheck(
                seepage_proof=facility.seepage_proof,
                rain_proof=facility.rain_proof,
                overflow_proof=facility.overflow_proof,
                liquid_storage_m3=facility.liquid_storage_m3,
                required_liquid_storage_m3=liquid_required,
                solid_storage_m3=facility.solid_storage_m3,
                required_solid_storage_m3=solid_per_pig_eq * pig_eq * days,
                treatment_in_operation=facility.treatment_in_operation,
                land_mu=facility.land_for_application_mu,
                pig_equivalents=pig_eq,
                carrying_capacity_pig_eq_per_mu=capacity,
            )
        )
        out.append(
            {
                "farm_code": facility.farm_code,
                "year": facility.year,
                "species": herd.species,
                "heads": heads,
                "threshold": threshold,
                "large_scale": heads >= threshold,
                "failures": tuple(f.condition for f in result.failures),
            }
        )
    return pd.DataFrame(out)


def test_some_livestock_farms_sit_just_below_the_large_scale_threshold(small):
    checks = manure_checks(small)
    just_below = checks[~checks.large_scale & (checks.heads >= 0.95 * checks.threshold)]
    assert set(just_below.species) >= {"pig"}
    pigs = just_below[just_below.species == "pig"]
    assert pigs.heads.between(475, 499).all()
    assert checks.large_scale.mean() > 0.5


def test_large_scale_farms_fail_one_condition_each_and_every_condition_shows(small, default):
    for dataset in (small, default):
        large = manure_checks(dataset)
        large = large[large.large_scale]
        failing = large[large.failures.map(len) > 0]
        assert (failing.failures.map(len) == 1).all()
        shown = {f for failures in failing.failures for f in failures}
        assert ManureCondition.LIQUID_STORAGE in shown
        assert {
            ManureCondition.LAND,
            ManureCondition.RAIN_PROOF,
            ManureCondition.TREATMENT_IN_OPERATION,
        } <= shown
        for year in dataset.params.years:
            assert 0 < (large[large.year == year].failures.map(len) > 0).mean() < 1


def test_facility_matching_improves_over_the_years(default):
    large = manure_checks(default)
    large = large[large.large_scale]
    matched = large.assign(matched=large.failures.map(len) == 0).groupby("year").matched.mean()
    assert matched.iloc[-1] > matched.iloc[0]


def test_manure_utilised_never_exceeds_produced(default):
    assert all(f.manure_utilised_t <= f.manure_produced_t for f in default.manure_facilities)


# --- Water -----------------------------------------------------------------------------------


def tailwater_limits(level: str) -> list[Limit]:
    return [
        Limit(
            r["parameter"],
            float(r["min_value"]) if r["min_value"] else None,
            float(r["max_value"]) if r["max_value"] else None,
        )
        for r in rows("standard_limits")
        if r["use"] == "tailwater" and r["level"] == level
    ]


def judged_tailwater(dataset: DemoDataset) -> list[tuple[str, int, SampleJudgement]]:
    """(farm, year, judgement) of every discharge sample, by INDICATORS.md §7 against its farm's class."""
    classes = {f.code: f.tailwater_class for f in dataset.farms}
    return [
        (
            s.farm_code,
            s.date.year,
            judge_sample(dataclasses.asdict(s), tailwater_limits(classes[s.farm_code])),
        )
        for s in dataset.tailwater_samples
        if s.is_discharge
    ]


def test_some_tailwater_samples_exceed_their_limits_or_miss_a_parameter(small):
    judged = judged_tailwater(small)
    assert any(j.complies is False for _farm, _year, j in judged)
    assert any(j.not_measured for _farm, _year, j in judged)


def test_most_aquaculture_farm_years_comply(default):
    by_farm_year = defaultdict(list)
    for farm, year, judgement in judged_tailwater(default):
        by_farm_year[(farm, year)].append(judgement.complies)
    results = Counter(farm_complies(samples) for samples in by_farm_year.values())
    assert results[True] > 2 * results[False] > 0
    assert results[None] < 0.1 * sum(results.values())


def test_some_aquaculture_farms_go_unsampled_in_a_year(small):
    aquaculture = [f.code for f in small.farms if f.farm_type == "aquaculture"]
    sampled = {(farm, year) for farm, year, _j in judged_tailwater(small)}
    assert len(sampled) < len(aquaculture) * len(small.params.years)


def test_ammonia_never_exceeds_total_nitrogen(default):
    for sample in (*default.tailwater_samples, *default.water_samples):
        if sample.nh3n_mg_per_l is not None and sample.tn_mg_per_l is not None:
            assert sample.nh3n_mg_per_l <= sample.tn_mg_per_l


def test_district_samples_fall_in_the_rice_season(default):
    assert all(6 <= s.date.month <= 9 for s in default.water_samples)


def test_net_district_exports_sit_near_the_published_field_losses(small, default):
    """INDICATORS.md §9: about 2.4 kg N and 0.6 kg P per ha a year, with spread."""
    for dataset in (small, default):
        loads = district_exports(dataset)
        assert loads.tn_kg_per_ha.between(0.5, 10).all()
    loads = district_exports(default)
    assert 1.8 <= loads.tn_kg_per_ha.mean() <= 3.2
    assert 0.4 <= loads.tp_kg_per_ha.mean() <= 0.9


def test_some_districts_that_must_be_monitored_are_not_fully_in_some_year(small):
    samples = frame(small.water_samples)
    for_monitoring = [
        d.code for d in small.districts if d.area_mu >= reference_value("district_monitoring_min_area_mu")
    ]
    covered = {
        (code, year)
        for (code, year), points in samples.assign(year=[d.year for d in samples.date])
        .groupby(["district_code", "year"])
        .point.agg(set)
        .items()
        if points == {"inlet", "outlet"} and code in for_monitoring
    }
    expected = {(code, year) for code in for_monitoring for year in small.params.years}
    assert covered < expected
    assert covered


# --- Visits and people -----------------------------------------------------------------------


def test_records_point_to_a_visit_of_their_farm_in_their_year(small):
    visits = {v.id: v for v in small.visits}
    seasons = {s.id: s for s in small.seasons}
    for season in small.seasons:
        visit = visits[season.visit_id]
        assert (visit.farm_code, visit.date.year) == (season.farm_code, season.year)
    for application in (*small.fertiliser_applications, *small.pesticide_applications, *small.straw_uses):
        season = seasons[application.season_id]
        visit = visits[application.visit_id]
        assert (visit.farm_code, visit.date.year) == (season.farm_code, season.year)
    for record in (*small.herds, *small.manure_facilities):
        assert visits[record.visit_id].farm_code == record.farm_code


def test_visits_are_made_by_the_agent_of_the_farms_town(small):
    towns = {f.code: f.town for f in small.farms}
    for visit in small.visits:
        assert visit.agent_username == (AGENT if towns[visit.farm_code] in AGENT_TOWNS else AGENT2)
        assert visit.notes


def test_operator_runs_two_farms_in_the_agents_town_and_operator2_one_elsewhere(small):
    operators = dict(small.operator_farms)
    towns = {f.code: f for f in small.farms}
    assert len(operators[OPERATOR]) == 2
    assert {towns[code].town for code in operators[OPERATOR]} == {AGENT_TOWNS[0]}
    assert any(towns[code].district_code for code in operators[OPERATOR])
    (elsewhere,) = operators[OPERATOR2]
    assert towns[elsewhere].town not in AGENT_TOWNS
