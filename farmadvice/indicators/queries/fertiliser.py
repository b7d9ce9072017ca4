"""Fertiliser and pesticide use, their reduction, and green-fertilisation coverage (INDICATORS.md §1-3).

Three queries per year: the crop seasons grouped by scope (sown area), the fertiliser applications grouped
by season and then by scope (nutrients, and the largest area under each practice per season; see
`common.regroup`), and the pesticide applications grouped by scope. The whole district is the roll-up of its towns. The intensity, reduction and coverage
of each reported row are then computed by `formulas.py`.

Decisions (documented here and in the docstrings):
- Fertiliser intensity counts **chemical** fertiliser (化肥): applications marked `organic` are kept apart
  (`organic_*_kg`), since substituting organic for chemical fertiliser is what the reduction rewards.
- Coverage (§3, our formula): per season, the area under a practice is the **largest** area of the
  season's applications with that practice, capped at the season's sown area. Repeated applications of a
  practice in a season (base dressing and top dressing, both side-deep) are passes over the same land, so
  summing them would count a mu twice; the cap keeps a mistyped area from covering more than was sown.
  A practice applied to two separate parts of a season's area should be recorded as two seasons.
- Reduction (§1): the base year is the farm's own `Baseline`, else its town's, else the district's; the
  baseline intensity is the farm's intensity in that year, or, where the farm has no sown area in its base
  year (a farm that started later), its town's baseline intensity. Town, irrigation-district and district
  figures use their own (town → district) base year and their own intensity; no data in the base year
  leaves the reduction missing. The base years are reference figures: the `Baseline` rows in force on
  31 December of the year, each reported among the figure's references (a provisional base year says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Case, Count, F, FloatField, Q, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.indicators import formulas
from farmadvice.indicators.models import Baseline, BaselineKind, Indicator, ScopeKind
from farmadvice.indicators.queries.common import (
    DISTRICT_CODE,
    IndicatorFrame,
    Outer,
    Scope,
    Selection,
    as_float,
    fill_count,
    fill_zero,
    fmax,
    fsum,
    grouped,
    indicator_frame,
    labelled,
    memo,
    per_row,
    regroup,
    rollup,
    scope_key,
    times,
)
from farmadvice.indicators.queries.common import (
    LABEL_COLUMNS as LABELS,
)
from farmadvice.indicators.reference import ReferenceUse, reference_date
from farmadvice.practices.models import (
    AmountUnit,
    CropSeason,
    FertiliserApplication,
    FertiliserMethod,
    PesticideApplication,
)
from farmadvice.reference.selectors import in_force
from farmadvice.registry.models import Farm, Town

COVERAGE_NOTE = gettext_noop(
    "覆盖率公式为本系统自定（未找到官方公式）：同一茬口同一措施只计一次面积（取各次施用面积的最大值，不超过播种面积）。"
)
CHEMICAL_NOTE = gettext_noop("化肥施用强度只计化肥；有机肥的养分另列（organic_*_kg）。")

# The four practices of §3: the indicator, the column of their area, and what marks an application.
PRACTICES: dict[str, tuple[str, Q]] = {
    Indicator.SLOW_RELEASE_COVERAGE: ("slow_release_area_mu", Q(slow_release=True)),
    Indicator.SIDE_DEEP_COVERAGE: ("side_deep_area_mu", Q(method=FertiliserMethod.SIDE_DEEP)),
    Indicator.FERTIGATION_COVERAGE: ("fertigation_area_mu", Q(method=FertiliserMethod.FERTIGATION)),
    Indicator.SOIL_TEST_COVERAGE: ("soil_test_area_mu", Q(soil_test_formula=True)),
}
PRACTICE_COLUMNS = [column for column, _q in PRACTICES.values()]
SEASON_COLUMNS = ["sown_area_mu", "seasons", "farms"]
NUTRIENT_COLUMNS = ["n_kg", "p2o5_kg", "k2o_kg", "organic_n_kg", "organic_p2o5_kg", "organic_k2o_kg"]
PESTICIDE_COLUMNS = ["ai_kg", "pesticide_applications"]
COUNT_COLUMNS = ["seasons", "farms", "pesticide_applications"]
CHEMICAL, ORGANIC = Q(organic=False), Q(organic=True)


def _query_scope(scope: Scope) -> Scope:
    return Scope.TOWN if scope == Scope.DISTRICT else scope


def _finish_scope(
    frame: pd.DataFrame, scope: Scope, columns: list[str], by: tuple[str, ...] = ()
) -> pd.DataFrame:
    return rollup(frame, columns, by=by) if scope == Scope.DISTRICT else frame


def season_totals(sel: Selection) -> pd.DataFrame:
    """Per scope row: sown_area_mu (Σ season area; a mu sown twice counts twice), seasons, farms."""
    scope = _query_scope(sel.scope)
    aggregates = {
        "sown_area_mu": fsum("area_mu"),
        "seasons": Count("id"),
        "farms": Count("farm", distinct=True),
    }
    frame = memo(
        sel,
        ("seasons", sel.year, scope),
        lambda: grouped(
            CropSeason.objects.filter(sel.farm_q("farm"), year=sel.year),
            key=scope_key(scope, "farm"),
            aggregates=aggregates,
        ),
    )
    return _finish_scope(frame, sel.scope, SEASON_COLUMNS)


def _nutrient_sum(nutrient: str, condition: Q) -> object:
    """Σ kg product × content % (÷ 100 in pandas) over the applications matching `condition` (§1)."""
    return fsum(times("product_kg", f"{nutrient}_pct"), filter=condition)


def fertiliser_totals(sel: Selection) -> pd.DataFrame:
    """Per scope row: pure nutrient of chemical and organic fertiliser, kg (NUTRIENT_COLUMNS), and the
    area under each §3 practice, mu (PRACTICE_COLUMNS).

    Per season (inner query, grouped by season): the nutrient sums and, per practice, the largest area of
    its applications; per scope (outer, `regroup`): their sums, each practice's largest area capped at the
    season's sown area. One query.
    """
    scope = _query_scope(sel.scope)
    per_season = {}
    for nutrient in ("n", "p2o5", "k2o"):
        per_season[f"{nutrient}_kg"] = _nutrient_sum(nutrient, CHEMICAL)
        per_season[f"organic_{nutrient}_kg"] = _nutrient_sum(nutrient, ORGANIC)
    per_season |= {f"largest_{column}": fmax("area_mu", filter=q) for column, q in PRACTICES.values()}
    inner = (
        FertiliserApplication.objects.filter(sel.farm_q("season__farm"), season__year=sel.year)
        .values(
            season_key=F("season_id"),
            scope_id=F(scope_key(scope, "season__farm")),
            season_area=as_float(F("season__area_mu")),
        )
        .annotate(**per_season)
    )
    outer = {column: Outer("sum", column) for column in NUTRIENT_COLUMNS}
    outer |= {
        column: Outer("capped_sum", f"largest_{column}", cap="season_area") for column in PRACTICE_COLUMNS
    }
    frame = memo(sel, ("fertiliser", sel.year, scope), lambda: regroup(inner, by=["scope_id"], columns=outer))
    frame = frame[frame["scope_id"].notna()].astype({"scope_id": "int64"})
    frame = fill_zero(frame, [*NUTRIENT_COLUMNS, *PRACTICE_COLUMNS])
    frame[NUTRIENT_COLUMNS] = frame[NUTRIENT_COLUMNS] / 100
    return _finish_scope(frame, sel.scope, [*NUTRIENT_COLUMNS, *PRACTICE_COLUMNS])


# kg a.i. of an application (§2): kg product (L × density for liquids) × a.i. content % / 100.
PRODUCT_KG = Case(
    When(amount_unit=AmountUnit.L, then=times("amount", "density_kg_per_l")),
    default=F("amount"),
    output_field=FloatField(),
)


def pesticide_totals(sel: Selection, *, years: list[int] | None = None) -> pd.DataFrame:
    """Per scope row (and `year` when `years` is given): ai_kg, the kg of active ingredient (§2), and
    pesticide_applications, their number."""
    scope = _query_scope(sel.scope)
    aggregates = {"ai_kg": fsum(times(PRODUCT_KG, "ai_content_pct")), "pesticide_applications": Count("id")}
    records = PesticideApplication.objects.filter(sel.farm_q("season__farm"))
    records, by = _year_filter(records, "season__year", sel.year, years)
    frame = memo(
        sel,
        ("pesticide", sel.year, scope, tuple(years or ())),
        lambda: grouped(records, key=scope_key(scope, "season__farm"), aggregates=aggregates, extra_keys=by),
    )
    frame = frame.rename(columns={"season__year": "year"})
    frame["ai_kg"] = frame["ai_kg"].astype("float64").fillna(0.0) / 100
    frame = fill_count(frame, ["pesticide_applications"])
    return _finish_scope(frame, sel.scope, PESTICIDE_COLUMNS, _by(by))


def _year_filter(records, path: str, year: int, years: list[int] | None):
    if years is None:
        return records.filter(**{path: year}), ()
    return records.filter(**{f"{path}__in": years}), (path,)


def _by(by: tuple[str, ...]) -> tuple[str, ...]:
    return ("year",) if by else ()


def _intensity_columns(frame: pd.DataFrame) -> pd.DataFrame:
    frame["nutrient_kg"] = frame["n_kg"] + frame["p2o5_kg"] + frame["k2o_kg"]
    frame["intensity_kg_per_mu"] = per_row(frame, formulas.intensity_kg_per_mu, "nutrient_kg", "sown_area_mu")
    for nutrient in ("n", "p2o5", "k2o"):
        frame[f"{nutrient}_kg_per_mu"] = per_row(
            frame, formulas.intensity_kg_per_mu, f"{nutrient}_kg", "sown_area_mu"
        )
    return frame


def fertilisation_frame(sel: Selection) -> pd.DataFrame:
    """Seasons, chemical and organic nutrients, pesticide and practice areas per scope row, labelled,
    with fertiliser and pesticide intensities and the four coverages. The frame the §1-3 indicators
    take their columns from."""
    frame = season_totals(sel).merge(fertiliser_totals(sel), on="scope_id", how="left")
    frame = frame.merge(pesticide_totals(sel), on="scope_id", how="left")
    frame = fill_zero(frame, [*NUTRIENT_COLUMNS, *PRACTICE_COLUMNS, "ai_kg"])
    frame = fill_count(frame, COUNT_COLUMNS)
    frame = _intensity_columns(frame)
    frame["pesticide_intensity_kg_per_mu"] = per_row(
        frame, formulas.intensity_kg_per_mu, "ai_kg", "sown_area_mu"
    )
    for indicator, (column, _q) in PRACTICES.items():
        frame[indicator] = per_row(frame, formulas.coverage_pct, column, "sown_area_mu")
    return labelled(frame, sel)


def fertiliser_intensity(sel: Selection, *, frame: pd.DataFrame | None = None) -> IndicatorFrame:
    """Chemical fertiliser use intensity (化肥施用强度), kg pure nutrient/mu (INDICATORS.md §1).

    Σ kg × (N% + P2O5% + K2O%) / 100 over the scope's chemical applications in the year ÷ Σ sown area
    of its crop seasons (a mu sown twice counts twice). Columns: sown_area_mu, seasons, farms, n_kg,
    p2o5_kg, k2o_kg, nutrient_kg, intensity_kg_per_mu, n_kg_per_mu, p2o5_kg_per_mu, k2o_kg_per_mu,
    organic_n_kg, organic_p2o5_kg, organic_k2o_kg. Missing (None) where nothing was sown.
    """
    frame = fertilisation_frame(sel) if frame is None else frame
    return indicator_frame(
        indicator=Indicator.FERTILISER_INTENSITY,
        sel=sel,
        unit="kg/亩",
        frame=frame,
        value="intensity_kg_per_mu",
        notes=[_(CHEMICAL_NOTE)],
    )


def pesticide_intensity(sel: Selection, *, frame: pd.DataFrame | None = None) -> IndicatorFrame:
    """Pesticide use intensity (农药施用强度), kg a.i./mu (INDICATORS.md §2).

    Σ amount (L × density for liquids) × a.i.% / 100 ÷ Σ sown area. Columns: sown_area_mu, seasons,
    farms, ai_kg, pesticide_applications, pesticide_intensity_kg_per_mu.
    """
    frame = fertilisation_frame(sel) if frame is None else frame
    return indicator_frame(
        indicator=Indicator.PESTICIDE_INTENSITY,
        sel=sel,
        unit="kg/亩",
        frame=frame,
        value="pesticide_intensity_kg_per_mu",
    )


def coverage(sel: Selection, indicator: str, *, frame: pd.DataFrame | None = None) -> IndicatorFrame:
    """Coverage of a green-fertilisation practice, % (INDICATORS.md §3; our formula).

    Σ area under the practice (once per practice per season: the largest of its applications' areas,
    capped at the season's area) ÷ Σ sown area × 100. `indicator` is one of the four coverage
    indicators; its column of `fertilisation_frame` is the value, its area column beside it.
    """
    frame = fertilisation_frame(sel) if frame is None else frame
    return indicator_frame(
        indicator=indicator, sel=sel, unit="%", frame=frame, value=indicator, notes=[_(COVERAGE_NOTE)]
    )


def slow_release_coverage(sel: Selection) -> IndicatorFrame:
    """Slow or controlled-release fertiliser coverage (缓控释肥覆盖率), % (INDICATORS.md §3)."""
    return coverage(sel, Indicator.SLOW_RELEASE_COVERAGE)


def side_deep_coverage(sel: Selection) -> IndicatorFrame:
    """Side-deep placement coverage (侧深施肥覆盖率), % (INDICATORS.md §3)."""
    return coverage(sel, Indicator.SIDE_DEEP_COVERAGE)


def fertigation_coverage(sel: Selection) -> IndicatorFrame:
    """Fertigation coverage (水肥一体化覆盖率), % (INDICATORS.md §3)."""
    return coverage(sel, Indicator.FERTIGATION_COVERAGE)


def soil_test_coverage(sel: Selection) -> IndicatorFrame:
    """Soil-test formula fertilisation coverage (测土配方施肥覆盖率), % (INDICATORS.md §3)."""
    return coverage(sel, Indicator.SOIL_TEST_COVERAGE)


# --- Reduction ---------------------------------------------------------------------------------------


def _sown_by_year(sel: Selection, years: list[int]) -> pd.DataFrame:
    scope = _query_scope(sel.scope)
    frame = memo(
        sel,
        ("sown_by_year", scope, tuple(years)),
        lambda: grouped(
            CropSeason.objects.filter(sel.farm_q("farm"), year__in=years),
            key=scope_key(scope, "farm"),
            aggregates={"sown_area_mu": fsum("area_mu")},
            extra_keys=("year",),
        ),
    )
    return _finish_scope(frame, sel.scope, ["sown_area_mu"], ("year",))


def _use_by_year(kind: str, sel: Selection, years: list[int]) -> pd.DataFrame:
    """[scope_id, year, total_kg]: chemical pure nutrient (fertiliser) or a.i. (pesticide) per year."""
    scope = _query_scope(sel.scope)
    if kind == BaselineKind.PESTICIDE:
        frame = pesticide_totals(sel.at(scope), years=years).rename(columns={"ai_kg": "total_kg"})
        frame = frame[["scope_id", "year", "total_kg"]]
    else:
        total = (
            times("product_kg", "n_pct") + times("product_kg", "p2o5_pct") + times("product_kg", "k2o_pct")
        )
        frame = memo(
            sel,
            ("nutrient_by_year", scope, tuple(years)),
            lambda: grouped(
                FertiliserApplication.objects.filter(
                    sel.farm_q("season__farm"), season__year__in=years, organic=False
                ),
                key=scope_key(scope, "season__farm"),
                aggregates={"total_kg": fsum(total)},
                extra_keys=("season__year",),
            ),
        ).rename(columns={"season__year": "year"})
        frame["total_kg"] = frame["total_kg"].astype("float64") / 100
    return _finish_scope(frame, sel.scope, ["total_kg"], ("year",))


def _intensity_by_year(kind: str, sel: Selection, years: list[int]) -> pd.DataFrame:
    """[scope_id, year, baseline_intensity_kg_per_mu] for the given years (missing where nothing sown)."""
    if not years:
        return pd.DataFrame(
            {
                "scope_id": pd.Series(dtype="int64"),
                "year": pd.Series(dtype="Int64"),
                "baseline_intensity_kg_per_mu": pd.Series(dtype="float64"),
            }
        )
    frame = _sown_by_year(sel, years).merge(
        _use_by_year(kind, sel, years), on=["scope_id", "year"], how="left"
    )
    frame = fill_zero(frame, ["total_kg"])
    frame["baseline_intensity_kg_per_mu"] = per_row(
        frame, formulas.intensity_kg_per_mu, "total_kg", "sown_area_mu"
    )
    return frame[["scope_id", "year", "baseline_intensity_kg_per_mu"]]


@dataclass(frozen=True)
class _BaseYears:
    """The `Baseline` rows of a kind in force for a year: the district's, the towns' (by town id) and the
    farms' (by farm id)."""

    district: Baseline | None
    towns: dict[int, Baseline]
    farms: dict[int, Baseline]

    def by_id(self) -> dict[int, Baseline]:
        rows = [self.district, *self.towns.values(), *self.farms.values()]
        return {row.pk: row for row in rows if row is not None}


def _base_years(kind: str, year: int) -> _BaseYears:
    """The configured base years in force on the year's reference date (a handful of rows)."""
    rows = in_force(
        Baseline.objects.filter(kind=kind).select_related("town", "farm"),
        key_fields=("scope", "town_id", "farm_id"),
        on=reference_date(year),
    )
    district = next((row for row in rows if row.scope == ScopeKind.DISTRICT), None)
    towns = {row.town_id: row for row in rows if row.scope == ScopeKind.TOWN}
    farms = {row.farm_id: row for row in rows if row.scope == ScopeKind.FARM}
    return _BaseYears(district=district, towns=towns, farms=farms)


def _base_year_use(row: Baseline) -> ReferenceUse:
    """A base year as a reference figure the reduction rests on (INDICATORS.md, preamble)."""
    if row.farm_id is not None:
        where = row.farm.code
    elif row.town_id is not None:
        where = row.town.code
    else:
        where = DISTRICT_CODE
    return ReferenceUse(
        name=f"base_year[{row.kind}][{where}]",
        value=str(row.base_year),
        unit="",
        status=row.status,
        source=row.source,
        valid_from=row.valid_from,
    )


def _choose(
    frame: pd.DataFrame, candidates: list[tuple[str, pd.Series]], years: dict[int, int]
) -> pd.DataFrame:
    """baseline_id (the `Baseline` row) from the first candidate that has one, base_year_scope naming
    it, and its base_year."""
    frame["baseline_id"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    frame["base_year_scope"] = None
    for name, ids in candidates:
        take = frame["baseline_id"].isna() & ids.notna()
        frame.loc[take, "baseline_id"] = ids[take].astype("Int64")
        frame.loc[take, "base_year_scope"] = name
    frame["base_year"] = frame["baseline_id"].map(years).astype("Int64")
    return frame


def _with_base_year(frame: pd.DataFrame, sel: Selection, kind: str) -> tuple[pd.DataFrame, _BaseYears]:
    """Add baseline_id, base_year and base_year_scope: the farm's Baseline, else its town's, else the
    district's (farms); the town's, else the district's (towns); the district's (irrigation districts,
    district). Also the base years in force, by which baseline_id is looked up."""
    base = _base_years(kind, sel.year)
    town_ids = {town_id: row.pk for town_id, row in base.towns.items()}
    frame = frame.copy()
    district_id = None if base.district is None else base.district.pk
    district_ids = pd.Series(district_id, index=frame.index, dtype="Int64")
    if sel.scope == Scope.FARM:
        farm_towns = dict(Farm.objects.filter(sel.farm_q("")).values_list("id", "town_id"))
        frame["town_id"] = frame["scope_id"].map(farm_towns)
        candidates = [
            (ScopeKind.FARM, frame["scope_id"].map({farm_id: row.pk for farm_id, row in base.farms.items()})),
            (ScopeKind.TOWN, frame["town_id"].map(town_ids)),
            (ScopeKind.DISTRICT, district_ids),
        ]
    elif sel.scope == Scope.TOWN:
        candidates = [(ScopeKind.TOWN, frame["scope_id"].map(town_ids)), (ScopeKind.DISTRICT, district_ids)]
    else:
        candidates = [(ScopeKind.DISTRICT, district_ids)]
    years = {pk: row.base_year for pk, row in base.by_id().items()}
    return _choose(frame, candidates, years), base


def _town_baselines(kind: str, year: int) -> pd.DataFrame:
    """[town_id, town_baseline]: each town's intensity in its own base year (town's, else district's),
    over all its farms: the baseline a farm without base-year data falls back to (§1)."""
    towns = pd.DataFrame({"scope_id": list(Town.objects.values_list("id", flat=True))})
    towns, _base = _with_base_year(towns, Selection(year=year, scope=Scope.TOWN), kind)
    years = sorted({int(y) for y in towns["base_year"].dropna()})
    by_year = _intensity_by_year(kind, Selection(year=year, scope=Scope.TOWN), years)
    towns = towns.merge(
        by_year.rename(columns={"year": "base_year"}), on=["scope_id", "base_year"], how="left"
    )
    return towns.rename(
        columns={
            "scope_id": "town_id",
            "baseline_id": "town_baseline_id",
            "base_year": "town_base_year",
            "baseline_intensity_kg_per_mu": "town_baseline",
        }
    )[["town_id", "town_baseline_id", "town_base_year", "town_baseline"]]


def reduction(kind: str, sel: Selection, *, frame: pd.DataFrame | None = None) -> IndicatorFrame:
    """Fertiliser or pesticide reduction (减量率), % (INDICATORS.md §1, §2).

    (baseline intensity − intensity) ÷ baseline intensity × 100; negative when use went up. Base year
    and fallbacks as in the module docstring. Columns: farms, sown_area_mu, the intensity
    (intensity_kg_per_mu or pesticide_intensity_kg_per_mu), base_year, base_year_scope (farm, town or district: whose Baseline
    row set the year), baseline_intensity_kg_per_mu, baseline_from ("own", or "town" where a farm had no
    sown area in its base year and took its town's), reduction_pct. Its references are the base years
    the rows were measured from.
    """
    frame = fertilisation_frame(sel) if frame is None else frame
    fertiliser = kind == BaselineKind.FERTILISER
    intensity_column = "intensity_kg_per_mu" if fertiliser else "pesticide_intensity_kg_per_mu"
    keyed, base = _with_base_year(frame[[*LABELS, "farms", "sown_area_mu", intensity_column]], sel, kind)
    years = sorted({int(year) for year in keyed["base_year"].dropna()})
    own = _intensity_by_year(kind, sel, years).rename(columns={"year": "base_year"})
    keyed = keyed.merge(own, on=["scope_id", "base_year"], how="left")
    keyed["baseline_from"] = keyed["baseline_intensity_kg_per_mu"].notna().map({True: "own", False: None})
    if sel.scope == Scope.FARM:
        keyed = keyed.merge(_town_baselines(kind, sel.year), on="town_id", how="left")
        fallback = keyed["baseline_intensity_kg_per_mu"].isna() & keyed["town_baseline"].notna()
        keyed.loc[fallback, "baseline_intensity_kg_per_mu"] = keyed.loc[fallback, "town_baseline"]
        keyed.loc[fallback, "base_year"] = keyed.loc[fallback, "town_base_year"]
        keyed.loc[fallback, "baseline_id"] = keyed.loc[fallback, "town_baseline_id"]
        keyed.loc[fallback, "baseline_from"] = "town"
        keyed = keyed.drop(columns=["town_id", "town_baseline_id", "town_baseline", "town_base_year"])
    keyed["reduction_pct"] = per_row(
        keyed, formulas.reduction_pct, "baseline_intensity_kg_per_mu", intensity_column
    )
    rows = base.by_id()
    used = sorted({int(pk) for pk in keyed["baseline_id"].dropna()})
    return indicator_frame(
        indicator=Indicator.FERTILISER_REDUCTION if fertiliser else Indicator.PESTICIDE_REDUCTION,
        sel=sel,
        unit="%",
        frame=keyed.drop(columns=["baseline_id"]),
        value="reduction_pct",
        references=[_base_year_use(rows[pk]) for pk in used],
    )


def fertiliser_reduction(sel: Selection) -> IndicatorFrame:
    """Fertiliser reduction (化肥减量率), % (INDICATORS.md §1); see `reduction`."""
    return reduction(BaselineKind.FERTILISER, sel)


def pesticide_reduction(sel: Selection) -> IndicatorFrame:
    """Pesticide reduction (农药减量率), % (INDICATORS.md §2); see `reduction`."""
    return reduction(BaselineKind.PESTICIDE, sel)
