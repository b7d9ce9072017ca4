"""`python manage.py compliance --year Y [--town T] [--format table|csv|json]`: the year's indicators
against their targets for the whole district and every town (or one town), with the farms and districts
behind each rate and the provisional figures the results rest on."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from farmadvice.core.errors import ApplicationError
from farmadvice.indicators.compliance import ComplianceReport, ComplianceRow, compliance_report
from farmadvice.indicators.queries import SYSTEM_READER

HEADERS = ("指标", "范围", "数值", "目标", "状态", "差距", "计数", "达标", "未达标", "未评估")
STATUS_TEXT = {
    "met": "达标",
    "not_met": "未达标",
    "working_toward": "推进中",
    "missing": "无数据",
    "no_target": "无目标",
}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        # Two decimals, or three significant digits below 1 (0.0412 kg a.i./mu, not 0.04).
        return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else f"{value:.3g}"
    return str(value)


def _target(row: ComplianceRow) -> str:
    if row.target is None:
        return "—"
    sign = "≥" if row.target.direction == "at_least" else "≤"
    return f"{sign}{row.target.value:g}（{row.target.year}）"


def render_table(report: ComplianceReport) -> str:
    """The report as a text table, then what fails and why, the flags and the provisional figures."""
    lines = [[
        row.label, row.scope_name, _number(row.value), _target(row), STATUS_TEXT[row.status],
        _number(row.gap), _number(row.counted), _number(row.passing), _number(row.failing),
        _number(row.not_assessed),
    ] for row in report.rows]  # fmt: skip
    widths = [max(_width(cell) for cell in column) for column in zip(HEADERS, *lines, strict=True)]
    out = [f"合规情况 {report.year} 年（参考值按 {report.reference_date} 生效者）", ""]
    out.append("  ".join(_pad(header, width) for header, width in zip(HEADERS, widths, strict=True)))
    out.append("  ".join("-" * width for width in widths))
    out += ["  ".join(_pad(cell, width) for cell, width in zip(line, widths, strict=True)) for line in lines]
    details = []
    for row in report.rows:
        failing = [item for item in row.items if item.passing is not True]
        if not failing and not row.flags:
            continue
        details.append(f"{row.label} · {row.scope_name}")
        details += [f"  {item.code} {item.name}：{'；'.join(item.reasons) or '未评估'}" for item in failing]
        details += [f"  ⚑ {flag}" for flag in row.flags]
    if details:
        out += ["", "未达标明细与标记：", *details]
    if report.provisional:
        out += ["", "※ 以下参考值为暂定（provisional），结果据此计算："]
        out += [f"  {use.name} = {use.value} {use.unit}（{use.source}）" for use in report.provisional]
    return "\n".join(out)


def as_json(report: ComplianceReport) -> str:
    payload = dataclasses.asdict(report)
    payload["provisional"] = [dataclasses.asdict(use) for use in report.provisional]
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


class Command(BaseCommand):
    help = "The year's indicators against their targets (district and towns), with the farms behind them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="Year, e.g. 2025")
        parser.add_argument("--town", help="One town: code (310151100), Chinese or English name")
        parser.add_argument("--format", choices=("table", "csv", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = compliance_report(user=SYSTEM_READER, year=options["year"], town=options["town"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if options["format"] == "csv":
            self.stdout.write(report.to_frame().to_csv(index=False), ending="")
        elif options["format"] == "json":
            self.stdout.write(as_json(report))
        else:
            self.stdout.write(render_table(report))
