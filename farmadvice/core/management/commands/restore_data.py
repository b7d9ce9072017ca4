from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from farmadvice.core.backup import backup_restore
from farmadvice.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Restore a backup made by backup_data into an empty, migrated database (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: Any, archive: Path, **options: Any) -> None:
        try:
            summary = backup_restore(archive)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"restored {summary.objects} objects and {summary.media_files} media files")
