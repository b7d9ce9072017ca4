"""Computed figures (the compliance table, area loads) cached until the data behind them change.

The committee's dashboard asks for the district's compliance table over and over, and each computation
reads every record of the year (~0.3 s for the demo's 400 farms). The answer changes only when data do,
so it is cached under the *data version*: one counter in the database (`DataVersion`), raised after
every committed change to the data the figures are computed from.

- Saves and deletions of every model of `DATA_APPS` raise it through Django's signals (the API, the
  pages, the admin, `loaddata`, the reference loader).
- Writes that send no signals (`bulk_create`, `QuerySet.update`) call `data_changed()` themselves: the
  bulk import, the demo loaders.
- The counter is raised after the transaction commits (`transaction.on_commit`), once per transaction,
  in its own short statement, so a long import does not hold a lock on it. A reader that computes while
  a transaction commits stores its figures under the version it read, which no later reader asks for.

Figures are cached only for readers who see everything (`access.reads_all`): their answer does not depend
on who asks. The key holds the active language too, since messages inside figures are translated.
The cache is Django's default cache: per process with the local-memory backend (each gunicorn worker
computes once per data version), shared when CACHES points to Redis. `FIGURES_CACHE_SECONDS = 0`
switches the cache off (the test settings do, except in the tests of this module).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import F, Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

from farmadvice.core.models import DataVersion

#: The apps whose data the cached figures are computed from (records, farms, reference figures, targets,
#: runoff models).
DATA_APPS = ("registry", "reference", "practices", "indicators", "runoff")

T = TypeVar("T")


def current_version() -> int:
    """The data version now (0 before the first change is recorded)."""
    version = DataVersion.objects.filter(pk=DataVersion.SINGLETON).values_list("version", flat=True).first()
    return version or 0


def _bump() -> None:
    updated = DataVersion.objects.filter(pk=DataVersion.SINGLETON).update(
        version=F("version") + 1, changed_at=timezone.now()
    )
    if not updated:
        DataVersion.objects.get_or_create(pk=DataVersion.SINGLETON, defaults={"version": 1})


def data_changed(using: str | None = None) -> None:
    """Record that data of `DATA_APPS` changed: the version rises when the current transaction commits
    (at once outside a transaction), once however many changes the transaction made."""
    alias = using or router.db_for_write(DataVersion)
    connection = connections[alias]
    if connection.in_atomic_block and any(func is _bump for _sids, func, _robust in connection.run_on_commit):
        return  # already due when this transaction commits (dropped with a rolled-back savepoint)
    transaction.on_commit(_bump, using=alias)


def cached(name: str, parts: tuple[object, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or its value cached for this data version, `name`, `parts` and language."""
    seconds = getattr(settings, "FIGURES_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    raw = repr((name, current_version(), translation.get_language(), parts)).encode()
    key = f"figures:{name}:{hashlib.sha256(raw).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def _on_change(sender: type[Model], **kwargs: object) -> None:
    data_changed(using=kwargs.get("using"))  # type: ignore[arg-type]


def connect_signals() -> None:
    """Raise the data version on saves and deletions of every model of `DATA_APPS` (core's ready())."""
    for label in DATA_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if hasattr(model, "instance_type"):
                continue  # a django-simple-history table: written with the change it records
            uid = f"figures-{model._meta.label}"
            post_save.connect(_on_change, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(_on_change, sender=model, dispatch_uid=uid + "-delete")
            m2m_changed.connect(_on_change, sender=model, dispatch_uid=uid + "-m2m")
