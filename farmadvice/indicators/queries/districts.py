"""Irrigation districts: must-monitor, monitoring coverage, net exported loads and outlet water class
(INDICATORS.md §8).

Two queries (the districts of the selection, their water samples of the year) reduced in pandas.

- Must be monitored: area ≥ `district_monitoring_min_area_mu` in force (1000 mu; exactly at it counts),
  `formulas.must_be_monitored` per district.
- Monitored: at least one inlet and one outlet sample in the year. Coverage = monitored ÷ must-monitor
  districts × 100 (`formulas.monitoring_coverage_pct`).
- Net load, pairing: an **event** is a district and a date with both inlet and outlet samples. For each of
  TN and TP, all samples of a point on that date are pooled (V = Σ volume, C = Σ C×V ÷ V, the flow-weighted
  concentration); a point-date with any sample lacking the concentration or the volume cannot be pooled
  and the event has no load for that parameter. Samples on dates without the other point are unpaired:
  counted (`unpaired_samples`), not guessed. Net kg = (C_out × V_out − C_in × V_in) / 1000 per event
  (`net_loads_kg`, `formulas.net_load_kg` vectorised); negative loads (the district cleaned the water) stay
  negative. Per district, for the year and for each season of it (Mar-May spring, Jun-Aug summer, Sep-Nov
  autumn, winter the year's Jan-Feb and Dec), the events' sum, and per mu ÷ the district's area. Sums
  keep missing as missing: a season without events, or whose events all lack the load, has none (not 0).
- Outlet class (GB 3838-2002 surface classes of the standard of highest precedence in force): per outlet
  sample, vectorised as `formulas.water_class` (the best class none of whose measured parameters exceeds;
  "劣V" when even the last fails; None when nothing limited was measured); per district, the class of the
  year's mean outlet concentrations (`formulas.water_class`) and the worst sample's class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.core.errors import ApplicationError
from farmadvice.indicators import formulas
from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries.common import (
    DISTRICT_ID,
    MSG_SCOPE_NOT_AVAILABLE,
    IndicatorFrame,
    Scope,
    Selection,
    indicator_frame,
    labelled,
    memo,
    per_row,
    read_frame,
)
from farmadvice.indicators.queries.tailwater import FAIL, PARAMETERS, PASS, judge_matrix, limit_arrays
from farmadvice.indicators.reference import (
    DISTRICT_MONITORING_KEY,
    ReferenceUse,
    StandardLevels,
    named_figure,
    standard_levels,
)
from farmadvice.practices.models import SamplePoint, WaterSample
from farmadvice.reference.models import WaterUse
from farmadvice.registry.models import IrrigationDistrict

MSG_NO_INLET = gettext_noop("{year} 年无进水口样品")
MSG_NO_OUTLET = gettext_noop("{year} 年无出水口样品")
LOAD_PARAMETERS = {"tn": "tn_mg_per_l", "tp": "tp_mg_per_l"}
SEASON_OF_MONTH = {
    1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring", 6: "summer",
    7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn", 12: "winter",
}  # fmt: skip
SEASONS = ("spring", "summer", "autumn", "winter")
# Column prefixes of the year ("") and of each season: `events`, `summer_events`, `tn_net_load_kg`,
# `summer_tn_net_load_kg`, ... are built and summed alike.
PERIODS = ("", *(f"{season}_" for season in SEASONS))


@dataclass(frozen=True, eq=False)
class DistrictData:
    """The districts (one row each), their samples and paired events; see `district_data`."""

    districts: pd.DataFrame
    samples: pd.DataFrame
    events: pd.DataFrame
    references: tuple[ReferenceUse, ...]
    class_references: tuple[ReferenceUse, ...]


def _pool(samples: pd.DataFrame, concentration: str) -> pd.DataFrame:
    """Per district, date and point: V (m3) and C (mg/L, flow-weighted), NaN when any sample lacks either."""
    pooled = (
        samples.assign(
            cv=samples[concentration] * samples["volume_m3"],
            incomplete=samples[concentration].isna() | samples["volume_m3"].isna(),
        )
        .groupby(["district_id", "date", "point"], as_index=False)
        .agg(v=("volume_m3", "sum"), cv=("cv", "sum"), incomplete=("incomplete", "any"))
    )
    pooled["c"] = np.where(pooled["v"] > 0, pooled["cv"] / pooled["v"].where(pooled["v"] > 0), 0.0)
    pooled.loc[pooled["incomplete"], ["v", "c"]] = np.nan
    return pooled


def net_loads_kg(c_out: pd.Series, v_out: pd.Series, c_in: pd.Series, v_in: pd.Series) -> pd.Series:
    """Net exported load per event, kg (INDICATORS.md §8): `formulas.net_load_kg` vectorised,
    (C_out × V_out − C_in × V_in) / 1000 with C in mg/L and V in m3. NaN where any of the four is missing
    (never 0); negative loads as they are. A negative input raises the formula's own error."""
    inputs = pd.concat([c_out, v_out, c_in, v_in], axis=1, ignore_index=True).astype("float64")
    invalid = inputs.notna().all(axis=1) & (inputs < 0).any(axis=1)
    if invalid.any():
        formulas.net_load_kg(*inputs[invalid].iloc[0])  # raises, naming the input
    return (inputs[0] * inputs[1] - inputs[2] * inputs[3]) / 1000


def pair_events(samples: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The paired events (module docstring) and, per district, the number of unpaired samples.

    Events: district_id, date, season, and per parameter (tn, tp): c_in, v_in, c_out, v_out and
    `<p>_net_load_kg` (float, NaN where a side could not be pooled).
    """
    points = (
        samples.assign(
            inlet=samples["point"] == SamplePoint.INLET, outlet=samples["point"] == SamplePoint.OUTLET
        )
        .groupby(["district_id", "date"])[["inlet", "outlet"]]
        .any()
    )
    paired_keys = points.index[points["inlet"] & points["outlet"]]
    in_event = pd.MultiIndex.from_frame(samples[["district_id", "date"]]).isin(paired_keys)
    unpaired = samples[~in_event].groupby("district_id").size()
    events = paired_keys.to_frame(index=False)
    events["season"] = pd.to_datetime(events["date"]).dt.month.map(SEASON_OF_MONTH) if len(events) else []
    for name, concentration in LOAD_PARAMETERS.items():
        pooled = _pool(samples[in_event], concentration)
        for point, suffix in ((SamplePoint.INLET, "in"), (SamplePoint.OUTLET, "out")):
            side = pooled[pooled["point"] == point][["district_id", "date", "c", "v"]].rename(
                columns={"c": f"{name}_c_{suffix}", "v": f"{name}_v_{suffix}"}
            )
            events = events.merge(side, on=["district_id", "date"], how="left")
        events[f"{name}_net_load_kg"] = net_loads_kg(
            events[f"{name}_c_out"], events[f"{name}_v_out"], events[f"{name}_c_in"], events[f"{name}_v_in"]
        )
    return events, unpaired


def _period_loads(events: pd.DataFrame) -> pd.DataFrame:
    """Per district_id (the index), for the year and each season (`PERIODS`): `<prefix>events` and
    `<prefix><p>_net_load_kg`, the events' sum with missing kept missing (`min_count=1`); NaN for a
    period without events. Every season has its columns, even one in which no district has events."""
    columns = ["events", *(f"{name}_net_load_kg" for name in LOAD_PARAMETERS)]
    events = events.assign(events=1).astype({column: "float64" for column in columns})
    parts = {"": events, **{f"{season}_": events[events["season"] == season] for season in SEASONS}}
    sums = pd.concat(
        [part.groupby("district_id")[columns].sum(min_count=1).add_prefix(p) for p, part in parts.items()],
        axis=1,
    )
    sums.index = sums.index.astype("int64")
    return sums


def _classes(outlets: pd.DataFrame, levels: StandardLevels) -> np.ndarray:
    """Per outlet sample: its GB 3838 class, vectorised as `formulas.water_class` judges one."""
    values = outlets[PARAMETERS].to_numpy(dtype="float64")
    names = [name for name, _rank, _limits in levels.levels]
    passes, measured = [], np.zeros(len(values), dtype=bool)
    for _name, _rank, limits in levels.levels:
        status = judge_matrix(values, *limit_arrays(limits))
        passes.append(~(status == FAIL).any(axis=1))
        measured |= ((status == PASS) | (status == FAIL)).any(axis=1)
    classes = np.select(passes, names, default=formulas.WORSE_THAN_ALL).astype(object)
    classes[~measured] = None
    return classes


def _mean_class(levels, *means: float | None) -> str | None:
    values = dict(zip(PARAMETERS, means, strict=True))
    return formulas.water_class(values, levels.classes())


def district_data(sel: Selection, *, water_quality: bool = True) -> DistrictData:
    """The selection's irrigation districts with their year of samples.

    `districts` columns: district_id, district_code, district_name, town_id, town_code, area_mu,
    must_monitor, inlet_samples, outlet_samples, monitored, reasons (why a must-monitor district is not
    monitored); with `water_quality` also unpaired_samples, outlet_class (class of the mean outlet
    concentrations), worst_outlet_class and, for the year and for each season (prefix `spring_`,
    `summer_`, `autumn_`, `winter_`): events, tn_net_load_kg, tp_net_load_kg, tn_net_load_kg_per_mu,
    tp_net_load_kg_per_mu (e.g. `summer_tn_net_load_kg_per_mu`; a season without events has 0 events
    and no loads). `samples`: sample_id, district_id, date, point, volume_m3, the parameters,
    water_class (outlets). `events`: see `pair_events`.
    """
    threshold = named_figure(DISTRICT_MONITORING_KEY, year=sel.year)
    districts = read_frame(
        IrrigationDistrict.objects.filter(sel.district_q("")).order_by("code"),
        {
            "district_id": "id",
            "district_code": "code",
            "district_name": "name",
            "town_id": "town_id",
            "town_code": "town__code",
            "area_mu": "area_mu",
        },
        floats=["area_mu"],
    ).sort_values("district_code", ignore_index=True)
    districts["must_monitor"] = per_row(
        districts, lambda area: formulas.must_be_monitored(area, threshold.value), "area_mu"
    )
    samples = read_frame(
        WaterSample.objects.filter(sel.district_q("district"), date__year=sel.year),
        {
            "sample_id": "id",
            "district_id": "district_id",
            "date": "date",
            "point": "point",
            "volume_m3": "volume_m3",
            **{parameter: parameter for parameter in PARAMETERS},
        },
        floats=["volume_m3", *PARAMETERS],
        dates=["date"],
    )
    counts = samples.assign(n=1).pivot_table(
        index="district_id", columns="point", values="n", aggfunc="sum", fill_value=0
    )
    for point, column in ((SamplePoint.INLET, "inlet_samples"), (SamplePoint.OUTLET, "outlet_samples")):
        per_district = counts[point] if point in counts else pd.Series(dtype="int64")
        districts[column] = districts["district_id"].map(per_district).fillna(0).astype("int64")
    districts["monitored"] = (districts["inlet_samples"] > 0) & (districts["outlet_samples"] > 0)
    no_inlet, no_outlet = _(MSG_NO_INLET).format(year=sel.year), _(MSG_NO_OUTLET).format(year=sel.year)
    districts["reasons"] = [
        [*([no_inlet] if not inlet else []), *([no_outlet] if not outlet else [])] if must else []
        for must, inlet, outlet in zip(
            districts["must_monitor"], districts["inlet_samples"], districts["outlet_samples"], strict=True
        )
    ]  # per district
    if not water_quality:
        return DistrictData(
            districts=districts,
            samples=samples,
            events=pd.DataFrame(),
            references=(threshold.use,),
            class_references=(),
        )

    events, unpaired = (
        pair_events(samples)
        if len(samples)
        else (
            pd.DataFrame(columns=["district_id", "date", "season", "tn_net_load_kg", "tp_net_load_kg"]),
            pd.Series(dtype="int64"),
        )
    )
    districts["unpaired_samples"] = districts["district_id"].map(unpaired).fillna(0).astype("int64")
    districts = districts.join(_period_loads(events), on="district_id")
    for prefix in PERIODS:
        districts[f"{prefix}events"] = districts[f"{prefix}events"].fillna(0).astype("int64")
        for name in LOAD_PARAMETERS:
            column = f"{prefix}{name}_net_load_kg"
            districts[f"{column}_per_mu"] = districts[column] / districts["area_mu"]

    class_references: tuple[ReferenceUse, ...] = ()
    samples["water_class"] = None
    outlets = samples[samples["point"] == SamplePoint.OUTLET]
    districts["outlet_class"] = None
    districts["worst_outlet_class"] = None
    if len(outlets):
        levels = standard_levels(year=sel.year, use=WaterUse.SURFACE)
        class_references = levels.all_uses()
        samples.loc[outlets.index, "water_class"] = _classes(outlets, levels)
        order = {name: index for index, (name, _rank, _limits) in enumerate(levels.levels)}
        order[formulas.WORSE_THAN_ALL] = len(order)
        ranked = (
            samples.loc[outlets.index]
            .assign(order=lambda f: f["water_class"].map(order))
            .dropna(subset=["order"])
        )
        worst = ranked.sort_values("order").groupby("district_id")["water_class"].last()
        districts["worst_outlet_class"] = districts["district_id"].map(worst)
        means = outlets.groupby("district_id")[PARAMETERS].mean().reset_index()
        means["outlet_class"] = per_row(
            means, lambda *m: _mean_class(levels, *m), *PARAMETERS
        )  # per district
        districts["outlet_class"] = districts["district_id"].map(
            means.set_index("district_id")["outlet_class"]
        )
    districts = districts.astype({"outlet_class": object, "worst_outlet_class": object})
    return DistrictData(
        districts=districts,
        samples=samples,
        events=events,
        references=(threshold.use,),
        class_references=class_references,
    )


def monitoring_frame(sel: Selection, *, water_quality: bool = True) -> tuple[pd.DataFrame, DistrictData]:
    """Per scope row (irrigation district, town, whole district), labelled: districts,
    must_monitor_districts, monitored_districts (of those), district_monitoring_pct; with
    `water_quality` also events, tn_net_load_kg, tp_net_load_kg, loaded_area_mu (area of the districts
    with events) and the loads per mu over it, for the year and, prefixed `spring_` ... `winter_`, for
    each season (the area of the districts with events in that season). An irrigation district also has
    its own columns from `district_data`."""
    data = district_rows(sel, water_quality=water_quality)
    frame = data.districts.copy()
    if sel.scope == Scope.IRRIGATION_DISTRICT:
        frame["scope_id"] = frame["district_id"]
        frame["must_monitor_districts"] = frame["must_monitor"].astype("int64")
        frame["monitored_districts"] = (frame["must_monitor"] & frame["monitored"]).astype("int64")
        frame["district_monitoring_pct"] = per_row(
            frame, formulas.monitoring_coverage_pct, "monitored_districts", "must_monitor_districts"
        )
        frame = frame.drop(columns=["district_code", "district_name", "town_code"])
        return labelled(frame, sel), data
    frame["scope_id"] = DISTRICT_ID if sel.scope == Scope.DISTRICT else frame["town_id"]
    frame["monitored_must"] = frame["must_monitor"] & frame["monitored"]
    sums = {
        "districts": ("district_id", "count"),
        "must_monitor_districts": ("must_monitor", "sum"),
        "monitored_districts": ("monitored_must", "sum"),
    }
    loads = [f"{prefix}{name}_net_load_kg" for prefix in PERIODS for name in LOAD_PARAMETERS]
    if water_quality:
        for prefix in PERIODS:
            frame[f"{prefix}loaded_area_mu"] = frame["area_mu"].where(frame[f"{prefix}events"] > 0, 0.0)
            sums |= {
                f"{prefix}events": (f"{prefix}events", "sum"),
                f"{prefix}loaded_area_mu": (f"{prefix}loaded_area_mu", "sum"),
            }
    grouped = frame.groupby("scope_id")
    grouped_frame = grouped.agg(**sums)
    if water_quality:
        grouped_frame = grouped_frame.join(grouped[loads].sum(min_count=1))
    grouped_frame = grouped_frame.reset_index()
    if sel.scope == Scope.DISTRICT and grouped_frame.empty:
        nothing: dict[str, float] = {}
        if water_quality:
            for prefix in PERIODS:
                nothing |= {f"{prefix}events": 0, f"{prefix}loaded_area_mu": 0.0}
            nothing |= dict.fromkeys(loads, np.nan)
        grouped_frame = pd.DataFrame(
            [
                {
                    "scope_id": DISTRICT_ID,
                    "districts": 0,
                    "must_monitor_districts": 0,
                    "monitored_districts": 0,
                    **nothing,
                }
            ]
        )
    grouped_frame["scope_id"] = grouped_frame["scope_id"].astype("int64")
    for prefix in PERIODS if water_quality else ():
        area = grouped_frame[f"{prefix}loaded_area_mu"].where(grouped_frame[f"{prefix}loaded_area_mu"] > 0)
        for name in LOAD_PARAMETERS:
            column = f"{prefix}{name}_net_load_kg"
            grouped_frame[f"{column}_per_mu"] = grouped_frame[column] / area
    grouped_frame["district_monitoring_pct"] = per_row(
        grouped_frame, formulas.monitoring_coverage_pct, "monitored_districts", "must_monitor_districts"
    )
    return labelled(grouped_frame, sel), data


def district_rows(sel: Selection, *, water_quality: bool = True) -> DistrictData:
    """`district_data`, once per selection group (`memo`)."""
    return memo(
        sel, ("districts", sel.year, water_quality), lambda: district_data(sel, water_quality=water_quality)
    )


def district_monitoring(sel: Selection, *, districts: tuple | None = None) -> IndicatorFrame:
    """Monitoring coverage of irrigation districts of 1000 mu and more (千亩以上灌区水质监测覆盖率), %
    (INDICATORS.md §8): such districts with inlet and outlet samples in the year ÷ such districts × 100."""
    frame, data = districts or monitoring_frame(sel, water_quality=False)
    return indicator_frame(
        indicator=Indicator.DISTRICT_MONITORING,
        sel=sel,
        unit="%",
        frame=frame,
        value="district_monitoring_pct",
        references=data.references,
    )


NET_LOAD = "district_net_load_kg_per_mu"
OUTLET_CLASS = "district_outlet_class"


def district_net_load(sel: Selection, *, districts: tuple | None = None) -> IndicatorFrame:
    """Net exported TN and TP load of irrigation districts (INDICATORS.md §8), kg and kg/mu.

    The value is the TN load per mu of the year; tn_net_load_kg, tp_net_load_kg and tp_net_load_kg_per_mu
    beside it, and the same four per season (`summer_tn_net_load_kg`, ...; see `monitoring_frame`). Per
    event see `district_data(...).events`.
    """
    frame, _data = districts or monitoring_frame(sel)
    return indicator_frame(
        indicator=NET_LOAD, sel=sel, unit="kg TN/亩", frame=frame, value="tn_net_load_kg_per_mu"
    )


def district_outlet_class(sel: Selection, *, districts: tuple | None = None) -> IndicatorFrame:
    """Outlet water class by GB 3838-2002 (INDICATORS.md §8), per irrigation district: the class of the
    year's mean outlet concentrations (outlet_class) and of the worst sample (worst_outlet_class)."""
    if sel.scope != Scope.IRRIGATION_DISTRICT:
        raise ApplicationError(
            _(MSG_SCOPE_NOT_AVAILABLE).format(
                indicator=OUTLET_CLASS, scope=sel.scope, allowed=Scope.IRRIGATION_DISTRICT
            )
        )
    frame, data = districts or monitoring_frame(sel)
    return indicator_frame(
        indicator=OUTLET_CLASS,
        sel=sel,
        unit="",
        frame=frame,
        value="outlet_class",
        references=data.class_references,
    )
