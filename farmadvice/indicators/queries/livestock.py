"""Livestock manure: large-scale farms, facility matching and manure utilisation (INDICATORS.md §6).

The herd and facility tables are small (one row per farm, species and year; one per farm and year), so
each is read in one query and reduced in pandas; `formulas.manure_facility_match` then judges each
large-scale farm, and the rates of each scope row come from `formulas.py`.

- Large-scale: a herd is large-scale when its heads on the species' basis (annual output or in stock)
  reach the threshold in force; exactly at it counts (`formulas.is_large_scale`). A farm is large-scale
  when any of its herds is; heads of different species are not added up.
- Requirements of a large-scale farm, summed over its herds: liquid storage m3 = summer wastewater per
  head per day (the group's `WastewaterCoefficient` for the herd's collection method ÷ its `per_heads`)
  × heads in stock × storage days; sheep, goats and rabbits have no group of their own and are sized as
  pigs through their pig equivalents. Solid storage m3 = pig equivalents × solid manure m3 per pig
  equivalent per day × storage days (the same storage days). Land mu = pig equivalents ÷ carrying
  capacity (`formulas.required_land_mu`). Pig equivalents from the heads in stock.
- Matching rate: matched large-scale farms ÷ large-scale farms. A large-scale farm without a facility
  record for the year cannot show that its facilities are matched, so it counts as **not matched**: in
  the denominator, not the numerator, with that reason. Its conditions are not judged (`assessed` is
  False and `failures` empty); `not_assessed_farms` counts such farms for display, not for the rate.
- Manure utilisation: Σ utilised ÷ Σ produced over the facility records that give both figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.indicators import formulas
from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries.common import (
    DISTRICT_ID,
    IndicatorFrame,
    Scope,
    Selection,
    indicator_frame,
    labelled,
    lists_by,
    memo,
    per_row,
    read_frame,
)
from farmadvice.indicators.reference import (
    SPECIES_GROUP,
    VIA_PIG_EQUIVALENTS_NOTE,
    LivestockReference,
    ReferenceUse,
    livestock_reference,
)
from farmadvice.practices.models import LivestockHerd, ManureFacility
from farmadvice.reference.models import AnimalGroup, HeadBasis, Species

MSG_NO_FACILITY = gettext_noop("{year} 年无粪污处理设施记录，按未配套计")
# The failing conditions (translated when a reason is written), filled from `formulas.Failure`.
MANURE_REASONS = {
    formulas.ManureCondition.SEEPAGE_PROOF: gettext_noop("贮存设施未防渗"),
    formulas.ManureCondition.RAIN_PROOF: gettext_noop("贮存设施未防雨"),
    formulas.ManureCondition.OVERFLOW_PROOF: gettext_noop("贮存设施未防溢流"),
    formulas.ManureCondition.LIQUID_STORAGE: gettext_noop(
        "液体贮存容积缺 {shortfall} m3（需 {required}，现有 {actual}）"
    ),
    formulas.ManureCondition.SOLID_STORAGE: gettext_noop(
        "固体贮存容积缺 {shortfall} m3（需 {required}，现有 {actual}）"
    ),
    formulas.ManureCondition.TREATMENT_IN_OPERATION: gettext_noop("粪污处理或利用设施未正常运行"),
    formulas.ManureCondition.LAND: gettext_noop(
        "配套消纳土地缺 {shortfall} 亩（需 {required}，现有 {actual}）"
    ),
}

FARM_KEYS = ["farm_id", "farm_code", "farm_name", "town_id", "town_code", "irrigation_district_id"]
_FARM_PATHS = [
    "farm_id",
    "farm__code",
    "farm__name",
    "farm__town_id",
    "farm__town__code",
    "farm__irrigation_district_id",
]
HERD_FIELDS = ["species", "stock_heads", "annual_output_heads", "collection_method"]
FACILITY_FIELDS = [
    "liquid_storage_m3",
    "solid_storage_m3",
    "seepage_proof",
    "rain_proof",
    "overflow_proof",
    "treatment",
    "treatment_in_operation",
    "land_for_application_mu",
    "manure_produced_t",
    "manure_utilised_t",
]
_BOOLEANS = ["seepage_proof", "rain_proof", "overflow_proof", "treatment_in_operation"]
_FLOATS = [
    "liquid_storage_m3",
    "solid_storage_m3",
    "land_for_application_mu",
    "manure_produced_t",
    "manure_utilised_t",
]


def amount_text(amount: float) -> str:
    """An amount to two decimals without trailing zeros: 120.00000000000006 → "120"."""
    text = f"{round(amount, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def failure_reason(failure: formulas.Failure) -> str:
    """A failing condition in the active language: "液体贮存容积缺 120 m3（需 630，现有 510）"."""
    template = _(MANURE_REASONS[failure.condition])
    if failure.shortfall is None or failure.required is None or failure.actual is None:
        return template
    return template.format(
        shortfall=amount_text(failure.shortfall),
        required=amount_text(failure.required),
        actual=amount_text(failure.actual),
    )


def _read(queryset, fields: Sequence[str]) -> pd.DataFrame:
    columns = dict(zip(FARM_KEYS, _FARM_PATHS, strict=True)) | {field: field for field in fields}
    return read_frame(
        queryset,
        columns,
        floats=[field for field in fields if field in _FLOATS],
        booleans=[field for field in fields if field in _BOOLEANS],
    )


@dataclass(frozen=True, eq=False)
class LivestockFarms:
    """Per farm with herds or a facility record in the year; the columns are listed in
    `livestock_farms`. `references` are the figures used, `notes` the readings they rest on."""

    frame: pd.DataFrame
    references: tuple[ReferenceUse, ...]
    notes: tuple[str, ...]


def _herd_requirements(
    herds: pd.DataFrame, ref: LivestockReference
) -> tuple[pd.DataFrame, list[ReferenceUse]]:
    """Per herd: large-scale or not, pig equivalents, daily summer wastewater (m3/day)."""
    uses: list[ReferenceUse] = []
    species_present = sorted(herds["species"].unique())
    thresholds = {species: ref.threshold(species) for species in species_present}
    uses += [threshold.use for threshold in thresholds.values()]
    herds["threshold"] = herds["species"].map({s: t.min_heads for s, t in thresholds.items()})
    annual = herds["species"].map({s: t.basis == HeadBasis.ANNUAL_OUTPUT for s, t in thresholds.items()})
    herds["basis_heads"] = np.where(annual.astype(bool), herds["annual_output_heads"], herds["stock_heads"])
    # formulas.is_large_scale: heads ≥ threshold, exactly at it counts (heads are whole numbers).
    herds["large_scale"] = herds["basis_heads"] >= herds["threshold"]
    herds["large_scale_farm"] = herds.groupby("farm_id")["large_scale"].transform("any")

    # Pig equivalents, wastewater: only what the large-scale farms' herds need.
    needed = herds[herds["large_scale_farm"]]
    factors = {species: ref.pig_equivalent(species) for species in sorted(needed["species"].unique())}
    uses += [factor.use for factor in factors.values() if factor.use is not None]
    per_head = herds["species"].map({s: f.per_head for s, f in factors.items()})
    herds["pig_equivalents"] = herds["stock_heads"] * per_head  # formulas.pig_equivalents
    group = needed["species"].map(SPECIES_GROUP).fillna(AnimalGroup.PIG)
    coefficients = {
        key: ref.wastewater_for(*key)
        for key in sorted(set(zip(group, needed["collection_method"], strict=True)))
    }
    uses += [c.use for c in coefficients.values()]
    herds["group"] = herds["species"].map(SPECIES_GROUP)
    as_pigs = herds["group"].isna()
    herds["group"] = herds["group"].fillna(AnimalGroup.PIG)
    # formulas.per_head for each coefficient used: summer m3 per `per_heads` animals → per head.
    per_head_m3 = {f"{g}/{m}": c.summer_m3_per_day / c.per_heads for (g, m), c in coefficients.items()}
    m3_per_head = (herds["group"] + "/" + herds["collection_method"]).map(per_head_m3).astype("float64")
    heads = np.where(as_pigs, herds["pig_equivalents"], herds["stock_heads"])
    herds["wastewater_m3_per_day"] = m3_per_head * heads
    herds["sized_as_pigs"] = as_pigs & herds["large_scale_farm"]
    return herds, uses


def _large_scale_text(herds: pd.DataFrame, ref: LivestockReference) -> pd.Series:
    """Per farm, the herds that make it large-scale: "生猪 年出栏 520 ≥ 500"."""
    large = herds[herds["large_scale"]]
    if large.empty:
        return pd.Series(dtype=object)
    species = large["species"].map({s.value: str(s.label) for s in Species})
    basis = large["species"].map({s: str(HeadBasis(t.basis).label) for s, t in ref.thresholds.items()})
    heads, threshold = large["basis_heads"].astype(str), large["threshold"].astype(str)
    text = species + " " + basis + " " + heads + " ≥ " + threshold
    return pd.Series(lists_by(large["farm_id"], text), dtype=object)


def _judge(row: dict) -> tuple[bool | None, list[dict]]:
    check = formulas.ManureCheck(
        seepage_proof=bool(row["seepage_proof"]),
        rain_proof=bool(row["rain_proof"]),
        overflow_proof=bool(row["overflow_proof"]),
        liquid_storage_m3=row["liquid_storage_m3"],
        required_liquid_storage_m3=row["required_liquid_storage_m3"],
        solid_storage_m3=row["solid_storage_m3"],
        required_solid_storage_m3=row["required_solid_storage_m3"],
        treatment_in_operation=bool(row["treatment_in_operation"]),
        land_mu=row["land_for_application_mu"],
        pig_equivalents=row["pig_equivalents"],
        carrying_capacity_pig_eq_per_mu=row["capacity"],
    )
    result = formulas.manure_facility_match(check)
    failures = [
        {
            "condition": str(failure.condition),
            "reason": failure_reason(failure),
            "message": failure.message,
            "required": failure.required,
            "actual": failure.actual,
            "shortfall": failure.shortfall,
            "unit": failure.unit,
        }
        for failure in result.failures
    ]
    return result.matched, failures


def livestock_farms(sel: Selection) -> LivestockFarms:
    """Per livestock farm of the selection in the year (herds or a facility record).

    Columns: farm_id, farm_code, farm_name, town_id, town_code, irrigation_district_id, large_scale,
    large_scale_herds (["生猪 年出栏 520 ≥ 500", ...]), pig_equivalents, wastewater_m3_per_day,
    required_liquid_storage_m3, required_solid_storage_m3, required_land_mu, has_facility, the facility
    columns (liquid_storage_m3, solid_storage_m3, seepage_proof, rain_proof, overflow_proof, treatment,
    treatment_in_operation, land_for_application_mu, manure_produced_t, manure_utilised_t), assessed
    (large-scale with a facility record: its conditions judged), matched (None when not large-scale;
    False for a large-scale farm without a facility record), failures (dicts: condition, reason (zh),
    message (en), required, actual, shortfall, unit; empty when not assessed), reasons (zh strings).
    """
    herds = _read(LivestockHerd.objects.filter(sel.farm_q("farm"), year=sel.year), HERD_FIELDS)
    facilities = _read(ManureFacility.objects.filter(sel.farm_q("farm"), year=sel.year), FACILITY_FIELDS)
    uses: list[ReferenceUse] = []
    notes: list[str] = []
    farms = pd.concat([herds[FARM_KEYS], facilities[FARM_KEYS]]).drop_duplicates("farm_id")
    if herds.empty:
        per_farm = pd.DataFrame({"farm_id": pd.Series(dtype="int64"), "large_scale": pd.Series(dtype=bool)})
    else:
        ref = livestock_reference(year=sel.year)
        herds, uses = _herd_requirements(herds, ref)
        per_farm = herds.groupby("farm_id", as_index=False).agg(
            large_scale=("large_scale", "any"),
            pig_equivalents=("pig_equivalents", "sum"),
            wastewater_m3_per_day=("wastewater_m3_per_day", "sum"),
            sized_as_pigs=("sized_as_pigs", "any"),
        )
        days = ref.storage_days.value
        per_farm["required_liquid_storage_m3"] = per_farm["wastewater_m3_per_day"] * days
        per_farm["required_solid_storage_m3"] = (
            per_farm["pig_equivalents"] * ref.solid_m3_per_pig_eq_per_day.value * days
        )
        per_farm["capacity"] = ref.land_capacity_pig_eq_per_mu.value
        per_farm.loc[
            ~per_farm["large_scale"],
            [
                "pig_equivalents",
                "wastewater_m3_per_day",
                "required_liquid_storage_m3",
                "required_solid_storage_m3",
            ],
        ] = np.nan
        per_farm["large_scale_herds"] = per_farm["farm_id"].map(_large_scale_text(herds, ref))
        if per_farm["large_scale"].any():
            uses += [
                ref.storage_days.use,
                ref.solid_m3_per_pig_eq_per_day.use,
                ref.land_capacity_pig_eq_per_mu.use,
            ]
            # What formulas.required_land_mu gives (manure_facility_match recomputes it when judging).
            per_farm["required_land_mu"] = per_farm["pig_equivalents"] / per_farm["capacity"]
        if per_farm["sized_as_pigs"].any():
            notes.append(_(VIA_PIG_EQUIVALENTS_NOTE))
    frame = farms.merge(per_farm, on="farm_id", how="left").merge(
        facilities.drop(columns=[c for c in FARM_KEYS if c != "farm_id"]),
        on="farm_id",
        how="left",
        indicator="_facility",
    )
    frame["large_scale"] = frame["large_scale"].astype("boolean").fillna(False).astype(bool)
    frame["has_facility"] = frame["_facility"] == "both"
    frame["assessed"] = frame["large_scale"] & frame["has_facility"]
    frame = frame.drop(columns=["_facility"])
    for column in ("required_land_mu", "large_scale_herds", "capacity"):
        if column not in frame:
            frame[column] = None
    judged = frame[frame["assessed"]]
    results = [_judge(row) for row in judged.to_dict(orient="records")]  # one per large-scale farm
    frame["matched"] = None
    frame["failures"] = [[] for _ in range(len(frame))]
    if results:
        frame.loc[judged.index, "matched"] = [matched for matched, _f in results]
        frame.loc[judged.index, "failures"] = pd.Series([f for _m, f in results], index=judged.index)
    no_facility = frame["large_scale"] & ~frame["has_facility"]
    frame.loc[no_facility, "matched"] = False
    frame["reasons"] = [[failure["reason"] for failure in failures] for failures in frame["failures"]]
    frame.loc[no_facility, "reasons"] = pd.Series(
        [[_(MSG_NO_FACILITY).format(year=sel.year)]] * int(no_facility.sum()),
        index=frame.index[no_facility],
    )
    frame = frame.drop(columns=["capacity", "sized_as_pigs"], errors="ignore")
    return LivestockFarms(
        frame=frame.sort_values("farm_code").reset_index(drop=True),
        references=tuple(uses),
        notes=tuple(notes),
    )


_SCOPE_COLUMN = {
    Scope.FARM: "farm_id",
    Scope.TOWN: "town_id",
    Scope.IRRIGATION_DISTRICT: "irrigation_district_id",
}
MANURE_COLUMNS = [
    "livestock_farms",
    "large_scale_farms",
    "assessed_farms",
    "matched_farms",
    "not_assessed_farms",
    "manure_farms",
    "manure_produced_t",
    "manure_utilised_t",
]


def manure_frame(sel: Selection, farms: LivestockFarms | None = None) -> tuple[pd.DataFrame, LivestockFarms]:
    """Per scope row, labelled: livestock_farms, large_scale_farms, assessed_farms (large-scale with a
    facility record), matched_farms, not_assessed_farms (large-scale without one: counted as not
    matched), manure_facility_matching_pct (matched_farms ÷ large_scale_farms); manure_farms (records
    giving produced and utilised), manure_produced_t, manure_utilised_t, manure_utilisation_pct."""
    farms = farms or memo(sel, ("livestock", sel.year), lambda: livestock_farms(sel))
    data = farms.frame.copy()
    data["scope_id"] = DISTRICT_ID if sel.scope == Scope.DISTRICT else data[_SCOPE_COLUMN[sel.scope]]
    data = data[data["scope_id"].notna()]
    both = data["manure_produced_t"].notna() & data["manure_utilised_t"].notna()
    data["counted_produced"] = data["manure_produced_t"].where(both, 0.0)
    data["counted_utilised"] = data["manure_utilised_t"].where(both, 0.0)
    data["manure_counted"] = both
    data["matched_true"] = data["matched"].eq(True)
    frame = data.groupby("scope_id", as_index=False).agg(
        livestock_farms=("farm_id", "count"),
        large_scale_farms=("large_scale", "sum"),
        assessed_farms=("assessed", "sum"),
        matched_farms=("matched_true", "sum"),
        manure_farms=("manure_counted", "sum"),
        manure_produced_t=("counted_produced", "sum"),
        manure_utilised_t=("counted_utilised", "sum"),
    )
    frame["scope_id"] = frame["scope_id"].astype("int64")
    frame["not_assessed_farms"] = frame["large_scale_farms"] - frame["assessed_farms"]
    frame["manure_facility_matching_pct"] = per_row(
        frame, formulas.facility_matching_rate_pct, "matched_farms", "large_scale_farms"
    )
    frame["manure_utilisation_pct"] = per_row(
        frame,
        lambda utilised, produced, n: formulas.manure_utilisation_pct(utilised, produced) if n else None,
        "manure_utilised_t",
        "manure_produced_t",
        "manure_farms",
    )
    if sel.scope == Scope.DISTRICT and frame.empty:
        frame = pd.DataFrame([{"scope_id": DISTRICT_ID}])
    return labelled(frame, sel), farms


def manure_facility_matching(sel: Selection, *, manure: tuple | None = None) -> IndicatorFrame:
    """Facility matching rate (粪污处理设施装备配套率), % (INDICATORS.md §6).

    Large-scale farms whose facilities are matched ÷ large-scale farms × 100; a large-scale farm
    without a facility record counts as not matched; missing without large-scale farms. Columns: see
    `manure_frame`; `livestock_farms` has the farms and why each fails.
    """
    frame, farms = manure or manure_frame(sel)
    return indicator_frame(
        indicator=Indicator.MANURE_FACILITY_MATCHING,
        sel=sel,
        unit="%",
        frame=frame,
        value="manure_facility_matching_pct",
        references=farms.references,
        notes=farms.notes,
    )


def manure_utilisation(sel: Selection, *, manure: tuple | None = None) -> IndicatorFrame:
    """Manure utilisation rate (粪污综合利用率), % (INDICATORS.md §6): Σ utilised t ÷ Σ produced t × 100."""
    frame, _farms = manure or manure_frame(sel)
    return indicator_frame(
        indicator=Indicator.MANURE_UTILISATION,
        sel=sel,
        unit="%",
        frame=frame,
        value="manure_utilisation_pct",
    )
