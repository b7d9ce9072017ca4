"""`python manage.py activate_runoff_model VERSION_ID [--deactivate] [--user USERNAME]`: make a stored
runoff model version the active one of its target (the previously active one is deactivated), or take it
out of use (its target falls back to the export coefficients)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from farmadvice.core.errors import ApplicationError
from farmadvice.runoff.services import runoff_model_activate, runoff_model_deactivate


class Command(BaseCommand):
    help = __doc__.splitlines()[0] + " Activates (or deactivates) a runoff model version explicitly."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version_id", type=int)
        parser.add_argument("--deactivate", action="store_true", help="Take the version out of use.")
        parser.add_argument("--user", help="Username recorded as the one who activated it.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        act = runoff_model_deactivate if options["deactivate"] else runoff_model_activate
        try:
            version = act(user=user, version_id=options["version_id"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        state = "active" if version.is_active else "not active (export coefficients in use)"
        self.stdout.write(f"{version.label}: {state}.")
