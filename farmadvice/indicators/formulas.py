"""The indicator formulas of INDICATORS.md as small pure functions.

This module never imports Django. Services and selectors gather the figures (converting
`Decimal` to `float`), these functions compute, and the results are floats or frozen
dataclasses. Every coefficient, limit and threshold is an argument, because it comes from
`data/*.csv` with its source and status.

A rate whose denominator is zero or missing is `None` ("missing"), never 0 % and never 100 %.
Input a user can get wrong raises `FormulaError`, whose template is one of the constants below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

# Error message templates: `FormulaError.template` is one of these, `FormulaError.params` fill it.
NEGATIVE_INPUT = "{name} must be zero or more; got {value}."
NOT_FINITE_INPUT = "{name} must be a finite number; got {value}."
NOT_POSITIVE_INPUT = "{name} must be greater than zero; got {value}."
PERCENT_OUT_OF_RANGE = "{name} must be between 0 and 100 %; got {value}."
NUTRIENT_SUM_OVER_100 = (
    "N + P2O5 + K2O must not exceed 100 % of the product; got {total_pct} %. "
    "Check the nutrient contents on the label."
)
DENSITY_REQUIRED = (
    "A product measured in litres needs its density (kg/L) to be converted to kg; "
    "enter the density from the label or give the amount in kg."
)
UNKNOWN_UNIT = "Unit must be 'kg' or 'L'; got {unit!r}."
COEFFICIENT_OUT_OF_RANGE = "The collection coefficient must be between 0 and 1; got {value}."
PRACTICE_AREA_EXCEEDS_SOWN = (
    "The area under the practice ({practice_area_mu} mu) cannot exceed the sown area "
    "({sown_area_mu} mu); check both areas."
)
STANDARD_FILM_EXCEEDS_USED = (
    "Standard film ({standard_kg} kg) cannot exceed the film used ({used_kg} kg); check both amounts."
)
COUNT_EXCEEDS_TOTAL = "{part_name} ({part}) cannot exceed {whole_name} ({whole})."
UNKNOWN_STRAW_USE = "Unknown straw use {use!r}; use one of: {allowed}."
LIMIT_WITHOUT_BOUND = "The limit for {parameter} needs a minimum, a maximum or both."
LIMIT_MIN_ABOVE_MAX = "The limit for {parameter} has its minimum {min_value} above its maximum {max_value}."
DUPLICATE_LIMIT = (
    "There is more than one limit for {parameter}; give one limit per parameter, "
    "with both bounds if it has a range."
)
NO_WATER_CLASSES = "Give at least one water-quality class with its limits."

# Failure templates of the manure facility check (INDICATORS.md §6), one per condition.
NOT_SEEPAGE_PROOF = "storage is not seepage-proof"
NOT_RAIN_PROOF = "storage is not rain-proof"
NOT_OVERFLOW_PROOF = "storage is not overflow-proof"
LIQUID_STORAGE_SHORT = "liquid storage short by {shortfall} {unit} (needs {required}, has {actual})"
SOLID_STORAGE_SHORT = "solid storage short by {shortfall} {unit} (needs {required}, has {actual})"
TREATMENT_NOT_IN_OPERATION = "no manure treatment or utilisation in operation"
LAND_SHORT = "land for application short by {shortfall} {unit} (needs {required}, has {actual})"

# Units (INDICATORS.md preamble): 1 mu = 1/15 ha ≈ 666.67 m2.
MU_PER_HA = 15
M2_PER_MU = 10000 / 15

# GB 3838-2002 calls water worse than class V "劣V类" (INDICATORS.md §8).
WORSE_THAN_ALL = "劣V"

# A figure computed in floating point (0.035 × 600 × 30 = 630.0000000000001) must not fail a
# comparison with the same figure typed by hand (630), so relative differences below this are
# treated as equality wherever one side is computed.
_REL_TOL = 1e-9


class FormulaError(ValueError):
    """Input a user can get wrong; `message` says what to fix.

    `template` is one of the module's message constants and `params` fill it in. `field` names
    the offending input where there is one, so a service can re-raise the error as an
    `ApplicationError` on that field.
    """

    def __init__(self, template: str, *, field: str | None = None, **params: object) -> None:
        self.template = template
        self.params = params
        self.field = field
        self.message = template.format(**params)
        super().__init__(self.message)


def _finite(name: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise FormulaError(NOT_FINITE_INPUT, field=name, name=name, value=value)
    return number


def _non_negative(name: str, value: float) -> float:
    number = _finite(name, value)
    if number < 0:
        raise FormulaError(NEGATIVE_INPUT, field=name, name=name, value=value)
    return number


def _positive(name: str, value: float) -> float:
    number = _finite(name, value)
    if number <= 0:
        raise FormulaError(NOT_POSITIVE_INPUT, field=name, name=name, value=value)
    return number


def _percent(name: str, value: float) -> float:
    number = _finite(name, value)
    if not 0 <= number <= 100:
        raise FormulaError(PERCENT_OUT_OF_RANGE, field=name, name=name, value=value)
    return number


def _exceeds(value: float, bound: float) -> bool:
    """`value > bound`, beyond floating-point noise."""
    return value > bound and not math.isclose(value, bound, rel_tol=_REL_TOL)


def _part_of_whole(part_name: str, part: float, whole_name: str, whole: float) -> tuple[float, float]:
    part_value = _non_negative(part_name, part)
    whole_value = _non_negative(whole_name, whole)
    if _exceeds(part_value, whole_value):
        raise FormulaError(
            COUNT_EXCEEDS_TOTAL,
            field=part_name,
            part_name=part_name,
            part=part,
            whole_name=whole_name,
            whole=whole,
        )
    return part_value, whole_value


def _amount_text(amount: float) -> str:
    """An amount to two decimals without trailing zeros: 120.00000000000006 -> "120"."""
    text = f"{round(amount, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def rate_pct(numerator: float | None, denominator: float | None) -> float | None:
    """Percentage, numerator ÷ denominator × 100 (INDICATORS.md preamble).

    Both in the same unit; the result in %. `None` ("missing", never 0 % or 100 %) when either
    is missing or the denominator is 0. Not capped at 100: callers flag values above 100 where
    that matters.
    """
    if numerator is None or denominator is None:
        return None
    numerator_value = _non_negative("numerator", numerator)
    denominator_value = _non_negative("denominator", denominator)
    if denominator_value == 0:
        return None
    return numerator_value / denominator_value * 100


# --- Units -------------------------------------------------------------------------------------


def kg_per_mu_to_kg_per_ha(kg_per_mu: float) -> float:
    """kg/mu to kg/ha (INDICATORS.md preamble, §9): 1 ha = 15 mu, so kg/ha = kg/mu × 15."""
    return _finite("kg_per_mu", kg_per_mu) * MU_PER_HA


def kg_per_ha_to_kg_per_mu(kg_per_ha: float) -> float:
    """kg/ha to kg/mu (INDICATORS.md preamble, §9): kg/mu = kg/ha ÷ 15."""
    return _finite("kg_per_ha", kg_per_ha) / MU_PER_HA


# --- §1 Fertiliser, §2 pesticide ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NutrientKg:
    """Pure nutrient (折纯量) of an application, kg, kept per nutrient (INDICATORS.md §1)."""

    n_kg: float
    p2o5_kg: float
    k2o_kg: float

    @property
    def total_kg(self) -> float:
        """N + P2O5 + K2O, kg."""
        return self.n_kg + self.p2o5_kg + self.k2o_kg


def pure_nutrient_kg(product_kg: float, n_pct: float, p2o5_pct: float, k2o_pct: float) -> NutrientKg:
    """Pure nutrient of an application, kg (INDICATORS.md §1).

    Per nutrient, kg product × content % / 100. `product_kg` in kg; the three contents in % of
    product mass, each in [0, 100] and together at most 100.
    """
    product = _non_negative("product_kg", product_kg)
    n = _percent("n_pct", n_pct)
    p2o5 = _percent("p2o5_pct", p2o5_pct)
    k2o = _percent("k2o_pct", k2o_pct)
    total_pct = n + p2o5 + k2o
    if _exceeds(total_pct, 100):
        raise FormulaError(NUTRIENT_SUM_OVER_100, total_pct=round(total_pct, 6))
    return NutrientKg(
        n_kg=product * n / 100,
        p2o5_kg=product * p2o5 / 100,
        k2o_kg=product * k2o / 100,
    )


def intensity_kg_per_mu(total_kg: float, sown_area_mu: float | None) -> float | None:
    """Use intensity (施用强度), kg/mu (INDICATORS.md §1; §2 for kg a.i./mu; §8 load per mu).

    `total_kg`: pure nutrient (or active ingredient) of all applications in the scope and
    year, kg. `sown_area_mu`: sown area of the crop seasons in the scope and year, mu (a mu
    sown twice counts twice). `None` when there is no sown area.
    """
    total = _non_negative("total_kg", total_kg)
    if sown_area_mu is None:
        return None
    area = _non_negative("sown_area_mu", sown_area_mu)
    if area == 0:
        return None
    return total / area


def reduction_pct(baseline_intensity: float | None, intensity: float | None) -> float | None:
    """Reduction (减量率), % (INDICATORS.md §1; §2 likewise).

    (baseline − intensity) ÷ baseline × 100, both intensities in kg/mu. Negative when use went
    up. `None` when either intensity is missing or the baseline is 0.
    """
    if baseline_intensity is None or intensity is None:
        return None
    baseline = _non_negative("baseline_intensity", baseline_intensity)
    current = _non_negative("intensity", intensity)
    if baseline == 0:
        return None
    return (baseline - current) / baseline * 100


def active_ingredient_kg(
    amount: float,
    unit: Literal["kg", "L"],
    ai_content_pct: float,
    density_kg_per_l: float | None = None,
) -> float:
    """Active ingredient (折百量) of a pesticide application, kg a.i. (INDICATORS.md §2).

    kg product × a.i. content % / 100. `amount` is in kg, or in L and turned into kg by
    `density_kg_per_l` (kg/L). A product in L without a density raises rather than passing a
    litre off as a kilogram; for a product in kg the density is ignored. `ai_content_pct` is %
    of product mass.
    """
    quantity = _non_negative("amount", amount)
    content = _percent("ai_content_pct", ai_content_pct)
    if unit == "kg":
        product_kg = quantity
    elif unit == "L":
        if density_kg_per_l is None:
            raise FormulaError(DENSITY_REQUIRED, field="density_kg_per_l")
        product_kg = quantity * _positive("density_kg_per_l", density_kg_per_l)
    else:
        raise FormulaError(UNKNOWN_UNIT, field="unit", unit=unit)
    return product_kg * content / 100


# --- §3 Green fertilisation coverage -----------------------------------------------------------


def coverage_pct(practice_area_mu: float, sown_area_mu: float | None) -> float | None:
    """Coverage of a practice, % (INDICATORS.md §3; our own formula, no official one exists).

    Sown area on which the practice was used in the season (each mu once per practice and
    season) ÷ sown area × 100, both in mu. `None` when there is no sown area; a practice area
    above the sown area raises.
    """
    practice = _non_negative("practice_area_mu", practice_area_mu)
    sown = 0.0 if sown_area_mu is None else _non_negative("sown_area_mu", sown_area_mu)
    if _exceeds(practice, sown):
        raise FormulaError(
            PRACTICE_AREA_EXCEEDS_SOWN,
            field="practice_area_mu",
            practice_area_mu=practice_area_mu,
            sown_area_mu=sown_area_mu,
        )
    return rate_pct(practice, sown)


# --- §4 Straw ----------------------------------------------------------------------------------


class StrawUse(StrEnum):
    """Where straw went, as the straw resource ledger records it (INDICATORS.md §4).

    Direct field return (直接还田) counts as fertiliser use (肥料化) but has its own key so its
    own rate can be reported: `FERTILISER` is the off-field fertiliser use only (compost,
    organic fertiliser), and a tonne goes under one key, never both. `BURNED` and `UNUSED`
    are recorded but not utilised.
    """

    FIELD_RETURN = "field_return"
    FERTILISER = "fertiliser"
    FEED = "feed"
    FUEL = "fuel"
    SUBSTRATE = "substrate"
    RAW_MATERIAL = "raw_material"
    BURNED = "burned"
    UNUSED = "unused"


UTILISED_STRAW_USES: frozenset[StrawUse] = frozenset(
    {
        StrawUse.FIELD_RETURN,
        StrawUse.FERTILISER,
        StrawUse.FEED,
        StrawUse.FUEL,
        StrawUse.SUBSTRATE,
        StrawUse.RAW_MATERIAL,
    }
)


def straw_produced_t(grain_yield_t: float, straw_grain_ratio: float) -> float:
    """Straw produced (产生量), t (INDICATORS.md §4).

    Grain yield (t) × straw-to-grain ratio (草谷比, dimensionless).
    """
    grain = _non_negative("grain_yield_t", grain_yield_t)
    return grain * _non_negative("straw_grain_ratio", straw_grain_ratio)


def straw_collectable_t(produced_t: float, collection_coefficient: float) -> float:
    """Collectable straw (可收集量), t (INDICATORS.md §4).

    Produced (t) × collection coefficient (可收集系数), which lies in [0, 1].
    """
    produced = _non_negative("produced_t", produced_t)
    coefficient = _finite("collection_coefficient", collection_coefficient)
    if not 0 <= coefficient <= 1:
        raise FormulaError(
            COEFFICIENT_OUT_OF_RANGE, field="collection_coefficient", value=collection_coefficient
        )
    return produced * coefficient


def _straw_uses(uses_t: Mapping[str, float]) -> dict[StrawUse, float]:
    known = {use.value for use in StrawUse}
    checked: dict[StrawUse, float] = {}
    for key, tonnes in uses_t.items():
        if key not in known:
            raise FormulaError(UNKNOWN_STRAW_USE, field="uses_t", use=key, allowed=", ".join(sorted(known)))
        checked[StrawUse(key)] = _non_negative(f"uses_t[{key}]", tonnes)
    return checked


@dataclass(frozen=True, slots=True)
class StrawResult:
    """Straw utilisation of a scope (INDICATORS.md §4); tonnes in t, rates in %.

    `over_collectable` flags utilised above collectable (possible with straw stored from last
    year); the rate is then above 100 % and reported as it is, never capped.
    """

    collectable_t: float
    utilised_t: float
    field_return_t: float
    utilisation_rate_pct: float | None
    field_return_rate_pct: float | None
    over_collectable: bool


def straw_utilisation(collectable_t: float, uses_t: Mapping[str, float]) -> StrawResult:
    """Straw comprehensive utilisation rate (秸秆综合利用率), % (INDICATORS.md §4).

    Rate = utilised ÷ collectable × 100, utilised being the tonnes under the five uses (field
    return included, see `StrawUse`); field-return rate = field return ÷ collectable × 100.
    `collectable_t` and the `uses_t` values in t, its keys `StrawUse` values. Rates are `None`
    when nothing is collectable.
    """
    collectable = _non_negative("collectable_t", collectable_t)
    uses = _straw_uses(uses_t)
    utilised = math.fsum(tonnes for use, tonnes in uses.items() if use in UTILISED_STRAW_USES)
    field_return = uses.get(StrawUse.FIELD_RETURN, 0.0)
    return StrawResult(
        collectable_t=collectable,
        utilised_t=utilised,
        field_return_t=field_return,
        utilisation_rate_pct=rate_pct(utilised, collectable),
        field_return_rate_pct=rate_pct(field_return, collectable),
        over_collectable=_exceeds(utilised, collectable),
    )


@dataclass(frozen=True, slots=True)
class StrawLedger:
    """One crop's row of the straw resource ledger (秸秆资源台账) (INDICATORS.md §4).

    Grain yield in t, ratio and coefficient dimensionless, uses in t keyed by `StrawUse`
    values. Validated on construction; `uses_t` is copied, so the row stays as built.
    """

    grain_yield_t: float
    straw_grain_ratio: float
    collection_coefficient: float
    uses_t: Mapping[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        straw_collectable_t(
            straw_produced_t(self.grain_yield_t, self.straw_grain_ratio),
            self.collection_coefficient,
        )
        _straw_uses(self.uses_t)
        object.__setattr__(self, "uses_t", MappingProxyType(dict(self.uses_t)))

    @property
    def produced_t(self) -> float:
        """Straw produced, t."""
        return straw_produced_t(self.grain_yield_t, self.straw_grain_ratio)

    @property
    def collectable_t(self) -> float:
        """Collectable straw, t."""
        return straw_collectable_t(self.produced_t, self.collection_coefficient)

    def utilisation(self) -> StrawResult:
        """`straw_utilisation` of this row."""
        return straw_utilisation(self.collectable_t, self.uses_t)


# --- §5 Mulch film -----------------------------------------------------------------------------


def is_standard_film(thickness_mm: float, min_thickness_mm: float) -> bool:
    """Whether film meets GB 13735-2017 (INDICATORS.md §5): thickness ≥ minimum, both in mm.

    The minimum (0.010 mm, official) comes from `data/`; exactly the minimum meets it.
    """
    thickness = _non_negative("thickness_mm", thickness_mm)
    return not _exceeds(_positive("min_thickness_mm", min_thickness_mm), thickness)


def standard_film_share_pct(standard_kg: float, used_kg: float) -> float | None:
    """Standard film share, % (INDICATORS.md §5).

    kg of film meeting GB 13735-2017 ÷ kg used × 100. `None` when no film was used; standard
    film above the film used raises.
    """
    standard = _non_negative("standard_kg", standard_kg)
    used = _non_negative("used_kg", used_kg)
    if _exceeds(standard, used):
        raise FormulaError(
            STANDARD_FILM_EXCEEDS_USED,
            field="standard_kg",
            standard_kg=standard_kg,
            used_kg=used_kg,
        )
    return rate_pct(standard, used)


@dataclass(frozen=True, slots=True)
class FilmRecovery:
    """Film recovery (INDICATORS.md §5): rate in %, flagged when more was recovered than used."""

    recovery_rate_pct: float | None
    over_used: bool


def film_recovery_pct(recovered_kg: float, used_kg: float) -> FilmRecovery:
    """Film recovery rate (农膜回收率), % (INDICATORS.md §5).

    kg recovered ÷ kg used in the scope and year × 100. Recovered above used (old film) sets
    `over_used` and is never capped; the rate is `None` when no film was used.
    """
    recovered = _non_negative("recovered_kg", recovered_kg)
    used = _non_negative("used_kg", used_kg)
    return FilmRecovery(recovery_rate_pct=rate_pct(recovered, used), over_used=_exceeds(recovered, used))


# --- §6 Livestock manure -----------------------------------------------------------------------


def is_large_scale(head_count: float, threshold: float) -> bool:
    """Whether a farm is large-scale (规模养殖场) (INDICATORS.md §6): heads ≥ threshold.

    Heads a year or in stock, as the species' threshold in `data/` is defined (pigs: 500
    slaughtered a year). A farm exactly at the threshold is large-scale.
    """
    heads = _non_negative("head_count", head_count)
    return not _exceeds(_positive("threshold", threshold), heads)


def pig_equivalents(heads: float, heads_per_unit: float, pig_equivalents_per_unit: float) -> float:
    """Pig equivalents (INDICATORS.md §6, GB 18596), in pigs.

    heads ÷ heads_per_unit × pig_equivalents_per_unit: "30 layers = 1 pig" is
    `heads_per_unit=30, pig_equivalents_per_unit=1`; "1 dairy cow = 10 pigs" is
    `heads_per_unit=1, pig_equivalents_per_unit=10`.
    """
    return (
        _non_negative("heads", heads)
        / _positive("heads_per_unit", heads_per_unit)
        * _non_negative("pig_equivalents_per_unit", pig_equivalents_per_unit)
    )


def per_head(coefficient_per_group: float, heads_per_group: float) -> float:
    """A coefficient per group of animals made per head (INDICATORS.md §6).

    coefficient ÷ heads in the group, in the coefficient's unit. GB 18596 gives wastewater in
    m3 per day per 100 pigs, per 1000 poultry or per 100 cattle: 3.5 m3 per 100 pigs per day
    is `per_head(3.5, 100)` = 0.035 m3 per pig per day.
    """
    coefficient = _non_negative("coefficient_per_group", coefficient_per_group)
    return coefficient / _positive("heads_per_group", heads_per_group)


def required_storage_m3(m3_per_head_per_day: float, heads_in_stock: float, storage_days: float) -> float:
    """Required storage volume, m3 (INDICATORS.md §6).

    m3 per head per day × heads in stock × storage days. Use the larger (summer) figure of the
    farm's collection method. The reference table is per 100 pigs, per 1000 poultry or per 100
    cattle per day, so pass `per_head(coefficient, heads_per_group)`.
    """
    return (
        _non_negative("m3_per_head_per_day", m3_per_head_per_day)
        * _non_negative("heads_in_stock", heads_in_stock)
        * _non_negative("storage_days", storage_days)
    )


def required_land_mu(pig_equivalents: float, pig_equivalents_per_mu: float) -> float:
    """Land the manure needs for application, mu (INDICATORS.md §6).

    Pig equivalents ÷ carrying capacity (pig equivalents per mu; provisional, from `data/`).
    """
    equivalents = _non_negative("pig_equivalents", pig_equivalents)
    return equivalents / _positive("pig_equivalents_per_mu", pig_equivalents_per_mu)


class ManureCondition(StrEnum):
    """Conditions of matched manure facilities (INDICATORS.md §6), in the order checked."""

    SEEPAGE_PROOF = "seepage_proof"
    RAIN_PROOF = "rain_proof"
    OVERFLOW_PROOF = "overflow_proof"
    LIQUID_STORAGE = "liquid_storage"
    SOLID_STORAGE = "solid_storage"
    TREATMENT_IN_OPERATION = "treatment_in_operation"
    LAND = "land"


@dataclass(frozen=True, slots=True)
class ManureCheck:
    """What a large-scale farm has and needs for its manure (INDICATORS.md §6).

    Volumes in m3 (the required ones from `required_storage_m3`), land in mu, carrying
    capacity in pig equivalents per mu.
    """

    seepage_proof: bool
    rain_proof: bool
    overflow_proof: bool
    liquid_storage_m3: float
    required_liquid_storage_m3: float
    solid_storage_m3: float
    required_solid_storage_m3: float
    treatment_in_operation: bool
    land_mu: float
    pig_equivalents: float
    carrying_capacity_pig_eq_per_mu: float


@dataclass(frozen=True, slots=True)
class Failure:
    """One condition a farm's manure facilities fail (INDICATORS.md §6).

    For a quantity, `required`, `actual` and `shortfall` (required − actual) are in `unit`;
    for a yes/no condition they are `None`. `template` is one of the failure constants.
    """

    condition: ManureCondition
    template: str
    required: float | None = None
    actual: float | None = None
    shortfall: float | None = None
    unit: str | None = None

    @property
    def message(self) -> str:
        """The failure in words: "liquid storage short by 120 m3 (needs 630, has 510)"."""
        if self.required is None or self.actual is None or self.shortfall is None:
            return self.template
        return self.template.format(
            shortfall=_amount_text(self.shortfall),
            unit=self.unit,
            required=_amount_text(self.required),
            actual=_amount_text(self.actual),
        )


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Whether a farm's manure facilities are matched (配套) (INDICATORS.md §6), and why not."""

    failures: tuple[Failure, ...]

    @property
    def matched(self) -> bool:
        """True when no condition fails."""
        return not self.failures


def _yes_no(holds: bool, condition: ManureCondition, template: str) -> Failure | None:
    return None if holds else Failure(condition=condition, template=template)


def _shortfall(
    condition: ManureCondition, template: str, required: float, actual: float, unit: str
) -> Failure | None:
    if not _exceeds(required, actual):
        return None
    return Failure(
        condition=condition,
        template=template,
        required=required,
        actual=actual,
        shortfall=required - actual,
        unit=unit,
    )


def manure_facility_match(check: ManureCheck) -> MatchResult:
    """Check the conditions of matched manure facilities (INDICATORS.md §6).

    Storage seepage-, rain- and overflow-proof; liquid and solid storage (m3) each at least its
    requirement; treatment or utilisation in operation; land for application (mu) at least pig
    equivalents ÷ carrying capacity. Every failing condition is reported, quantities with their
    shortfall; exactly meeting a requirement passes.
    """
    liquid = _non_negative("liquid_storage_m3", check.liquid_storage_m3)
    liquid_required = _non_negative("required_liquid_storage_m3", check.required_liquid_storage_m3)
    solid = _non_negative("solid_storage_m3", check.solid_storage_m3)
    solid_required = _non_negative("required_solid_storage_m3", check.required_solid_storage_m3)
    land = _non_negative("land_mu", check.land_mu)
    land_required = required_land_mu(check.pig_equivalents, check.carrying_capacity_pig_eq_per_mu)

    conditions = (
        _yes_no(check.seepage_proof, ManureCondition.SEEPAGE_PROOF, NOT_SEEPAGE_PROOF),
        _yes_no(check.rain_proof, ManureCondition.RAIN_PROOF, NOT_RAIN_PROOF),
        _yes_no(check.overflow_proof, ManureCondition.OVERFLOW_PROOF, NOT_OVERFLOW_PROOF),
        _shortfall(ManureCondition.LIQUID_STORAGE, LIQUID_STORAGE_SHORT, liquid_required, liquid, "m3"),
        _shortfall(ManureCondition.SOLID_STORAGE, SOLID_STORAGE_SHORT, solid_required, solid, "m3"),
        _yes_no(
            check.treatment_in_operation,
            ManureCondition.TREATMENT_IN_OPERATION,
            TREATMENT_NOT_IN_OPERATION,
        ),
        _shortfall(ManureCondition.LAND, LAND_SHORT, land_required, land, "mu"),
    )
    return MatchResult(failures=tuple(failure for failure in conditions if failure is not None))


def facility_matching_rate_pct(matched_count: int, large_scale_count: int) -> float | None:
    """Facility matching rate (粪污处理设施装备配套率), % (INDICATORS.md §6).

    Large-scale farms whose facilities are matched ÷ large-scale farms × 100. `None` when
    there is no large-scale farm.
    """
    matched, total = _part_of_whole("matched_count", matched_count, "large_scale_count", large_scale_count)
    return rate_pct(matched, total)


def manure_utilisation_pct(utilised_t: float, produced_t: float) -> float | None:
    """Manure utilisation rate (粪污综合利用率), % (INDICATORS.md §6).

    Manure utilised (t) ÷ manure produced (t) × 100. `None` when nothing was produced; not
    capped.
    """
    return rate_pct(_non_negative("utilised_t", utilised_t), _non_negative("produced_t", produced_t))


# --- §7 Aquaculture tailwater ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limit:
    """A limit on one parameter (INDICATORS.md §7, §8), in its unit (mg/L; pH unitless).

    A range (pH 6-9) has both bounds, a concentration limit only `max_value`. Both bounds are
    inclusive: a value exactly at a limit complies.
    """

    parameter: str
    min_value: float | None = None
    max_value: float | None = None

    def __post_init__(self) -> None:
        if self.min_value is None and self.max_value is None:
            raise FormulaError(LIMIT_WITHOUT_BOUND, parameter=self.parameter)
        if self.min_value is not None:
            _finite("min_value", self.min_value)
        if self.max_value is not None:
            _finite("max_value", self.max_value)
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise FormulaError(
                LIMIT_MIN_ABOVE_MAX,
                parameter=self.parameter,
                min_value=self.min_value,
                max_value=self.max_value,
            )


class SampleStatus(StrEnum):
    """How one parameter of a sample stands against its limit (INDICATORS.md §7)."""

    PASS = "pass"
    FAIL = "fail"
    NOT_MEASURED = "not_measured"


@dataclass(frozen=True, slots=True)
class Exceedance:
    """A measured value outside its limit (INDICATORS.md §7), in the parameter's unit.

    `excess` is how far beyond `limit`; `bound` says which side: "max" (above the maximum) or
    "min" (below the minimum, as for pH).
    """

    parameter: str
    value: float
    limit: float
    excess: float
    bound: Literal["min", "max"]


@dataclass(frozen=True, slots=True)
class SampleJudgement:
    """A sample judged against its limits (INDICATORS.md §7).

    `statuses` has one entry per limited parameter. `complies` is True when every limited
    parameter was measured and passed, False when any failed, and None ("incomplete") when
    none failed but some were not measured, or when there was nothing to judge.
    """

    statuses: Mapping[str, SampleStatus] = field(hash=False)
    exceedances: tuple[Exceedance, ...]
    complies: bool | None

    @property
    def not_measured(self) -> tuple[str, ...]:
        """The limited parameters that have no value."""
        return tuple(
            parameter for parameter, status in self.statuses.items() if status is SampleStatus.NOT_MEASURED
        )


def judge_sample(values: Mapping[str, float | None], limits: Sequence[Limit]) -> SampleJudgement:
    """Judge one discharge sample against the limits that apply to it (INDICATORS.md §7).

    `values` maps a parameter to its measured value (mg/L; pH unitless), `None` or absent when
    not measured; parameters without a limit are ignored. A value exactly at a limit complies;
    a missing parameter is "not measured", not a pass.
    """
    statuses: dict[str, SampleStatus] = {}
    exceedances: list[Exceedance] = []
    for limit in limits:
        if limit.parameter in statuses:
            raise FormulaError(DUPLICATE_LIMIT, parameter=limit.parameter)
        raw = values.get(limit.parameter)
        if raw is None:
            statuses[limit.parameter] = SampleStatus.NOT_MEASURED
            continue
        value = _non_negative(limit.parameter, raw)
        status = SampleStatus.PASS
        if limit.max_value is not None and value > limit.max_value:
            excess = value - limit.max_value
            exceedances.append(Exceedance(limit.parameter, value, limit.max_value, excess, "max"))
            status = SampleStatus.FAIL
        if limit.min_value is not None and value < limit.min_value:
            excess = limit.min_value - value
            exceedances.append(Exceedance(limit.parameter, value, limit.min_value, excess, "min"))
            status = SampleStatus.FAIL
        statuses[limit.parameter] = status

    complies: bool | None
    if exceedances:
        complies = False
    elif statuses and all(status is SampleStatus.PASS for status in statuses.values()):
        complies = True
    else:
        complies = None
    return SampleJudgement(
        statuses=MappingProxyType(statuses), exceedances=tuple(exceedances), complies=complies
    )


def farm_complies(sample_results: Sequence[bool | None]) -> bool | None:
    """Whether a farm complies in a year (INDICATORS.md §7): all its samples that year comply.

    Takes each discharge sample's `complies`. Any False gives False; all True gives True; no
    samples, or incomplete samples and no failure, give None (not known).
    """
    if any(result is False for result in sample_results):
        return False
    if sample_results and all(result is True for result in sample_results):
        return True
    return None


def tailwater_compliance_pct(complying_farms: int, sampled_farms: int) -> float | None:
    """Tailwater compliance rate, % (INDICATORS.md §7).

    Complying aquaculture farms ÷ sampled aquaculture farms × 100. `None` when no farm was
    sampled.
    """
    complying, sampled = _part_of_whole("complying_farms", complying_farms, "sampled_farms", sampled_farms)
    return rate_pct(complying, sampled)


def monitoring_coverage_pct(sampled: int, total: int) -> float | None:
    """Monitoring coverage, % (INDICATORS.md §7, §8): monitored ÷ all to be monitored × 100.

    §7: sampled ÷ all discharging aquaculture farms. §8: districts at or above the size
    threshold with both inlet and outlet samples in the year ÷ such districts. `None` when
    there is nothing to monitor.
    """
    monitored, everyone = _part_of_whole("sampled", sampled, "total", total)
    return rate_pct(monitored, everyone)


# --- §8 Irrigation districts -------------------------------------------------------------------


def net_load_kg(c_out_mg_per_l: float, v_out_m3: float, c_in_mg_per_l: float, v_in_m3: float) -> float:
    """Net exported load of an event, kg (INDICATORS.md §8).

    (C_out × V_out − C_in × V_in) / 1000 with C in mg/L and V in m3 (mg/L × m3 = g). Negative
    when the district cleaned the water, and reported as it is.
    """
    c_out = _non_negative("c_out_mg_per_l", c_out_mg_per_l)
    v_out = _non_negative("v_out_m3", v_out_m3)
    c_in = _non_negative("c_in_mg_per_l", c_in_mg_per_l)
    v_in = _non_negative("v_in_m3", v_in_m3)
    return (c_out * v_out - c_in * v_in) / 1000


def must_be_monitored(area_mu: float, threshold_mu: float) -> bool:
    """Whether an irrigation district must be monitored (INDICATORS.md §8): area ≥ threshold.

    Both in mu; the threshold (1000 mu) comes from `data/`. Exactly at it must be monitored.
    """
    area = _non_negative("area_mu", area_mu)
    return not _exceeds(_positive("threshold_mu", threshold_mu), area)


def water_class(
    values: Mapping[str, float | None], class_limits: Sequence[tuple[str, Sequence[Limit]]]
) -> str | None:
    """Water-quality class of a sample (INDICATORS.md §8, GB 3838-2002), values in mg/L.

    `class_limits` lists the classes best first, e.g. `[("III", ...), ("IV", ...), ("V", ...)]`.
    The result is the best class none of whose measured parameters exceeds its limit (single-
    factor evaluation on the parameters measured), so the first class also stands for "this
    class or better". When even the last class fails, `WORSE_THAN_ALL` ("劣V"); `None` when no
    limited parameter was measured.
    """
    if not class_limits:
        raise FormulaError(NO_WATER_CLASSES)
    judgements = [(name, judge_sample(values, limits)) for name, limits in class_limits]
    measured = any(
        status is not SampleStatus.NOT_MEASURED
        for _, judgement in judgements
        for status in judgement.statuses.values()
    )
    if not measured:
        return None
    for name, judgement in judgements:
        if judgement.complies is not False:
            return name
    return WORSE_THAN_ALL
