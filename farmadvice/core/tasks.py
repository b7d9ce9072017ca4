"""Background work of the core app, through Django's tasks API (see reports/tasks.py for the backends)."""

from __future__ import annotations

from django_tasks import task

from farmadvice.core import figures


@task()
def refresh_figures(name: str, year: int, town: str | None, language: str | None) -> int:
    """Compute a cached figure for the current data version (figures.cached asks for it); returns the
    version computed for."""
    return figures.refresh(name, year, town, language).version
