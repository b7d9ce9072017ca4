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

When the data changed since the cached figures were computed, and they were computed less than
`FIGURES_STALE_SECONDS` ago, the reader gets them at once, marked as computed for the earlier version and
being refreshed (`AsOf.refreshing`), while a task worker computes the current ones (the `refresh_figures`
task, enqueued once, to run no sooner than `FIGURES_REFRESH_SECONDS` after the cached figures were
computed): agents record all day, and the committee's dashboard should neither wait for a recomputation
after each record nor have the worker recompute without pause while records keep coming. Older than that (or with no worker running), the reader waits for the
new figures. Every answer says which data version it was computed for and when (`AsOf`), and the pages and
the API show it.

Figures are cached only for readers who see everything (`access.reads_all`): their answer does not depend
on who asks, and they are computed as `SYSTEM_READER`. The key holds the active language too, since
messages inside figures are translated. The cache is Django's default cache, which the web processes and
the task workers share (CACHE_URL: a folder by default, Redis for several machines).
`FIGURES_CACHE_SECONDS = 0` switches it off (the test settings do, except in the tests of this module).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

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

logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class AsOf:
    """Which data a figure was computed from: the data version, when, and whether newer data are being
    taken in (the figure is then that of an earlier version, at most `FIGURES_STALE_SECONDS` old)."""

    data_version: int
    computed_at: dt.datetime
    refreshing: bool = False


@dataclass(frozen=True)
class _Entry:
    version: int
    computed_at: dt.datetime
    value: Any


#: name -> function(year, town) computing the figure for a reader who sees everything.
_FIGURES: dict[str, Callable[[int, str | None], Any]] = {}


#: name -> functions(year, town, figure) run where the figure was computed, in its language, e.g. to
#: render its JSON once for every web process (api.figures).
_ON_COMPUTED: dict[str, list[Callable[[int, str | None, Any], None]]] = {}


def register(name: str, compute: Callable[[int, str | None], Any]) -> None:
    """Make `compute(year, town)` a cached figure called `name` (its module does it at import)."""
    _FIGURES[name] = compute


def on_computed(name: str, function: Callable[[int, str | None, Any], None]) -> None:
    """Have `function(year, town, figure)` run after each computation of the figure `name`, with the
    figure stamped; a failure is logged and does not fail the computation."""
    if function not in _ON_COMPUTED.setdefault(name, []):
        _ON_COMPUTED[name].append(function)


def cached(name: str, year: int, town: str | None = None) -> Any:
    """The figure `name` for the year and town, stamped with `as_of`: the cached one when it is of the
    current data version; the cached one of an earlier version while a worker computes the current one
    (`FIGURES_STALE_SECONDS`); else computed now. The figure is a dataclass with an `as_of` field."""
    seconds = getattr(settings, "FIGURES_CACHE_SECONDS", 0)
    if not seconds:
        return _FIGURES[name](year, town)
    language = translation.get_language()
    key = _key(name, year, town, language)
    version = current_version()
    entry: _Entry | None = cache.get(key)
    if entry is not None and entry.version == version:
        return _stamped(entry)
    if entry is not None and entry.version < version:
        age = (timezone.now() - entry.computed_at).total_seconds()
        if age <= getattr(settings, "FIGURES_STALE_SECONDS", 0):
            not_before = entry.computed_at + dt.timedelta(
                seconds=getattr(settings, "FIGURES_REFRESH_SECONDS", 0)
            )
            _start_refresh(key, name, year, town, language, not_before=not_before)
            return _stamped(entry, refreshing=True)
    return _stamped(refresh(name, year, town, language))


def refresh(name: str, year: int, town: str | None, language: str | None) -> _Entry:
    """Compute the figure and cache it under the data version read first: a change committed meanwhile
    leaves the entry one version behind, and the next reader has it refreshed."""
    key = _key(name, year, town, language)
    version = current_version()
    computed_at = timezone.now()
    with translation.override(language):
        value = _FIGURES[name](year, town)
    entry = _Entry(version, computed_at, value)
    current: _Entry | None = cache.get(key)
    if current is None or current.version <= version:
        cache.set(key, entry, getattr(settings, "FIGURES_CACHE_SECONDS", 0) or None)
    cache.delete(key + ":refreshing")
    with translation.override(language):
        for function in _ON_COMPUTED.get(name, ()):
            try:
                function(year, town, _stamped(entry))
            except Exception:
                logger.exception("After computing the figures %s, %r failed", name, function)
    return entry


def _key(name: str, year: int, town: str | None, language: str | None) -> str:
    raw = repr((name, year, town, language)).encode()
    return f"figures:{name}:{hashlib.sha256(raw).hexdigest()}"


def _stamped(entry: _Entry, *, refreshing: bool = False) -> Any:
    return replace(entry.value, as_of=AsOf(entry.version, entry.computed_at, refreshing))


def _start_refresh(
    key: str, name: str, year: int, town: str | None, language: str | None, *, not_before: dt.datetime
) -> None:
    """Have a task worker compute the current figure, unless one has been asked to already; not before
    `not_before`, so that while agents keep recording, a figure is recomputed at most once every
    `FIGURES_REFRESH_SECONDS` (each computation reads the whole year's records)."""
    from farmadvice.core.tasks import refresh_figures

    if not cache.add(key + ":refreshing", True, getattr(settings, "FIGURES_STALE_SECONDS", 0) or 60):
        return
    task = refresh_figures if not_before <= timezone.now() else refresh_figures.using(run_after=not_before)
    try:
        task.enqueue(name=name, year=year, town=town, language=language)
    except Exception:
        # No queue to put it on: the figures age out, and a reader then computes them itself.
        logger.exception("Could not enqueue the refresh of the figures %s", name)
        cache.delete(key + ":refreshing")


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
