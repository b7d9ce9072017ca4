"""Reads the pages need beyond the domain selectors: farm lists with "data missing" flags, a farm's
records of a year, the records of a visit, and which years have data.

Every read starts from `access.farms_visible_to(user)` (through `registry.selectors.farm_list` or
`practices.selectors.record_list`), so a page shows exactly what the API would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Max,
    Min,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from farmadvice.accounts import access
from farmadvice.core.errors import NotFound
from farmadvice.practices import selectors as practice_selectors
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    LivestockHerd,
    ManureFacility,
    MulchFilm,
    PesticideApplication,
    Season,
    StrawUse,
    TailwaterSample,
    Visit,
)
from farmadvice.practices.selectors import RecordKind
from farmadvice.registry import selectors as registry_selectors
from farmadvice.registry.models import Farm, FarmType

CROP_TYPES = (FarmType.CROP, FarmType.MIXED)
#: The seasons of a year in the order they come (the stored codes sort alphabetically).
SEASON_ORDER = {season: index for index, season in enumerate(Season.values)}
AQUACULTURE = FarmType.AQUACULTURE
LIVESTOCK = FarmType.LIVESTOCK
MIXED = FarmType.MIXED


def current_year() -> int:
    return timezone.localdate().year


# --- Years -------------------------------------------------------------------------------------------


#: The year pickers offer at least this many years back from this one.
YEARS_BACK = 4


def data_years() -> list[int]:
    """The years the records cover and the last few, up to this year, newest first (the year pickers)."""
    span = CropSeason.objects.aggregate(first=Min("year"), last=Max("year"))
    this_year = current_year()
    first = min(span["first"] or this_year, this_year - YEARS_BACK)
    return list(range(max(this_year, span["last"] or this_year), first - 1, -1))


def latest_data_year(*, farm: Farm | None = None) -> int:
    """The latest year with crop seasons (of the farm, or of any farm), else this year: the dashboard and
    a farm page open on a year that has figures rather than on an empty new year."""
    seasons = CropSeason.objects.filter(year__lte=current_year())
    if farm is not None:
        years = [
            seasons.filter(farm=farm).aggregate(y=Max("year"))["y"],
            TailwaterSample.objects.filter(farm=farm).aggregate(y=Max("date__year"))["y"],
            LivestockHerd.objects.filter(farm=farm).aggregate(y=Max("year"))["y"],
        ]
        found = [y for y in years if y is not None and y <= current_year()]
        return max(found) if found else current_year()
    return seasons.aggregate(y=Max("year"))["y"] or current_year()


# --- "Data missing this season" ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlagRule:
    """A record a farm of some type should have in the year. `missing` is a condition on the annotated
    farm queryset of `farms_with_flags`, so the flag is computed (and filtered on) in SQL."""

    key: str
    label: Any
    missing: Q


FLAG_RULES: tuple[FlagRule, ...] = (
    FlagRule(
        "season",
        _("无作物茬口"),
        Q(farm_type__in=CROP_TYPES, has_season=False),
    ),
    FlagRule(
        "fertiliser",
        _("无施肥记录"),
        Q(farm_type__in=CROP_TYPES, has_season=True, has_fertiliser=False),
    ),
    FlagRule(
        "herd",
        _("无存栏记录"),
        Q(farm_type=LIVESTOCK, has_herd=False),
    ),
    FlagRule(
        "manure",
        _("无粪污设施记录"),
        Q(farm_type=LIVESTOCK, has_manure_facility=False)
        | Q(farm_type=MIXED, has_herd=True, has_manure_facility=False),
    ),
    FlagRule(
        "tailwater",
        _("无尾水样品"),
        Q(farm_type=AQUACULTURE, has_tailwater=False)
        | (Q(farm_type=MIXED, has_tailwater=False) & ~Q(tailwater_class="")),
    ),
)


def _year_exists(model: type[Model], farm_path: str, year_lookup: str, year: int) -> Exists:
    return Exists(model.objects.filter(**{farm_path: OuterRef("pk"), year_lookup: year}))


def with_flags(farms: QuerySet[Farm], *, year: int) -> QuerySet[Farm]:
    """Annotate each farm with what it has on record in `year`, one `missing_<key>` boolean per
    `FLAG_RULES`, and the date of its latest visit. One query, whatever the number of farms."""
    farms = farms.annotate(
        has_season=_year_exists(CropSeason, "farm", "year", year),
        has_fertiliser=_year_exists(FertiliserApplication, "season__farm", "season__year", year),
        has_herd=_year_exists(LivestockHerd, "farm", "year", year),
        has_manure_facility=_year_exists(ManureFacility, "farm", "year", year),
        has_tailwater=_year_exists(TailwaterSample, "farm", "date__year", year),
        last_visit=Subquery(Visit.objects.filter(farm=OuterRef("pk")).order_by("-date").values("date")[:1]),
    )
    return farms.annotate(
        **{
            f"missing_{rule.key}": Case(
                When(rule.missing, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
            for rule in FLAG_RULES
        }
    )


def missing_any() -> Q:
    q = Q()
    for rule in FLAG_RULES:
        q |= Q(**{f"missing_{rule.key}": True})
    return q


def flags_of(farm: Farm) -> list[FlagRule]:
    """The flags of a farm annotated by `with_flags`."""
    return [rule for rule in FLAG_RULES if getattr(farm, f"missing_{rule.key}", False)]


def farm_search(
    *,
    user: Any,
    year: int,
    q: str = "",
    town: str = "",
    mine: bool = False,
    farm_type: str = "",
    missing_only: bool = False,
) -> QuerySet[Farm]:
    """Active farms the user may see, searched (code, name, contact), with this year's flags.

    `mine`: only the agent's assigned towns. `missing_only`: only farms with at least one flag.
    """
    farms = registry_selectors.farm_list(
        user=user, town=town or None, farm_type=farm_type or None, q=q or None
    )
    farms = farms.filter(active=True)
    if mine:
        farms = farms.filter(town_id__in=access.assigned_town_ids(user))
    farms = with_flags(farms, year=year)
    if missing_only:
        farms = farms.filter(missing_any())
    return farms.select_related("town", "village")


# --- A farm's records of a year ------------------------------------------------------------------


@dataclass(frozen=True)
class FarmYear:
    """A farm's records of one year, as the farm page lists them: crop seasons with what was done on
    them, and the farm-level records."""

    year: int
    seasons: Sequence[CropSeason]
    herds: Sequence[LivestockHerd]
    manure_facilities: Sequence[ManureFacility]
    tailwater_samples: Sequence[TailwaterSample]
    visits: Sequence[Visit]

    @property
    def empty(self) -> bool:
        return not (
            self.seasons or self.herds or self.manure_facilities or self.tailwater_samples or self.visits
        )


def farm_record_years(*, farm: Farm) -> list[int]:
    """Years in which the farm has any record, newest first, with this year always offered."""
    years = {current_year()}
    years.update(CropSeason.objects.filter(farm=farm).values_list("year", flat=True).distinct())
    years.update(LivestockHerd.objects.filter(farm=farm).values_list("year", flat=True).distinct())
    years.update(ManureFacility.objects.filter(farm=farm).values_list("year", flat=True).distinct())
    years.update(TailwaterSample.objects.filter(farm=farm).values_list("date__year", flat=True).distinct())
    return sorted(years, reverse=True)


def farm_year(*, user: Any, farm: Farm, year: int) -> FarmYear:
    """The farm's records of `year`, each list in the order the API lists it."""

    def records(kind: RecordKind) -> QuerySet:
        return practice_selectors.record_list(user=user, kind=kind, parent=farm, filters={"year": year})

    seasons = records(practice_selectors.SEASONS).prefetch_related(
        Prefetch(
            "fertiliser_applications",
            queryset=FertiliserApplication.objects.order_by("date", "created_at"),
        ),
        Prefetch(
            "pesticide_applications", queryset=PesticideApplication.objects.order_by("date", "created_at")
        ),
        Prefetch("straw_uses", queryset=StrawUse.objects.order_by("created_at")),
        Prefetch("mulch_films", queryset=MulchFilm.objects.order_by("created_at")),
    )
    return FarmYear(
        year=year,
        seasons=sorted(seasons, key=lambda s: (SEASON_ORDER.get(s.season, 9), s.crop.code)),
        herds=list(records(practice_selectors.HERDS)),
        manure_facilities=list(records(practice_selectors.MANURE_FACILITIES)),
        tailwater_samples=list(records(practice_selectors.TAILWATER_SAMPLES)),
        visits=list(records(practice_selectors.VISITS)),
    )


def farm_seasons(*, user: Any, farm: Farm) -> QuerySet[CropSeason]:
    """The farm's crop seasons, newest first: what a fertiliser, pesticide, straw or film record hangs
    from."""
    return practice_selectors.record_list(user=user, kind=practice_selectors.SEASONS, parent=farm)


def farm_visits(*, user: Any, farm: Farm) -> QuerySet[Visit]:
    return practice_selectors.record_list(user=user, kind=practice_selectors.VISITS, parent=farm)


@dataclass(frozen=True)
class VisitRecords:
    kind: RecordKind
    records: Sequence[Model]


def visit_records(*, user: Any, visit: Visit) -> list[VisitRecords]:
    """The records entered during a visit, by kind (kinds without any are left out)."""
    found = []
    for kind in practice_selectors.RECORD_KINDS:
        if kind in (practice_selectors.VISITS, practice_selectors.WATER_SAMPLES):
            continue
        records = list(
            practice_selectors.records_visible_to(user, kind).filter(visit=visit).order_by(*kind.ordering)
        )
        if records:
            found.append(VisitRecords(kind=kind, records=records))
    return found


def visit_get(*, user: Any, farm: Farm, visit_id: Any) -> Visit:
    """A visit to `farm` (NotFound when it is not, or the user may not see the farm)."""
    visit = practice_selectors.record_get(user=user, kind=practice_selectors.VISITS, record_id=visit_id)
    if visit.farm_id != farm.pk:
        raise NotFound(
            gettext(practice_selectors.MSG_RECORD_NOT_FOUND).format(
                name=practice_selectors.VISITS.name, id=visit_id
            )
        )
    return visit


def today() -> dt.date:
    return timezone.localdate()
