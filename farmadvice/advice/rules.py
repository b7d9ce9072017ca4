"""The advice rules: one small function per rule, each taking the farm's `FarmFacts` and returning its
recommendations (an empty list where the rule does not apply).

Every threshold comes from the reference data in force (`data/*.csv`): the recommended N rate of the
crop, the targets (straw utilisation, film recovery), the film thickness of GB 13735-2017, the
tailwater limits of the farm's class and the treatment area of "three ponds, two dams". The only other
comparisons are with "all" (100 % of the N as slow-release fertiliser, 100 % of the area under side-deep
placement, every kilogram of film standard), which are the practices themselves, not thresholds; and
figures are compared at the precision they are shown (0.1), so no advice reads "cut from 17.0 to 17.0".

Expected reductions come from the runoff scenarios of `farmadvice.runoff` (the model's, with their 95 %
intervals, or the export-coefficient fallback, flagged): a rule never estimates a load itself. A
reduction the model puts at zero or below is not shown as one (the recommendation stays, unquantified,
with a note). Text is gettext templates rendered when read (see `types.Text`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from farmadvice.advice.facts import FarmFacts, SeasonFacts
from farmadvice.advice.types import (
    EXPORT_COEFFICIENT,
    MIXED,
    NOT_QUANTIFIED,
    Listing,
    Method,
    Recommendation,
    Reduction,
    Sentences,
    Severity,
    Text,
)
from farmadvice.core.models import Status
from farmadvice.indicators import formulas
from farmadvice.indicators.models import Direction, Indicator
from farmadvice.indicators.queries.tailwater import PARAMETER_NAMES
from farmadvice.indicators.reference import ReferenceUse
from farmadvice.reference.models import CropCategory
from farmadvice.registry.models import FarmType
from farmadvice.runoff import services as runoff
from farmadvice.runoff.services import Estimate

# --- Codes ---------------------------------------------------------------------------------------------

N_ABOVE_RECOMMENDED = "n_above_recommended"
SLOW_RELEASE = "slow_release"
SIDE_DEEP = "side_deep"
STRAW_UTILISATION = "straw_utilisation"
FILM_STANDARD = "film_standard"
FILM_RECOVERY = "film_recovery"
MANURE_PREFIX = "manure_"  # + the failing condition: manure_liquid_storage, manure_land, ...
TAILWATER_TREATMENT = "tailwater_treatment"
TAILWATER_MEASURE = "tailwater_measure"
RECORD_CROP_SEASONS = "record_crop_seasons"
RECORD_FERTILISER = "record_fertiliser"
RECORD_STRAW = "record_straw"
RECORD_YIELD = "record_yield"
RECORD_FILM_THICKNESS = "record_film_thickness"
RECORD_HERDS = "record_herds"
RECORD_MANURE_FACILITY = "record_manure_facility"
RECORD_TAILWATER_SAMPLES = "record_tailwater_samples"
SET_TAILWATER_CLASS = "set_tailwater_class"

# The standard mulch film must meet (INDICATORS.md §5); its thickness is the reference figure.
FILM_STANDARD_NAME = "GB 13735-2017"
ALL_PCT = 100.0  # "all of it": every kg of film, all N, the whole area

# What the slow-release and side-deep advice rests on: a citation, not a figure (no value to look up).
GREEN_FERTILISATION_PLAN = ReferenceUse(
    name="action_plan[green_fertilisation]",
    value="",
    unit="",
    status=Status.OFFICIAL,
    source="Chongming action plan (shared/CHONGMING.md): slow-release fertiliser, side-deep placement and "
    "fertigation promoted under the fertiliser and pesticide “double reduction” (INDICATORS.md §3)",
    valid_from=dt.date(2020, 1, 1),
)

# --- Units -----------------------------------------------------------------------------------------------

UNIT_KG_N_PER_MU = _("kg N/亩")
UNIT_KG_N = "kg N"
UNIT_PCT = "%"
UNIT_T = "t"
UNIT_KG = "kg"
UNIT_M3 = "m3"
UNIT_MU = _("亩")
UNIT_MG_PER_L = "mg/L"

# --- Text ------------------------------------------------------------------------------------------------

N_TITLE = _("%(season_crop)s施氮量从每亩 %(current)s kg 降到 %(target)s kg")
N_TEXT = _(
    "本季%(crop)s %(area)s 亩共施氮 %(n_kg)s kg（折纯，含有机肥），每亩 %(current)s kg，高于推荐施氮量"
    "每亩 %(target)s kg。按推荐量施用可少施氮 %(excess)s kg：请按测土配方调整基肥和追肥用量。"
)
SLOW_RELEASE_TITLE = _("%(season_crop)s改用缓控释肥")
SLOW_RELEASE_TEXT = _(
    "本季化肥氮中缓控释肥只占 %(current)s%%。基肥改用缓控释肥（可与侧深施肥一次完成），减少追肥次数，"
    "氮素随田面水流失更少。"
)
SIDE_DEEP_TITLE = _("%(season_crop)s采用侧深施肥")
SIDE_DEEP_TEXT = _(
    "本季侧深施肥只覆盖播种面积的 %(current)s%%。在插秧或播种的同时用侧深施肥机械把肥料（最好是缓控释肥）"
    "施入作物一侧的土中，代替表面撒施，减少随田面水流失的氮磷。"
)
STRAW_TITLE = _("将 %(tonnes)s t 秸秆还田或离田利用")
STRAW_RATE_TEXT = _(
    "本年秸秆可收集 %(collectable)s t，已利用 %(utilised)s t，综合利用率 %(current)s%%，低于目标 %(target)s%%。"
)
STRAW_UNUSED_TEXT = _("有 %(unused)s t 秸秆记为未利用。")
STRAW_ADVICE_TEXT = _(
    "请将秸秆直接还田，或离田用作饲料（如山羊养殖）、食用菌基料、燃料或有机肥原料，并记录去向；秸秆不得焚烧。"
)
FILM_STANDARD_TITLE = _("改用厚度不低于 %(minimum)s mm 的标准地膜（%(standard)s）")
FILM_STANDARD_TEXT = _(
    "本年用膜 %(used)s kg，其中 %(thin)s kg 薄于 %(minimum)s mm，不符合强制性国家标准 %(standard)s"
    "（标准地膜占 %(current)s%%）。超薄地膜易碎、难回收，残膜留在土中。请购买符合国标的地膜并保留购货凭证。"
)
FILM_RECOVERY_TITLE = _("再回收地膜 %(kg)s kg")
FILM_RECOVERY_TEXT = _(
    "本年用膜 %(used)s kg，回收 %(recovered)s kg，回收率 %(current)s%%，低于目标 %(target)s%%。"
    "收获后及时捡拾残膜，交到回收网点。"
)
MANURE_TITLES = {
    formulas.ManureCondition.LIQUID_STORAGE: _("新建或扩建液体粪污贮存设施 %(shortfall)s m3"),
    formulas.ManureCondition.SOLID_STORAGE: _("新建或扩建固体粪污贮存设施 %(shortfall)s m3"),
    formulas.ManureCondition.LAND: _("再落实粪肥消纳用地 %(shortfall)s 亩"),
    formulas.ManureCondition.SEEPAGE_PROOF: _("粪污贮存设施做好防渗"),
    formulas.ManureCondition.RAIN_PROOF: _("粪污贮存设施做好防雨"),
    formulas.ManureCondition.OVERFLOW_PROOF: _("粪污贮存设施做好防溢流"),
    formulas.ManureCondition.TREATMENT_IN_OPERATION: _("让粪污处理或利用设施正常运行"),
}
MANURE_TEXTS = {
    formulas.ManureCondition.LIQUID_STORAGE: _(
        "按存栏量和贮存天数，液体粪污贮存需 %(required)s m3，现有 %(actual)s m3，缺 %(shortfall)s m3。"
        "新建或扩建的贮存池须防渗、防雨、防溢流。"
    ),
    formulas.ManureCondition.SOLID_STORAGE: _(
        "按存栏量和贮存天数，固体粪污贮存需 %(required)s m3，现有 %(actual)s m3，缺 %(shortfall)s m3。"
        "堆粪场须有顶棚、防渗地面和渗滤液收集。"
    ),
    formulas.ManureCondition.LAND: _(
        "按本场猪当量和土地承载力，粪肥需配套消纳土地 %(required)s 亩，现有 %(actual)s 亩，缺 %(shortfall)s 亩。"
        "可与周边种植户签订粪肥还田协议。"
    ),
    formulas.ManureCondition.SEEPAGE_PROOF: _(
        "规模养殖场的粪污贮存设施须防渗，防止粪水渗入地下水和周边水体。"
    ),
    formulas.ManureCondition.RAIN_PROOF: _(
        "规模养殖场的粪污贮存设施须防雨（加盖或建顶棚），雨水进入会增加粪水量并造成溢流。"
    ),
    formulas.ManureCondition.OVERFLOW_PROOF: _(
        "规模养殖场的粪污贮存设施须防溢流：留足容积，设置围堰和液位警示，雨季前及时清运利用。"
    ),
    formulas.ManureCondition.TREATMENT_IN_OPERATION: _(
        "粪污处理或利用设施须正常运行并留有运行记录，粪污经处理后还田或交给有资质的单位利用。"
    ),
}
TAILWATER_TITLE = _("针对 %(parameter)s 超标增设尾水处理：“三池两坝” %(area_min)s–%(area_max)s 亩")
TAILWATER_TITLE_UNSIZED = _("针对 %(parameter)s 超标增设尾水处理（“三池两坝”）")
TAILWATER_ABOVE_TEXT = _(
    "%(date)s 排放口 %(parameter)s %(value)s %(unit)s，超过 %(standard)s 限值 %(limit)s %(unit)s。"
)
TAILWATER_BELOW_TEXT = _(
    "%(date)s 排放口 %(parameter)s %(value)s %(unit)s，低于 %(standard)s 下限 %(limit)s %(unit)s。"
)
TAILWATER_SIZING_TEXT = _(
    "按养殖面积 %(area)s 亩的 %(min_pct)s%%–%(max_pct)s%% 建设“三池两坝”（沉淀池、曝气池、生态净化池和两道过滤坝），"
    "处理面积 %(area_min)s–%(area_max)s 亩；尾水经处理达标后再排放。"
)
TAILWATER_UNSIZED_TEXT = _("建设“三池两坝”（沉淀池、曝气池、生态净化池和两道过滤坝）处理尾水，达标后再排放。")
TAILWATER_MEASURE_TITLE = _("排放口样品补测 %(parameters)s")
TAILWATER_MEASURE_TEXT = _(
    "本年 %(samples)s 个排放口样品中有未检测的项目（%(parameters)s）。未检测不算达标：送检时请要求检测 "
    "%(standard)s 规定的全部项目。"
)
RECORD_CROP_SEASONS_TITLE = _("录入 %(year)s 年的作物茬口")
RECORD_CROP_SEASONS_TEXT = _(
    "本场没有本年的作物茬口记录，无法给出施肥、秸秆和农膜方面的建议。请录入各茬作物的作物、季节、播种面积和产量。"
)
RECORD_FERTILISER_TITLE = _("录入%(season_crop)s的施肥记录")
RECORD_FERTILISER_TEXT = _(
    "本季没有施肥记录，无法判断施氮量是否超过推荐量，也无法估算径流负荷。请录入每次施肥的产品、N/P2O5/K2O "
    "含量（%%）、用量（kg）和施用面积；确未施肥的，请在茬口备注中注明。"
)
RECORD_STRAW_TITLE = _("录入%(season_crop)s秸秆的去向")
RECORD_STRAW_TEXT = _(
    "本季作物产生秸秆，但没有秸秆利用记录，无法计算秸秆综合利用率。请录入直接还田、离田利用（饲料、基料、燃料、"
    "肥料、原料）和未利用的秸秆量（kg）。"
)
RECORD_YIELD_TITLE = _("录入%(season_crop)s的产量")
RECORD_YIELD_TEXT = _("没有产量就无法估算秸秆产生量和可收集量，本季秸秆不计入利用率。请录入本季产量（kg）。")
RECORD_FILM_THICKNESS_TITLE = _("录入地膜厚度")
RECORD_FILM_THICKNESS_TEXT = _(
    "%(kg)s kg 地膜没有记录厚度，无法判断是否符合 %(standard)s。请按包装标签录入厚度（mm）。"
)
RECORD_HERDS_TITLE = _("录入 %(year)s 年的畜禽存栏和出栏")
RECORD_HERDS_TEXT = _(
    "没有本年的畜禽记录，无法判断是否为规模养殖场及粪污设施是否配套。请录入各畜种的存栏数、年出栏数和清粪方式。"
)
RECORD_MANURE_FACILITY_TITLE = _("录入 %(year)s 年的粪污处理设施")
RECORD_MANURE_FACILITY_TEXT = _(
    "本场为规模养殖场，但没有本年的粪污处理设施记录，无法判断设施是否配套。请录入液体和固体贮存容积、防渗防雨"
    "防溢流情况、处理方式及是否正常运行、配套消纳土地面积。"
)
RECORD_TAILWATER_SAMPLES_TITLE = _("排水时采集尾水样品送检")
RECORD_TAILWATER_SAMPLES_TEXT = _(
    "本年没有养殖尾水排放口样品，无法判断尾水是否达标。请在排水时采样送检（pH、SS、CODMn、TN、TP），并录入检测结果。"
)
SET_TAILWATER_CLASS_TITLE = _("设定本场尾水排放适用的标准级别")
SET_TAILWATER_CLASS_TEXT = _(
    "没有设定标准级别，尾水样品无法判定是否达标。请农技人员按受纳水体设定（一级：特殊保护水域；二级：一般水域）。"
)

NOTE_FALLBACK_RATE = _("按输出系数法估算：径流约带走少施养分的 %(share)s%%（Xie et al. 2018），无区间。")
NOTE_FALLBACK_PRACTICE = _(
    "径流模型无法估算本茬（没有启用的模型或数据不足），输出系数法不含措施效果：减排量未估算。"
)
NOTE_PARTLY_MODELLED = _("部分茬口径流模型无法估算（输出系数法不含措施效果），减排量只计模型能估算的茬口。")
NOTE_NO_REDUCTION = _("径流模型预计该措施不会减少 %(nutrients)s 负荷，或无法估算，未列出。")
NOTE_RATE_CHANGED = _("减排量按 12 月 31 日生效的推荐施用量估算，与所用推荐施用量不同，未列出。")
NOTE_SUMMED_INTERVAL = _("区间为各茬口区间上下限之和（偏保守）。")


def _num(value: float, decimals: int = 1) -> str:
    """A figure at display precision, thousands separated: 1234.56 → "1,234.6"."""
    return f"{value:,.{decimals}f}"


def _amount(value: float) -> str:
    """Volumes, areas and masses: whole numbers from 100 up, one decimal below."""
    return _num(value, 0 if abs(value) >= 100 else 1)


def _shown(value: float) -> float:
    return round(value, 1)


# --- Expected reductions from the runoff scenarios -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Quote:
    """One scenario's answer for what a recommendation changes (a season, or the farm)."""

    target: str
    changed: bool
    method: str
    fallback: bool
    reduction: Estimate | None
    per_ha: Estimate | None
    area_ha: float


def _season_quote(facts: FarmFacts, scenario: str, target: str, season_id: str) -> _Quote | None:
    if facts.scenarios is None:
        return None
    outcome = facts.scenarios.outcome(scenario, target)
    found = next((s for s in outcome.seasons if str(s.season_id) == season_id), None) if outcome else None
    if found is None:
        return None
    return _Quote(
        target=target,
        changed=found.changed,
        method=found.method,
        fallback=found.fallback,
        reduction=found.reduction_kg,
        per_ha=found.reduction_kg_per_ha,
        area_ha=found.area_mu / runoff.MU_PER_HA,
    )


def _farm_quote(facts: FarmFacts, scenario: str, target: str) -> _Quote | None:
    """A whole-farm scenario: its summed reduction (interval = Σ of the seasons' bounds) over the area of
    the seasons it changes."""
    if facts.scenarios is None:
        return None
    outcome = facts.scenarios.outcome(scenario, target)
    if outcome is None:
        return None
    area_ha = sum(s.area_mu for s in outcome.seasons if s.changed) / runoff.MU_PER_HA
    reduction = outcome.reduction_kg
    per_ha = None
    if reduction is not None and area_ha > 0:
        per_ha = Estimate(
            reduction.value / area_ha,
            None if reduction.low is None else reduction.low / area_ha,
            None if reduction.high is None else reduction.high / area_ha,
        )
    return _Quote(
        target=target,
        changed=outcome.applies,
        method=outcome.method,
        fallback=outcome.fallback,
        reduction=reduction,
        per_ha=per_ha,
        area_ha=area_ha,
    )


def _reduction(quote: _Quote | None) -> Reduction | None:
    """The quote as a `Reduction`, or None where nothing changes or the load does not go down."""
    if quote is None or not quote.changed or quote.reduction is None or quote.reduction.value <= 0:
        return None
    return Reduction(kg=quote.reduction, kg_per_ha=quote.per_ha, area_ha=quote.area_ha)


def _model_label(facts: FarmFacts, target: str) -> str:
    if facts.scenarios is None:
        return ""
    return next((use.label for use in facts.scenarios.models if use.target == target), "")


def _method(
    facts: FarmFacts, quotes: Sequence[_Quote | None], *, rate_cut: bool = False, summed: bool = False
) -> Method:
    """How the reductions of `quotes` (one per nutrient reported) were estimated. `rate_cut`: the
    scenario cuts a rate, which the fallback estimates (5 % of the nutrient no longer applied); the
    fallback cannot estimate a practice. `summed`: the quotes add up several seasons."""
    used = [quote for quote in quotes if quote is not None and quote.changed]
    if not used:
        return NOT_QUANTIFIED
    fallback = any(quote.fallback for quote in used)
    by_model = [quote for quote in used if not quote.fallback]
    if fallback and by_model:
        name = MIXED
    elif fallback:
        name = EXPORT_COEFFICIENT
    else:
        name = "/".join(dict.fromkeys(quote.method for quote in by_model))
    labels = ", ".join(label for label in (_model_label(facts, q.target) for q in by_model) if label)
    quantified = [quote for quote in used if _reduction(quote) is not None]
    note: Text | None = None
    if fallback and rate_cut and quantified:
        note = Text(NOTE_FALLBACK_RATE, {"share": _num(runoff.RUNOFF_SHARE * 100, 0)})
    elif fallback and quantified:
        note = Text(NOTE_PARTLY_MODELLED)
    elif fallback:
        note = Text(NOTE_FALLBACK_PRACTICE)
    elif len(quantified) < len(used):
        lacking = Listing([q.target.upper() for q in used if _reduction(q) is None])
        note = Text(NOTE_NO_REDUCTION, {"nutrients": lacking})
    elif summed and any(quote.reduction and quote.reduction.low is not None for quote in quantified):
        note = Text(NOTE_SUMMED_INTERVAL)
    return Method(name=name, model_version=labels, fallback=fallback, note=note)


def _estimate_basis(reduction: Reduction | None, method: Method) -> tuple[ReferenceUse, ...]:
    """The published runoff share an export-coefficient estimate of a rate cut rests on."""
    return (runoff.RUNOFF_SHARE_SOURCE,) if reduction is not None and method.fallback else ()


def _scenario_rate_matches(facts: FarmFacts, use: ReferenceUse) -> bool:
    """Whether the scenarios cut to the same recommended rate the rule advises (they use the rate in
    force on 31 December; the rule, the one in force on `on`)."""
    if facts.scenarios is None:
        return False
    found = next((r for r in facts.scenarios.references if r.name == use.name), None)
    return found is not None and float(found.value) == float(use.value)


# --- §1 Nitrogen rate ---------------------------------------------------------------------------------


def n_above_recommended(facts: FarmFacts) -> list[Recommendation]:
    """N applied on a crop season above the crop's recommended rate (INDICATORS.md §1).

    X = N applied, kg N per mu sown (all fertiliser records of the season, organic included, as the
    report's nutrient balance counts it); Y = `recommended_n_kg_per_mu` of the crop in force. Advice
    when X > Y at the shown precision; the expected TN reduction is the runoff scenario "N cut to the
    recommended rate" for that season. Seasons without records or without a recommended rate: no
    advice (`record_fertiliser` and a note cover them).
    """
    found = []
    for season in facts.seasons:
        rate = season.n_kg_per_mu
        if rate is None or season.recommended_n is None:
            continue
        target = season.recommended_n.value
        if _shown(rate) <= _shown(target):
            continue
        quote = _season_quote(facts, runoff.RATE_RECOMMENDED, "tn", season.season_id)
        method = _method(facts, [quote], rate_cut=True)
        tn = _reduction(quote)
        if tn is not None and not _scenario_rate_matches(facts, season.recommended_n.use):
            tn, method = (
                None,
                Method(name=method.name, fallback=method.fallback, note=Text(NOTE_RATE_CHANGED)),
            )
        excess_kg = (rate - target) * season.area_mu
        params = {"season_crop": season.label, "current": _num(rate), "target": _num(target)}
        found.append(
            Recommendation(
                code=N_ABOVE_RECOMMENDED,
                subject=season.season_id,
                severity=Severity.PRACTICE,
                title_text=Text(N_TITLE, params),
                body_text=Text(
                    N_TEXT,
                    {
                        **params,
                        "crop": season.crop_name,
                        "area": _num(season.area_mu),
                        "n_kg": _num(season.n_kg),
                        "excess": _num(excess_kg),
                    },
                ),
                current=rate,
                target=target,
                unit=UNIT_KG_N_PER_MU,
                quantity=excess_kg,
                quantity_unit=UNIT_KG_N,
                tn=tn,
                method=method,
                basis=(season.recommended_n.use, *_estimate_basis(tn, method)),
            )
        )
    return found


# --- §3 Slow-release fertiliser and side-deep placement --------------------------------------------


def _practice(
    facts: FarmFacts,
    season: SeasonFacts,
    *,
    code: str,
    scenario: str,
    current_pct: float,
    title: Any,
    text: Any,
) -> Recommendation:
    quotes = [_season_quote(facts, scenario, target, season.season_id) for target in ("tn", "tp")]
    params = {"season_crop": season.label, "current": _num(current_pct, 0)}
    return Recommendation(
        code=code,
        subject=season.season_id,
        severity=Severity.PRACTICE,
        title_text=Text(title, params),
        body_text=Text(text, params),
        current=current_pct,
        target=ALL_PCT,
        unit=UNIT_PCT,
        quantity=season.area_mu,
        quantity_unit=UNIT_MU,
        tn=_reduction(quotes[0]),
        tp=_reduction(quotes[1]),
        method=_method(facts, quotes),
        basis=(GREEN_FERTILISATION_PLAN,),
    )


def slow_release_adoption(facts: FarmFacts) -> list[Recommendation]:
    """Chemical N of a season not all slow- or controlled-release (INDICATORS.md §3): switch, with the
    runoff scenario "slow-release fertiliser" (TN and TP) as the expected reduction.

    Current figure: slow-release N ÷ chemical N × 100 of the season. Seasons without chemical N (organic
    only, "two-no" rice) and without records get no such advice.
    """
    found = []
    for season in facts.seasons:
        if not season.fertiliser_records or season.chemical_n_kg <= 0:
            continue
        share = min(season.slow_release_n_kg, season.chemical_n_kg) / season.chemical_n_kg * 100
        if _shown(share) >= ALL_PCT:
            continue
        found.append(
            _practice(
                facts,
                season,
                code=SLOW_RELEASE,
                scenario=runoff.SLOW_RELEASE_ADOPTED,
                current_pct=share,
                title=SLOW_RELEASE_TITLE,
                text=SLOW_RELEASE_TEXT,
            )
        )
    return found


def side_deep_adoption(facts: FarmFacts) -> list[Recommendation]:
    """Side-deep placement on less than the whole sown area of a grain crop (INDICATORS.md §3; the crops
    the runoff scenario "side-deep placement" applies to), with that scenario as the expected reduction.

    Current figure: the season's side-deep coverage, % of its sown area. Seasons without chemical N get
    no such advice.
    """
    found = []
    for season in facts.seasons:
        if season.crop_category != CropCategory.GRAIN:
            continue
        if not season.fertiliser_records or season.chemical_n_kg <= 0:
            continue
        coverage = season.side_deep_coverage_pct
        if _shown(coverage) >= ALL_PCT:
            continue
        found.append(
            _practice(
                facts,
                season,
                code=SIDE_DEEP,
                scenario=runoff.SIDE_DEEP_ADOPTED,
                current_pct=coverage,
                title=SIDE_DEEP_TITLE,
                text=SIDE_DEEP_TEXT,
            )
        )
    return found


# --- §4 Straw ------------------------------------------------------------------------------------------


def straw_utilisation(facts: FarmFacts) -> list[Recommendation]:
    """Straw utilisation below the target in force, or straw recorded as unused (INDICATORS.md §4).

    Tonnes concerned = the larger of the straw recorded as unused and the shortfall to the target
    (target % × collectable − utilised). Expected reduction: the runoff scenario "straw returned to the
    field" where the model has it (its interval is the sum of the seasons' bounds). A ledger with nothing
    collectable (no yields) gets no such advice (`record_yield` covers it).
    """
    row = facts.straw
    if row is None or row.get("collectable_t") is None:
        return []
    collectable = float(row["collectable_t"])
    utilised = float(row.get("utilised_t") or 0.0)
    unused = float(row.get("unused_t") or 0.0)
    rate = row.get("straw_utilisation_pct")
    target = facts.straw_target
    shortfall = 0.0
    below = False
    if target is not None and target.direction == Direction.AT_LEAST and rate is not None:
        below = _shown(rate) < _shown(target.value)
        shortfall = max(target.value / 100 * collectable - utilised, 0.0)
    if not below and _shown(unused) <= 0:
        return []
    tonnes = max(unused, shortfall)
    parts = []
    if below:
        parts.append(
            Text(
                STRAW_RATE_TEXT,
                {
                    "collectable": _num(collectable),
                    "utilised": _num(utilised),
                    "current": _num(rate),
                    "target": _num(target.value, 0),
                },
            )
        )
    if _shown(unused) > 0:
        parts.append(Text(STRAW_UNUSED_TEXT, {"unused": _num(unused)}))
    parts.append(Text(STRAW_ADVICE_TEXT))
    quotes = [_farm_quote(facts, runoff.STRAW_RETURNED, target_name) for target_name in ("tn", "tp")]
    basis = [*facts.straw_basis]
    if target is not None:
        basis.append(target.use(Indicator.STRAW_UTILISATION))
    return [
        Recommendation(
            code=STRAW_UTILISATION,
            subject="",
            severity=Severity.TARGET,
            title_text=Text(STRAW_TITLE, {"tonnes": _num(tonnes)}),
            body_text=Sentences(*parts),
            current=rate,
            target=target.value if target is not None else None,
            unit=UNIT_PCT,
            quantity=tonnes,
            quantity_unit=UNIT_T,
            tn=_reduction(quotes[0]),
            tp=_reduction(quotes[1]),
            method=_method(facts, quotes, summed=True),
            basis=tuple(dict.fromkeys(basis)),
        )
    ]


# --- §5 Mulch film -------------------------------------------------------------------------------------


def film_standard(facts: FarmFacts) -> list[Recommendation]:
    """Film thinner than the GB 13735-2017 minimum in force (INDICATORS.md §5; mandatory, so LEGAL).

    kg thinner = used − standard − of unknown thickness (the latter is `record_film_thickness`).
    """
    row, minimum = facts.film, facts.film_minimum
    if row is None or minimum is None:
        return []
    used = float(row.get("used_kg") or 0.0)
    thin = used - float(row.get("standard_kg") or 0.0) - float(row.get("unknown_thickness_kg") or 0.0)
    if _shown(thin) <= 0:
        return []
    share = row.get("film_standard_share_pct")
    params = {"minimum": f"{minimum.value:.3f}", "standard": FILM_STANDARD_NAME}
    return [
        Recommendation(
            code=FILM_STANDARD,
            subject="",
            severity=Severity.LEGAL,
            title_text=Text(FILM_STANDARD_TITLE, params),
            body_text=Text(
                FILM_STANDARD_TEXT,
                {**params, "used": _amount(used), "thin": _amount(thin), "current": _num(share or 0.0)},
            ),
            current=share,
            target=ALL_PCT,
            unit=UNIT_PCT,
            quantity=thin,
            quantity_unit=UNIT_KG,
            basis=(minimum.use,),
        )
    ]


def film_recovery(facts: FarmFacts) -> list[Recommendation]:
    """Film recovery below the target in force (INDICATORS.md §5): recover W kg more, W = target % × kg
    used − kg recovered."""
    row, target = facts.film, facts.film_target
    if row is None or target is None or target.direction != Direction.AT_LEAST:
        return []
    rate = row.get("film_recovery_pct")
    if rate is None or _shown(rate) >= _shown(target.value):
        return []
    used = float(row.get("used_kg") or 0.0)
    recovered = float(row.get("recovered_kg") or 0.0)
    more = target.value / 100 * used - recovered
    return [
        Recommendation(
            code=FILM_RECOVERY,
            subject="",
            severity=Severity.TARGET,
            title_text=Text(FILM_RECOVERY_TITLE, {"kg": _amount(more)}),
            body_text=Text(
                FILM_RECOVERY_TEXT,
                {
                    "used": _amount(used),
                    "recovered": _amount(recovered),
                    "current": _num(rate),
                    "target": _num(target.value, 0),
                },
            ),
            current=rate,
            target=target.value,
            unit=UNIT_PCT,
            quantity=more,
            quantity_unit=UNIT_KG,
            basis=(target.use(Indicator.FILM_RECOVERY),),
        )
    ]


# --- §6 Manure -----------------------------------------------------------------------------------------

# The reference figures behind each condition's requirement (names as `reference.livestock_reference`).
_MANURE_FIGURES = {
    formulas.ManureCondition.LIQUID_STORAGE: ("manure_storage_days", "wastewater_summer["),
    formulas.ManureCondition.SOLID_STORAGE: ("manure_storage_days", "solid_manure_m3_per_pig_eq_per_day"),
    formulas.ManureCondition.LAND: ("manure_land_capacity_pig_eq_per_mu",),
}
_MANURE_UNITS = {"m3": UNIT_M3, "mu": UNIT_MU}


def manure_conditions(facts: FarmFacts) -> list[Recommendation]:
    """A large-scale livestock farm whose manure facilities are not matched (INDICATORS.md §6): one
    recommendation per failing condition, a quantity with its shortfall (m3 of storage, mu of land),
    as `formulas.manure_facility_match` found it. The basis is the Chongming action plan's target and
    the figures that size the requirement."""
    row = facts.livestock
    if row is None or not row.get("large_scale") or row.get("matched") is not False:
        return []
    threshold_uses = tuple(
        use for use in facts.livestock_basis if use.name.startswith("large_scale_threshold[")
    )
    plan = (facts.manure_target.use(Indicator.MANURE_FACILITY_MATCHING),) if facts.manure_target else ()
    found = []
    for failure in row.get("failures") or ():
        condition = formulas.ManureCondition(failure["condition"])
        prefixes = _MANURE_FIGURES.get(condition, ())
        figures = tuple(u for u in facts.livestock_basis if any(u.name.startswith(p) for p in prefixes))
        shortfall = failure.get("shortfall")
        params = {}
        if shortfall is not None:
            params = {
                "shortfall": _amount(shortfall),
                "required": _amount(failure["required"]),
                "actual": _amount(failure["actual"]),
            }
        found.append(
            Recommendation(
                code=MANURE_PREFIX + condition.value,
                subject="",
                severity=Severity.LEGAL,
                title_text=Text(MANURE_TITLES[condition], params),
                body_text=Text(MANURE_TEXTS[condition], params),
                current=failure.get("actual"),
                target=failure.get("required"),
                unit=_MANURE_UNITS.get(failure.get("unit") or "", ""),
                quantity=shortfall,
                quantity_unit=_MANURE_UNITS.get(failure.get("unit") or "", ""),
                basis=(*plan, *figures, *threshold_uses),
            )
        )
    return found


# --- §7 Tailwater --------------------------------------------------------------------------------------


def _parameter_unit(parameter: str) -> str:
    return "" if parameter == "ph" else UNIT_MG_PER_L


def tailwater_treatment(facts: FarmFacts) -> list[Recommendation]:
    """A tailwater parameter outside its limit in the year (INDICATORS.md §7): add treatment, "three
    ponds, two dams" (三池两坝) sized at the reference percentages of the culture area (6-15 %,
    published) = A-B mu. One recommendation per parameter, with its worst value against the limit.

    The culture area is the farm's recorded area (`Farm.area_mu`); the farm register keeps no separate
    pond area.
    """
    tailwater = facts.tailwater
    if tailwater is None or not tailwater.exceedances:
        return []
    sizing = facts.treatment_area_pct
    area = facts.area_mu
    found = []
    for exceedance in tailwater.exceedances:
        name = PARAMETER_NAMES[exceedance.parameter]
        unit = _parameter_unit(exceedance.parameter)
        reading = Text(
            TAILWATER_ABOVE_TEXT if exceedance.bound == "max" else TAILWATER_BELOW_TEXT,
            {
                "date": exceedance.date.isoformat(),
                "parameter": name,
                "value": f"{exceedance.value:g}",
                "limit": f"{exceedance.limit:g}",
                "unit": unit,
                "standard": tailwater.standard or "",
            },
        )
        basis = [u for u in tailwater.basis if u.name.endswith(f".{exceedance.parameter}")]
        if facts.tailwater_target is not None:
            basis.append(facts.tailwater_target.use(Indicator.TAILWATER_COMPLIANCE))
        if sizing is not None and area > 0:
            low, high = sizing
            area_min, area_max = area * low.value / 100, area * high.value / 100
            sized = {"parameter": name, "area_min": _num(area_min), "area_max": _num(area_max)}
            title = Text(TAILWATER_TITLE, sized)
            advice = Text(
                TAILWATER_SIZING_TEXT,
                {**sized, "area": _num(area), "min_pct": f"{low.value:g}", "max_pct": f"{high.value:g}"},
            )
            basis += [low.use, high.use]
            quantity: float | None = area_min
        else:
            title = Text(TAILWATER_TITLE_UNSIZED, {"parameter": name})
            advice = Text(TAILWATER_UNSIZED_TEXT)
            quantity = None
        found.append(
            Recommendation(
                code=TAILWATER_TREATMENT,
                subject=exceedance.parameter,
                severity=Severity.LEGAL,
                title_text=title,
                body_text=Sentences(reading, advice),
                current=exceedance.value,
                target=exceedance.limit,
                unit=unit,
                quantity=quantity,
                quantity_unit=UNIT_MU if quantity is not None else "",
                basis=tuple(dict.fromkeys(basis)),
            )
        )
    return found


def tailwater_measure(facts: FarmFacts) -> list[Recommendation]:
    """Limited tailwater parameters missing from discharge samples (INDICATORS.md §7: "not measured",
    never a pass): measure them in every sample."""
    tailwater = facts.tailwater
    if tailwater is None or tailwater.standard is None or not tailwater.not_measured:
        return []
    names = Listing([PARAMETER_NAMES[p] for p in tailwater.not_measured])
    params = {"parameters": names, "samples": str(tailwater.samples), "standard": tailwater.standard}
    return [
        Recommendation(
            code=TAILWATER_MEASURE,
            subject=",".join(tailwater.not_measured),
            severity=Severity.DATA,
            title_text=Text(TAILWATER_MEASURE_TITLE, params),
            body_text=Text(TAILWATER_MEASURE_TEXT, params),
            basis=tuple(u for u in tailwater.basis if u.name.rsplit(".", 1)[-1] in tailwater.not_measured),
        )
    ]


# --- Missing data: what to record to get advice -------------------------------------------------------


def _record(code: str, subject: str, title: Any, text: Any, params: dict[str, Any]) -> Recommendation:
    return Recommendation(
        code=code,
        subject=subject,
        severity=Severity.DATA,
        title_text=Text(title, params),
        body_text=Text(text, params),
    )


def record_crop_seasons(facts: FarmFacts) -> list[Recommendation]:
    """A crop (or mixed) farm with no crop season in the year: record them first."""
    if facts.farm_type not in (FarmType.CROP, FarmType.MIXED) or facts.seasons:
        return []
    return [
        _record(
            RECORD_CROP_SEASONS, "", RECORD_CROP_SEASONS_TITLE, RECORD_CROP_SEASONS_TEXT, {"year": facts.year}
        )
    ]


def record_fertiliser(facts: FarmFacts) -> list[Recommendation]:
    """A crop season without any fertiliser record: its N rate (and runoff load) is unknown, not 0."""
    return [
        _record(
            RECORD_FERTILISER,
            season.season_id,
            RECORD_FERTILISER_TITLE,
            RECORD_FERTILISER_TEXT,
            {"season_crop": season.label},
        )
        for season in facts.seasons
        if not season.fertiliser_records
    ]


def record_straw(facts: FarmFacts) -> list[Recommendation]:
    """A season of a straw crop (one with a straw-to-grain ratio) without a straw record; or with straw
    records but no yield, so its straw cannot enter the ledger (INDICATORS.md §4)."""
    found = []
    for season in facts.seasons:
        if not season.straw_crop:
            continue
        if not season.straw_records:
            found.append(
                _record(
                    RECORD_STRAW,
                    season.season_id,
                    RECORD_STRAW_TITLE,
                    RECORD_STRAW_TEXT,
                    {"season_crop": season.label},
                )
            )
        elif season.yield_kg is None:
            found.append(
                _record(
                    RECORD_YIELD,
                    season.season_id,
                    RECORD_YIELD_TITLE,
                    RECORD_YIELD_TEXT,
                    {"season_crop": season.label},
                )
            )
    return found


def record_film_thickness(facts: FarmFacts) -> list[Recommendation]:
    """Film of unknown thickness cannot be shown to meet GB 13735-2017 (INDICATORS.md §5)."""
    unknown = float((facts.film or {}).get("unknown_thickness_kg") or 0.0)
    if _shown(unknown) <= 0:
        return []
    return [
        _record(
            RECORD_FILM_THICKNESS,
            "",
            RECORD_FILM_THICKNESS_TITLE,
            RECORD_FILM_THICKNESS_TEXT,
            {"kg": _amount(unknown), "standard": FILM_STANDARD_NAME},
        )
    ]


def record_livestock(facts: FarmFacts) -> list[Recommendation]:
    """A livestock farm without herd records, or a large-scale one without a facility record for the
    year (not assessed, INDICATORS.md §6)."""
    row = facts.livestock
    params = {"year": facts.year}
    if row is None:
        if facts.farm_type != FarmType.LIVESTOCK:
            return []
        return [_record(RECORD_HERDS, "", RECORD_HERDS_TITLE, RECORD_HERDS_TEXT, params)]
    if row.get("large_scale") and not row.get("has_facility"):
        return [
            _record(
                RECORD_MANURE_FACILITY, "", RECORD_MANURE_FACILITY_TITLE, RECORD_MANURE_FACILITY_TEXT, params
            )
        ]
    return []


def record_tailwater(facts: FarmFacts) -> list[Recommendation]:
    """A discharging aquaculture farm without a discharge sample in the year, or without a class set
    (its samples cannot be judged, INDICATORS.md §7)."""
    tailwater = facts.tailwater
    if tailwater is None:
        return []
    found = []
    if not tailwater.tailwater_class:
        found.append(
            _record(SET_TAILWATER_CLASS, "", SET_TAILWATER_CLASS_TITLE, SET_TAILWATER_CLASS_TEXT, {})
        )
    if not tailwater.samples:
        found.append(
            _record(
                RECORD_TAILWATER_SAMPLES,
                "",
                RECORD_TAILWATER_SAMPLES_TITLE,
                RECORD_TAILWATER_SAMPLES_TEXT,
                {},
            )
        )
    return found


Rule = Callable[[FarmFacts], list[Recommendation]]

RULES: tuple[Rule, ...] = (
    n_above_recommended,
    slow_release_adoption,
    side_deep_adoption,
    straw_utilisation,
    film_standard,
    film_recovery,
    manure_conditions,
    tailwater_treatment,
    tailwater_measure,
    record_crop_seasons,
    record_fertiliser,
    record_straw,
    record_film_thickness,
    record_livestock,
    record_tailwater,
)
