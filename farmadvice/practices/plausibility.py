"""Plausibility warnings: values that are possible but unlikely enough that someone should look again.

What cannot be true (a negative amount, a pH of 15, shares above 100 %) is refused by validation; what is
merely unusual is stored, and the record comes back with warnings beside it. Thresholds are reference
figures (`farmadvice.reference`); where a figure is not loaded, its check is skipped rather than guessed.

`record_warnings` works on a saved or an unsaved instance (the spreadsheet import checks rows before it
stores them): season totals are summed in SQL over the other stored records, plus the instance itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Model, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.core.errors import ApplicationError
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    ManureFacility,
    MulchFilm,
    StrawUse,
    TailwaterSample,
    WaterQuality,
    WaterSample,
)
from farmadvice.reference.models import CoefficientKind, CropCoefficient
from farmadvice.reference.selectors import in_force, reference_value
from farmadvice.runoff.models import RunoffObservation

ZERO = Decimal("0")
MG = Decimal("0.0001")  # concentrations are stored to 4 places

# Reference keys. Yield bounds are per crop: f"{YIELD_MIN_KEY}{crop.code}", e.g. plausible_yield_max_kg_per_mu_rice.
N_RATE_KEY = "large_n_rate_warning_kg_per_mu"
YIELD_MIN_KEY = "plausible_yield_min_kg_per_mu_"
YIELD_MAX_KEY = "plausible_yield_max_kg_per_mu_"

LARGE_N_RATE = "large_n_rate"
YIELD_OUT_OF_RANGE = "yield_out_of_range"
STRAW_ABOVE_PRODUCED = "straw_above_produced"
FILM_RECOVERED_ABOVE_USED = "film_recovered_above_used"
MANURE_UTILISED_ABOVE_PRODUCED = "manure_utilised_above_produced"
RUNOFF_TN_ABOVE_N_RATE = "runoff_tn_above_n_rate"
RUNOFF_TP_ABOVE_P_RATE = "runoff_tp_above_p_rate"
TN_BELOW_NH3N = "tn_below_nh3n"

MSG_LARGE_N_RATE = gettext_noop(
    "本茬口施氮量 {rate} kg N/亩，超过 {threshold} kg N/亩：请核对用量（kg）和含氮量（%）。"
)
MSG_YIELD_OUT_OF_RANGE = gettext_noop(
    "单产 {yield_per_mu} kg/亩，超出{crop}常见范围 {low}–{high} kg/亩：请核对产量和面积。"
)
MSG_STRAW_ABOVE_PRODUCED = gettext_noop(
    "本茬口秸秆利用合计 {straw_kg} kg，超过按产量和草谷比 {ratio} 估算的产生量 {produced_kg} kg。"
)
MSG_FILM_RECOVERED_ABOVE_USED = gettext_noop(
    "农膜回收量 {recovered_kg} kg 大于使用量 {used_kg} kg：是否含往年残膜？"
)
MSG_MANURE_UTILISED_ABOVE_PRODUCED = gettext_noop(
    "粪污利用量 {utilised_t} t 大于产生量 {produced_t} t：请核对。"
)
MSG_RUNOFF_LOAD_ABOVE_RATE = gettext_noop(
    "径流{nutrient}负荷 {load} kg/公顷 大于本季施用量 {rate} kg/公顷：请核对单位（按公顷计，不是按亩）。"
)
MSG_TN_BELOW_NH3N = gettext_noop("总氮 {tn} mg/L 低于氨氮 {nh3n} mg/L：氨氮是总氮的一部分，请核对化验单。")


@dataclass(frozen=True)
class Warning:
    """A stored value worth a second look: a stable `code` for clients, and a message saying what to check.

    Named as the import and the API know it; it shadows the builtin `Warning` only inside this module.
    """

    code: str
    message: str


def record_warnings(instance: Model) -> list[Warning]:
    """The plausibility warnings for one record (any practices model; those without checks give [])."""
    return [w for check in _CHECKS.get(type(instance), ()) for w in check(instance)]


def _reference(key: str) -> Decimal | None:
    try:
        return reference_value(key)
    except ApplicationError:
        return None


def _fmt(value: Decimal, step: Decimal = Decimal("0.1")) -> str:
    return f"{value.quantize(step).normalize():f}"


def _others_sum(queryset: QuerySet, expression: Any, exclude_pk: Any) -> Decimal:
    """Σ expression over the queryset's rows other than `exclude_pk` (None: all rows), in SQL."""
    total = queryset.exclude(pk=exclude_pk).aggregate(total=Sum(expression))["total"]
    return total or ZERO


_N_KG = ExpressionWrapper(
    F("product_kg") * F("n_pct") / 100, output_field=DecimalField(max_digits=20, decimal_places=6)
)


def _season_n_kg(season: CropSeason, *, including: FertiliserApplication | None = None) -> Decimal:
    """Pure N applied on the season, kg: Σ product_kg × N% / 100 (INDICATORS.md §1)."""
    if season.pk is None:
        return ZERO
    applications = FertiliserApplication.objects.filter(season=season)
    if including is None:
        return _others_sum(applications, _N_KG, None)
    own = (including.product_kg or ZERO) * (including.n_pct or ZERO) / 100
    return _others_sum(applications, _N_KG, including.pk) + own


def _n_rate_warnings(season: CropSeason, n_kg: Decimal) -> list[Warning]:
    threshold = _reference(N_RATE_KEY)
    if threshold is None or not season.area_mu:
        return []
    rate = n_kg / season.area_mu
    if rate <= threshold:
        return []
    return [Warning(LARGE_N_RATE, _(MSG_LARGE_N_RATE).format(rate=_fmt(rate), threshold=_fmt(threshold)))]


def _fertiliser_n_rate(application: FertiliserApplication) -> list[Warning]:
    return _n_rate_warnings(application.season, _season_n_kg(application.season, including=application))


def _season_n_rate(season: CropSeason) -> list[Warning]:
    return _n_rate_warnings(season, _season_n_kg(season))


def _season_yield(season: CropSeason) -> list[Warning]:
    if season.yield_kg is None or not season.area_mu or season.crop_id is None:
        return []
    low = _reference(YIELD_MIN_KEY + season.crop.code)
    high = _reference(YIELD_MAX_KEY + season.crop.code)
    per_mu = season.yield_kg / season.area_mu
    if (low is None or per_mu >= low) and (high is None or per_mu <= high):
        return []
    message = _(MSG_YIELD_OUT_OF_RANGE).format(
        yield_per_mu=_fmt(per_mu),
        crop=season.crop.name_zh,
        low=_fmt(low) if low is not None else "—",
        high=_fmt(high) if high is not None else "—",
    )
    return [Warning(YIELD_OUT_OF_RANGE, message)]


def _straw_above_produced(straw: StrawUse) -> list[Warning]:
    season = straw.season
    if season.yield_kg is None:
        return []
    ratios = in_force(
        CropCoefficient.objects.filter(crop_id=season.crop_id, kind=CoefficientKind.STRAW_GRAIN_RATIO),
        key_fields=("crop_id", "kind"),
    )
    if not ratios:
        return []
    ratio = ratios[0].value
    produced_kg = season.yield_kg * ratio
    straw_kg = _others_sum(StrawUse.objects.filter(season=season), F("straw_kg"), straw.pk) + (
        straw.straw_kg or ZERO
    )
    if straw_kg <= produced_kg:
        return []
    message = _(MSG_STRAW_ABOVE_PRODUCED).format(
        straw_kg=_fmt(straw_kg), ratio=_fmt(ratio, Decimal("0.01")), produced_kg=_fmt(produced_kg)
    )
    return [Warning(STRAW_ABOVE_PRODUCED, message)]


def _film_recovered_above_used(film: MulchFilm) -> list[Warning]:
    if (film.recovered_kg or ZERO) <= (film.used_kg or ZERO):
        return []
    message = _(MSG_FILM_RECOVERED_ABOVE_USED).format(
        recovered_kg=_fmt(film.recovered_kg), used_kg=_fmt(film.used_kg or ZERO)
    )
    return [Warning(FILM_RECOVERED_ABOVE_USED, message)]


def _manure_utilised_above_produced(facility: ManureFacility) -> list[Warning]:
    produced, utilised = facility.manure_produced_t, facility.manure_utilised_t
    if produced is None or utilised is None or utilised <= produced:
        return []
    message = _(MSG_MANURE_UTILISED_ABOVE_PRODUCED).format(
        utilised_t=_fmt(utilised), produced_t=_fmt(produced)
    )
    return [Warning(MANURE_UTILISED_ABOVE_PRODUCED, message)]


def _tn_below_nh3n(sample: WaterQuality) -> list[Warning]:
    tn, nh3n = sample.tn_mg_per_l, sample.nh3n_mg_per_l
    if tn is None or nh3n is None or tn >= nh3n:
        return []
    return [Warning(TN_BELOW_NH3N, _(MSG_TN_BELOW_NH3N).format(tn=_fmt(tn, MG), nh3n=_fmt(nh3n, MG)))]


def _runoff_load_above_rate(observation: RunoffObservation) -> list[Warning]:
    """A season's runoff rarely carries off more of a nutrient than was applied (field studies report a few
    per cent of N and well under one per cent of P); a load above the rate is most often a unit slip."""
    found = []
    pairs = (
        (RUNOFF_TN_ABOVE_N_RATE, "TN", observation.tn_load_kg_per_ha, observation.n_rate_kg_per_ha),
        (RUNOFF_TP_ABOVE_P_RATE, "TP", observation.tp_load_kg_per_ha, observation.p_rate_kg_per_ha),
    )
    for code, nutrient, load, rate in pairs:
        if load is None or rate is None or load <= rate:
            continue
        message = _(MSG_RUNOFF_LOAD_ABOVE_RATE).format(
            nutrient=nutrient, load=_fmt(Decimal(load), Decimal("0.01")), rate=_fmt(Decimal(rate))
        )
        found.append(Warning(code, message))
    return found


_CHECKS: dict[type[Model], tuple[Callable[..., list[Warning]], ...]] = {
    CropSeason: (_season_yield, _season_n_rate),
    FertiliserApplication: (_fertiliser_n_rate,),
    StrawUse: (_straw_above_produced,),
    MulchFilm: (_film_recovered_above_used,),
    ManureFacility: (_manure_utilised_above_produced,),
    TailwaterSample: (_tn_below_nh3n,),
    WaterSample: (_tn_below_nh3n,),
    RunoffObservation: (_runoff_load_above_rate,),
}
