"""The advisory report's recommendations section (`reports.sections.AdviceSection`) from a `FarmAdvice`.

Call it inside the report's `translation.override(language)`: titles and texts are rendered here, in the
active language. The report's plug point (`reports.context.advice_section`) becomes

    return advice_report_section(farm_advice(farm=farm, year=year, scenarios=scenarios))

where `scenarios` is the `runoff.services.farm_scenarios(...)` the loads section computed (or None: the
engine then computes them; they are its costliest part, so better not twice).

- Recommendations that ask the farm to act become `Recommendation`s, in rank order, with the expected TN
  and TP reductions where the runoff model gives an interval (`reports.sections.Interval` needs both
  bounds). An export-coefficient estimate has no interval: it is written into the detail instead
  ("about 6.8 kg TN a year" and the method's note), so it is neither lost nor dressed up as an
  interval.
- "Record X" recommendations and the engine's notes (a reference figure missing) become `MissingData`:
  what is missing and how to provide it, which the report already prints.
- Every figure the advice rests on becomes a `DataSource` with its status, so provisional ones are marked.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from farmadvice.advice.types import FarmAdvice, Recommendation, Reduction, Sentences, Severity, Text
from reports.sections import AdviceSection, DataSource, Interval, MissingData
from reports.sections import Recommendation as ReportRecommendation

BY_MODEL = _("预期减排量由径流模型 %(version)s 估算（95%% 区间）。")
ROUGH_TN = _("预期减少 TN 约 %(kg)s kg/年。")
ROUGH_TP = _("预期减少 TP 约 %(kg)s kg/年。")
HOW_TO_FIX_REFERENCE = _("请农委工作人员补录该参考值后重新签发本报告；农场无需操作。")


def _interval(reduction: Reduction | None) -> Interval | None:
    if reduction is None or not reduction.has_interval:
        return None
    kg = reduction.kg
    return Interval(estimate=kg.value, low=kg.low, high=kg.high)  # type: ignore[arg-type]


def _detail(rec: Recommendation) -> str:
    """The recommendation's text, then how its reduction was estimated, in the active language."""
    sentences = [rec.text]
    for template, reduction, decimals in ((ROUGH_TN, rec.tn, 1), (ROUGH_TP, rec.tp, 2)):
        if reduction is not None and not reduction.has_interval:
            sentences.append(str(Text(template, {"kg": f"{reduction.kg.value:,.{decimals}f}"})))
    if _interval(rec.tn) or _interval(rec.tp):
        sentences.append(str(Text(BY_MODEL, {"version": rec.method.model_version})))
    if rec.method.note is not None:
        sentences.append(str(rec.method.note))
    return str(Sentences(*sentences))


def advice_report_section(advice: FarmAdvice) -> AdviceSection:
    """The report's section 5 for the farm's advice (module docstring)."""
    recommendations = tuple(
        ReportRecommendation(
            rank=rec.rank,
            title=rec.title,
            detail=_detail(rec),
            reduction_tn_kg=_interval(rec.tn),
            reduction_tp_kg=_interval(rec.tp),
            provisional=rec.provisional,
        )
        for rec in advice.recommendations
        if rec.severity != Severity.DATA
    )
    missing = [MissingData(what=rec.title, how=rec.text) for rec in advice.data_gaps]
    missing += [MissingData(what=str(note), how=str(HOW_TO_FIX_REFERENCE)) for note in advice.notes]
    sources = tuple(
        DataSource(
            label=f"{use.name} = {use.value} {use.unit}".rstrip(" =") if use.value else use.name,
            source=use.source,
            status=use.status,
            valid_from=use.valid_from,
        )
        for use in advice.sources
    )
    return AdviceSection(recommendations=recommendations, missing=tuple(missing), sources=sources)
