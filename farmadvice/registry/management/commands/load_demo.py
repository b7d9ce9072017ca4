"""`manage.py load_demo`: the seeded Chongming demo population and its logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from farmadvice.core.errors import ApplicationError
from farmadvice.demo.generator import DEFAULT_FARMS, DEFAULT_SEED, DEFAULT_YEARS, DemoParams
from farmadvice.demo.loader import DEMO_EMAIL_DOMAIN, demo_load

MSG_NEEDS_DEBUG = (
    "load_demo creates a superuser and other accounts with published passwords; it runs only with "
    "DEBUG on. Pass --force to load the demo into this database anyway."
)
MSG_BAD_YEARS = "--years takes a range such as 2022-2025 or a list such as 2022,2024; got {value!r}."


def parse_years(value: str) -> tuple[int, ...]:
    """ "2022-2025" → (2022, 2023, 2024, 2025); "2022,2024" → (2022, 2024)."""
    try:
        if "-" in value:
            first, last = (int(part) for part in value.split("-", 1))
            return tuple(range(first, last + 1))
        return tuple(int(part) for part in value.split(","))
    except ValueError as exc:
        raise CommandError(MSG_BAD_YEARS.format(value=value)) from exc


class Command(BaseCommand):
    help = (
        "Load a seeded, realistic Chongming demo population: farms in all 18 towns, irrigation "
        "districts with water samples, and several years of crop, livestock and aquaculture records, "
        "some deliberately off target; plus one login per role (admin, committee, agent, agent2, "
        "operator, operator2), printed with their passwords. The same --seed gives the same records, "
        "ids included. Idempotent: when the demo set is present it is kept and only the logins are "
        "re-set; --reset deletes the demo set (every village, district and farm created by the demo "
        f"users, @{DEMO_EMAIL_DOMAIN}, their records and history) and rebuilds it. Needs "
        "load_reference first; runs only with DEBUG on unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed (default %(default)s)."
        )
        parser.add_argument(
            "--farms", type=int, default=DEFAULT_FARMS, help="Number of farms (default %(default)s)."
        )
        parser.add_argument(
            "--years",
            default=f"{DEFAULT_YEARS[0]}-{DEFAULT_YEARS[-1]}",
            help="Years of records, a range or a comma-separated list (default %(default)s).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo set and rebuild it with these options."
        )
        parser.add_argument(
            "--password", default=None, help="One password for every demo login instead of the demo ones."
        )
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(MSG_NEEDS_DEBUG)
        try:
            params = DemoParams(
                seed=options["seed"], n_farms=options["farms"], years=parse_years(options["years"])
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            result = demo_load(params=params, reset=options["reset"], password=options["password"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        if result.created:
            deleted = (
                f" (after deleting {result.deleted} rows of the previous demo set)" if result.deleted else ""
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded in {result.seconds:.1f} s{deleted}: seed {params.seed}, "
                    f"{params.n_farms} farms, years {params.years[0]}-{params.years[-1]}."
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    "Demo data already present: kept as it is, logins re-set. Use --reset to rebuild it."
                )
            )
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<26}{count:>8}")
        self.stdout.write("")
        rows = [("username", "password", "role", "can see")]
        rows += [(login.username, login.password, login.role, login.sees) for login in result.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stdout.write(
                "  "
                + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
                + "  "
                + row[3]
            )
