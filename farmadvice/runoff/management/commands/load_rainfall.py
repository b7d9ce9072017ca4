"""`python manage.py load_rainfall [--data-dir DIR]`: load data/rainfall.csv (season rainfall on Chongming,
with source, status and valid_from) into the database; all or nothing, never overwriting a figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from farmadvice.core.errors import ApplicationError
from farmadvice.runoff.services import season_rainfall_load


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = season_rainfall_load(data_dir=options["data_dir"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if options["verbosity"]:
            self.stdout.write(f"rainfall.csv: {report.created} created, {report.unchanged} unchanged.")
