"""Mulch film: standard film share and recovery (INDICATORS.md §5).

One query: the film records of the year grouped by farm: kg used, kg meeting GB 13735-2017 (thickness ≥
the minimum in force, 0.010 mm; exactly the minimum meets it), kg of unknown thickness (counted as used,
not as standard: it cannot be shown to meet the standard), kg recovered. Summed per scope row in pandas;
`formulas.py` computes the share and the recovery rate, and flags recovered above used (old film collected
this year), never capping it; the same per farm gives the farms flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import F, Q

from farmadvice.indicators import formulas
from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries.common import (
    DISTRICT_ID,
    IndicatorFrame,
    Scope,
    Selection,
    frame_of,
    fsum,
    indicator_frame,
    labelled,
    memo,
    per_row,
)
from farmadvice.indicators.reference import FILM_MIN_THICKNESS_KEY, Figure, named_figure
from farmadvice.practices.models import MulchFilm

AMOUNTS = ["used_kg", "standard_kg", "unknown_thickness_kg", "recovered_kg"]
FARM_KEYS = ["farm_id", "farm_code", "farm_name", "town_id", "town_code", "irrigation_district_id"]
_SCOPE_COLUMN = {
    Scope.FARM: "farm_id",
    Scope.TOWN: "town_id",
    Scope.IRRIGATION_DISTRICT: "irrigation_district_id",
}


@dataclass(frozen=True, eq=False)
class FilmFarms:
    """Per farm with film records in the year (FARM_KEYS and AMOUNTS), and the thickness minimum used."""

    farms: pd.DataFrame
    minimum: Figure


def film_farms(sel: Selection) -> FilmFarms:
    """The year's film per farm: one query grouped by farm."""

    def build() -> FilmFarms:
        minimum = named_figure(FILM_MIN_THICKNESS_KEY, year=sel.year)
        rows = (
            MulchFilm.objects.filter(sel.farm_q("season__farm"), season__year=sel.year)
            .values(
                farm_id=F("season__farm_id"),
                farm_code=F("season__farm__code"),
                farm_name=F("season__farm__name"),
                town_id=F("season__farm__town_id"),
                town_code=F("season__farm__town__code"),
                irrigation_district_id=F("season__farm__irrigation_district_id"),
            )
            .annotate(
                used=fsum("used_kg"),
                standard=fsum("used_kg", filter=Q(thickness_mm__gte=minimum.value)),
                unknown_thickness=fsum("used_kg", filter=Q(thickness_mm__isnull=True)),
                recovered=fsum("recovered_kg"),
            )
            .order_by()
        )
        farms = frame_of(rows, [*FARM_KEYS, "used", "standard", "unknown_thickness", "recovered"])
        farms.columns = [*FARM_KEYS, *AMOUNTS]
        farms[AMOUNTS] = farms[AMOUNTS].astype("float64").fillna(0.0)
        return FilmFarms(farms=farms, minimum=minimum)

    return memo(sel, ("film_farms", sel.year), build)


def _recovery(recovered_kg: float | None, used_kg: float | None) -> tuple[float | None, bool | None]:
    if used_kg is None:
        return None, None
    result = formulas.film_recovery_pct(recovered_kg or 0.0, used_kg)
    return result.recovery_rate_pct, result.over_used


def _share(standard_kg: float | None, used_kg: float | None) -> float | None:
    if used_kg is None:
        return None
    return formulas.standard_film_share_pct(standard_kg or 0.0, used_kg)


def film_frame(sel: Selection) -> tuple[pd.DataFrame, Figure]:
    """Film per scope row, labelled. Columns: used_kg, standard_kg, unknown_thickness_kg, recovered_kg,
    film_farms, film_standard_share_pct, film_recovery_pct, over_used. Also returns the thickness
    minimum used."""
    data = film_farms(sel)
    farms = data.farms
    key = DISTRICT_ID if sel.scope == Scope.DISTRICT else farms[_SCOPE_COLUMN[sel.scope]]
    frame = (
        farms.assign(scope_id=key)
        .dropna(subset=["scope_id"])
        .groupby("scope_id", as_index=False)
        .agg(**{column: (column, "sum") for column in AMOUNTS}, film_farms=("farm_id", "count"))
        .astype({"scope_id": "int64"})
    )
    if sel.scope == Scope.DISTRICT and frame.empty:
        frame = pd.DataFrame([{"scope_id": DISTRICT_ID, "film_farms": 0}])
    for column in AMOUNTS:
        if column not in frame:
            frame[column] = np.nan
    frame["film_standard_share_pct"] = per_row(frame, _share, "standard_kg", "used_kg")
    recovery = per_row(frame, _recovery, "recovered_kg", "used_kg")
    frame["film_recovery_pct"] = [rate for rate, _flag in recovery]
    frame["over_used"] = [flag for _rate, flag in recovery]
    return labelled(frame, sel), data.minimum


def film_standard_share(sel: Selection, *, film: tuple | None = None) -> IndicatorFrame:
    """Standard film share (标准地膜使用率), % (INDICATORS.md §5).

    kg of film at least the GB 13735-2017 minimum thickness ÷ kg used × 100. Columns: see `film_frame`.
    """
    frame, minimum = film or film_frame(sel)
    return indicator_frame(
        indicator=Indicator.FILM_STANDARD_SHARE,
        sel=sel,
        unit="%",
        frame=frame,
        value="film_standard_share_pct",
        references=[minimum.use],
    )


def film_recovery(sel: Selection, *, film: tuple | None = None) -> IndicatorFrame:
    """Film recovery rate (农膜回收率), % (INDICATORS.md §5): kg recovered ÷ kg used × 100, with
    `over_used` flagging recovered above used (reported as it is)."""
    frame, _minimum = film or film_frame(sel)
    return indicator_frame(
        indicator=Indicator.FILM_RECOVERY, sel=sel, unit="%", frame=frame, value="film_recovery_pct"
    )


def film_over_used_farms(sel: Selection) -> pd.DataFrame:
    """The farms that recovered more film than they used in the year (the §5 flag of
    `formulas.film_recovery_pct`, per farm). Columns: farm_id, farm_code, farm_name, town_code, used_kg,
    recovered_kg."""
    farms = film_farms(sel).farms
    candidates = farms[farms["recovered_kg"] > farms["used_kg"]]
    flagged = per_row(
        candidates, lambda recovered, used: formulas.film_recovery_pct(recovered, used).over_used,
        "recovered_kg", "used_kg",
    )  # fmt: skip
    columns = ["farm_id", "farm_code", "farm_name", "town_code", "used_kg", "recovered_kg"]
    return candidates[np.array(flagged, dtype=bool)][columns].sort_values("farm_code").reset_index(drop=True)
