"""The committee's dashboard as tables: compliance (indicator × town), the farms behind a rate, the
irrigation districts, and an indicator's trend across years.

Figures come from `farmadvice.indicators.compliance.compliance_report` and the indicator selectors,
read as the user (committee, agents and admins; operators are refused by the selectors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.core.errors import ApplicationError, NotFound
from farmadvice.indicators import compliance, queries
from farmadvice.indicators.compliance import ComplianceReport, ComplianceRow, TargetView
from farmadvice.indicators.models import Direction, Indicator, Target
from farmadvice.indicators.queries import DISTRICT_CODE
from farmadvice.indicators.queries.districts import SEASONS
from farmadvice.registry.models import Town
from farmadvice.web.charts import TargetLine, TrendSeries, trend_chart
from farmadvice.web.formatting import (
    StatusView,
    clauses,
    indicator_label,
    indicator_note,
    name_of,
    number,
    passing_view,
    status_view,
    target_text,
    unit_label,
    water_class,
    with_unit,
)
from farmadvice.web.tables import Cell, Table, text

MSG_UNKNOWN_CELL = gettext_noop("没有这一项：{indicator} / {scope}")
#: At most this many farms are listed under a rate on the page; the export has them all.
DRILL_DOWN_ROWS = 200


def _towns() -> dict[str, Town]:
    return {town.code: town for town in Town.objects.order_by("code")}


def scope_name(scope_code: str, towns: dict[str, Town] | None = None) -> str:
    if scope_code == DISTRICT_CODE:
        return _("全区")
    towns = towns if towns is not None else _towns()
    town = towns.get(scope_code)
    return name_of(town) if town is not None else scope_code


def row_status(row: ComplianceRow) -> StatusView:
    target_year = row.target.year if row.target is not None else None
    return status_view(str(row.status), met=row.met, target_year=target_year, gap=row.gap, unit=row.unit)


def row_target_text(target: TargetView | None, unit: str) -> str:
    if target is None:
        return "—"
    return target_text(target.value, target.direction, unit, target.year)


def cell_url(indicator: str, scope_code: str, year: int) -> str:
    return reverse("web:cell", args=[indicator, scope_code]) + f"?year={year}"


# --- Compliance: indicator × town ---------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceView:
    report: ComplianceReport
    table: Table
    counts: dict[str, int]


def compliance_table(*, user: Any, year: int, town: str | None = None) -> ComplianceView:
    """Every indicator (rows) for the whole district and each town (columns), against the targets;
    each cell links to the farms behind it. With `town`, the district and that town side by side."""
    report = compliance.compliance_report(user=user, year=year)
    towns = _towns()
    by_key = {(row.indicator, row.scope_code): row for row in report.rows}
    scope_codes = list(dict.fromkeys(row.scope_code for row in report.rows))
    if town:
        scope_codes = [code for code in scope_codes if code in (DISTRICT_CODE, town)]
    columns = [_("指标"), *(scope_name(code, towns) for code in scope_codes)]
    rows: list[list[Cell]] = []
    counts = {"met": 0, "fail": 0, "toward": 0, "missing": 0}
    for indicator in Indicator.values:
        first = next((by_key[(indicator, code)] for code in scope_codes if (indicator, code) in by_key), None)
        if first is None:
            continue
        unit = first.unit
        district_row = by_key.get((indicator, DISTRICT_CODE), first)
        target = row_target_text(district_row.target, unit)
        line = [
            text(
                indicator_label(indicator),
                note=_("目标 %(target)s") % {"target": target} if district_row.target else "",
                wrap=True,
            )
        ]
        for code in scope_codes:
            row = by_key.get((indicator, code))
            if row is None:
                line.append(Cell())
                continue
            status = row_status(row)
            if status.key in counts:
                counts[status.key] += 1
            value = row.value if not isinstance(row.value, str) else None
            line.append(
                Cell(
                    value=value,
                    text=with_unit(row.value, unit),
                    status=status if row.target is not None or row.value is None else None,
                    href=cell_url(indicator, code, year),
                    hx_target="#drill-down",
                    title=f"{indicator_label(indicator)} · {scope_name(code, towns)}",
                )
            )
        rows.append(line)
    notes = [
        _("✓ 达标　✗ 未达标　◐ 目标年份未到，尚未达到　— 无数据（缺数据的比率不算 0，也不算 100%）"),
        _("参考日期：%(date)s（采用当日有效的目标和参考值）。")
        % {"date": f"{report.reference_date:%Y-%m-%d}"},
    ]
    details = []
    if report.provisional:
        details.append(
            (
                _("部分结果用到 %(n)s 项暂定参考值（待官方数值录入）") % {"n": len(report.provisional)},
                [f"{use.name} = {use.value} {use.unit}".rstrip() for use in report.provisional],
            )
        )
    table = Table(
        name="compliance",
        title=_("%(year)s 年指标达标情况（指标 × 乡镇）") % {"year": year},
        columns=columns,
        rows=rows,
        notes=notes,
        details=details,
        note_column=_("目标"),
    )
    return ComplianceView(report=report, table=table, counts=counts)


# --- The farms behind a rate --------------------------------------------------------------------


@dataclass(frozen=True)
class CellDetail:
    year: int
    indicator: str
    label: str
    scope_code: str
    scope_name: str
    row: ComplianceRow
    status: StatusView
    counted: int | None
    passing: int | None
    failing: int | None
    not_assessed: int | None
    table: Table
    by_farm: bool
    truncated: int

    @property
    def value_text(self) -> str:
        return with_unit(self.row.value, self.row.unit)

    @property
    def target_text(self) -> str:
        return row_target_text(self.row.target, self.row.unit)


def _find_row(report: ComplianceReport, indicator: str, scope_code: str) -> ComplianceRow:
    for row in report.rows:
        if row.indicator == indicator and row.scope_code == scope_code:
            return row
    raise NotFound(_(MSG_UNKNOWN_CELL).format(indicator=indicator, scope=scope_code))


def _farm_link(code: str) -> str:
    return reverse("web:farm", args=[code])


def _item_rows(row: ComplianceRow, towns: dict[str, Town]) -> list[list[Cell]]:
    """The farms (or districts) a counting indicator judged, failing first."""
    districts = row.indicator == Indicator.DISTRICT_MONITORING
    items = sorted(row.items, key=lambda item: ({False: 0, None: 1, True: 2}[item.passing], item.code))
    return [
        [
            Cell(value=item.code, text=item.code, href="" if districts else _farm_link(item.code)),
            text(item.name, wrap=True),
            text(name_of(towns[item.town_code]) if item.town_code in towns else item.town_code),
            Cell(value=None, status=passing_view(item.passing)),
            Cell(value=clauses(item.reasons), text=clauses(item.reasons) or "—", wrap=True),
        ]
        for item in items
    ]


def _judged_farm_rows(
    *, user: Any, row: ComplianceRow, year: int, scope_code: str, towns: dict[str, Town]
) -> tuple[list[list[Cell]], int, int, int]:
    """Each farm's own figure of an area- or tonne-based rate, against the row's target."""
    frame = queries.indicator_get(
        user=user,
        indicator=row.indicator,
        year=year,
        scope=queries.Scope.FARM,
        town=None if scope_code == DISTRICT_CODE else scope_code,
    )
    target = row.target
    lines: list[tuple[int, str, list[Cell]]] = []
    passing = failing = not_assessed = 0
    for record in frame.records():  # one per farm with data
        value = record.get("value")
        if value is None or target is None:
            met = None
        else:
            met = Target(value=target.value, direction=target.direction).is_met(float(value))
        if met is True:
            passing += 1
        elif met is False:
            failing += 1
        else:
            not_assessed += 1
        reason = ""
        if met is False and target is not None:
            gap = target.value - value if target.direction == Direction.AT_LEAST else value - target.value
            reason = _("差 %(gap)s") % {"gap": with_unit(gap, row.unit)}
        town_code = record.get("town_code")
        lines.append(
            (
                {False: 0, None: 1, True: 2}[met],
                record["scope_code"],
                [
                    Cell(
                        value=record["scope_code"],
                        text=record["scope_code"],
                        href=_farm_link(record["scope_code"]),
                    ),
                    text(record["scope_name"], wrap=True),
                    text(name_of(towns[town_code]) if town_code in towns else town_code),
                    Cell(value=value, text=with_unit(value, row.unit)),
                    Cell(
                        value=None,
                        status=passing_view(met) if target is not None else None,
                        text="" if target else "—",
                    ),
                    text(reason or "—"),
                ],
            )
        )
    lines.sort(key=lambda line: (line[0], line[1]))
    return [line[2] for line in lines], passing, failing, not_assessed


def cell_detail(
    *, user: Any, indicator: str, scope_code: str, year: int, limit: int | None = DRILL_DOWN_ROWS
) -> CellDetail:
    """The farms (or irrigation districts) behind one cell of the compliance table: how many were
    counted, how many pass and fail, and why.

    For the indicators that count farms or districts (manure facility matching, tailwater compliance
    and monitoring, district monitoring) these are compliance's own judgements. For the rates computed
    over areas or tonnes, each farm's own figure (the farm scope of the same indicator) is read
    against the cell's target: a guide to which farms pull the rate down, not the rate itself.
    """
    queries.indicator_spec(indicator)
    town = None if scope_code == DISTRICT_CODE else scope_code
    report = compliance.compliance_report(user=user, year=year, town=town)
    row = _find_row(report, indicator, scope_code)
    towns = _towns()
    label = indicator_label(indicator)
    by_farm = not row.items and row.passing is None
    if by_farm:
        columns = [_("农场编号"), _("名称"), _("乡镇"), _("本场数值"), _("对照目标"), _("原因")]
        try:
            rows, passing, failing, not_assessed = _judged_farm_rows(
                user=user, row=row, year=year, scope_code=scope_code, towns=towns
            )
        except ApplicationError as exc:
            # The rate stands; only the per-farm figures are missing (a reference figure not loaded).
            rows, passing, failing, not_assessed = [], None, None, None
            notes_extra = [exc.message]
        else:
            notes_extra = []
        counted = row.counted
    else:
        districts = indicator == Indicator.DISTRICT_MONITORING
        columns = [
            _("灌区编号") if districts else _("农场编号"),
            _("名称"),
            _("乡镇"),
            _("结果"),
            _("原因"),
        ]
        rows = _item_rows(row, towns)
        counted, passing, failing, not_assessed = row.counted, row.passing, row.failing, row.not_assessed
        notes_extra = []
    notes = [*notes_extra, *(indicator_note(note) for note in row.notes), *row.flags]
    details = []
    if by_farm and row.target is not None:
        notes.insert(
            0,
            _(
                "该比率按面积或数量汇总计算；此处各农场以本场数值对照同一目标，供查找拉低比率的农场，不等于“合格农场比例”。"
            ),
        )
    if row.provisional:
        details.append(
            (
                _("用到 %(n)s 项暂定参考值") % {"n": len(row.provisional)},
                [f"{use.name} = {use.value} {use.unit}".rstrip() for use in row.provisional],
            )
        )
    truncated = max(0, len(rows) - limit) if limit else 0
    table = Table(
        name="cell",
        title=_("%(label)s · %(scope)s · %(year)s 年")
        % {"label": label, "scope": scope_name(scope_code, towns), "year": year},
        columns=columns,
        rows=rows[:limit] if limit else rows,
        notes=notes,
        details=details,
    )
    return CellDetail(
        year=year,
        indicator=indicator,
        label=label,
        scope_code=scope_code,
        scope_name=scope_name(scope_code, towns),
        row=row,
        status=row_status(row),
        counted=counted,
        passing=passing,
        failing=failing,
        not_assessed=not_assessed,
        table=table,
        by_farm=by_farm,
        truncated=truncated,
    )


# --- Irrigation districts -----------------------------------------------------------------------


#: The seasons of the district loads (`queries.districts.SEASONS`), short enough for a phone's column.
SEASON_LABELS = {
    "spring": gettext_noop("春 3–5 月"),
    "summer": gettext_noop("夏 6–8 月"),
    "autumn": gettext_noop("秋 9–11 月"),
    "winter": gettext_noop("冬 1–2、12 月"),
}


@dataclass(frozen=True)
class DistrictsView:
    year: int
    coverage: float | None
    must_monitor: int
    monitored: int
    table: Table
    seasons: Table


def _load_cells(record: dict[str, Any], prefix: str = "") -> list[Cell]:
    """Net TN kg, TN kg/mu, TP kg, TP kg/mu of the year (`prefix` "") or of a season ("summer_")."""
    return [
        Cell(value=record.get(column), text=number(record.get(column)))
        for name in ("tn", "tp")
        for column in (f"{prefix}{name}_net_load_kg", f"{prefix}{name}_net_load_kg_per_mu")
    ]


def _seasons_table(records: list[dict[str, Any]], *, year: int) -> Table:
    """The net loads of each season, four rows per district with paired samples in the year; a season
    without them has its count (0) and no loads."""
    rows = [
        [
            text(record["scope_code"]),
            text(_(SEASON_LABELS[season])),
            Cell(value=record.get(f"{season}_events"), text=number(record.get(f"{season}_events"))),
            *_load_cells(record, f"{season}_"),
        ]
        for record in sorted(records, key=lambda r: r["scope_code"])
        if record.get("events")
        for season in SEASONS
    ]
    return Table(
        name="district-seasons",
        title=_("%(year)s 年灌区各季净输出负荷") % {"year": year},
        columns=[
            _("灌区编号"),
            _("季节"),
            _("成对采样次数"),
            _("TN 净输出（kg）"),
            _("TN（kg/亩）"),
            _("TP 净输出（kg）"),
            _("TP（kg/亩）"),
        ],
        rows=rows,
        notes=[
            _("季节按采样月份；冬季为当年的 1–2 月和 12 月。各季之和即全年。"),
            _("某季没有成对的进出水样品，或其样品缺浓度、水量时，该季负荷空缺（—），不记为 0。"),
            _("只列出本年有成对进出水样品的灌区。"),
        ],
    )


def districts_table(*, user: Any, year: int, town: str | None = None) -> DistrictsView:
    """Every irrigation district: whether it must be monitored (1000 mu and more) and is, its inlet and
    outlet samples, and its net exported TN and TP loads (INDICATORS.md §8); and, in `seasons`, those
    loads season by season."""
    frame = queries.district_net_load(
        user=user, year=year, scope=queries.Scope.IRRIGATION_DISTRICT, town=town
    )
    towns = _towns()
    rows = []
    must = monitored = 0
    records = frame.records()
    for record in records:
        must_monitor = bool(record.get("must_monitor"))
        is_monitored = bool(record.get("monitored"))
        if must_monitor:
            must += 1
            monitored += int(is_monitored)
        status = passing_view(is_monitored) if must_monitor else None
        rows.append(
            [
                text(record["scope_code"]),
                text(record["scope_name"], wrap=True),
                text(
                    name_of(towns[record["town_code"]])
                    if record.get("town_code") in towns
                    else record.get("town_code")
                ),
                Cell(value=record.get("area_mu"), text=number(record.get("area_mu"))),
                text(_("是") if must_monitor else _("否")),
                Cell(value=record.get("inlet_samples"), text=number(record.get("inlet_samples"))),
                Cell(value=record.get("outlet_samples"), text=number(record.get("outlet_samples"))),
                Cell(value=None, status=status, text="" if status else "—"),
                *_load_cells(record),
                text(water_class(record.get("outlet_class"))),
                text(clauses(record.get("reasons") or []) or "—", wrap=True),
            ]
        )
    # Districts that must be monitored first, unmonitored ones at the top: what needs doing.
    rows.sort(
        key=lambda r: (r[4].value != _("是"), (r[7].status.key if r[7].status else "z") != "fail", r[0].value)
    )
    coverage = 100.0 * monitored / must if must else None
    table = Table(
        name="districts",
        title=_("%(year)s 年灌区水质监测与净输出负荷") % {"year": year},
        columns=[
            _("灌区编号"),
            _("名称"),
            _("乡镇"),
            _("面积（亩）"),
            _("须监测（≥1000 亩）"),
            _("进水样品"),
            _("出水样品"),
            _("已监测"),
            _("TN 净输出（kg）"),
            _("TN（kg/亩）"),
            _("TP 净输出（kg）"),
            _("TP（kg/亩）"),
            _("出水水质类别"),
            _("说明"),
        ],
        rows=rows,
        notes=[
            _(
                "净输出负荷 = 出水浓度 × 出水量 − 进水浓度 × 进水量（INDICATORS.md §8）；负值表示灌区净化了水体，如实列出。"
            ),
            _("水质类别按 GB 3838-2002（III / IV / V 类）。"),
        ],
    )
    return DistrictsView(
        year=year,
        coverage=coverage,
        must_monitor=must,
        monitored=monitored,
        table=table,
        seasons=_seasons_table(records, year=year),
    )


# --- Trends -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendView:
    indicator: str
    label: str
    unit: str
    years: Sequence[int]
    svg: str
    table: Table


def _target_lines(indicator: str, unit: str) -> list[TargetLine]:
    """The district-wide targets of an indicator in force today, latest `valid_from` per target year."""
    rows = (
        Target.objects.filter(indicator=indicator, town__isnull=True)
        .order_by("year", "-valid_from")
        .values_list("year", "value", "direction")
    )
    chosen: dict[int, tuple[float, str]] = {}
    for year, value, direction in rows:
        chosen.setdefault(year, (float(value), direction))
    return [
        TargetLine(
            label=_("目标 %(target)s") % {"target": target_text(value, direction, unit, year)}, value=value
        )
        for year, (value, direction) in sorted(chosen.items())
    ]


def trend(*, user: Any, indicator: str, years: Sequence[int], town: str | None = None) -> TrendView:
    """An indicator across `years` for the whole district (and one town), from the same selectors as
    the compliance table: per year one town-scope query, the district being its roll-up."""
    spec = queries.indicator_spec(indicator)
    years = sorted(years)
    district_values: list[float | None] = []
    town_values: list[float | None] = []
    for year in years:
        sel = queries.selection(user=user, year=year, scope=queries.Scope.TOWN, cache=True)
        district = queries.compute(spec, sel.at(queries.Scope.DISTRICT)).row(DISTRICT_CODE)
        district_values.append(_float(district.get("value")) if district else None)
        if town:
            own = queries.compute(spec, sel).row(town)
            town_values.append(_float(own.get("value")) if own else None)
    label = indicator_label(indicator)
    series = [TrendSeries(label=_("全区"), values=district_values)]
    if town:
        series.append(TrendSeries(label=scope_name(town), values=town_values))
    unit = unit_label(spec.unit)
    svg = trend_chart(years, series, unit=unit, targets=_target_lines(indicator, spec.unit))
    table = Table(
        name="trend",
        title=_("%(label)s：历年变化") % {"label": label},
        columns=[_("范围"), *(str(y) for y in years)],
        rows=[
            [text(line.label), *(Cell(value=v, text=with_unit(v, spec.unit)) for v in line.values)]
            for line in series
        ],
    )
    return TrendView(indicator=indicator, label=label, unit=unit, years=years, svg=svg, table=table)


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    return float(value)
