"""Import one sheet of records from an xlsx or csv file: all rows or none (farmadvice.practices.bulk)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.core.errors import ApplicationError
from farmadvice.practices.bulk import LAYOUTS, ImportRejected, RowError, record_type_for, records_import

MSG_UNKNOWN_USER = gettext_noop("用户不存在或已停用：{username}")
MSG_NO_FILE = gettext_noop("文件不存在：{path}")
MSG_REJECTED = gettext_noop("导入失败：文件“{file}”有 {count} 个错误，未写入任何记录。")


def record_type_arg(value: str) -> str:
    """argparse type for --type: a slug (fertiliser-applications or _), or the sheet name (施肥记录)."""
    record_type = record_type_for(value)
    if record_type is None:
        choices = "、".join(f"{t.value}（{layout.sheet}）" for t, layout in LAYOUTS.items())
        raise argparse.ArgumentTypeError(f"未知记录类型“{value}”；可选：{choices}")
    return record_type.value


def describe(error: RowError) -> str:
    where = f"第 {error.row} 行" if error.row else "文件"
    cell = f" [{error.cell}]" if error.cell else ""
    column = f" {error.column}" if error.column else ""
    value = f" 值“{error.value}”" if error.value else ""
    return f"{where}{cell}{column}{value}：{error.reason}"


class Command(BaseCommand):
    help = (
        "Import records from an xlsx or csv file in the template layout. The whole file is checked first; "
        "it is written in one transaction only when every row is valid. Re-importing a file creates no "
        "duplicates. Exits non-zero, listing every error (row, column, value, reason), when it refuses."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The .xlsx or .csv file.")
        parser.add_argument(
            "--type",
            dest="record_type",
            type=record_type_arg,
            help="Record type (e.g. seasons, fertiliser-applications, 施肥记录); by default read from the "
            "sheet name or the header row.",
        )
        parser.add_argument(
            "--user",
            required=True,
            help="Username the import is made as: its access rules apply, and records are stored as its.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Update stored records whose values differ from the file (refused otherwise).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_(MSG_NO_FILE).format(path=path))
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_(MSG_UNKNOWN_USER).format(username=options["user"]))
        try:
            report = records_import(
                user=user,
                content=path.read_bytes(),
                file_name=path.name,
                record_type=options["record_type"],
                update=options["update"],
                dry_run=options["dry_run"],
            )
        except ImportRejected as exc:
            for error in exc.row_errors:
                self.stderr.write(describe(error))
            if exc.error_count > len(exc.row_errors):
                self.stderr.write(f"……另有 {exc.error_count - len(exc.row_errors)} 个错误未列出。")
            raise CommandError(_(MSG_REJECTED).format(file=path.name, count=exc.error_count)) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        layout = LAYOUTS[report.record_type]
        verb = "试导入（未写入）" if report.dry_run else "已导入"
        self.stdout.write(
            f"{verb} {layout.sheet}（{report.record_type}）{report.file_name}：{report.rows} 行，"
            f"新建 {report.created}，更新 {report.updated}，未变 {report.unchanged}。"
        )
        for warning in report.warnings:
            column = f" {warning.column}" if warning.column else ""
            self.stdout.write(f"提示：第 {warning.row} 行{column}：{warning.message}")
