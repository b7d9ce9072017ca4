"""Indicator queries: one function per indicator of INDICATORS.md §1-8, over the database.

Every public function takes the user (reads start from `access.farms_visible_to(user)`), the year and the
scope: `farm`, `town`, `irrigation_district` or `district` (the whole of Chongming), optionally narrowed
to one town. It returns an `IndicatorFrame`: a DataFrame with one row per farm / town / irrigation district
(or the one district row), the ids and codes behind it (scope_id, scope_code, scope_name, town_code), the
sums the figure is computed from, and `value`, with the reference figures used and which were provisional.
Missing data is None, never 0 or 100.

The modules hold the queries: `fertiliser` (§1-3), `straw` (§4), `film` (§5), `livestock` (§6),
`tailwater` (§7), `districts` (§8); `common` the selection, grouping and result type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.core.errors import ApplicationError, NotFound
from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries import districts as _districts
from farmadvice.indicators.queries import fertiliser as _fertiliser
from farmadvice.indicators.queries import film as _film
from farmadvice.indicators.queries import livestock as _livestock
from farmadvice.indicators.queries import straw as _straw
from farmadvice.indicators.queries import tailwater as _tailwater
from farmadvice.indicators.queries.common import (
    DISTRICT_CODE,
    MSG_SCOPE_NOT_AVAILABLE,
    SYSTEM_READER,
    IndicatorFrame,
    Scope,
    Selection,
    memo,
    selection,
)

MSG_UNKNOWN_INDICATOR = gettext_noop("未知指标：{indicator}；可用：{allowed}。")

FARM_SCOPES = (Scope.FARM, Scope.TOWN, Scope.IRRIGATION_DISTRICT, Scope.DISTRICT)
DISTRICT_SCOPES = (Scope.IRRIGATION_DISTRICT, Scope.TOWN, Scope.DISTRICT)


# Each family's query results, shared by the indicators computed from them (memoised per selection).
def _fertilisation(sel: Selection) -> Any:
    return memo(
        sel, ("fertilisation_frame", sel.year, sel.scope), lambda: _fertiliser.fertilisation_frame(sel)
    )


def _straw_ledger(sel: Selection) -> Any:
    return memo(sel, ("straw_frame", sel.year, sel.scope), lambda: _straw.straw_frame(sel))


def _film_frame(sel: Selection) -> Any:
    return memo(sel, ("film_frame", sel.year, sel.scope), lambda: _film.film_frame(sel))


def _manure(sel: Selection) -> Any:
    return memo(sel, ("manure_frame", sel.year, sel.scope), lambda: _livestock.manure_frame(sel))


def _tailwater_frame(sel: Selection) -> Any:
    return memo(sel, ("tailwater_frame", sel.year, sel.scope), lambda: _tailwater.tailwater_frame(sel))


def _monitoring(sel: Selection, water_quality: bool = True) -> Any:
    return memo(
        sel,
        ("monitoring_frame", sel.year, sel.scope, water_quality),
        lambda: _districts.monitoring_frame(sel, water_quality=water_quality),
    )


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator: its key, label, unit, INDICATORS.md section, scopes and how it is computed."""

    key: str
    label: str
    unit: str
    section: str
    scopes: tuple[Scope, ...]
    compute: Callable[[Selection], IndicatorFrame]


def _spec(
    key: str, label: Any, unit: str, section: str, compute: Callable, scopes=FARM_SCOPES
) -> IndicatorSpec:
    return IndicatorSpec(
        key=str(key), label=str(label), unit=unit, section=section, scopes=scopes, compute=compute
    )


INDICATORS: dict[str, IndicatorSpec] = {
    spec.key: spec
    for spec in (
        _spec(Indicator.FERTILISER_INTENSITY, Indicator.FERTILISER_INTENSITY.label, "kg/亩", "§1",
              lambda s: _fertiliser.fertiliser_intensity(s, frame=_fertilisation(s))),
        _spec(Indicator.FERTILISER_REDUCTION, Indicator.FERTILISER_REDUCTION.label, "%", "§1",
              lambda s: _fertiliser.reduction("fertiliser", s, frame=_fertilisation(s))),
        _spec(Indicator.PESTICIDE_INTENSITY, Indicator.PESTICIDE_INTENSITY.label, "kg/亩", "§2",
              lambda s: _fertiliser.pesticide_intensity(s, frame=_fertilisation(s))),
        _spec(Indicator.PESTICIDE_REDUCTION, Indicator.PESTICIDE_REDUCTION.label, "%", "§2",
              lambda s: _fertiliser.reduction("pesticide", s, frame=_fertilisation(s))),
        *(
            _spec(key, Indicator(key).label, "%", "§3",
                  lambda s, key=key: _fertiliser.coverage(s, key, frame=_fertilisation(s)))
            for key in _fertiliser.PRACTICES
        ),
        _spec(Indicator.STRAW_UTILISATION, Indicator.STRAW_UTILISATION.label, "%", "§4",
              lambda s: _straw.straw_utilisation(s, ledger=_straw_ledger(s))),
        _spec(Indicator.STRAW_FIELD_RETURN, Indicator.STRAW_FIELD_RETURN.label, "%", "§4",
              lambda s: _straw.straw_field_return(s, ledger=_straw_ledger(s))),
        _spec(Indicator.FILM_STANDARD_SHARE, Indicator.FILM_STANDARD_SHARE.label, "%", "§5",
              lambda s: _film.film_standard_share(s, film=_film_frame(s))),
        _spec(Indicator.FILM_RECOVERY, Indicator.FILM_RECOVERY.label, "%", "§5",
              lambda s: _film.film_recovery(s, film=_film_frame(s))),
        _spec(Indicator.MANURE_FACILITY_MATCHING, Indicator.MANURE_FACILITY_MATCHING.label, "%", "§6",
              lambda s: _livestock.manure_facility_matching(s, manure=_manure(s))),
        _spec(Indicator.MANURE_UTILISATION, Indicator.MANURE_UTILISATION.label, "%", "§6",
              lambda s: _livestock.manure_utilisation(s, manure=_manure(s))),
        _spec(Indicator.TAILWATER_COMPLIANCE, Indicator.TAILWATER_COMPLIANCE.label, "%", "§7",
              lambda s: _tailwater.tailwater_compliance(s, tailwater=_tailwater_frame(s))),
        _spec(Indicator.TAILWATER_MONITORING, Indicator.TAILWATER_MONITORING.label, "%", "§7",
              lambda s: _tailwater.tailwater_monitoring(s, tailwater=_tailwater_frame(s))),
        _spec(Indicator.DISTRICT_MONITORING, Indicator.DISTRICT_MONITORING.label, "%", "§8",
              lambda s: _districts.district_monitoring(s, districts=_monitoring(s, water_quality=False)), DISTRICT_SCOPES),
        _spec(_districts.NET_LOAD, "灌区净输出负荷（kg TN/亩；另列 TN、TP kg）", "kg/亩", "§8",
              lambda s: _districts.district_net_load(s, districts=_monitoring(s)), DISTRICT_SCOPES),
        _spec(_districts.OUTLET_CLASS, "灌区出水水质类别（GB 3838-2002）", "", "§8",
              lambda s: _districts.district_outlet_class(s, districts=_monitoring(s)),
              (Scope.IRRIGATION_DISTRICT,)),
    )
}  # fmt: skip


def indicator_spec(indicator: str) -> IndicatorSpec:
    spec = INDICATORS.get(indicator)
    if spec is None:
        raise NotFound(_(MSG_UNKNOWN_INDICATOR).format(indicator=indicator, allowed=", ".join(INDICATORS)))
    return spec


def compute(spec: IndicatorSpec, sel: Selection) -> IndicatorFrame:
    """One indicator over a selection, refusing a scope it has no figure for."""
    if sel.scope not in spec.scopes:
        raise ApplicationError(
            _(MSG_SCOPE_NOT_AVAILABLE).format(
                indicator=spec.key, scope=sel.scope, allowed=", ".join(str(scope) for scope in spec.scopes)
            ),
            field="scope",
        )
    return spec.compute(sel)


def indicator_get(
    *, user: Any, indicator: str, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Any indicator by key (an `Indicator` value, `district_net_load_kg_per_mu` or
    `district_outlet_class`) for the user, year and scope."""
    spec = indicator_spec(indicator)
    return compute(spec, selection(user=user, year=year, scope=scope, town=town))


def fertiliser_intensity(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Chemical fertiliser use intensity (化肥施用强度), kg pure nutrient/mu (INDICATORS.md §1)."""
    return indicator_get(
        user=user, indicator=Indicator.FERTILISER_INTENSITY, year=year, scope=scope, town=town
    )


def fertiliser_reduction(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Fertiliser reduction vs the baseline (化肥减量率), % (INDICATORS.md §1)."""
    return indicator_get(
        user=user, indicator=Indicator.FERTILISER_REDUCTION, year=year, scope=scope, town=town
    )


def pesticide_intensity(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Pesticide use intensity (农药施用强度), kg a.i./mu (INDICATORS.md §2)."""
    return indicator_get(
        user=user, indicator=Indicator.PESTICIDE_INTENSITY, year=year, scope=scope, town=town
    )


def pesticide_reduction(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Pesticide reduction vs the baseline (农药减量率), % (INDICATORS.md §2)."""
    return indicator_get(
        user=user, indicator=Indicator.PESTICIDE_REDUCTION, year=year, scope=scope, town=town
    )


def slow_release_coverage(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Slow or controlled-release fertiliser coverage (缓控释肥覆盖率), % (INDICATORS.md §3)."""
    return indicator_get(
        user=user, indicator=Indicator.SLOW_RELEASE_COVERAGE, year=year, scope=scope, town=town
    )


def side_deep_coverage(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Side-deep placement coverage (侧深施肥覆盖率), % (INDICATORS.md §3)."""
    return indicator_get(user=user, indicator=Indicator.SIDE_DEEP_COVERAGE, year=year, scope=scope, town=town)


def fertigation_coverage(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Fertigation coverage (水肥一体化覆盖率), % (INDICATORS.md §3)."""
    return indicator_get(
        user=user, indicator=Indicator.FERTIGATION_COVERAGE, year=year, scope=scope, town=town
    )


def soil_test_coverage(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Soil-test formula fertilisation coverage (测土配方施肥覆盖率), % (INDICATORS.md §3)."""
    return indicator_get(user=user, indicator=Indicator.SOIL_TEST_COVERAGE, year=year, scope=scope, town=town)


def straw_utilisation(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Straw comprehensive utilisation rate (秸秆综合利用率), % (INDICATORS.md §4)."""
    return indicator_get(user=user, indicator=Indicator.STRAW_UTILISATION, year=year, scope=scope, town=town)


def straw_field_return(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Straw field-return rate (秸秆直接还田率), % (INDICATORS.md §4)."""
    return indicator_get(user=user, indicator=Indicator.STRAW_FIELD_RETURN, year=year, scope=scope, town=town)


def film_standard_share(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Standard mulch film share (标准地膜使用率), % (INDICATORS.md §5)."""
    return indicator_get(
        user=user, indicator=Indicator.FILM_STANDARD_SHARE, year=year, scope=scope, town=town
    )


def film_recovery(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Film recovery rate (农膜回收率), % (INDICATORS.md §5)."""
    return indicator_get(user=user, indicator=Indicator.FILM_RECOVERY, year=year, scope=scope, town=town)


def manure_facility_matching(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Manure facility matching rate of large-scale farms (粪污处理设施装备配套率), % (INDICATORS.md §6)."""
    return indicator_get(
        user=user, indicator=Indicator.MANURE_FACILITY_MATCHING, year=year, scope=scope, town=town
    )


def manure_utilisation(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Manure utilisation rate (粪污综合利用率), % (INDICATORS.md §6)."""
    return indicator_get(user=user, indicator=Indicator.MANURE_UTILISATION, year=year, scope=scope, town=town)


def tailwater_compliance(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Aquaculture tailwater compliance rate (尾水达标排放率), % (INDICATORS.md §7)."""
    return indicator_get(
        user=user, indicator=Indicator.TAILWATER_COMPLIANCE, year=year, scope=scope, town=town
    )


def tailwater_monitoring(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Aquaculture tailwater monitoring coverage (尾水监测覆盖率), % (INDICATORS.md §7)."""
    return indicator_get(
        user=user, indicator=Indicator.TAILWATER_MONITORING, year=year, scope=scope, town=town
    )


def district_monitoring(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Monitoring coverage of irrigation districts of 1000 mu and more, % (INDICATORS.md §8)."""
    return indicator_get(
        user=user, indicator=Indicator.DISTRICT_MONITORING, year=year, scope=scope, town=town
    )


def district_net_load(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Net exported TN and TP load of irrigation districts, kg and kg/mu (INDICATORS.md §8)."""
    return indicator_get(user=user, indicator=_districts.NET_LOAD, year=year, scope=scope, town=town)


def district_outlet_class(
    *, user: Any, year: int, scope: Scope | str = Scope.TOWN, town: str | None = None
) -> IndicatorFrame:
    """Outlet water class of irrigation districts, GB 3838-2002 (INDICATORS.md §8)."""
    return indicator_get(user=user, indicator=_districts.OUTLET_CLASS, year=year, scope=scope, town=town)


@dataclass(frozen=True, eq=False)
class FarmIndicators:
    """A farm's indicators for a year: the farm-scope figure of every indicator that has one, and the
    per-farm detail of §6 (its herds' large-scale status and facility check) and §7 (its samples)."""

    farm_code: str
    year: int
    indicators: tuple[IndicatorFrame, ...]
    livestock: dict[str, Any] | None
    tailwater: dict[str, Any] | None


def farm_indicators(*, user: Any, code: str, year: int) -> FarmIndicators:
    """Every farm-scope indicator of one farm (`NotFound` for a farm the user may not see)."""
    sel = selection(user=user, year=year, scope=Scope.FARM, farm_code=code, cache=True)
    frames = tuple(compute(spec, sel) for spec in INDICATORS.values() if Scope.FARM in spec.scopes)
    livestock = _manure(sel)[1].frame
    tailwater = _tailwater_frame(sel)[1].farms
    return FarmIndicators(
        farm_code=code,
        year=year,
        indicators=frames,
        livestock=_first_record(livestock),
        tailwater=_first_record(tailwater),
    )


def _first_record(frame: Any) -> dict[str, Any] | None:
    from farmadvice.indicators.queries.common import none_if_nan

    if frame.empty:
        return None
    return {key: none_if_nan(value) for key, value in frame.iloc[0].to_dict().items()}


__all__ = [
    "DISTRICT_CODE",
    "INDICATORS",
    "SYSTEM_READER",
    "FarmIndicators",
    "IndicatorFrame",
    "IndicatorSpec",
    "Scope",
    "Selection",
    "compute",
    "district_monitoring",
    "district_net_load",
    "district_outlet_class",
    "farm_indicators",
    "fertigation_coverage",
    "fertiliser_intensity",
    "fertiliser_reduction",
    "film_recovery",
    "film_standard_share",
    "indicator_get",
    "indicator_spec",
    "manure_facility_matching",
    "manure_utilisation",
    "pesticide_intensity",
    "pesticide_reduction",
    "selection",
    "side_deep_coverage",
    "slow_release_coverage",
    "soil_test_coverage",
    "straw_field_return",
    "straw_utilisation",
    "tailwater_compliance",
    "tailwater_monitoring",
]
