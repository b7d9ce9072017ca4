"""What the rules read about one farm and year, gathered once: its crop seasons, the farm-scope rows of
the indicator queries (straw, film, livestock, tailwater), the targets and reference figures in force,
and the runoff scenarios.

Everything is read as the system (`queries.SYSTEM_READER`), as the report does: the advice a farm gets
never depends on who asks for it; the caller checks who may see the farm (`engine.farm_advice_get`).
Figures come from their owners: nutrients and practices per crop season from three grouped queries
(below), the straw ledger, film and manure checks from `farmadvice.indicators.queries`, the tailwater
judgement from `queries.tailwater` (`judge_matrix`, exactly as the §7 indicator judges), and expected
load reductions from `farmadvice.runoff.services.farm_scenarios`.

Each part is read only where the farm has such records (a farm without film needs no film thickness
figure, a crop farm no livestock figures). A part that cannot be computed (a reference figure missing,
say) leaves its facts None and adds a note; the other rules still run. The reference figures the rules read themselves (recommended N rate,
targets, tailwater treatment area) are those in force on `on`, by default 31 December of the year as
for the indicators; the indicator and runoff figures are always those in force on 31 December.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from farmadvice.advice.types import Localized, Text
from farmadvice.core.errors import ApplicationError
from farmadvice.indicators import queries
from farmadvice.indicators.compliance import TargetView, choose_target
from farmadvice.indicators.models import Indicator, Target
from farmadvice.indicators.queries import film as film_queries
from farmadvice.indicators.queries import livestock as livestock_queries
from farmadvice.indicators.queries import straw as straw_queries
from farmadvice.indicators.queries import tailwater as tailwater_queries
from farmadvice.indicators.queries.common import fmax, fsum, none_if_nan, read_frame, times
from farmadvice.indicators.reference import Figure, ReferenceUse, reference_date, standard_levels
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    FertiliserMethod,
    LivestockHerd,
    ManureFacility,
    MulchFilm,
    Season,
    StrawUse,
    TailwaterSample,
)
from farmadvice.reference.models import CoefficientKind, CropCoefficient, ReferenceValue, WaterUse
from farmadvice.reference.selectors import in_force
from farmadvice.registry.models import Farm, FarmType
from farmadvice.runoff import selectors as runoff_selectors
from farmadvice.runoff import services as runoff_services

# Named reference figures the rules read (data/reference_values.csv).
TREATMENT_AREA_MIN_KEY = "tailwater_treatment_area_min_pct"
TREATMENT_AREA_MAX_KEY = "tailwater_treatment_area_max_pct"

NOTE_PART_FAILED = _("%(part)s未能计算，相关建议从略：%(detail)s")
NOTE_REFERENCE_MISSING = _("缺少 %(on)s 起生效的参考值“%(key)s”：%(what)s从略，请农委工作人员录入。")
NOTE_NO_RECOMMENDED_N = _(
    "%(crop)s没有 %(on)s 起生效的推荐施氮量，无法判断施氮是否过量：请农委工作人员录入。"
)

SEASON_CROP = _("%(season)s%(crop)s")

PART_SCENARIOS = _("径流情景（预期减排量）")
PART_STRAW = _("秸秆利用")
PART_FILM = _("农膜")
PART_LIVESTOCK = _("畜禽粪污设施配套")
PART_TAILWATER = _("养殖尾水")
PART_TREATMENT_AREA = _("尾水处理设施面积")


@dataclass(frozen=True, slots=True)
class SeasonFacts:
    """One crop season of the farm in the year (INDICATORS.md §1, §3, §4).

    N is pure N, kg (Σ product kg × N % / 100), chemical and organic together (`n_kg`, what the runoff
    model and the report's nutrient balance use) and chemical alone. `slow_release_n_kg` is the N of
    the slow- or controlled-release applications; `side_deep_area_mu` the largest area of a side-deep
    application (INDICATORS.md §3 counts a practice's area once per season). `recommended_n` is the
    crop's `recommended_n_kg_per_mu` in force, None when there is none.
    """

    season_id: str
    season: str
    season_label: Any
    crop: str
    crop_name: Localized
    crop_category: str
    area_mu: float
    yield_kg: float | None
    fertiliser_records: int
    n_kg: float
    chemical_n_kg: float
    slow_release_n_kg: float
    side_deep_area_mu: float
    straw_crop: bool
    straw_records: int
    recommended_n: Figure | None

    @property
    def area_ha(self) -> float:
        return self.area_mu / runoff_selectors.MU_PER_HA

    @property
    def n_kg_per_mu(self) -> float | None:
        """N applied per mu sown; None without fertiliser records (unknown, not 0)."""
        if not self.fertiliser_records:
            return None
        return self.n_kg / self.area_mu

    @property
    def slow_release_share_pct(self) -> float | None:
        """Share of the season's N applied as slow-release fertiliser, %; None without N."""
        return self.slow_release_n_kg / self.n_kg * 100 if self.n_kg > 0 else None

    @property
    def side_deep_coverage_pct(self) -> float:
        """Area under side-deep placement ÷ sown area × 100, the area capped at the sown area (§3)."""
        return min(self.side_deep_area_mu, self.area_mu) / self.area_mu * 100

    @property
    def label(self) -> Text:
        """The season and crop in words: "夏季水稻" / "summer Rice"."""
        return Text(SEASON_CROP, {"season": self.season_label, "crop": self.crop_name})


@dataclass(frozen=True, slots=True)
class ParameterExceedance:
    """The worst exceedance of one tailwater parameter in the year (INDICATORS.md §7).

    `bound` "max": the highest value above the maximum; "min": the lowest below the minimum (pH).
    """

    parameter: str
    value: float
    limit: float
    bound: str
    date: dt.date
    samples: int


@dataclass(frozen=True)
class TailwaterFacts:
    """A discharging aquaculture farm's samples of the year against the limits of its class (§7).

    `standard` is None when the farm has no class (its samples cannot be judged). `not_measured` are the
    limited parameters missing from at least one discharge sample.
    """

    tailwater_class: str
    standard: str | None
    samples: int
    exceedances: tuple[ParameterExceedance, ...] = ()
    not_measured: tuple[str, ...] = ()
    basis: tuple[ReferenceUse, ...] = ()


@dataclass(frozen=True)
class FarmFacts:
    """Everything the rules read for one farm and year. Rows of the indicator frames are plain dicts
    (missing as None); see `farm_facts` for where each comes from."""

    farm_code: str
    farm_name: str
    farm_type: str
    area_mu: float
    year: int
    on: dt.date
    seasons: tuple[SeasonFacts, ...] = ()
    scenarios: runoff_services.FarmScenarios | None = None
    straw: Mapping[str, Any] | None = None
    straw_basis: tuple[ReferenceUse, ...] = ()
    straw_target: TargetView | None = None
    film: Mapping[str, Any] | None = None
    film_minimum: Figure | None = None
    film_target: TargetView | None = None
    livestock: Mapping[str, Any] | None = None
    livestock_basis: tuple[ReferenceUse, ...] = ()
    manure_target: TargetView | None = None
    tailwater: TailwaterFacts | None = None
    tailwater_target: TargetView | None = None
    treatment_area_pct: tuple[Figure, Figure] | None = None
    notes: tuple[Text, ...] = ()


# --- Reference figures on a date ---------------------------------------------------------------------


def _use(name: str, row: Any, value: object, unit: str) -> ReferenceUse:
    text = f"{value}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ReferenceUse(
        name=name, value=text, unit=unit, status=row.status, source=row.source, valid_from=row.valid_from
    )


def recommended_n_rates(crop_codes: set[str], *, on: dt.date) -> dict[str, Figure]:
    """Each crop's recommended N rate, kg N/mu, in force on `on` (data/crop_coefficients.csv)."""
    if not crop_codes:
        return {}
    rows = in_force(
        CropCoefficient.objects.filter(
            kind=CoefficientKind.RECOMMENDED_N, crop__code__in=crop_codes
        ).select_related("crop"),
        key_fields=("crop_id", "kind"),
        on=on,
    )
    return {
        row.crop.code: Figure(
            value=float(row.value),
            use=_use(f"{row.kind}[{row.crop.code}]", row, row.value, row.unit),
        )
        for row in rows
    }


def named_figure_on(key: str, *, on: dt.date) -> Figure | None:
    """A named reference figure (`ReferenceValue`) in force on `on`, None when there is none."""
    row = ReferenceValue.objects.filter(key=key, valid_from__lte=on).order_by("-valid_from").first()
    if row is None:
        return None
    return Figure(value=float(row.value), use=_use(key, row, row.value, row.unit))


def target_for(indicator: str, *, farm: Farm, year: int, on: dt.date) -> TargetView | None:
    """The target the farm's town is held to for the indicator and year, as the compliance report
    chooses it (`compliance.choose_target`: the year's, else the nearest later, else the latest
    earlier; the town's own before the district's), of the rows in force on `on`."""
    rows = (
        Target.objects.filter(indicator=indicator, valid_from__lte=on)
        .filter(Q(town__isnull=True) | Q(town_id=farm.town_id))
        .order_by("town_id", "year", "-valid_from")
        .values_list("town__code", "year", "value", "direction", "source", "status", "valid_from")
    )
    latest: dict[tuple[str | None, int], TargetView] = {}
    for town_code, target_year, value, direction, source, status, valid_from in rows:  # a few rows
        latest.setdefault(
            (town_code, target_year),
            TargetView(
                value=float(value),
                year=target_year,
                direction=direction,
                scope="district" if town_code is None else "town",
                town_code=town_code,
                source=source,
                status=status,
                valid_from=valid_from,
                due=target_year <= year,
            ),
        )
    return choose_target(list(latest.values()), year=year, town_code=farm.town.code)


# --- Crop seasons ------------------------------------------------------------------------------------

SEASON_COLUMNS = {
    "season_id": "id",
    "season": "season",
    "crop": "crop__code",
    "crop_name_zh": "crop__name_zh",
    "crop_name_en": "crop__name_en",
    "crop_category": "crop__category",
    "area_mu": "area_mu",
    "yield_kg": "yield_kg",
}


def season_facts(farm: Farm, year: int, *, on: dt.date, notes: list[Text]) -> tuple[SeasonFacts, ...]:
    """The farm's crop seasons of the year with their N, practices and straw records.

    Three queries: the seasons; their fertiliser applications grouped by season (N as Σ kg × N %,
    divided by 100 here; slow-release N; the largest side-deep area); their straw records counted by
    season.
    """
    seasons = read_frame(
        CropSeason.objects.filter(farm=farm, year=year), SEASON_COLUMNS, floats=["area_mu", "yield_kg"]
    )
    if seasons.empty:
        return ()
    applications = FertiliserApplication.objects.filter(season__farm=farm, season__year=year)
    n = times("product_kg", "n_pct")
    fertiliser = {
        row["season_id"]: row
        for row in applications.values("season_id")
        .annotate(
            records=Count("id"),
            n_x100=fsum(n),
            chemical_n_x100=fsum(n, filter=Q(organic=False)),
            slow_n_x100=fsum(n, filter=Q(slow_release=True)),
            side_deep_area_mu=fmax("area_mu", filter=Q(method=FertiliserMethod.SIDE_DEEP)),
        )
        .order_by()
    }
    straw = dict(
        StrawUse.objects.filter(season__farm=farm, season__year=year)
        .values("season_id")
        .annotate(records=Count("id"))
        .order_by()
        .values_list("season_id", "records")
    )
    crops = set(seasons["crop"])
    straw_crops = runoff_selectors.straw_crops(crop_codes=crops, year=year)
    recommended = recommended_n_rates(crops, on=on)
    lacking = seasons[~seasons["crop"].isin(set(recommended))].drop_duplicates("crop").sort_values("crop")
    for zh, en in zip(lacking["crop_name_zh"], lacking["crop_name_en"], strict=True):
        notes.append(Text(NOTE_NO_RECOMMENDED_N, {"crop": Localized(zh, en), "on": on.isoformat()}))
    facts = []
    for row in seasons.to_dict(orient="records"):  # the farm's few seasons of the year
        season_id = uuid.UUID(str(row["season_id"]))
        applied = fertiliser.get(season_id, {})
        facts.append(
            SeasonFacts(
                season_id=str(season_id),
                season=row["season"],
                season_label=Season(row["season"]).label,
                crop=row["crop"],
                crop_name=Localized(row["crop_name_zh"], row["crop_name_en"]),
                crop_category=row["crop_category"],
                area_mu=float(row["area_mu"]),
                yield_kg=none_if_nan(row["yield_kg"]),
                fertiliser_records=int(applied.get("records") or 0),
                n_kg=float(applied.get("n_x100") or 0.0) / 100,
                chemical_n_kg=float(applied.get("chemical_n_x100") or 0.0) / 100,
                slow_release_n_kg=float(applied.get("slow_n_x100") or 0.0) / 100,
                side_deep_area_mu=float(applied.get("side_deep_area_mu") or 0.0),
                straw_crop=row["crop"] in straw_crops,
                straw_records=int(straw.get(season_id, 0)),
                recommended_n=recommended.get(row["crop"]),
            )
        )
    order = {value: index for index, value in enumerate(Season.values)}
    return tuple(sorted(facts, key=lambda s: (order.get(s.season, 9), s.crop, s.season_id)))


# --- Indicator rows ----------------------------------------------------------------------------------


def _farm_row(frame: Any, code: str, column: str = "scope_code") -> dict[str, Any] | None:
    match = frame[frame[column] == code]
    if match.empty:
        return None
    return {key: none_if_nan(value) for key, value in match.iloc[0].to_dict().items()}


def _tailwater(sel: queries.Selection, farm: Farm, year: int) -> TailwaterFacts | None:
    """The farm's discharge samples judged by the §7 query's own `judge_matrix` against its class."""
    data = tailwater_queries.tailwater_farms(sel)
    row = _farm_row(data.farms, farm.code, "farm_code")
    if row is None:
        return None
    samples = data.samples[data.samples["farm_id"] == farm.pk]
    tailwater_class = row.get("tailwater_class") or ""
    if not tailwater_class or samples.empty:
        return TailwaterFacts(tailwater_class=tailwater_class, standard=None, samples=len(samples))
    levels = standard_levels(year=year, use=WaterUse.TAILWATER)
    limits = levels.limits_for_rank(int(tailwater_class))
    if limits is None:
        return TailwaterFacts(tailwater_class=tailwater_class, standard=None, samples=len(samples))
    lower, upper = tailwater_queries.limit_arrays(limits)
    values = samples[tailwater_queries.PARAMETERS].to_numpy(dtype="float64")
    status = tailwater_queries.judge_matrix(values, lower, upper)
    dates = samples["date"].to_numpy()
    exceedances = []
    for column, parameter in enumerate(tailwater_queries.PARAMETERS):  # six parameters
        failing = status[:, column] == tailwater_queries.FAIL
        if not failing.any():
            continue
        above = failing & (values[:, column] > upper[column])
        rows = above if above.any() else failing
        pick = np.flatnonzero(rows)
        worst = (
            pick[np.argmax(values[pick, column])] if above.any() else pick[np.argmin(values[pick, column])]
        )
        exceedances.append(
            ParameterExceedance(
                parameter=parameter,
                value=float(values[worst, column]),
                limit=float(upper[column] if above.any() else lower[column]),
                bound="max" if above.any() else "min",
                date=dates[worst],
                samples=int(failing.sum()),
            )
        )
    not_measured = tuple(
        parameter
        for column, parameter in enumerate(tailwater_queries.PARAMETERS)
        if (status[:, column] == tailwater_queries.NOT_MEASURED).any()
    )
    return TailwaterFacts(
        tailwater_class=tailwater_class,
        standard=levels.standard,
        samples=len(samples),
        exceedances=tuple(exceedances),
        not_measured=not_measured,
        basis=levels.uses_by_rank.get(int(tailwater_class), ()),
    )


def _part(notes: list[Text], part: Any, build: Any) -> Any:
    """`build()`, or None and a note when a figure it needs is missing."""
    try:
        return build()
    except ApplicationError as exc:
        notes.append(Text(NOTE_PART_FAILED, {"part": part, "detail": exc.message}))
        return None


def _treatment_area(on: dt.date, notes: list[Text]) -> tuple[Figure, Figure] | None:
    low = named_figure_on(TREATMENT_AREA_MIN_KEY, on=on)
    high = named_figure_on(TREATMENT_AREA_MAX_KEY, on=on)
    for key, figure in ((TREATMENT_AREA_MIN_KEY, low), (TREATMENT_AREA_MAX_KEY, high)):
        if figure is None:
            notes.append(
                Text(NOTE_REFERENCE_MISSING, {"key": key, "on": on.isoformat(), "what": PART_TREATMENT_AREA})
            )
    return (low, high) if low is not None and high is not None else None


def farm_facts(
    *,
    farm: Farm,
    year: int,
    on: dt.date | None = None,
    scenarios: runoff_services.FarmScenarios | None = None,
) -> FarmFacts:
    """Gather what the rules read for the farm and year (module docstring).

    `scenarios` are the farm's `runoff.services.farm_scenarios` for the year when the caller has them
    already (the report computes them for its loads section); otherwise they are computed here.
    """
    on = on or reference_date(year)
    notes: list[Text] = []
    seasons = season_facts(farm, year, on=on, notes=notes)
    reader = queries.SYSTEM_READER
    if scenarios is None:
        scenarios = _part(
            notes,
            PART_SCENARIOS,
            lambda: runoff_services.farm_scenarios(user=reader, code=farm.code, year=year),
        )
    sel = queries.selection(user=reader, year=year, scope=queries.Scope.FARM, farm_code=farm.code, cache=True)

    # Each part only where the farm has such records: a farm without film needs no film thickness figure.
    has_straw = any(season.straw_records for season in seasons)
    straw = _part(notes, PART_STRAW, lambda: straw_queries.straw_frame(sel)) if has_straw else None
    straw_row = _farm_row(straw[0], farm.code) if straw else None
    straw_basis = tuple(
        use
        for coefficients in (straw[1].values() if straw else ())
        for use in (coefficients.straw_grain_ratio.use, coefficients.collection_coefficient.use)
    )

    has_film = MulchFilm.objects.filter(season__farm=farm, season__year=year).exists()
    film = _part(notes, PART_FILM, lambda: film_queries.film_frame(sel)) if has_film else None
    film_row = _farm_row(film[0], farm.code) if film else None

    has_livestock = (
        LivestockHerd.objects.filter(farm=farm, year=year).exists()
        or ManureFacility.objects.filter(farm=farm, year=year).exists()
    )
    livestock = (
        _part(notes, PART_LIVESTOCK, lambda: livestock_queries.livestock_farms(sel))
        if has_livestock
        else None
    )
    livestock_row = _farm_row(livestock.frame, farm.code, "farm_code") if livestock else None

    # The §7 population: discharging aquaculture farms (or with a class set), and any farm sampled.
    discharges = (
        farm.farm_type == FarmType.AQUACULTURE
        or bool(farm.tailwater_class)
        or TailwaterSample.objects.filter(farm=farm, date__year=year).exists()
    )
    tailwater = _part(notes, PART_TAILWATER, lambda: _tailwater(sel, farm, year)) if discharges else None

    def target(indicator: str) -> TargetView | None:
        return target_for(indicator, farm=farm, year=year, on=on)

    return FarmFacts(
        farm_code=farm.code,
        farm_name=farm.name,
        farm_type=farm.farm_type,
        area_mu=float(farm.area_mu),
        year=year,
        on=on,
        seasons=seasons,
        scenarios=scenarios,
        straw=straw_row,
        straw_basis=straw_basis,
        straw_target=target(Indicator.STRAW_UTILISATION),
        film=film_row,
        film_minimum=film[1] if film else None,
        film_target=target(Indicator.FILM_RECOVERY),
        livestock=livestock_row,
        livestock_basis=livestock.references if livestock else (),
        manure_target=target(Indicator.MANURE_FACILITY_MATCHING),
        tailwater=tailwater,
        tailwater_target=target(Indicator.TAILWATER_COMPLIANCE),
        treatment_area_pct=_treatment_area(on, notes) if tailwater and tailwater.exceedances else None,
        notes=tuple(notes),
    )


__all__ = [
    "FarmFacts",
    "ParameterExceedance",
    "SeasonFacts",
    "TailwaterFacts",
    "farm_facts",
    "named_figure_on",
    "recommended_n_rates",
    "target_for",
]
