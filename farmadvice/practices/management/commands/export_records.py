"""Export records in the import layout (xlsx or csv), so the file re-imports cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from farmadvice.core.errors import ApplicationError
from farmadvice.practices.bulk import records_export
from farmadvice.practices.management.commands.import_records import MSG_UNKNOWN_USER, record_type_arg


class Command(BaseCommand):
    help = (
        "Export records of one type as xlsx or csv in the import template's layout. With --user, exactly "
        "the records that user may see; without, every record (the command runs on the server)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", dest="record_type", type=record_type_arg, required=True)
        parser.add_argument(
            "--format", dest="fmt", choices=["xlsx", "csv"], help="Default: from -o, else xlsx."
        )
        parser.add_argument("--year", type=int)
        parser.add_argument("--town", help="Town code or Chinese name.")
        parser.add_argument("--user", help="Export what this user may see.")
        parser.add_argument("-o", "--output", type=Path, required=True, help="The file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        fmt = options["fmt"] or ("csv" if output.suffix.lower() == ".csv" else "xlsx")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_(MSG_UNKNOWN_USER).format(username=options["user"]))
        try:
            export = records_export(
                user=user,
                record_type=options["record_type"],
                fmt=fmt,
                year=options["year"],
                town=options["town"],
                unrestricted=user is None,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        output.write_bytes(export.content)
        self.stdout.write(f"已导出到 {output}")
