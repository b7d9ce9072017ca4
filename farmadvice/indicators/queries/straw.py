"""Straw comprehensive utilisation and field return (INDICATORS.md §4), as the straw resource ledger
(秸秆资源台账) computes them.

Which seasons are in the ledger: those of the year with at least one straw-use record (an "unused" record
included), i.e. whose straw's fate was recorded. A season with no straw record is not surveyed, so it adds
nothing to either side: a farm that recorded nothing has a missing rate, not 0 %. A ledger season without
a yield cannot say how much straw it produced; it is counted in `seasons_missing_yield` and left out of
both sides. Every crop in the ledger needs a straw-to-grain ratio and a collection coefficient in force
(`ApplicationError` naming the crop and the coefficient otherwise).

Queries: the crops in the ledger (to fetch their coefficients); the straw records grouped by season with
produced t = yield t × ratio and collectable t = produced × collection coefficient (by crop) and the kg of
each use, summed per scope in the database (`common.regroup`); the same per farm, kept where utilised
exceeds collectable, for the flags. `formulas.straw_utilisation` then gives the rate (utilised ÷
collectable × 100, utilised = the five uses, field return included), the field-return rate and the flag
for utilised above collectable, reported, never capped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db.models import Case, ExpressionWrapper, F, FloatField, Q, QuerySet, Value, When

from farmadvice.indicators import formulas
from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries.common import (
    DISTRICT_ID,
    IndicatorFrame,
    Outer,
    Scope,
    Selection,
    as_float,
    fsum,
    indicator_frame,
    labelled,
    memo,
    per_row,
    regroup,
    rollup,
    scope_key,
)
from farmadvice.indicators.reference import StrawCoefficients, straw_coefficients
from farmadvice.practices.models import StrawUse, StrawUseKind
from farmadvice.registry.models import Farm

USE_COLUMNS = {use.value: f"{use.value}_t" for use in StrawUseKind}
UTILISED_USES = [use.value for use in formulas.UTILISED_STRAW_USES if use.value in USE_COLUMNS]
LEDGER_COLUMNS = ["produced_t", "collectable_t", "ledger_seasons", "seasons_missing_yield", "straw_farms"]
RESULT_COLUMNS = [
    "utilised_t",
    "field_return_t",
    "straw_utilisation_pct",
    "straw_field_return_pct",
    "over_collectable",
]


def _records(sel: Selection) -> QuerySet[StrawUse]:
    return StrawUse.objects.filter(sel.farm_q("season__farm"), season__year=sel.year)


def _coefficients(sel: Selection) -> dict[int, StrawCoefficients]:
    """The coefficients of the crops in the ledger (raises for a crop without them)."""

    def build() -> dict[int, StrawCoefficients]:
        crop_ids = _records(sel).order_by().values_list("season__crop_id", flat=True).distinct()
        return straw_coefficients(year=sel.year, crop_ids=list(crop_ids))

    return memo(sel, ("straw_coefficients", sel.year), build)


def _by_crop(coefficients: dict[int, StrawCoefficients], factor) -> Case | Value:
    """Per season, the crop's factor: the ratio, or ratio × collection coefficient."""
    whens = [When(season__crop_id=crop_id, then=Value(factor(c))) for crop_id, c in coefficients.items()]
    return (
        Case(*whens, default=Value(None), output_field=FloatField()) if whens else Value(None, FloatField())
    )


def _per_season(sel: Selection, key: str, coefficients: dict[int, StrawCoefficients]) -> QuerySet:
    """The straw records grouped by season: the scope key, farm, yield, produced and collectable tonnes,
    kg per use and utilised tonnes."""
    # Cast first: SQLite stores a whole-number decimal as an integer, and 25500 / 1000 would be 25.
    tonnes = as_float(F("season__yield_kg")) / 1000
    return (
        _records(sel)
        .values(
            season_key=F("season_id"),
            scope_id=F(key),
            farm_key=F("season__farm_id"),
            yield_kg=as_float(F("season__yield_kg")),
            produced_t=ExpressionWrapper(
                tonnes * _by_crop(coefficients, lambda c: c.straw_grain_ratio.value),
                output_field=FloatField(),
            ),
            collectable_t=ExpressionWrapper(
                tonnes
                * _by_crop(
                    coefficients, lambda c: c.straw_grain_ratio.value * c.collection_coefficient.value
                ),
                output_field=FloatField(),
            ),
        )
        .annotate(
            **{f"{use}_kg": fsum("straw_kg", filter=Q(use=use)) for use in USE_COLUMNS},
            utilised_t=fsum("straw_kg", filter=Q(use__in=UTILISED_USES)) / 1000,
        )
    )


def _ledger_sums(sel: Selection, coefficients: dict[int, StrawCoefficients]) -> pd.DataFrame:
    scope = Scope.TOWN if sel.scope == Scope.DISTRICT else sel.scope
    outer = {
        "produced_t": Outer("sum", "produced_t"),
        "collectable_t": Outer("sum", "collectable_t"),
        **{f"{use}_kg": Outer("guarded_sum", f"{use}_kg", guard="yield_kg") for use in USE_COLUMNS},
        "seasons": Outer("count"),
        "seasons_missing_yield": Outer("count_null", "yield_kg"),
        "straw_farms": Outer("count_distinct", "farm_key"),
    }
    inner = _per_season(sel, scope_key(scope, "season__farm"), coefficients)
    frame = memo(sel, ("straw", sel.year, scope), lambda: regroup(inner, by=["scope_id"], columns=outer))
    frame = frame[frame["scope_id"].notna()].astype({"scope_id": "int64"})
    for use, column in USE_COLUMNS.items():
        frame[column] = frame.pop(f"{use}_kg").astype("float64").fillna(0.0) / 1000
    frame["ledger_seasons"] = frame.pop("seasons") - frame["seasons_missing_yield"]
    frame = frame.astype({"produced_t": "float64", "collectable_t": "float64"})
    if sel.scope == Scope.DISTRICT:
        frame = rollup(frame, [*LEDGER_COLUMNS, *USE_COLUMNS.values()])
    return frame


def _utilisation(collectable_t: float | None, *uses_t: float | None) -> tuple:
    if collectable_t is None:
        return (None,) * len(RESULT_COLUMNS)
    uses = {use: tonnes or 0.0 for use, tonnes in zip(USE_COLUMNS, uses_t, strict=True)}
    result = formulas.straw_utilisation(collectable_t, uses)
    return (
        result.utilised_t,
        result.field_return_t,
        result.utilisation_rate_pct,
        result.field_return_rate_pct,
        result.over_collectable,
    )


def _sum_by(seasons: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """The ledger sums per key; seasons without a yield counted apart and left out of both sides."""
    has_yield = seasons["yield_t"].notna()
    data = seasons[[*USE_COLUMNS.values(), "produced_t", "collectable_t"]].where(has_yield, np.nan)
    data = data.assign(
        scope_id=key,
        ledger_seasons=has_yield.astype("int64"),
        seasons_missing_yield=(~has_yield).astype("int64"),
        farm_id=seasons["farm_id"],
    )
    data = data[data["scope_id"].notna()]
    frame = data.groupby("scope_id", as_index=False).agg(
        **{column: (column, "sum") for column in [*USE_COLUMNS.values(), "produced_t", "collectable_t"]},
        ledger_seasons=("ledger_seasons", "sum"),
        seasons_missing_yield=("seasons_missing_yield", "sum"),
        straw_farms=("farm_id", "nunique"),
    )
    return frame.astype({"scope_id": "int64"})


def straw_frame(sel: Selection) -> tuple[pd.DataFrame, dict[int, StrawCoefficients]]:
    """The ledger per scope row, labelled. Columns: produced_t, collectable_t, ledger_seasons,
    seasons_missing_yield, straw_farms, one `<use>_t` per straw use (field_return_t, fertiliser_t,
    feed_t, fuel_t, substrate_t, raw_material_t, unused_t), utilised_t, straw_utilisation_pct,
    straw_field_return_pct, over_collectable. Also returns the coefficients used."""
    coefficients = _coefficients(sel)
    frame = _ledger_sums(sel, coefficients)
    if sel.scope == Scope.DISTRICT and frame.empty:
        frame = pd.DataFrame([{"scope_id": DISTRICT_ID}])
    # A scope whose ledger seasons all lack a yield has nothing collectable to speak of: missing.
    frame["collectable_t"] = frame["collectable_t"].where(frame.get("ledger_seasons", 0) > 0)
    results = (
        per_row(frame, _utilisation, "collectable_t", *USE_COLUMNS.values())
        if "collectable_t" in frame
        else []
    )
    for index, column in enumerate(RESULT_COLUMNS):
        frame[column] = [row[index] for row in results] if results else None
    return labelled(frame, sel), coefficients


def _references(coefficients: dict[int, StrawCoefficients]) -> list:
    return [
        use for c in coefficients.values() for use in (c.straw_grain_ratio.use, c.collection_coefficient.use)
    ]


def straw_utilisation(sel: Selection, *, ledger: tuple | None = None) -> IndicatorFrame:
    """Straw comprehensive utilisation rate (秸秆综合利用率), % (INDICATORS.md §4).

    Utilised (the five uses, direct field return included) ÷ collectable × 100; above 100 % where more
    was used than collected this year (`over_collectable`), never capped. Columns: see `straw_frame`.
    """
    frame, coefficients = ledger or straw_frame(sel)
    return indicator_frame(
        indicator=Indicator.STRAW_UTILISATION,
        sel=sel,
        unit="%",
        frame=frame,
        value="straw_utilisation_pct",
        references=_references(coefficients),
    )


def straw_field_return(sel: Selection, *, ledger: tuple | None = None) -> IndicatorFrame:
    """Straw field-return rate (秸秆直接还田率), % (INDICATORS.md §4): direct field return ÷ collectable × 100."""
    frame, coefficients = ledger or straw_frame(sel)
    return indicator_frame(
        indicator=Indicator.STRAW_FIELD_RETURN,
        sel=sel,
        unit="%",
        frame=frame,
        value="straw_field_return_pct",
        references=_references(coefficients),
    )


def straw_over_collectable_farms(sel: Selection) -> pd.DataFrame:
    """The farms whose utilised straw exceeds their collectable straw in the year (the §4 flag of
    `formulas.straw_utilisation`, per farm). One query: the ledger per farm, kept where utilised >
    collectable (HAVING); the formula has the last word. Columns: farm_id, farm_code, farm_name,
    town_code, collectable_t, utilised_t."""
    columns = ["farm_id", "farm_code", "farm_name", "town_code", "collectable_t", "utilised_t"]
    outer = {
        "collectable_t": Outer("guarded_sum", "collectable_t", guard="yield_kg"),
        "utilised_t": Outer("guarded_sum", "utilised_t", guard="yield_kg"),
        **{f"{use}_kg": Outer("guarded_sum", f"{use}_kg", guard="yield_kg") for use in USE_COLUMNS},
    }
    inner = _per_season(sel, "season__farm_id", _coefficients(sel))
    farms = regroup(inner, by=["scope_id"], columns=outer, having=("utilised_t", "collectable_t"))
    if farms.empty:
        return pd.DataFrame(columns=columns)
    flagged = per_row(
        farms,
        lambda collectable, *kg: (
            formulas.straw_utilisation(
                collectable, {use: (k or 0.0) / 1000 for use, k in zip(USE_COLUMNS, kg, strict=True)}
            ).over_collectable
        ),
        "collectable_t",
        *(f"{use}_kg" for use in USE_COLUMNS),
    )  # per candidate farm
    farms = farms[np.array(flagged, dtype=bool)].rename(columns={"scope_id": "farm_id"})
    names = Farm.objects.filter(id__in=farms["farm_id"].tolist()).values_list(
        "id", "code", "name", "town__code"
    )
    labels = pd.DataFrame.from_records(
        list(names), columns=["farm_id", "farm_code", "farm_name", "town_code"]
    )
    return labels.merge(farms, on="farm_id")[columns].sort_values("farm_code").reset_index(drop=True)
