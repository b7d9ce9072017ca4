from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from farmadvice.core.backup import backup_create


class Command(BaseCommand):
    help = "Back up every table (with history) and the archived report files into one .tar.gz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, type=Path, help="The .tar.gz file to write.")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        summary = backup_create(output)
        self.stdout.write(
            f"{summary.path}: {summary.objects} objects, {summary.media_files} media files, sha256 {summary.sha256}"
        )
