"""Reads for the records, always through the access rules, and the table of record kinds.

Eleven record types share one shape: each hangs from a farm, a crop season or an irrigation district, is
visible to whoever may see that parent, and is written by whoever may write in the parent's town.
`RecordKind` states that shape once per type, so that one set of selectors and services (and one API
route builder) serves all of them instead of ten near-copies.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.core.errors import NotFound
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    LivestockHerd,
    ManureFacility,
    MulchFilm,
    PesticideApplication,
    StrawUse,
    TailwaterSample,
    Visit,
    WaterSample,
)
from farmadvice.registry import selectors as registry_selectors
from farmadvice.registry.models import Farm
from farmadvice.runoff.models import RunoffObservation

MSG_RECORD_NOT_FOUND = gettext_noop("记录不存在：{name} {id}")

Parent = Literal["farm", "season", "district"]


@dataclass(frozen=True)
class RecordKind:
    """One record type: its model, what it hangs from, how it is listed.

    `parent` is also the name of the model's foreign key to it. `filters` maps a list filter's name to the
    ORM lookup it applies (None values are skipped).
    """

    slug: str
    model: type[Model]
    parent: Parent
    ordering: tuple[str, ...]
    filters: Mapping[str, str] = field(default_factory=dict)
    related: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def farm_path(self) -> str | None:
        """The lookup from a record to its farm; None for district records."""
        return {"farm": "farm", "season": "season__farm", "district": None}[self.parent]

    def queryset(self) -> QuerySet:
        """All records of this kind, with what their answers show (parent, crop, authors) joined in."""
        return self.model.objects.select_related(*self.related, "created_by", "updated_by")

    def farm_of(self, record: Model) -> Farm | None:
        if self.parent == "district":
            return None
        return record.season.farm if self.parent == "season" else record.farm


_DATES = {"date_from": "date__gte", "date_to": "date__lte"}

SEASONS = RecordKind(
    "seasons",
    CropSeason,
    "farm",
    ordering=("-year", "season", "crop__code", "id"),
    filters={"year": "year", "season": "season", "crop": "crop__code"},
    related=("farm", "crop"),
)
FERTILISER_APPLICATIONS = RecordKind(
    "fertiliser-applications",
    FertiliserApplication,
    "season",
    ordering=("date", "created_at", "id"),
    filters={"method": "method", "slow_release": "slow_release", **_DATES},
    related=("season__farm", "season__crop"),
)
PESTICIDE_APPLICATIONS = RecordKind(
    "pesticide-applications",
    PesticideApplication,
    "season",
    ordering=("date", "created_at", "id"),
    filters={"green_control": "green_control", **_DATES},
    related=("season__farm",),
)
STRAW_USES = RecordKind(
    "straw-uses",
    StrawUse,
    "season",
    ordering=("created_at", "id"),
    filters={"use": "use", "off_field": "off_field"},
    related=("season__farm", "season__crop"),
)
MULCH_FILMS = RecordKind(
    "mulch-films",
    MulchFilm,
    "season",
    ordering=("created_at", "id"),
    filters={"biodegradable": "biodegradable"},
    related=("season__farm",),
)
HERDS = RecordKind(
    "herds",
    LivestockHerd,
    "farm",
    ordering=("-year", "species", "id"),
    filters={"year": "year", "species": "species"},
    related=("farm",),
)
MANURE_FACILITIES = RecordKind(
    "manure-facilities",
    ManureFacility,
    "farm",
    ordering=("-year", "id"),
    filters={"year": "year"},
    related=("farm",),
)
TAILWATER_SAMPLES = RecordKind(
    "tailwater-samples",
    TailwaterSample,
    "farm",
    ordering=("-date", "id"),
    filters={"year": "date__year", "is_discharge": "is_discharge", **_DATES},
    related=("farm",),
)
WATER_SAMPLES = RecordKind(
    "water-samples",
    WaterSample,
    "district",
    ordering=("-date", "point", "id"),
    filters={"year": "date__year", "point": "point", **_DATES},
    related=("district",),
)
VISITS = RecordKind(
    "visits",
    Visit,
    "farm",
    ordering=("-date", "id"),
    filters={"year": "date__year", **_DATES},
    related=("farm", "agent"),
)
# Measured runoff loads of a field or plot season: training data of the runoff model (farmadvice.runoff).
RUNOFF_OBSERVATIONS = RecordKind(
    "runoff-observations",
    RunoffObservation,
    "farm",
    ordering=("-year", "plot_code", "season", "id"),
    filters={"year": "year", "season": "season", "crop": "crop__code", "data_source": "data_source"},
    related=("farm", "crop"),
)

RECORD_KINDS: tuple[RecordKind, ...] = (
    SEASONS,
    FERTILISER_APPLICATIONS,
    PESTICIDE_APPLICATIONS,
    STRAW_USES,
    MULCH_FILMS,
    HERDS,
    MANURE_FACILITIES,
    TAILWATER_SAMPLES,
    WATER_SAMPLES,
    VISITS,
    RUNOFF_OBSERVATIONS,
)


def records_visible_to(user: Any, kind: RecordKind) -> QuerySet:
    """Every record of `kind` the user may read: those of visible farms, or of visible districts."""
    if kind.farm_path is None:
        visible = {"district__in": access.districts_visible_to(user)}
    else:
        visible = {f"{kind.farm_path}__in": access.farms_visible_to(user)}
    return kind.queryset().filter(**visible)


def record_parent_get(*, user: Any, kind: RecordKind, key: str | uuid.UUID) -> Model:
    """The farm (by code), crop season (by id) or district (by code) a record of `kind` hangs from; 404
    when the user may not see it."""
    if kind.parent == "farm":
        return registry_selectors.farm_get(user=user, code=str(key))
    if kind.parent == "district":
        return registry_selectors.district_get(user=user, code=str(key))
    return record_get(user=user, kind=SEASONS, record_id=key)


def record_list(
    *, user: Any, kind: RecordKind, parent: Model, filters: Mapping[str, Any] | None = None
) -> QuerySet:
    """The records of `kind` under `parent`, narrowed by the named filters (see RecordKind.filters)."""
    lookups = {kind.filters[name]: value for name, value in (filters or {}).items() if value is not None}
    return records_visible_to(user, kind).filter(**{kind.parent: parent}, **lookups).order_by(*kind.ordering)


def record_get(*, user: Any, kind: RecordKind, record_id: str | uuid.UUID) -> Model:
    record = records_visible_to(user, kind).filter(pk=record_id).first()
    if record is None:
        raise NotFound(_(MSG_RECORD_NOT_FOUND).format(name=kind.name, id=record_id))
    return record
