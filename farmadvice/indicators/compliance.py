"""Compliance: each indicator of a year against its target, for the whole district and each town, with
the farms or districts behind the rate (INDICATORS.md; issue #3).

Which target applies to a scope and year:
- the targets in force on 31 December of the year (`reference.reference_date`; a target replaced later by a
  row with a later `valid_from` leaves past reports as they were);
- for a town, its own targets and the district-wide ones; for the district, the district-wide ones;
- of those, the target **for the year** if there is one; otherwise the nearest **later** one, shown as the
  target being worked toward (status `working_toward`, not judged, with the gap still to close: the 2027
  manure target of 100 % shown for 2025 says how far 2025 is from it); otherwise the latest **earlier**
  one, which stays the level to hold (judged). For the same year a town's own target wins over the
  district's.

`met` is `Target.is_met(value)` (None when the value is missing). `gap` is how far the value is short of
the target, in the indicator's unit: target − value for an "at least" target, value − target for an
"at most" one; zero or negative when it is met.

Behind each rate (`items`): for the indicators that count farms or districts (manure facility matching,
tailwater compliance and monitoring, district monitoring), every farm or district counted, whether it
passes and why not ("liquid storage short by 120 m3"). The indicators computed over areas or tonnes
report how many farms they rest on (`counted`); their per-farm figures are the farm scope of
`queries.indicator_get`. Straw used above collectable and film recovered above used are listed in
`flags` farm by farm. Every row lists the provisional reference figures it rests on (`provisional`),
the target's own status included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.core import figures
from farmadvice.core.models import Status as SourceStatus
from farmadvice.indicators.models import Direction, Indicator, Target
from farmadvice.indicators.queries import INDICATORS, SYSTEM_READER, compute
from farmadvice.indicators.queries import districts as district_queries
from farmadvice.indicators.queries import film as film_queries
from farmadvice.indicators.queries import livestock as livestock_queries
from farmadvice.indicators.queries import straw as straw_queries
from farmadvice.indicators.queries import tailwater as tailwater_queries
from farmadvice.indicators.queries.common import (
    DISTRICT_CODE,
    IndicatorFrame,
    Scope,
    Selection,
    lists_by,
    memo,
    plain_records,
    selection,
)
from farmadvice.indicators.reference import ReferenceUse, reference_date, unique_uses

MSG_STRAW_OVER_COLLECTABLE = gettext_noop(
    "{code} {name}：秸秆利用量 {utilised} t 高于可收集量 {collectable} t（如实报告，不封顶）"
)
MSG_FILM_OVER_USED = gettext_noop(
    "{code} {name}：农膜回收量 {recovered} kg 高于使用量 {used} kg（如实报告，不封顶）"
)

# How many farms an area- or tonne-based figure rests on.
COUNTED_COLUMN = {
    Indicator.FERTILISER_INTENSITY: "farms",
    Indicator.FERTILISER_REDUCTION: "farms",
    Indicator.PESTICIDE_INTENSITY: "farms",
    Indicator.PESTICIDE_REDUCTION: "farms",
    Indicator.SLOW_RELEASE_COVERAGE: "farms",
    Indicator.SIDE_DEEP_COVERAGE: "farms",
    Indicator.FERTIGATION_COVERAGE: "farms",
    Indicator.SOIL_TEST_COVERAGE: "farms",
    Indicator.STRAW_UTILISATION: "straw_farms",
    Indicator.STRAW_FIELD_RETURN: "straw_farms",
    Indicator.FILM_STANDARD_SHARE: "film_farms",
    Indicator.FILM_RECOVERY: "film_farms",
    Indicator.MANURE_UTILISATION: "manure_farms",
}
LABEL_KEYS = ("scope_id", "scope_code", "scope_name", "town_code", "value")


class ComplianceStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    WORKING_TOWARD = "working_toward"
    MISSING = "missing"
    NO_TARGET = "no_target"


@dataclass(frozen=True, slots=True)
class TargetView:
    """The target applied to a row: its value, year and direction, and whether it is due this year."""

    value: float
    year: int
    direction: str
    scope: str
    town_code: str | None
    source: str
    status: str
    valid_from: dt.date
    due: bool

    def is_met(self, value: float | None) -> bool | None:
        """As `Target.is_met`: None when the value is missing."""
        return Target(value=self.value, direction=self.direction).is_met(value)

    def use(self, indicator: str) -> ReferenceUse:
        where = self.town_code or DISTRICT_CODE
        return ReferenceUse(
            name=f"target[{indicator}][{where}][{self.year}]",
            value=f"{'≥' if self.direction == Direction.AT_LEAST else '≤'}{self.value:g}",
            unit="",
            status=self.status,
            source=self.source,
            valid_from=self.valid_from,
        )


@dataclass(frozen=True, slots=True)
class Item:
    """A farm or irrigation district behind a rate: passing (None: not assessed) and why not."""

    code: str
    name: str
    town_code: str | None
    passing: bool | None
    reasons: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class ComplianceRow:
    """One indicator for one scope (the whole district or a town) and year, against its target."""

    indicator: str
    label: str
    unit: str
    section: str
    scope: str
    scope_code: str
    scope_name: str
    year: int
    value: float | str | None
    target: TargetView | None
    met: bool | None
    gap: float | None
    status: ComplianceStatus
    counted: int | None
    passing: int | None
    failing: int | None
    not_assessed: int | None
    items: tuple[Item, ...]
    flags: tuple[str, ...]
    provisional: tuple[ReferenceUse, ...]
    notes: tuple[str, ...]
    figures: dict[str, Any]


@dataclass(frozen=True)
class ComplianceReport:
    """Compliance of a year for the whole district and its towns (or one town)."""

    year: int
    town_code: str | None
    reference_date: dt.date
    rows: tuple[ComplianceRow, ...]
    as_of: figures.AsOf | None = None  # the data version computed from (cached figures)

    @property
    def provisional(self) -> tuple[ReferenceUse, ...]:
        """Every provisional figure any row rests on, once."""
        return unique_uses(use for row in self.rows for use in row.provisional)

    def to_frame(self) -> pd.DataFrame:
        """One line per row (without the items), for tables and CSV."""
        return pd.DataFrame(
            [
                {
                    "indicator": row.indicator,
                    "label": row.label,
                    "scope": row.scope,
                    "scope_code": row.scope_code,
                    "scope_name": row.scope_name,
                    "year": row.year,
                    "value": row.value,
                    "unit": row.unit,
                    "target": None if row.target is None else row.target.value,
                    "target_year": None if row.target is None else row.target.year,
                    "direction": None if row.target is None else row.target.direction,
                    "status": str(row.status),
                    "met": row.met,
                    "gap": row.gap,
                    "counted": row.counted,
                    "passing": row.passing,
                    "failing": row.failing,
                    "not_assessed": row.not_assessed,
                    "flags": len(row.flags),
                    "provisional": "; ".join(use.name for use in row.provisional),
                }
                for row in self.rows
            ]
        )


# --- Targets -----------------------------------------------------------------------------------------


def _targets(year: int, indicators: Iterable[str]) -> dict[str, list[TargetView]]:
    """The target rows in force on the reference date, one per indicator, town and year (the latest
    `valid_from`), by indicator. A few dozen reference rows, so plain Python."""
    rows = (
        Target.objects.filter(indicator__in=list(indicators), valid_from__lte=reference_date(year))
        .order_by("indicator", "town_id", "year", "-valid_from")
        .values_list(
            "indicator", "town__code", "year", "value", "direction", "source", "status", "valid_from"
        )
    )
    chosen: dict[tuple[str, str | None, int], TargetView] = {}
    for indicator, town_code, target_year, value, direction, source, status, valid_from in rows:
        chosen.setdefault(
            (indicator, town_code, target_year),
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
    by_indicator: dict[str, list[TargetView]] = {}
    for (indicator, _town, _year), view in chosen.items():
        by_indicator.setdefault(indicator, []).append(view)
    return by_indicator


def choose_target(candidates: Sequence[TargetView], *, year: int, town_code: str | None) -> TargetView | None:
    """The target that applies (module docstring): this year's, else the nearest later, else the latest
    earlier; a town's own before the district's for the same year."""
    applicable = [
        t for t in candidates if t.town_code is None or (town_code is not None and t.town_code == town_code)
    ]

    def rank(t: TargetView) -> tuple[int, int, int]:
        kind = 0 if t.year == year else (1 if t.year > year else 2)
        return kind, abs(t.year - year), 0 if t.town_code is not None else 1

    return min(applicable, key=rank, default=None)


def targets_applying(*, year: int, town_code: str | None) -> dict[str, TargetView]:
    """The target each indicator is judged against in `year` for a town (None: the whole district), by
    the rule of the module docstring. The one rule for every reader: compliance, the farm pages and the
    reports."""
    candidates = _targets(year, Indicator.values)
    chosen = {
        indicator: choose_target(views, year=year, town_code=town_code)
        for indicator, views in candidates.items()
    }
    return {indicator: view for indicator, view in chosen.items() if view is not None}


def _judge(target: TargetView | None, value: Any) -> tuple[bool | None, float | None, ComplianceStatus]:
    if value is None or isinstance(value, str):
        return None, None, ComplianceStatus.MISSING if value is None else ComplianceStatus.NO_TARGET
    if target is None:
        return None, None, ComplianceStatus.NO_TARGET
    met = target.is_met(value)
    gap = target.value - value if target.direction == Direction.AT_LEAST else value - target.value
    if not target.due:
        return met, gap, ComplianceStatus.WORKING_TOWARD
    return met, gap, ComplianceStatus.MET if met else ComplianceStatus.NOT_MET


# --- Farms and districts behind the rates ---------------------------------------------------------


def _items(
    frame: pd.DataFrame, *, code: str, name: str, passing: str, reasons: str, detail: list[str]
) -> pd.Series:
    """Items per town code, built from a per-farm (or per-district) frame."""
    if frame.empty:
        return pd.Series(dtype=object)
    details = plain_records(frame[detail]) if detail else [{}] * len(frame)
    verdicts = frame[passing].astype(object).where(frame[passing].notna(), None)
    items = [
        Item(code=c, name=n, town_code=t, passing=p, reasons=tuple(r or ()), detail=d)
        for c, n, t, p, r, d in zip(
            frame[code], frame[name], frame["town_code"], verdicts, frame[reasons], details, strict=True
        )
    ]  # one per farm or district reported
    return pd.Series(lists_by(frame["town_code"], items), dtype=object)


@dataclass
class _Behind:
    """What stands behind the rows of the indicators that count farms or districts, by town code."""

    items: dict[str, pd.Series] = field(default_factory=dict)
    flags: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def _behind(sel: Selection) -> _Behind:
    behind = _Behind()
    manure = memo(sel, ("livestock", sel.year), lambda: livestock_queries.livestock_farms(sel))
    large = manure.frame[manure.frame["large_scale"]]
    behind.items[Indicator.MANURE_FACILITY_MATCHING] = _items(
        large,
        code="farm_code",
        name="farm_name",
        passing="matched",
        reasons="reasons",
        detail=[
            "large_scale_herds",
            "pig_equivalents",
            "required_liquid_storage_m3",
            "liquid_storage_m3",
            "required_solid_storage_m3",
            "solid_storage_m3",
            "required_land_mu",
            "land_for_application_mu",
            "failures",
        ],
    )
    tailwater = memo(sel, ("tailwater", sel.year), lambda: tailwater_queries.tailwater_farms(sel))
    sampled = tailwater.farms[tailwater.farms["sampled"]].assign(complying=lambda f: f["complies"].eq(True))
    behind.items[Indicator.TAILWATER_COMPLIANCE] = _items(
        sampled,
        code="farm_code",
        name="farm_name",
        passing="complying",
        reasons="reasons",
        detail=["samples"],
    )
    behind.items[Indicator.TAILWATER_MONITORING] = _items(
        tailwater.farms.assign(monitoring_reasons=lambda f: f["reasons"].where(~f["sampled"], None)),
        code="farm_code",
        name="farm_name",
        passing="sampled",
        reasons="monitoring_reasons",
        detail=["samples"],
    )
    districts = district_queries.district_rows(sel, water_quality=False)
    must = districts.districts[districts.districts["must_monitor"]]
    behind.items[Indicator.DISTRICT_MONITORING] = _items(
        must,
        code="district_code",
        name="district_name",
        passing="monitored",
        reasons="reasons",
        detail=["area_mu", "inlet_samples", "outlet_samples"],
    )
    over = straw_queries.straw_over_collectable_farms(sel)
    behind.flags[Indicator.STRAW_UTILISATION] = _flags(
        over,
        lambda row: _(MSG_STRAW_OVER_COLLECTABLE).format(
            code=row["farm_code"],
            name=row["farm_name"],
            utilised=livestock_queries.amount_text(row["utilised_t"]),
            collectable=livestock_queries.amount_text(row["collectable_t"]),
        ),
    )
    film_over = film_queries.film_over_used_farms(sel)
    behind.flags[Indicator.FILM_RECOVERY] = _flags(
        film_over,
        lambda row: _(MSG_FILM_OVER_USED).format(
            code=row["farm_code"],
            name=row["farm_name"],
            recovered=livestock_queries.amount_text(row["recovered_kg"]),
            used=livestock_queries.amount_text(row["used_kg"]),
        ),
    )
    return behind


def _flags(frame: pd.DataFrame, text) -> dict[str, list[str]]:
    flags: dict[str, list[str]] = {}
    for row in frame.to_dict(orient="records"):  # one per flagged farm
        flags.setdefault(row["town_code"], []).append(text(row))
    return flags


def _row_items(behind: _Behind, indicator: str, town_code: str | None) -> tuple[Item, ...]:
    series = behind.items.get(indicator)
    if series is None or series.empty:
        return ()
    if town_code is None:
        return tuple(item for items in series for item in items)
    found = series.get(town_code)
    return tuple(found) if isinstance(found, list) else ()


def _row_flags(behind: _Behind, indicator: str, town_code: str | None) -> tuple[str, ...]:
    flags = behind.flags.get(indicator, {})
    if town_code is None:
        return tuple(flag for town_flags in flags.values() for flag in town_flags)
    return tuple(flags.get(town_code, ()))


# --- The report --------------------------------------------------------------------------------------


def _counts(indicator: str, figures: dict[str, Any], items: tuple[Item, ...]) -> tuple[int | None, ...]:
    """counted, passing, failing, not_assessed of a row."""
    if indicator == Indicator.MANURE_FACILITY_MATCHING:
        # Every large-scale farm is counted; one without a facility record fails (INDICATORS.md §6),
        # so none is left unassessed. Its own count stays in the figures (not_assessed_farms).
        large = int(figures.get("large_scale_farms") or 0)
        matched = int(figures.get("matched_farms") or 0)
        return large, matched, large - matched, None
    if indicator == Indicator.TAILWATER_COMPLIANCE:
        sampled = int(figures.get("sampled_farms") or 0)
        complying = int(figures.get("complying_farms") or 0)
        return sampled, complying, sampled - complying, None
    if indicator == Indicator.TAILWATER_MONITORING:
        total = int(figures.get("aquaculture_farms") or 0)
        sampled = int(figures.get("sampled_farms") or 0)
        return total, sampled, total - sampled, None
    if indicator == Indicator.DISTRICT_MONITORING:
        must = int(figures.get("must_monitor_districts") or 0)
        monitored = int(figures.get("monitored_districts") or 0)
        return must, monitored, must - monitored, None
    column = COUNTED_COLUMN.get(indicator)
    counted = figures.get(column) if column else None
    return (None if counted is None else int(counted)), None, None, None


def _rows(
    frame: IndicatorFrame,
    *,
    indicator: str,
    targets: dict[str, list[TargetView]],
    behind: _Behind,
    scope: Scope,
) -> list[ComplianceRow]:
    spec = INDICATORS[indicator]
    candidates = targets.get(indicator, [])
    rows = []
    for record in frame.records():  # one per town (or the district)
        town_code = None if scope == Scope.DISTRICT else record["scope_code"]
        target = choose_target(candidates, year=frame.year, town_code=town_code)
        value = record["value"]
        met, gap, status = _judge(target, value)
        items = _row_items(behind, indicator, town_code)
        counted, passing, failing, not_assessed = _counts(indicator, record, items)
        provisional = [use for use in frame.provisional]
        if target is not None and target.status == SourceStatus.PROVISIONAL:
            provisional.append(target.use(indicator))
        rows.append(
            ComplianceRow(
                indicator=indicator,
                label=spec.label,
                unit=spec.unit,
                section=spec.section,
                scope=str(scope),
                scope_code=record["scope_code"],
                scope_name=record["scope_name"],
                year=frame.year,
                value=value,
                target=target,
                met=met,
                gap=gap,
                status=status,
                counted=counted,
                passing=passing,
                failing=failing,
                not_assessed=not_assessed,
                items=items,
                flags=_row_flags(behind, indicator, town_code),
                provisional=unique_uses(provisional),
                notes=frame.notes,
                figures={k: v for k, v in record.items() if k not in LABEL_KEYS},
            )
        )
    return rows


def compliance_report(*, user: Any, year: int, town: str | None = None) -> ComplianceReport:
    """Every indicator of `Indicator` for the year against its target: the whole district and each town,
    or, with `town`, that town only. Committee, agents and admins (`PermissionDenied` for operators).

    Each query runs once: the district is the roll-up of the town queries (`Selection.cache`). The table
    is cached until the data change (`farmadvice.core.figures`).
    """
    if access.reads_all(user):
        return figures.cached("compliance", year, town)
    return _compliance_report(user=user, year=year, town=town)  # refused there, as everywhere


def _compliance_report(*, user: Any, year: int, town: str | None) -> ComplianceReport:
    sel = selection(user=user, year=year, scope=Scope.TOWN, town=town, cache=True)
    indicators = [str(indicator) for indicator in Indicator]
    targets = _targets(year, indicators)
    behind = _behind(sel)
    district_rows: list[ComplianceRow] = []
    town_rows: list[ComplianceRow] = []
    for indicator in indicators:
        spec = INDICATORS[indicator]
        if town is None:
            district_rows += _rows(
                compute(spec, sel.at(Scope.DISTRICT)),
                indicator=indicator,
                targets=targets,
                behind=behind,
                scope=Scope.DISTRICT,
            )
        town_rows += _rows(
            compute(spec, sel), indicator=indicator, targets=targets, behind=behind, scope=Scope.TOWN
        )
    town_code = None if town is None else (town_rows[0].scope_code if town_rows else None)
    return ComplianceReport(
        year=year,
        town_code=town_code,
        reference_date=reference_date(year),
        rows=tuple(district_rows + town_rows),
    )


figures.register(
    "compliance", lambda year, town: _compliance_report(user=SYSTEM_READER, year=year, town=town)
)
