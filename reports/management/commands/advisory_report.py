"""Render one farm's advisory report to a file, and archive it (or, with --no-archive, only write it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from farmadvice.core.errors import ApplicationError
from farmadvice.registry.models import Farm
from reports.models import Language
from reports.services import report_issue, report_render_draft

MSG_USER_REQUIRED = "Archiving records who issued the report: give --user USERNAME (or --no-archive)."


class Command(BaseCommand):
    help = "Render the advisory report of FARM_CODE for a year and language into a PDF file, and archive it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("farm_code")
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--lang", choices=Language.values, default=Language.ZH_HANS)
        parser.add_argument("-o", "--output", required=True, type=Path, help="Where to write the PDF")
        parser.add_argument("--user", help="Username the archived report is issued by (access rules apply)")
        parser.add_argument(
            "--no-archive",
            action="store_true",
            help="Only write the file: a draft without version or verification code, nothing stored",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        farm = Farm.objects.select_related("town").filter(code=options["farm_code"]).first()
        if farm is None:
            raise CommandError(f"No farm with code {options['farm_code']!r}.")
        output: Path = options["output"]
        try:
            if options["no_archive"]:
                pdf = report_render_draft(farm=farm, year=options["year"], language=options["lang"]).pdf
                output.write_bytes(pdf)
                self.stdout.write(f"{output}: draft, {len(pdf)} bytes, not archived")
                return
            if not options["user"]:
                raise CommandError(MSG_USER_REQUIRED)
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
            report = report_issue(user=user, farm=farm, year=options["year"], language=options["lang"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        with report.file.open("rb") as archived:
            output.write_bytes(archived.read())
        self.stdout.write(
            f"{output}: {report} archived as {report.file.name}, {report.page_count} pages, "
            f"sha256 {report.sha256}, verification code {report.verification_code}"
        )
