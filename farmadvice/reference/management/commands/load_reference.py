"""`manage.py load_reference`: load the reference CSVs in data/ (see farmadvice.reference.loading)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from farmadvice.reference.loading import ReferenceDataError, load_reference


class Command(BaseCommand):
    help = (
        "Load the reference figures (coefficients, limits, thresholds, targets) from the CSV files. "
        "Every row is validated first; on any error nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Directory holding the CSV files (default: data/ in the project).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and report what would be loaded, then roll back.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir: Path = options["data_dir"] or Path(settings.BASE_DIR) / "data"
        try:
            report = load_reference(data_dir, dry_run=options["dry_run"])
        except ReferenceDataError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from exc

        width = max(len(name) for name in report.files)
        for name, counts in report.files.items():
            self.stdout.write(
                f"{name:<{width}}  {counts.created:>4} created  {counts.unchanged:>4} unchanged"
                f"  {counts.updated:>4} updated"
            )
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        if report.dry_run:
            self.stdout.write(self.style.WARNING("Dry run: rolled back, nothing was written."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {data_dir}: {report.created} created, {report.unchanged} unchanged."
                )
            )
