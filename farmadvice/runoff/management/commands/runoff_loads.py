"""`python manage.py runoff_loads --year Y [--farm CODE | --town T] [--format table|csv]`: estimated TN
and TP runoff loads (INDICATORS.md §9) of one farm's seasons, or the town and district totals, with the
model version used or the export-coefficient fallback and its reason."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from farmadvice.core.errors import ApplicationError
from farmadvice.indicators.queries import SYSTEM_READER
from farmadvice.runoff.services import Estimate, area_loads, farm_loads


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _interval(estimate: Estimate | None) -> str:
    if estimate is None:
        return "—"
    if estimate.low is None or estimate.high is None:
        return _fmt(estimate.value)
    return f"{estimate.value:,.2f} [{estimate.low:,.2f}, {estimate.high:,.2f}]"


class Command(BaseCommand):
    help = __doc__.splitlines()[0] + " Prints estimated runoff loads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--farm", help="Farm code: its seasons")
        where.add_argument("--town", help="Town code or Chinese name: its total (default: every town)")
        parser.add_argument("--format", choices=["table", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["farm"]:
                self._farm(options)
            else:
                self._area(options)
        except ApplicationError as error:
            raise CommandError(error.message) from error

    def _farm(self, options: dict[str, Any]) -> None:
        loads = farm_loads(user=SYSTEM_READER, code=options["farm"], year=options["year"])
        rows = [
            [
                s.season,
                s.crop,
                f"{s.area_mu:g}",
                _interval(s.tn.kg),
                s.tn.method,
                _interval(s.tp.kg),
                s.tp.method,
                "; ".join(r for r in (s.tn.reason, s.tp.reason) if r),
            ]
            for s in loads.seasons
        ]
        header = [
            "season",
            "crop",
            "area_mu",
            "TN kg [95% PI]",
            "TN method",
            "TP kg [95% PI]",
            "TP method",
            "notes",
        ]
        total = ["total", "", "", _interval(loads.tn_total.kg), "", _interval(loads.tp_total.kg), "", ""]
        self._write(options, header, [*rows, total])
        if options["format"] == "table":
            for use in loads.models:
                self.stdout.write(
                    f"{use.target.upper()}: {use.label or 'no active model (export coefficients)'}"
                )
            for note in loads.notes:
                self.stdout.write(f"note: {note}")

    def _area(self, options: dict[str, Any]) -> None:
        loads = area_loads(user=SYSTEM_READER, year=options["year"], town=options["town"])
        header = ["scope", "code", "name", "farms", "seasons", "area_ha", "TN kg", "TP kg", "TN fallback",
                  "TP fallback", "measured TN kg", "measured TP kg"]  # fmt: skip
        rows = [
            [r.scope, r.code, r.name, r.farms, r.seasons, _fmt(r.area_ha), _fmt(r.tn_kg), _fmt(r.tp_kg),
             r.tn_fallback_seasons, r.tp_fallback_seasons, _fmt(r.measured_tn_kg), _fmt(r.measured_tp_kg)]
            for r in loads.rows
        ]  # fmt: skip
        self._write(options, header, rows)
        if options["format"] == "table":
            for use in loads.models:
                self.stdout.write(
                    f"{use.target.upper()}: {use.label or 'no active model (export coefficients)'}"
                )

    def _write(self, options: dict[str, Any], header: list[str], rows: list[list[Any]]) -> None:
        if options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(header)
            writer.writerows(rows)
            return
        self.stdout.write("\t".join(header))
        for row in rows:
            self.stdout.write("\t".join(str(cell) for cell in row))
