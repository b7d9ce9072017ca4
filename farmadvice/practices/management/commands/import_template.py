"""Write blank import templates (xlsx with notes and drop-downs, or csv): one record type, or all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from farmadvice.practices.bulk import LAYOUTS, template_file
from farmadvice.practices.management.commands.import_records import record_type_arg


class Command(BaseCommand):
    help = (
        "Write the blank import template of one record type (--type) to -o (a file or a directory), or "
        "of every type into the directory -o."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", dest="record_type", type=record_type_arg)
        parser.add_argument("--format", dest="fmt", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("-o", "--output", type=Path, default=Path("."))

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        types = [options["record_type"]] if options["record_type"] else [t.value for t in LAYOUTS]
        for record_type in types:
            template = template_file(record_type=record_type, fmt=options["fmt"])
            single_file = options["record_type"] and not output.is_dir() and output.suffix
            path = output if single_file else output / template.file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(template.content)
            self.stdout.write(f"已写入 {path}")
