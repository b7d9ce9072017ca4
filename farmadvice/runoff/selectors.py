"""Reads for the runoff model: the training DataFrame, the farm-season DataFrame to predict for, the model
versions, and the reference figures the model and its fallback rest on.

Every frame is built from one query per table and joined in pandas (STYLE.md 4); nothing loops over
records. The statistics package (`farmadvice.runoff.stats`) takes the frames; its column contract is in
`stats/data.py`.

Training data (`training_data`), one row per season, from two sources:

* **Observations** (`RunoffObservation`): a measured field or plot season. The load of the target (TN or
  TP, kg/ha), the rate of its nutrient (N, or elemental P, kg/ha), the season's rainfall and the practice
  shares come from the record itself.
* **Irrigation-district seasons**: the district's net exported load (INDICATORS.md §8: per paired event
  (C_out × V_out − C_in × V_in) / 1000 kg, the events paired and pooled exactly as the §8 indicator does,
  `indicators.queries.districts.pair_events`), summed over the events of the crop season and divided by the
  district's area in ha (area_mu / 15). It is joined to the crop seasons of the district's farms with the
  same year and season label: the rate is their N (or P) in kg over their sown area in ha, the practices are
  area-weighted shares, the crop is the one with the largest sown area, and the rainfall is the season's
  figure from `SeasonRainfall` (data/rainfall.csv).

Decisions (each is also a message in `Exclusion` where it leaves a row out):

* District events are assigned to crop seasons by month, on Chongming's cropping calendar rather than the
  calendar seasons of the §8 report: June-October is the summer crop season (rice, with the plum rains and
  typhoons), November-May the winter crop season (wheat, rapeseed, green manure) of the harvest year, so
  events in November and December count for the next year's winter season. Spring and autumn crop seasons
  (vegetables) have no district window: they are not joined to district loads.
* A season's N rate counts chemical and organic N (runoff carries both); P is elemental P = P2O5 × 0.4364.
  The slow-release share is the share of that N (TN model) or P (TP model) applied as slow-release;
  side-deep and fertigation are the largest application area with the practice over the season's area
  (as the §3 coverage counts it), straw return the share of the season's straw returned to the field.
* A crop season without any fertiliser record has no known rate: recording nothing is not evidence of
  applying nothing. District rates are taken over the seasons that have records; a district season none of
  whose crop seasons has a record is left out.
* Rows the log-scale model cannot use are left out with their reason: a load of 0 or less (a district that
  cleaned the water, reported as it is in §8), a measured load without a rate, a district season with an
  incomplete event (a sample lacking the concentration or the volume), no events, no crop seasons, or no
  rainfall figure.
* The `district` column (the group of the random intercept and of the cluster-robust errors) is the
  irrigation district's code; an observation on a farm outside every district is its own group,
  "farm:<code>" (seasons of one farm share its soil and drainage).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.core.errors import NotFound, PermissionDenied
from farmadvice.indicators.queries.common import fmax, frame_of, fsum, read_frame, times
from farmadvice.indicators.queries.districts import pair_events
from farmadvice.indicators.reference import Figure, ReferenceUse, reference_date
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    FertiliserMethod,
    Season,
    StrawUse,
    StrawUseKind,
    WaterSample,
)
from farmadvice.practices.selectors import RUNOFF_OBSERVATIONS  # noqa: F401  (re-exported)
from farmadvice.reference.models import CoefficientKind, CropCoefficient
from farmadvice.reference.selectors import in_force
from farmadvice.registry.models import IrrigationDistrict
from farmadvice.runoff.models import RunoffModelVersion, RunoffObservation, SeasonRainfall, Target
from farmadvice.runoff.stats import (
    CROP,
    DISTRICT,
    FERTIGATION,
    LOAD,
    RAINFALL,
    RATE,
    SIDE_DEEP,
    SLOW_RELEASE,
    STRAW_RETURN,
)

MU_PER_HA = 15.0
# Elemental P in P2O5: 2 × 30.974 / 141.945 (the factor the export coefficients of data/ use too).
P_PER_P2O5 = 0.4364

SOURCE_OBSERVATION = "observation"
SOURCE_DISTRICT = "district"
SOURCES = (SOURCE_OBSERVATION, SOURCE_DISTRICT)

# Month → (crop-season label, years to add for the harvest year), see the module docstring.
DISTRICT_WINDOWS: dict[int, tuple[str, int]] = {
    **{month: ("summer", 0) for month in (6, 7, 8, 9, 10)},
    **{month: ("winter", 1) for month in (11, 12)},
    **{month: ("winter", 0) for month in (1, 2, 3, 4, 5)},
}

MSG_VERSION_NOT_FOUND = gettext_noop("径流模型版本不存在：{id}")
MSG_NO_ROLE = gettext_noop("没有查看径流模型的权限。")
MSG_DIAGNOSTICS_ROLE = gettext_noop("模型诊断图仅供管委会、农技人员和管理员查看。")
MSG_AREA_LOADS_ROLE = gettext_noop(
    "乡镇和全区负荷汇总仅供管委会、农技人员和管理员查看；农场经营者请查看本农场负荷。"
)

# Why a row is not in the training data (Exclusion.reason). Translated when the training data is read: the
# reasons are stored with a fitted version (`TrainingData.summary`) in the language the fit ran in.
EXCLUDED_LOAD_NOT_POSITIVE = gettext_noop(
    "负荷 ≤ 0：对数模型无法使用（灌区净负荷为负时照实报告，但不能用于训练）。"
)
EXCLUDED_MISSING_RATE = gettext_noop("有负荷但缺少{nutrient}施用量：请补填施用量（未施用填 0）。")
EXCLUDED_INCOMPLETE_EVENT = gettext_noop("该季有 {count} 次进出水样品缺少浓度或水量，净负荷不完整。")
EXCLUDED_NO_SEASONS = gettext_noop("灌区内农场没有该季的作物茬口。")
EXCLUDED_NO_FERTILISER_RECORDS = gettext_noop("灌区内该季的茬口均无施肥记录，施用量未知。")
EXCLUDED_NO_RAINFALL = gettext_noop("缺少 {year} 年{season}的降雨量（data/rainfall.csv）。")

NUTRIENT_NAMES = {Target.TN: gettext_noop("氮（N）"), Target.TP: gettext_noop("磷（P）")}


# --- Reference figures ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RainfallFigure:
    mm: float
    use: ReferenceUse


def season_rainfall(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], RainfallFigure]:
    """Rainfall of each (year, season) asked for: the year's own row in force on 31 December of the year,
    else the season's long-term normal in force then. Pairs without either are absent from the answer."""
    wanted = {(int(year), str(season)) for year, season in pairs}
    if not wanted:
        return {}
    years = {year for year, _season in wanted}
    rows = list(
        SeasonRainfall.objects.filter(Q(year__in=years) | Q(year__isnull=True)).order_by("-valid_from")
    )
    found: dict[tuple[int, str], RainfallFigure] = {}
    for year, season in wanted:
        on = reference_date(year)
        candidates = [r for r in rows if r.season == season and r.valid_from <= on]
        row = next((r for r in candidates if r.year == year), None) or next(
            (r for r in candidates if r.year is None), None
        )
        if row is not None:
            found[(year, season)] = RainfallFigure(
                mm=float(row.rainfall_mm),
                use=ReferenceUse(
                    name=f"rainfall_mm[{row.year or 'normal'} {season} {row.months}]",
                    value=f"{row.rainfall_mm}",
                    unit="mm",
                    status=row.status,
                    source=row.source,
                    valid_from=row.valid_from,
                ),
            )
    return found


def crop_figures(kind: str, *, crop_codes: Iterable[str], year: int) -> dict[str, Figure]:
    """A crop coefficient of `kind` in force on 31 December of `year`, per crop code that has one."""
    codes = set(crop_codes)
    if not codes:
        return {}
    rows = in_force(
        CropCoefficient.objects.filter(kind=kind, crop__code__in=codes).select_related("crop"),
        key_fields=("crop_id", "kind"),
        on=reference_date(year),
    )
    return {
        row.crop.code: Figure(
            value=float(row.value),
            use=ReferenceUse(
                name=f"{kind}[{row.crop.code}]",
                value=f"{row.value.normalize():f}",
                unit=row.unit,
                status=row.status,
                source=row.source,
                valid_from=row.valid_from,
            ),
        )
        for row in rows
    }


def straw_crops(*, crop_codes: Iterable[str], year: int) -> set[str]:
    """The crops that produce straw in the straw ledger (§4): those with a straw-to-grain ratio."""
    return set(crop_figures(CoefficientKind.STRAW_GRAIN_RATIO, crop_codes=crop_codes, year=year))


# --- Season inputs ------------------------------------------------------------------------------


def season_inputs(seasons: QuerySet[CropSeason]) -> pd.DataFrame:
    """Per crop season of `seasons` with fertiliser or straw records: what the model's predictors are
    computed from. Two queries (fertiliser applications and straw uses, each grouped by season).

    Columns: season_id (as the database gives it), applications, n_kg, p_kg (elemental), slow_n_kg,
    slow_p_kg, side_deep_area_mu, fertigation_area_mu (the largest application area with the practice),
    straw_kg, field_return_kg. Amounts are chemical + organic.
    """
    n = times("product_kg", "n_pct")
    p2o5 = times("product_kg", "p2o5_pct")
    slow = Q(slow_release=True)
    fertiliser = (
        FertiliserApplication.objects.filter(season__in=seasons.values("id"))
        .values("season_id")
        .annotate(
            applications=Count("id"),
            n_pct_kg=fsum(n),
            p2o5_pct_kg=fsum(p2o5),
            slow_n_pct_kg=fsum(n, filter=slow),
            slow_p2o5_pct_kg=fsum(p2o5, filter=slow),
            side_deep_area_mu=fmax("area_mu", filter=Q(method=FertiliserMethod.SIDE_DEEP)),
            fertigation_area_mu=fmax("area_mu", filter=Q(method=FertiliserMethod.FERTIGATION)),
        )
        .order_by()
    )
    columns = [
        "season_id",
        "applications",
        "n_pct_kg",
        "p2o5_pct_kg",
        "slow_n_pct_kg",
        "slow_p2o5_pct_kg",
        "side_deep_area_mu",
        "fertigation_area_mu",
    ]
    inputs = frame_of(fertiliser, columns)
    for column in columns[2:]:
        inputs[column] = inputs[column].astype("float64")
    inputs["n_kg"] = inputs.pop("n_pct_kg").fillna(0.0) / 100
    inputs["p_kg"] = inputs.pop("p2o5_pct_kg").fillna(0.0) / 100 * P_PER_P2O5
    inputs["slow_n_kg"] = inputs.pop("slow_n_pct_kg").fillna(0.0) / 100
    inputs["slow_p_kg"] = inputs.pop("slow_p2o5_pct_kg").fillna(0.0) / 100 * P_PER_P2O5
    straw = frame_of(
        StrawUse.objects.filter(season__in=seasons.values("id"))
        .values("season_id")
        .annotate(
            straw_total_kg=fsum("straw_kg"),
            field_return_kg=fsum("straw_kg", filter=Q(use=StrawUseKind.FIELD_RETURN)),
        )
        .order_by(),
        ["season_id", "straw_total_kg", "field_return_kg"],
    ).rename(columns={"straw_total_kg": "straw_kg"})
    for column in ("straw_kg", "field_return_kg"):
        straw[column] = straw[column].astype("float64")
    return inputs.merge(straw, on="season_id", how="outer")


def _fill_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """Seasons without records: 0 applications, 0 kg, no practice area, no straw."""
    frame["applications"] = frame["applications"].astype("float64").fillna(0).astype("int64")
    for column in (
        "n_kg",
        "p_kg",
        "slow_n_kg",
        "slow_p_kg",
        "side_deep_area_mu",
        "fertigation_area_mu",
        "straw_kg",
        "field_return_kg",
    ):
        frame[column] = frame[column].astype("float64").fillna(0.0)
    frame["has_fertiliser_records"] = frame["applications"] > 0
    return frame


def _share(numerator: pd.Series, denominator: pd.Series) -> np.ndarray:
    """numerator / denominator in [0, 1], 0 where the denominator is 0."""
    num = numerator.to_numpy(dtype="float64")
    den = denominator.to_numpy(dtype="float64")
    safe = np.where(den > 0, den, 1.0)
    return np.clip(np.where(den > 0, num / safe, 0.0), 0.0, 1.0)


# --- Farm seasons to predict for ----------------------------------------------------------------

FARM_SEASON_COLUMNS = {
    "season_id": "id",
    "farm_id": "farm_id",
    "farm_code": "farm__code",
    "farm_name": "farm__name",
    "town_id": "farm__town_id",
    "town_code": "farm__town__code",
    "town_name": "farm__town__name_zh",
    "district_code": "farm__irrigation_district__code",
    "year": "year",
    "season": "season",
    "crop": "crop__code",
    "crop_name": "crop__name_zh",
    "crop_name_en": "crop__name_en",
    "crop_category": "crop__category",
    "area_mu": "area_mu",
}


def farm_season_frame(seasons: QuerySet[CropSeason]) -> pd.DataFrame:
    """The crop seasons of `seasons` with the predictors of both models, one row each (index: season_id
    as text). Three queries: seasons, fertiliser applications, straw uses; plus one for rainfall.

    Columns: the labels of FARM_SEASON_COLUMNS, area_ha, has_fertiliser_records, n_rate_kg_per_ha and
    p_rate_kg_per_ha (NaN without fertiliser records: unknown, not 0), slow_release_share_n and
    slow_release_share_p, side_deep, fertigation, straw_return (shares 0-1), rainfall_mm (NaN without a
    figure) and rainfall_use (its ReferenceUse, None without).
    """
    frame = read_frame(seasons, FARM_SEASON_COLUMNS, floats=["area_mu"])
    inputs = season_inputs(seasons)
    frame = _fill_inputs(frame.merge(inputs, on="season_id", how="left"))
    frame["area_ha"] = frame["area_mu"] / MU_PER_HA
    recorded = frame["has_fertiliser_records"]
    frame["n_rate_kg_per_ha"] = (frame["n_kg"] / frame["area_ha"]).where(recorded)
    frame["p_rate_kg_per_ha"] = (frame["p_kg"] / frame["area_ha"]).where(recorded)
    frame["slow_release_share_n"] = _share(frame["slow_n_kg"], frame["n_kg"])
    frame["slow_release_share_p"] = _share(frame["slow_p_kg"], frame["p_kg"])
    frame[SIDE_DEEP] = _share(frame["side_deep_area_mu"], frame["area_mu"])
    frame[FERTIGATION] = _share(frame["fertigation_area_mu"], frame["area_mu"])
    frame[STRAW_RETURN] = _share(frame["field_return_kg"], frame["straw_kg"])
    rainfall = season_rainfall(zip(frame["year"], frame["season"], strict=True))
    keys = list(zip(frame["year"].astype(int), frame["season"], strict=True))
    frame[RAINFALL] = [rainfall[key].mm if key in rainfall else np.nan for key in keys]  # per (year, season)
    frame["rainfall_use"] = [rainfall[key].use if key in rainfall else None for key in keys]
    frame.index = pd.Index([str(uuid.UUID(str(value))) for value in frame["season_id"]], name="season")
    return frame


def model_frame(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """The statistics package's predictor columns for `target` from a `farm_season_frame` (with AREA)."""
    nutrient = "n" if target == Target.TN else "p"
    return pd.DataFrame(
        {
            RATE: frame[f"{nutrient}_rate_kg_per_ha"],
            RAINFALL: frame[RAINFALL],
            CROP: frame["crop"],
            SLOW_RELEASE: frame[f"slow_release_share_{nutrient}"],
            SIDE_DEEP: frame[SIDE_DEEP],
            FERTIGATION: frame[FERTIGATION],
            STRAW_RETURN: frame[STRAW_RETURN],
            DISTRICT: frame["district_code"].where(
                frame["district_code"].notna(), "farm:" + frame["farm_code"].astype(str)
            ),
            "area_ha": frame["area_ha"],
        },
        index=frame.index,
    )


def farm_seasons(
    *, user: Any, year: int, farm_id: int | None = None, town_id: int | None = None
) -> pd.DataFrame:
    """`farm_season_frame` over the crop seasons of the year on the farms the user may see."""
    seasons = CropSeason.objects.filter(farm__in=access.farms_visible_to(user), year=year)
    if farm_id is not None:
        seasons = seasons.filter(farm_id=farm_id)
    if town_id is not None:
        seasons = seasons.filter(farm__town_id=town_id)
    return farm_season_frame(seasons)


# --- Training data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A season left out of the training data, and why."""

    source: str
    label: str
    reason: str


@dataclass(frozen=True, eq=False)
class TrainingData:
    """The training frame of one target and what was left out.

    `frame` has the statistics package's training columns (LOAD, RATE, RAINFALL, CROP, the four
    practices, DISTRICT) and, ignored by the fit, `source` (observation / district), `data_source`
    (measured / synthetic), `year`, `season`. Its index labels name the row ("observation:<uuid>",
    "district:<code>:<year>:<season>") so that an error of the statistics package says which record to fix.
    """

    target: str
    frame: pd.DataFrame
    exclusions: tuple[Exclusion, ...]
    sources: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.frame)

    @property
    def n_synthetic(self) -> int:
        return int((self.frame["data_source"] == "synthetic").sum()) if self.n else 0

    def summary(self) -> dict[str, Any]:
        """A JSON-able account of the training set, stored with the version."""
        by_source = self.frame["source"].value_counts().to_dict() if self.n else {}
        return {
            "target": self.target,
            "sources": list(self.sources),
            "rows": self.n,
            "rows_by_source": {source: int(by_source.get(source, 0)) for source in SOURCES},
            "synthetic_rows": self.n_synthetic,
            "excluded": len(self.exclusions),
            "exclusions": [
                {"source": e.source, "label": e.label, "reason": e.reason} for e in self.exclusions[:200]
            ],
        }


TRAINING_COLUMNS = [
    LOAD,
    RATE,
    RAINFALL,
    CROP,
    SLOW_RELEASE,
    SIDE_DEEP,
    FERTIGATION,
    STRAW_RETURN,
    DISTRICT,
    "source",
    "data_source",
    "year",
    "season",
]


def training_data(*, target: str, sources: Sequence[str] = SOURCES) -> TrainingData:
    """The training frame of `target` (tn or tp) from the chosen sources (module docstring)."""
    target = Target(target).value
    frames: list[pd.DataFrame] = []
    exclusions: list[Exclusion] = []
    if SOURCE_OBSERVATION in sources:
        frame, excluded = observation_rows(target=target)
        frames.append(frame)
        exclusions += excluded
    if SOURCE_DISTRICT in sources:
        frame, excluded = district_rows(target=target)
        frames.append(frame)
        exclusions += excluded
    frames = [f for f in frames if len(f)]
    combined = pd.concat(frames) if frames else pd.DataFrame(columns=TRAINING_COLUMNS)
    return TrainingData(
        target=target,
        frame=combined,
        exclusions=tuple(exclusions),
        sources=tuple(s for s in SOURCES if s in sources),
    )


def observation_rows(*, target: str) -> tuple[pd.DataFrame, list[Exclusion]]:
    """The observations of `target` as training rows (one query), and those left out."""
    nutrient = "n" if target == Target.TN else "p"
    load, rate = f"{target}_load_kg_per_ha", f"{nutrient}_rate_kg_per_ha"
    frame = read_frame(
        RunoffObservation.objects.filter(**{f"{load}__isnull": False}),
        {
            "id": "id",
            "farm_code": "farm__code",
            "district_code": "farm__irrigation_district__code",
            "plot_code": "plot_code",
            "year": "year",
            "season": "season",
            CROP: "crop__code",
            RAINFALL: "rainfall_mm",
            RATE: rate,
            LOAD: load,
            SLOW_RELEASE: "slow_release_share",
            SIDE_DEEP: "side_deep_share",
            FERTIGATION: "fertigation_share",
            STRAW_RETURN: "straw_return_share",
            "data_source": "data_source",
        },
        floats=[RAINFALL, RATE, LOAD, SLOW_RELEASE, SIDE_DEEP, FERTIGATION, STRAW_RETURN],
    )
    frame.index = pd.Index([f"observation:{uuid.UUID(str(v))}" for v in frame["id"]], dtype=object)
    labels = frame["farm_code"] + " " + frame["plot_code"].fillna("") + " " + frame["year"].astype(str)
    labels = labels + " " + frame["season"]
    missing_rate = frame[RATE].isna()
    not_positive = ~missing_rate & (frame[LOAD] <= 0)
    no_rate = _(EXCLUDED_MISSING_RATE).format(nutrient=_(NUTRIENT_NAMES[target]))
    no_load = _(EXCLUDED_LOAD_NOT_POSITIVE)
    exclusions = [Exclusion(SOURCE_OBSERVATION, label, no_rate) for label in labels[missing_rate]] + [
        Exclusion(SOURCE_OBSERVATION, label, no_load) for label in labels[not_positive]
    ]
    kept = frame[~missing_rate & ~not_positive].copy()
    kept[DISTRICT] = kept["district_code"].where(kept["district_code"].notna(), "farm:" + kept["farm_code"])
    kept["source"] = SOURCE_OBSERVATION
    return kept[TRAINING_COLUMNS], exclusions


def district_season_loads(*, districts: QuerySet[IrrigationDistrict] | None = None) -> pd.DataFrame:
    """Net exported TN and TP of each irrigation district and crop season with paired samples.

    Columns: district_id, district_code, area_mu, year, season, events, and per nutrient t (tn, tp):
    `t_net_load_kg` (Σ of the events' net loads, §8), `t_incomplete_events` (events without a load for t)
    and `t_net_load_kg_per_ha` (÷ area_mu / 15). Two queries: the districts and their water samples.
    """
    districts = IrrigationDistrict.objects.all() if districts is None else districts
    frame = read_frame(
        districts, {"district_id": "id", "district_code": "code", "area_mu": "area_mu"}, floats=["area_mu"]
    )
    samples = read_frame(
        WaterSample.objects.filter(district__in=districts.values("id")),
        {
            "sample_id": "id",
            "district_id": "district_id",
            "date": "date",
            "point": "point",
            "volume_m3": "volume_m3",
            "tn_mg_per_l": "tn_mg_per_l",
            "tp_mg_per_l": "tp_mg_per_l",
        },
        floats=["volume_m3", "tn_mg_per_l", "tp_mg_per_l"],
        dates=["date"],
    )
    columns = ["district_id", "district_code", "area_mu", "year", "season", "events"]
    for name in Target.values:
        columns += [f"{name}_net_load_kg", f"{name}_incomplete_events", f"{name}_net_load_kg_per_ha"]
    if samples.empty:
        return pd.DataFrame(columns=columns)
    events, _unpaired = pair_events(samples)
    if events.empty:
        return pd.DataFrame(columns=columns)
    dates = pd.to_datetime(events["date"])
    windows = dates.dt.month.map(DISTRICT_WINDOWS)
    events["season"] = windows.str[0]
    events["year"] = dates.dt.year + windows.str[1]
    aggregations: dict[str, Any] = {"events": ("date", "size")}
    for name in Target.values:
        column = f"{name}_net_load_kg"
        events[column] = pd.to_numeric(events[column], errors="coerce")
        events[f"{name}_incomplete"] = events[column].isna()
        aggregations[column] = (column, "sum")
        aggregations[f"{name}_incomplete_events"] = (f"{name}_incomplete", "sum")
    seasons = events.groupby(["district_id", "year", "season"], as_index=False).agg(**aggregations)
    seasons = seasons.merge(frame, on="district_id", how="left")
    for name in Target.values:
        seasons[f"{name}_net_load_kg_per_ha"] = seasons[f"{name}_net_load_kg"] / (
            seasons["area_mu"] / MU_PER_HA
        )
    return seasons[columns].sort_values(["district_code", "year", "season"], ignore_index=True)


def district_rows(*, target: str) -> tuple[pd.DataFrame, list[Exclusion]]:
    """The irrigation-district seasons of `target` as training rows, and those left out.

    Five queries: districts, water samples, the crop seasons of farms in districts, and their fertiliser
    and straw records (one grouped query each).
    """
    loads = district_season_loads()
    if loads.empty:
        return pd.DataFrame(columns=TRAINING_COLUMNS), []
    nutrient = "n" if target == Target.TN else "p"
    seasons = CropSeason.objects.filter(
        farm__irrigation_district__isnull=False, year__in=sorted({int(y) for y in loads["year"]})
    )
    crop_seasons = read_frame(
        seasons,
        {
            "season_id": "id",
            "district_id": "farm__irrigation_district_id",
            "year": "year",
            "season": "season",
            "crop": "crop__code",
            "area_mu": "area_mu",
        },
        floats=["area_mu"],
    )
    crop_seasons = _fill_inputs(crop_seasons.merge(season_inputs(seasons), on="season_id", how="left"))
    keys = ["district_id", "year", "season"]
    recorded = crop_seasons[crop_seasons["has_fertiliser_records"]].copy()
    recorded["side_deep_area_mu"] = np.minimum(recorded["side_deep_area_mu"], recorded["area_mu"])
    recorded["fertigation_area_mu"] = np.minimum(recorded["fertigation_area_mu"], recorded["area_mu"])
    inputs = recorded.groupby(keys, as_index=False).agg(
        recorded_area_mu=("area_mu", "sum"),
        nutrient_kg=(f"{nutrient}_kg", "sum"),
        slow_kg=(f"slow_{nutrient}_kg", "sum"),
        side_deep_area_mu=("side_deep_area_mu", "sum"),
        fertigation_area_mu=("fertigation_area_mu", "sum"),
    )
    totals = crop_seasons.groupby(keys, as_index=False).agg(
        sown_area_mu=("area_mu", "sum"),
        straw_kg=("straw_kg", "sum"),
        field_return_kg=("field_return_kg", "sum"),
    )
    by_crop = crop_seasons.groupby([*keys, "crop"], as_index=False)["area_mu"].sum()
    dominant = by_crop.sort_values(
        [*keys, "area_mu", "crop"], ascending=[True, True, True, False, True]
    ).drop_duplicates(keys)[[*keys, "crop"]]
    frame = loads.merge(totals, on=keys, how="left").merge(inputs, on=keys, how="left")
    frame = frame.merge(dominant, on=keys, how="left")
    rainfall = season_rainfall(zip(frame["year"].astype(int), frame["season"], strict=True))
    frame[RAINFALL] = [
        rainfall[(int(y), s)].mm if (int(y), s) in rainfall else np.nan
        for y, s in zip(frame["year"], frame["season"], strict=True)
    ]  # per district season
    frame.index = pd.Index(
        [
            f"district:{c}:{int(y)}:{s}"
            for c, y, s in zip(frame["district_code"], frame["year"], frame["season"], strict=True)
        ],
        dtype=object,
    )
    labels = frame["district_code"] + " " + frame["year"].astype(int).astype(str) + " " + frame["season"]

    incomplete = frame[f"{target}_incomplete_events"].astype(int)
    reasons = pd.Series([None] * len(frame), index=frame.index, dtype=object)

    def mark(condition: pd.Series, reason: pd.Series | str) -> None:
        take = condition & reasons.isna()
        reasons[take] = reason[take] if isinstance(reason, pd.Series) else reason

    incomplete_event = _(EXCLUDED_INCOMPLETE_EVENT)
    mark(incomplete > 0, incomplete.map(lambda count: incomplete_event.format(count=count)))
    mark(frame[f"{target}_net_load_kg"] <= 0, _(EXCLUDED_LOAD_NOT_POSITIVE))
    mark(frame["sown_area_mu"].isna(), _(EXCLUDED_NO_SEASONS))
    mark(frame["recorded_area_mu"].isna(), _(EXCLUDED_NO_FERTILISER_RECORDS))
    no_rain = frame[RAINFALL].isna()
    mark(
        no_rain,
        pd.Series(
            [
                _(EXCLUDED_NO_RAINFALL).format(year=int(y), season=Season(s).label)
                for y, s in zip(frame["year"], frame["season"], strict=True)
            ],
            index=frame.index,
        ),
    )
    exclusions = [
        Exclusion(SOURCE_DISTRICT, label, reason)
        for label, reason in zip(labels[reasons.notna()], reasons[reasons.notna()], strict=True)
    ]
    kept = frame[reasons.isna()].copy()
    area_ha = kept["recorded_area_mu"] / MU_PER_HA
    kept[LOAD] = kept[f"{target}_net_load_kg_per_ha"]
    kept[RATE] = kept["nutrient_kg"] / area_ha
    kept[SLOW_RELEASE] = _share(kept["slow_kg"], kept["nutrient_kg"])
    kept[SIDE_DEEP] = _share(kept["side_deep_area_mu"], kept["recorded_area_mu"])
    kept[FERTIGATION] = _share(kept["fertigation_area_mu"], kept["recorded_area_mu"])
    kept[STRAW_RETURN] = _share(kept["field_return_kg"], kept["straw_kg"])
    kept[DISTRICT] = kept["district_code"]
    kept["source"] = SOURCE_DISTRICT
    kept["data_source"] = "measured"
    kept["year"] = kept["year"].astype(int)
    return kept[TRAINING_COLUMNS], exclusions


# --- Model versions -----------------------------------------------------------------------------


def _require_role(user: Any) -> None:
    if access.role_of(user) is None:
        raise PermissionDenied(_(MSG_NO_ROLE))


def runoff_model_list(*, user: Any, target: str | None = None) -> QuerySet[RunoffModelVersion]:
    """Every stored version, newest first (any user with a role: the model is not farm data)."""
    _require_role(user)
    versions = RunoffModelVersion.objects.select_related("created_by", "activated_by")
    if target:
        versions = versions.filter(target=target)
    return versions.order_by("-created_at", "-id")


def runoff_model_get(*, user: Any, version_id: int) -> RunoffModelVersion:
    version = runoff_model_list(user=user).filter(pk=version_id).first()
    if version is None:
        raise NotFound(_(MSG_VERSION_NOT_FOUND).format(id=version_id))
    return version


def active_versions() -> dict[str, RunoffModelVersion]:
    """The active version of each target that has one (one query)."""
    return {v.target: v for v in RunoffModelVersion.objects.filter(is_active=True)}


def require_reads_all(user: Any, message: str) -> None:
    """Committee, agents and admins; a farm operator is refused (403), as for town indicators."""
    if not access.reads_all(user):
        raise PermissionDenied(message)
