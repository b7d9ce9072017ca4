"""Issue the reports of a town or of the whole district in the background (a report batch)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from farmadvice.core.errors import ApplicationError
from reports.models import BatchScope, Language
from reports.selectors import batch_progress
from reports.services import report_batch_create


class Command(BaseCommand):
    help = (
        "Create a report batch for a town (--town) or the whole district (--all) and enqueue it on the "
        "configured task backend; a worker (manage.py db_worker, or rqworker) issues the reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--town", help="Town code or Chinese name")
        where.add_argument("--all", action="store_true", help="Every active farm of the district")
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--lang", choices=Language.values, default=Language.ZH_HANS)
        parser.add_argument("--user", required=True, help="Username the reports are issued by")
        parser.add_argument("--wait", action="store_true", help="Print progress until the batch is finished")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        try:
            batch = report_batch_create(
                user=user,
                scope=BatchScope.DISTRICT if options["all"] else BatchScope.TOWN,
                town=options["town"],
                year=options["year"],
                language=options["lang"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Batch {batch.pk}: {batch.total} farms enqueued ({batch}).")
        while options["wait"]:
            progress = batch_progress(batch)
            self.stdout.write(
                f"  done {progress.done}, failed {progress.failed}, pending {progress.pending + progress.running}"
            )
            if progress.finished:
                for error in progress.errors:
                    self.stdout.write(f"  {error.farm_code} {error.farm_name}: {error.error}")
                break
            time.sleep(2)
