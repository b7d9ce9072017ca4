"""`python manage.py fit_runoff_model [--target tn|tp|both] [--method auto|gamma_glm|log_ols|mixedlm]
[--activate] [--sources observations,districts] [--k-folds 5] [--seed 0] [--user USERNAME]`

Fits the runoff model on the training data in the database and stores a new version per target. The new
version is NOT active unless `--activate` is given (it then replaces the active version of its target);
otherwise activate it explicitly with `activate_runoff_model VERSION_ID` or in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from farmadvice.core.errors import ApplicationError
from farmadvice.runoff.models import FitMethod, RunoffModelVersion
from farmadvice.runoff.selectors import SOURCES
from farmadvice.runoff.services import TARGETS, runoff_model_fit, version_cv


def describe(version: RunoffModelVersion) -> list[str]:
    """The version as the commands print it: method, fit, coefficients with 95 % CI, what was left out."""
    training = version.training or {}
    by_source = training.get("rows_by_source", {})
    lines = [
        f"{version.label}: {version.get_target_display()}, {version.formula}",
        f"  n = {version.n_obs} (observations {by_source.get('observation', 0)}, district seasons "
        f"{by_source.get('district', 0)}; synthetic {version.n_synthetic}); fingerprint "
        f"{version.training_fingerprint[:16]}…",
    ]
    cv = version_cv(version)
    if cv:
        lines.append(
            f"  {version.k_folds}-fold CV: log score {cv['log_score']:.4f}, RMSE(log) {cv['rmse_log']:.4f}, "
            f"MAE {cv['mae_kg_per_ha']:.4f} kg/ha"
        )
    diagnostics = version.diagnostics or {}
    lines.append(f"  {diagnostics.get('selection', '')}; errors: {diagnostics.get('cov_type', '')}")
    lines.append(f"  {'term':<28} {'estimate':>10} {'95% CI':>24} {'p':>8}")
    for c in version.coefficients:
        ci = f"[{c['ci_low']:.4f}, {c['ci_high']:.4f}]"
        lines.append(f"  {c['name']:<28} {c['estimate']:>10.4f} {ci:>24} {c['p_value']:>8.3g}")
    for note in diagnostics.get("notes", []):
        lines.append(f"  note: {note}")
    if training.get("excluded"):
        lines.append(f"  left out: {training['excluded']} seasons, e.g.")
        for e in training.get("exclusions", [])[:5]:
            lines.append(f"    {e['source']} {e['label']}: {e['reason']}")
    return lines


class Command(BaseCommand):
    help = __doc__.splitlines()[0] + " Fits and stores a new runoff model version (activation is explicit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--target", choices=[*TARGETS, "both"], default="both")
        parser.add_argument("--method", choices=FitMethod.values, default=FitMethod.AUTO)
        parser.add_argument("--activate", action="store_true", help="Make the new version the active one.")
        parser.add_argument(
            "--sources",
            default=",".join(SOURCES),
            help="Training rows from: observations, districts or both (default %(default)s).",
        )
        parser.add_argument(
            "--unless-active",
            action="store_true",
            help="Skip a target that already has an active version (for first-time set-up scripts).",
        )
        parser.add_argument("--k-folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--user", help="Username recorded as the fitter (committee or admin).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        aliases = {"observations": "observation", "districts": "district"}
        sources = [aliases.get(s.strip(), s.strip()) for s in options["sources"].split(",") if s.strip()]
        if not sources or set(sources) - set(SOURCES):
            raise CommandError(f"--sources takes observations and/or districts; got {options['sources']!r}.")
        targets = TARGETS if options["target"] == "both" else (options["target"],)
        failed = []
        for target in targets:
            if (
                options["unless_active"]
                and RunoffModelVersion.objects.filter(target=target, is_active=True).exists()
            ):
                self.stdout.write(
                    f"{target.upper()}: an active version exists; not fitting (--unless-active)."
                )
                continue
            try:
                version = runoff_model_fit(
                    user=user,
                    target=target,
                    method=options["method"],
                    k_folds=options["k_folds"],
                    seed=options["seed"],
                    activate=options["activate"],
                    sources=sources,
                )
            except ApplicationError as error:
                failed.append(f"{target.upper()}: {error.message}")
                continue
            for line in describe(version):
                self.stdout.write(line)
            if version.is_active:
                self.stdout.write(
                    self.style.SUCCESS(f"  {version.label} is now the active {target.upper()} model.")
                )
            else:
                self.stdout.write(
                    f"  Stored, not active. Activate with: manage.py activate_runoff_model {version.pk}"
                )
        if failed:
            raise CommandError("\n".join(failed))
