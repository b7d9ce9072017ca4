"""Gather what one advisory report says, section by section (the interface is in `reports/sections.py`).

`report_context()` calls one provider per section, inside `translation.override(language)`, so every
label comes out in the report's language. Providers never raise for missing data: they return the
section with `missing` filled, and the report prints what is missing and how to provide it.

One provider per section:
- `indicator_section`: farmadvice/indicators/queries (farm values and town medians) and the targets.
- `nutrient_section`: the records against the crop coefficients in force (INDICATORS.md §1).
- `load_section`: PLUG POINT for farmadvice/runoff (loads now and under the advice, with intervals).
- `advice_section`: PLUG POINT for farmadvice/advice (ranked recommendations, expected reductions).
- `tailwater_section`: the farm's discharge samples judged by `formulas.judge_sample` (§7).
- `manure_section`: the per-farm facility check of farmadvice/indicators/queries/livestock.py (§6).
Reference figures are those in force on 31 December of the report year (`reference_date`), as for the
indicators, so a report and the figures it prints rest on the same values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd
from django.db.models import Count, DecimalField, F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from farmadvice.charts import (
    IndicatorBar,
    IndicatorChartText,
    IntervalGroup,
    IntervalPoint,
    indicator_chart,
    interval_chart,
)
from farmadvice.core.errors import ApplicationError
from farmadvice.core.models import Status
from farmadvice.indicators import formulas, queries
from farmadvice.indicators.compliance import TargetView, targets_applying
from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries.livestock import livestock_farms
from farmadvice.indicators.reference import ReferenceUse, reference_date, standard_levels
from farmadvice.practices.models import CropSeason, TailwaterSample
from farmadvice.reference.models import CoefficientKind, CropCoefficient, Parameter, WaterUse
from farmadvice.reference.selectors import in_force
from farmadvice.registry.models import Farm, FarmType
from reports.sections import (
    AdviceSection,
    DataSource,
    FarmIdentity,
    IndicatorRow,
    IndicatorSection,
    Interval,
    IssueRecord,
    LoadRow,
    LoadSection,
    ManureSection,
    MissingData,
    NutrientRow,
    NutrientSection,
    ReportContext,
    TailwaterSampleRow,
    TailwaterSection,
)

if TYPE_CHECKING:
    from farmadvice.runoff.services import FarmScenarios

# Rounding of the displayed difference: a farm 0.04 kg N/mu over the rate is shown as "0.0", not "above".
_DISPLAY_KG = 1


def _crop_name(crop: object) -> str:
    return crop.name_en if translation.get_language() == "en" else crop.name_zh  # type: ignore[attr-defined]


def _town_name(town: object) -> str:
    return town.name_en if translation.get_language() == "en" else town.name_zh  # type: ignore[attr-defined]


def _source(label: str, row: object) -> DataSource:
    return DataSource(
        label=label,
        source=row.source,  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
        valid_from=row.valid_from,  # type: ignore[attr-defined]
    )


# --- Identity ------------------------------------------------------------------------------------


def farm_identity(farm: Farm) -> FarmIdentity:
    return FarmIdentity(
        code=farm.code,
        name=farm.name,
        farm_type=str(farm.get_farm_type_display()),
        operator_kind=str(farm.get_operator_kind_display()),
        town=_town_name(farm.town),
        village=farm.village.name if farm.village_id else "",
        area_mu=float(farm.area_mu),
        irrigation_district=str(farm.irrigation_district) if farm.irrigation_district_id else "",
        contact_name=farm.contact_name,
    )


# --- Indicators ---------------------------------------------------------------------------------


def _reference_source(label: str, use: ReferenceUse) -> DataSource:
    return DataSource(
        label=f"{label}: {use.name} = {use.value} {use.unit}".rstrip(),
        source=use.source,
        status=use.status,
        valid_from=use.valid_from,
    )


def targets_for(farm: Farm, year: int) -> dict[str, TargetView]:
    """The target each indicator is read against for this farm and year: its town's, by the committee's
    rule (`indicators.compliance.targets_applying`), so a report and the dashboard never disagree."""
    return targets_applying(year=year, town_code=farm.town.code)


def _median(values: pd.Series) -> float | None:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return float(numbers.median()) if len(numbers) else None


def town_selection(farm: Farm, year: int) -> queries.Selection:
    """Every farm of the farm's town at farm scope, memoising each query family's frames.

    A batch reuses one per town and year for all its reports (see services.report_batch_item_run): the
    town's figures are then computed once per worker instead of once per report.
    """
    return queries.selection(
        user=queries.SYSTEM_READER, year=year, scope=queries.Scope.FARM, town=farm.town.code, cache=True
    )


def indicator_section(farm: Farm, year: int, *, town: queries.Selection | None = None) -> IndicatorSection:
    """The farm's indicators (farmadvice/indicators/queries) against their targets and the town median.

    Every farm-scope indicator is computed over the farms of the farm's town, once per report: the farm's
    row is its value, the median of the town's farms with a value is the comparison. An indicator the
    farm has no value for is left out; one that cannot be computed (a reference figure missing) is
    named as missing. Computed as the system (not as the issuing user), so the content of a report never
    depends on who issued it.
    """
    sel = town or town_selection(farm, year)
    targets = targets_for(farm, year)
    rows: list[IndicatorRow] = []
    missing: list[MissingData] = []
    sources: list[DataSource] = []
    for spec in queries.INDICATORS.values():
        if queries.Scope.FARM not in spec.scopes or spec.key not in Indicator.values:
            continue
        label = str(Indicator(spec.key).label)
        try:
            result = queries.compute(spec, sel)
        except ApplicationError as exc:
            gap = MissingData(
                what=exc.message, how=_("请农委工作人员补录该参考值后重新签发本报告；农场无需操作。")
            )
            if gap not in missing:  # indicators of one family share their reference figures
                missing.append(gap)
            continue
        own = result.row(farm.code)
        value = own.get("value") if own else None
        if value is None:
            continue
        target = targets.get(spec.key)
        target_value = float(target.value) if target is not None else None
        rows.append(
            IndicatorRow(
                key=spec.key,
                label=label,
                unit=_("kg/亩") if spec.unit == "kg/亩" else spec.unit,
                farm_value=float(value),
                target_value=target_value,
                direction=target.direction if target is not None else None,
                target_year=target.year if target is not None else None,
                town_median=_median(result.frame["value"]),
                met=target.is_met(float(value)) if target is not None else None,
                provisional=bool(result.provisional),
            )
        )
        sources += [_reference_source(label, use) for use in result.references]
        if target is not None:
            sources.append(_source(_("目标：%(indicator)s") % {"indicator": label}, target))
    if not rows:
        missing.insert(
            0,
            MissingData(
                what=_("%(year)s 年的生产记录不足以计算任何指标。") % {"year": year},
                how=_(
                    "请农技人员录入本年度的施肥、用药、秸秆利用、农膜等记录（走访时用手机录入或用表格批量导入），指标将自动计算。"
                ),
            ),
        )
    return IndicatorSection(
        rows=tuple(rows), town=_town_name(farm.town), missing=tuple(missing), sources=tuple(sources)
    )


# --- Nutrient balance ----------------------------------------------------------------------------


def nutrient_section(farm: Farm, year: int) -> NutrientSection:
    """N applied per crop season against the recommended N rate in force (INDICATORS.md §1).

    N applied, kg = Σ product kg × N % / 100 over the season's fertiliser applications, summed in SQL;
    per mu of the season's sown area. The recommended rate is the crop's `recommended_n_kg_per_mu` in
    force on 31 December of the year.
    """
    seasons = list(
        CropSeason.objects.filter(farm=farm, year=year)
        .select_related("crop")
        .annotate(
            n_applied_x100=Sum(
                F("fertiliser_applications__product_kg") * F("fertiliser_applications__n_pct"),
                output_field=DecimalField(max_digits=28, decimal_places=6),
            ),
            applications=Count("fertiliser_applications"),
        )
        .order_by("season", "crop__code")
    )
    if not seasons:
        if farm.farm_type in (FarmType.LIVESTOCK, FarmType.AQUACULTURE):
            return NutrientSection(applies=False)
        return NutrientSection(
            missing=(
                MissingData(
                    what=_("未找到 %(year)s 年的作物茬口记录。") % {"year": year},
                    how=_(
                        "请农技人员录入本场各茬作物（作物、季节、播种面积、产量），走访时用手机录入或用表格批量导入均可。"
                    ),
                ),
            )
        )

    recommended = {
        row.crop_id: row
        for row in in_force(
            CropCoefficient.objects.filter(
                kind=CoefficientKind.RECOMMENDED_N, crop_id__in={s.crop_id for s in seasons}
            ),
            key_fields=("crop_id",),
            on=reference_date(year),
        )
    }
    rows: list[NutrientRow] = []
    missing: list[MissingData] = []
    sources: dict[int, DataSource] = {}
    for season in seasons:
        crop = _crop_name(season.crop)
        label = str(season.get_season_display())
        area = float(season.area_mu)
        coefficient = recommended.get(season.crop_id)
        n_kg = float(season.n_applied_x100 / Decimal(100)) if season.applications else None
        per_mu = formulas.intensity_kg_per_mu(n_kg, area) if n_kg is not None else None
        rate = float(coefficient.value) if coefficient is not None else None
        difference = per_mu - rate if per_mu is not None and rate is not None else None
        excess = max(difference, 0.0) * area if difference is not None else None
        if coefficient is not None:
            sources[coefficient.pk] = _source(_("推荐施氮量：%(crop)s") % {"crop": crop}, coefficient)
        if not season.applications:
            missing.append(
                MissingData(
                    what=_("%(season)s%(crop)s没有施肥记录。") % {"season": label, "crop": crop},
                    how=_(
                        "请录入该茬的施肥记录：产品名称、N/P2O5/K2O 含量（%）、用量（kg）和施用面积；确未施用化肥的，请在茬口备注中注明。"
                    ),
                )
            )
        if coefficient is None:
            missing.append(
                MissingData(
                    what=_("缺少%(crop)s的推荐施氮量。") % {"crop": crop},
                    how=_("请农委工作人员在后台“作物系数”中录入该作物的推荐施氮量（kg N/亩）及其来源。"),
                )
            )
        rows.append(
            NutrientRow(
                season=label,
                crop=crop,
                area_mu=area,
                n_applied_kg=n_kg,
                n_applied_kg_per_mu=per_mu,
                recommended_n_kg_per_mu=rate,
                difference_kg_per_mu=round(difference, _DISPLAY_KG) if difference is not None else None,
                excess_n_kg=excess,
                provisional=coefficient is not None and coefficient.status == Status.PROVISIONAL,
            )
        )
    total_area = sum(row.area_mu for row in rows)
    applied = [row.n_applied_kg for row in rows if row.n_applied_kg is not None]
    total_n = sum(applied) if applied else None
    excesses = [row.excess_n_kg for row in rows if row.excess_n_kg is not None]
    return NutrientSection(
        rows=tuple(rows),
        total_area_mu=total_area,
        total_n_applied_kg=total_n,
        # Intensity over the seasons that have records only: a season without records is missing, not 0.
        n_intensity_kg_per_mu=formulas.intensity_kg_per_mu(
            total_n, sum(r.area_mu for r in rows if r.n_applied_kg is not None)
        )
        if total_n is not None
        else None,
        total_excess_n_kg=sum(excesses) if excesses else None,
        missing=tuple(missing),
        sources=tuple(sources.values()),
    )


# --- Loads and advice (plug points) --------------------------------------------------------------


def _interval(estimate: object | None) -> Interval | None:
    """A runoff `Estimate` (value, low, high) as the report's Interval."""
    if estimate is None:
        return None
    return Interval(estimate.value, estimate.low, estimate.high)  # type: ignore[attr-defined]


def load_section(farm: Farm, year: int, *, scenarios: FarmScenarios | None = None) -> LoadSection:
    """Estimated TN and TP runoff loads (INDICATORS.md §9), now and under the advice, with 95 % intervals.

    From farmadvice/runoff: the active model's predictions, and the `all_advised` scenario (every advised
    practice change at once) for "under the advice"; seasons the model cannot answer fall back to the export
    coefficients, which carry no interval, and the section says so. `scenarios`: the farm's
    `farm_scenarios` for the year when the caller has them (the report shares them with the advice).
    """
    from farmadvice.runoff.services import farm_loads, farm_scenarios

    # The issuing service has already checked who may issue this farm's report.
    loads = farm_loads(user=queries.SYSTEM_READER, code=farm.code, year=year)
    if not loads.seasons:
        return LoadSection(
            missing=(
                MissingData(
                    what=_("本年度没有作物茬口记录，无法估算径流负荷。"),
                    how=_(
                        "请农技人员录入本年度各茬作物（面积、产量）及施肥记录，重新签发报告即可看到负荷估算。"
                    ),
                ),
            )
        )
    if scenarios is None:
        scenarios = farm_scenarios(user=queries.SYSTEM_READER, code=farm.code, year=year)
    rows = []
    for target, name in (("tn", "TN"), ("tp", "TP")):
        total = loads.total(target)
        now = _interval(total.kg)
        if now is None:
            continue
        advised = scenarios.outcome("all_advised", target)
        per_ha = None
        if total.kg_per_ha is not None and total.kg is not None and total.area_ha:
            scale = total.area_ha
            per_ha = Interval(
                total.kg_per_ha,
                None if total.kg.low is None else total.kg.low / scale,
                None if total.kg.high is None else total.kg.high / scale,
            )
        rows.append(
            LoadRow(
                nutrient=name,
                now_kg=now,
                advised_kg=_interval(advised.scenario_kg) if advised and advised.applies else None,
                now_kg_per_ha=per_ha,
            )
        )
    used = [use for use in loads.models if use.model_seasons]
    method = "model" if used and not loads.fallback else "export_coefficients"
    notes = list(loads.notes)
    if loads.fallback:
        notes.insert(0, _("部分或全部茬口按输出系数估算（数据不足以用模型估算），这些茬口没有置信区间。"))
    measured = ""
    if loads.measured and loads.measured.tn_kg_per_ha is not None:
        measured = _(
            "所在灌区 %(code)s 实测净输出：TN %(tn).2f kg/公顷，TP %(tp).2f kg/公顷（%(events)d 次进出水配对监测）。"
        ) % {
            "code": loads.measured.district_code,
            "tn": loads.measured.tn_kg_per_ha,
            "tp": loads.measured.tp_kg_per_ha or 0.0,
            "events": loads.measured.events,
        }
    return LoadSection(
        rows=tuple(rows),
        method=method,
        model_version=", ".join(use.label for use in used),
        note=" ".join(str(n) for n in notes),
        measured_note=measured,
        sources=tuple(
            DataSource(label=use.name, source=use.source, status=use.status, valid_from=use.valid_from)
            for use in loads.references
        ),
    )


def advice_section(farm: Farm, year: int, *, scenarios: FarmScenarios | None = None) -> AdviceSection:
    """Ranked recommendations, each with the model's expected load reduction (farmadvice/advice).
    `scenarios` as for `load_section`."""
    from farmadvice.advice.engine import farm_advice
    from farmadvice.advice.report import advice_report_section

    return advice_report_section(farm_advice(farm=farm, year=year, scenarios=scenarios))


# --- Tailwater (INDICATORS.md §7) ----------------------------------------------------------------


def _parameter_label(parameter: str) -> str:
    return str(Parameter(parameter).label)


def _exceedance_text(exceedance: formulas.Exceedance) -> str:
    unit = "" if exceedance.parameter == Parameter.PH else " mg/L"
    sign = ">" if exceedance.bound == "max" else "<"
    return f"{_parameter_label(exceedance.parameter)} {exceedance.value:g}{unit} {sign} {exceedance.limit:g}{unit}"


def tailwater_section(farm: Farm, year: int) -> TailwaterSection:
    """Each discharge sample of the year against the limits of the farm's class (INDICATORS.md §7).

    A sample complies when every limited parameter is measured and within its limit; the farm complies
    when all its samples do; a parameter not measured is named, never passed.
    """
    samples = list(
        TailwaterSample.objects.filter(farm=farm, date__year=year, is_discharge=True).order_by("date")
    )
    if farm.farm_type not in (FarmType.AQUACULTURE, FarmType.MIXED) and not samples:
        return TailwaterSection(applies=False)
    missing: list[MissingData] = []
    if not farm.tailwater_class:
        missing.append(
            MissingData(
                what=_("未设定本场尾水排放适用的标准级别。"),
                how=_(
                    "请农技人员按受纳水体在农场信息中设定 SC/T 9101 级别（一级：特殊保护水域；二级：一般水域）。"
                ),
            )
        )
    if not samples:
        missing.append(
            MissingData(
                what=_("%(year)s 年没有养殖尾水排放检测记录。") % {"year": year},
                how=_("请在排水时采样送检（pH、SS、CODMn、TN、TP），并录入检测单位出具的结果。"),
            )
        )
    if missing:
        return TailwaterSection(applies=True, missing=tuple(missing))
    try:
        standard = standard_levels(year=year, use=WaterUse.TAILWATER)
    except ApplicationError as exc:
        return TailwaterSection(
            applies=True,
            missing=(
                MissingData(what=exc.message, how=_("请农委工作人员运行 load_reference 或在后台录入限值。")),
            ),
        )
    rank = int(farm.tailwater_class)
    limits = standard.limits_for_rank(rank)
    if limits is None:
        return TailwaterSection(
            applies=True,
            missing=(
                MissingData(
                    what=_("标准 %(standard)s 没有第 %(rank)s 级限值。")
                    % {"standard": standard.standard, "rank": rank},
                    how=_("请农委工作人员在后台“水质标准限值”中录入。"),
                ),
            ),
        )
    rows = []
    for sample in samples:
        values = {p: (None if v is None else float(v)) for p, v in sample.measured().items()}
        judgement = formulas.judge_sample(values, limits)
        rows.append(
            TailwaterSampleRow(
                date=sample.date,
                complies=judgement.complies,
                exceedances=tuple(_exceedance_text(e) for e in judgement.exceedances),
                not_measured=tuple(_parameter_label(p) for p in judgement.not_measured),
            )
        )
    return TailwaterSection(
        applies=True,
        standard=f"{standard.standard} {farm.get_tailwater_class_display()}",
        samples=tuple(rows),
        farm_complies=formulas.farm_complies([row.complies for row in rows]),
        sources=tuple(
            DataSource(
                label=_("尾水排放限值：%(name)s") % {"name": use.name},
                source=use.source,
                status=use.status,
                valid_from=use.valid_from,
            )
            for use in standard.uses_by_rank.get(rank, ())
        ),
    )


# --- Manure (INDICATORS.md §6) ------------------------------------------------------------------


def _manure_failure_text(failure: dict) -> str:
    """A failing condition in the report's language, with its shortfall (INDICATORS.md §6)."""
    texts = {
        formulas.ManureCondition.SEEPAGE_PROOF: _("贮存设施未防渗"),
        formulas.ManureCondition.RAIN_PROOF: _("贮存设施未防雨"),
        formulas.ManureCondition.OVERFLOW_PROOF: _("贮存设施未防溢流"),
        formulas.ManureCondition.TREATMENT_IN_OPERATION: _("粪污处理或利用设施未正常运行"),
        formulas.ManureCondition.LIQUID_STORAGE: _(
            "液体贮存容积缺 %(shortfall)s m3（需 %(required)s，现有 %(actual)s）"
        ),
        formulas.ManureCondition.SOLID_STORAGE: _(
            "固体贮存容积缺 %(shortfall)s m3（需 %(required)s，现有 %(actual)s）"
        ),
        formulas.ManureCondition.LAND: _(
            "配套消纳土地缺 %(shortfall)s 亩（需 %(required)s，现有 %(actual)s）"
        ),
    }
    text = texts[formulas.ManureCondition(failure["condition"])]
    if failure.get("shortfall") is None:
        return text
    return text % {
        key: f"{failure[key]:,.0f}" if failure[key] >= 100 else f"{failure[key]:,.1f}"
        for key in ("shortfall", "required", "actual")
    }


def _amount(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):,.1f}"


def manure_section(farm: Farm, year: int) -> ManureSection:
    """Manure facility matching of a livestock farm, from the per-farm check of the indicators.

    farmadvice/indicators/queries/livestock.py sizes storage and land from the herds and the figures
    of §6 and judges large-scale farms with `formulas.manure_facility_match`; the report names each
    failing condition and by how much.
    """
    if farm.farm_type not in (FarmType.LIVESTOCK, FarmType.MIXED):
        return ManureSection(applies=False)
    sel = queries.selection(
        user=queries.SYSTEM_READER, year=year, scope=queries.Scope.FARM, farm_code=farm.code
    )
    try:
        data = livestock_farms(sel)
    except ApplicationError as exc:
        return ManureSection(
            applies=True,
            missing=(
                MissingData(
                    what=exc.message, how=_("请农委工作人员补录该参考值后重新签发本报告；农场无需操作。")
                ),
            ),
        )
    found = data.frame[data.frame["farm_id"] == farm.pk].to_dict(orient="records")
    if not found:
        return ManureSection(
            applies=True,
            missing=(
                MissingData(
                    what=_("没有 %(year)s 年的畜禽存栏、出栏记录。") % {"year": year},
                    how=_("请农技人员录入各畜种的存栏数、年出栏数和清粪方式，以及粪污处理设施情况。"),
                ),
            ),
        )
    row = found[0]
    sources = tuple(_reference_source(_("粪污处理设施配套"), use) for use in data.references)
    if not row["large_scale"]:
        return ManureSection(applies=True, large_scale=False, sources=sources)
    facts = (
        (_("规模养殖依据"), "；".join(row.get("large_scale_herds") or [])),
        (_("猪当量（存栏）"), _amount(row.get("pig_equivalents"))),
        (
            _("液体贮存容积（m3）：现有 / 需要"),
            f"{_amount(row.get('liquid_storage_m3'))} / {_amount(row.get('required_liquid_storage_m3'))}",
        ),
        (
            _("固体贮存容积（m3）：现有 / 需要"),
            f"{_amount(row.get('solid_storage_m3'))} / {_amount(row.get('required_solid_storage_m3'))}",
        ),
        (
            _("配套消纳土地（亩）：现有 / 需要"),
            f"{_amount(row.get('land_for_application_mu'))} / {_amount(row.get('required_land_mu'))}",
        ),
    )
    if not row["has_facility"]:
        return ManureSection(
            applies=True,
            large_scale=True,
            facts=facts[:2],
            sources=sources,
            missing=(
                MissingData(
                    what=_("没有 %(year)s 年的粪污处理设施记录，无法判断是否配套。") % {"year": year},
                    how=_(
                        "请农技人员录入贮存容积（液体、固体）、防渗防雨防溢流情况、处理方式及是否正常运行、配套消纳土地面积。"
                    ),
                ),
            ),
        )
    return ManureSection(
        applies=True,
        large_scale=True,
        matched=bool(row["matched"]),
        failures=tuple(_manure_failure_text(failure) for failure in row["failures"]),
        facts=facts,
        sources=sources,
    )


# --- Charts --------------------------------------------------------------------------------------


def _charts(indicators: IndicatorSection, loads: LoadSection) -> dict[str, str]:
    charts: dict[str, str] = {}
    bars = [
        IndicatorBar(
            label=row.label,
            unit=row.unit,
            value=row.farm_value,
            target=row.target_value,
            town_median=row.town_median,
            direction=row.direction,
        )
        for row in indicators.rows
    ]
    if bars:
        charts["indicators"] = indicator_chart(
            bars,
            text=IndicatorChartText(
                farm=_("本场（绿：达标，红：未达标）"),
                town_median=_("镇中位数"),
                target=_("目标"),
                no_data=_("无数据"),
            ),
        )
    groups = []
    for row in loads.rows:
        points = [_point(_("现状"), row.now_kg, "now")]
        if row.advised_kg is not None:
            points.append(_point(_("采纳建议后"), row.advised_kg, "advised"))
        groups.append(IntervalGroup(title=f"{row.nutrient} (kg)", points=points))
    if groups:
        charts["loads"] = interval_chart(groups)
    return charts


def _point(label: str, value: Interval, kind: str) -> IntervalPoint:
    # Without an interval the chart shows the estimate alone (a zero-width bar), never an invented range.
    low = value.estimate if value.low is None else value.low
    high = value.estimate if value.high is None else value.high
    return IntervalPoint(label, value.estimate, low, high, kind)


# --- The whole report ----------------------------------------------------------------------------


def report_context(
    *,
    farm: Farm,
    year: int,
    language: str,
    issue: IssueRecord | None = None,
    issued_by: str = "",
    town: queries.Selection | None = None,
) -> ReportContext:
    """Everything the template needs for one farm, year and language, labels in that language.

    `issue` is the archive record this copy will carry; without it the copy is an unarchived draft dated
    now. `town` is a `town_selection` to reuse (a batch passes the same one for every farm of a town).
    """
    from farmadvice.runoff import services as runoff_services

    with translation.override(language):
        indicators = indicator_section(farm, year, town=town)
        nutrients = nutrient_section(farm, year)
        # The scenarios are the costliest part of a report; the loads and the advice share one computation.
        scenarios = runoff_services.farm_scenarios(user=queries.SYSTEM_READER, code=farm.code, year=year)
        loads = load_section(farm, year, scenarios=scenarios)
        advice = advice_section(farm, year, scenarios=scenarios)
        return ReportContext(
            farm=farm_identity(farm),
            year=year,
            language=language,
            issue=issue or IssueRecord(version=None, issued_at=timezone.now(), issued_by=issued_by),
            indicators=indicators,
            nutrients=nutrients,
            loads=loads,
            advice=advice,
            tailwater=tailwater_section(farm, year),
            manure=manure_section(farm, year),
            charts=_charts(indicators, loads),
        )
