"""A farm's indicators against its targets, and its advice in plain words, as the farm pages show them.

The figures come from the indicator selectors (`farmadvice.indicators.queries`, read as the user);
the target a farm is read against and the plain-words checks (nutrient balance, manure facilities,
tailwater samples, recommendations) are the advisory report's own providers (`reports.context`), so
that a page and the PDF the operator holds say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from farmadvice.accounts import access
from farmadvice.core.errors import ApplicationError
from farmadvice.indicators import queries
from farmadvice.indicators.compliance import TargetView, targets_applying
from farmadvice.indicators.models import Direction, Indicator
from farmadvice.registry.models import Farm
from farmadvice.web.formatting import (
    StatusView,
    clauses,
    indicator_label,
    number,
    status_view,
    target_text,
    with_unit,
)


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator of the farm for the year, against its target (and the town's farms' median)."""

    key: str
    label: str
    unit: str
    section: str
    value: float
    target: TargetView | None
    town_median: float | None
    status: StatusView
    gap: float | None
    provisional: bool

    @property
    def value_text(self) -> str:
        return with_unit(self.value, self.unit)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "—"
        return target_text(float(self.target.value), self.target.direction, self.unit, self.target.year)

    @property
    def median_text(self) -> str:
        return with_unit(self.town_median, self.unit)


@dataclass(frozen=True)
class FarmIndicatorsView:
    year: int
    lines: tuple[IndicatorLine, ...]
    notes: tuple[str, ...] = ()
    with_median: bool = False

    @property
    def failing(self) -> tuple[IndicatorLine, ...]:
        return tuple(line for line in self.lines if line.status.key in ("fail", "toward"))

    @property
    def passing(self) -> tuple[IndicatorLine, ...]:
        return tuple(line for line in self.lines if line.status.key == "met")

    def value_of(self, key: str) -> float | None:
        return next((line.value for line in self.lines if line.key == key), None)


def _targets(farm: Farm, year: int) -> dict[str, TargetView]:
    return targets_applying(year=year, town_code=farm.town.code)


def _judge(value: float, target: TargetView | None, year: int, unit: str) -> tuple[StatusView, float | None]:
    if target is None:
        return status_view("no_target"), None
    met = bool(target.is_met(value))
    gap = (
        float(target.value) - value if target.direction == Direction.AT_LEAST else value - float(target.value)
    )
    if target.year > year:
        return status_view("working_toward", met=met, target_year=target.year, gap=gap, unit=unit), gap
    return status_view("met" if met else "not_met", gap=gap, unit=unit), gap


def farm_indicator_lines(*, user: Any, farm: Farm, year: int) -> FarmIndicatorsView:
    """Every farm-scope indicator the farm has a value for in `year`, with its target and status.

    Readers of every farm (agents, committee) also get the median of the town's farms, computed in the
    same queries (one selection over the town at the farm scope); an operator reads only their own
    farms, so for them the median is left out rather than taken over their own farms.
    """
    with_median = access.reads_all(user)
    sel = queries.selection(
        user=user,
        year=year,
        scope=queries.Scope.FARM,
        town=farm.town.code if with_median else None,
        farm_code=None if with_median else farm.code,
        cache=True,
    )
    targets = _targets(farm, year)
    lines: list[IndicatorLine] = []
    notes: list[str] = []
    for spec in queries.INDICATORS.values():
        if queries.Scope.FARM not in spec.scopes or spec.key not in Indicator.values:
            continue
        try:
            result = queries.compute(spec, sel)
        except ApplicationError as exc:
            if exc.message not in notes:
                notes.append(exc.message)
            continue
        own = result.row(farm.code)
        value = own.get("value") if own else None
        if value is None:
            continue
        target = targets.get(spec.key)
        status, gap = _judge(float(value), target, year, spec.unit)
        median = None
        if with_median:
            values = pd.to_numeric(result.frame["value"], errors="coerce").dropna()
            median = float(values.median()) if len(values) else None
        lines.append(
            IndicatorLine(
                key=spec.key,
                label=indicator_label(spec.key),
                unit=spec.unit,
                section=spec.section,
                value=float(value),
                target=target,
                town_median=median,
                status=status,
                gap=gap,
                provisional=bool(result.provisional),
            )
        )
    return FarmIndicatorsView(year=year, lines=tuple(lines), notes=tuple(notes), with_median=with_median)


def indicator_chart_svg(view: FarmIndicatorsView) -> str:
    """The report's indicator chart (farmadvice.charts) for the lines that have a target or a median."""
    from farmadvice.charts import IndicatorBar, IndicatorChartText, indicator_chart

    bars = [
        IndicatorBar(
            label=line.label,
            unit=_("kg/亩") if line.unit == "kg/亩" else line.unit,
            value=line.value,
            target=float(line.target.value) if line.target is not None else None,
            town_median=line.town_median,
            direction=line.target.direction if line.target is not None else None,
        )
        for line in view.lines
    ]
    if not bars:
        return ""
    return indicator_chart(
        bars,
        text=IndicatorChartText(
            farm=_("本场（绿：达标，红：未达标）"),
            town_median=_("镇中位数"),
            target=_("目标"),
            no_data=_("无数据"),
        ),
    )


# --- Advice in plain words ------------------------------------------------------------------------


@dataclass(frozen=True)
class AdviceItem:
    """One thing to do (or to keep doing), in a sentence; `detail` says how."""

    text: str
    detail: str = ""
    kind: str = "todo"  # todo | missing | good
    reduction: str = ""


@dataclass(frozen=True)
class FarmAdvice:
    year: int
    source: str  # "advice" (the advice engine's ranked recommendations) or "indicators"
    todo: tuple[AdviceItem, ...] = ()
    missing: tuple[AdviceItem, ...] = ()
    good: tuple[AdviceItem, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def _indicator_sentence(line: IndicatorLine) -> str:
    target = line.target
    assert target is not None
    values = {
        "label": line.label,
        "value": line.value_text,
        "target": line.target_text,
    }
    if line.gap is None or line.gap <= 0:
        return _("%(label)s：%(value)s，目标 %(target)s，已达到。") % values
    gap = with_unit(line.gap, line.unit)
    if target.direction == Direction.AT_LEAST:
        return _("%(label)s：%(value)s，目标 %(target)s，还差 %(gap)s。") % {**values, "gap": gap}
    return _("%(label)s：%(value)s，目标 %(target)s，超出 %(gap)s。") % {**values, "gap": gap}


def farm_advice(
    *, user: Any, farm: Farm, year: int, indicators: FarmIndicatorsView | None = None
) -> FarmAdvice:
    """What the farm should do, in plain words, for `year`.

    The advice engine's ranked recommendations when it gives any (`reports.context.advice_section`);
    otherwise what misses its target: the indicators below target, N applied above the recommended
    rate, failing manure-facility conditions, tailwater samples above the limits; and the records still
    missing, with how to provide them. The caller has already checked that the user may see the farm.
    """
    from reports import context as report_context

    indicators = indicators or farm_indicator_lines(user=user, farm=farm, year=year)
    nutrients = report_context.nutrient_section(farm, year)
    advice = report_context.advice_section(farm, year)
    manure = report_context.manure_section(farm, year)
    tailwater = report_context.tailwater_section(farm, year)

    todo: list[AdviceItem] = []
    source = "indicators"
    if advice.recommendations:
        source = "advice"
        for recommendation in sorted(advice.recommendations, key=lambda r: r.rank):
            todo.append(
                AdviceItem(
                    text=recommendation.title,
                    detail=recommendation.detail,
                    reduction=_reduction_text(recommendation),
                )
            )
    else:
        for line in indicators.failing:
            todo.append(AdviceItem(text=_indicator_sentence(line)))
        for row in nutrients.rows:
            if row.difference_kg_per_mu is not None and row.difference_kg_per_mu > 0:
                todo.append(
                    AdviceItem(
                        text=_(
                            "%(season)s%(crop)s施氮 %(applied)s kg N/亩，比推荐量 %(recommended)s kg N/亩 多 %(difference)s kg N/亩（共多施约 %(excess)s kg N）。"
                        )
                        % {
                            "season": row.season,
                            "crop": row.crop,
                            "applied": number(row.n_applied_kg_per_mu),
                            "recommended": number(row.recommended_n_kg_per_mu),
                            "difference": number(row.difference_kg_per_mu),
                            "excess": number(row.excess_n_kg),
                        },
                        detail=_("按推荐量减少化肥用量，可改用缓控释肥或侧深施肥。"),
                    )
                )
        for failure in manure.failures:
            todo.append(AdviceItem(text=_("粪污处理设施：%(failure)s。") % {"failure": failure}))
        for sample in tailwater.samples:
            if sample.complies is False and sample.exceedances:
                todo.append(
                    AdviceItem(
                        text=_("%(date)s 尾水样品超标：%(what)s。")
                        % {"date": f"{sample.date:%Y-%m-%d}", "what": clauses(sample.exceedances)},
                        detail=_("尾水处理设施（“三池两坝”）的面积宜为养殖面积的 6–15%。"),
                    )
                )
    missing = tuple(
        AdviceItem(text=gap.what, detail=gap.how, kind="missing")
        for section in (
            indicators_missing(indicators),
            advice.missing,
            nutrients.missing,
            manure.missing,
            tailwater.missing,
        )
        for gap in section
    )
    good = tuple(
        AdviceItem(text=_indicator_sentence(line), kind="good") for line in indicators.passing if line.target
    )
    return FarmAdvice(
        year=year,
        source=source,
        todo=tuple(todo),
        missing=_unique(missing),
        good=good,
        notes=indicators.notes,
    )


def _reduction_text(recommendation: Any) -> str:
    """The advice engine's expected load reduction in words: "TN 20 kg (12–28)" a year, 95 % interval."""
    parts = [
        _("%(nutrient)s %(estimate)s kg（%(low)s–%(high)s）")
        % {
            "nutrient": nutrient,
            "estimate": number(interval.estimate),
            "low": number(interval.low),
            "high": number(interval.high),
        }
        for nutrient, interval in (
            ("TN", recommendation.reduction_tn_kg),
            ("TP", recommendation.reduction_tp_kg),
        )
        if interval is not None
    ]
    if not parts:
        return ""
    text = _("预计每年减少径流流失：%(parts)s，括号内为 95%% 区间。") % {"parts": clauses(parts)}
    if recommendation.provisional:
        text += _("（估算用到暂定参考值）")
    return text


def indicators_missing(indicators: FarmIndicatorsView) -> Sequence[Any]:
    from reports.sections import MissingData

    if indicators.lines:
        return ()
    return (
        MissingData(
            what=_("%(year)s 年的生产记录不足以计算任何指标。") % {"year": indicators.year},
            how=_("请农技人员录入本年度的施肥、用药、秸秆利用、农膜等记录，指标将自动计算。"),
        ),
    )


def _unique(items: tuple[AdviceItem, ...]) -> tuple[AdviceItem, ...]:
    seen: dict[str, AdviceItem] = {}
    for item in items:
        seen.setdefault(item.text, item)
    return tuple(seen.values())
