"""The reference figures in force for a year, gathered into plain dataclasses for the formulas.

INDICATORS.md (preamble): every coefficient, limit and threshold comes from `data/*.csv` with its
`source`, `status` and `valid_from`. A report for year Y uses the figures in force on **31 December of
Y** (`reference_date`), so a figure replaced later (a new row with a later `valid_from`) leaves past
reports as they were, and a figure that changed during Y (the livestock thresholds of 2025-09-01) applies
to the whole of Y.

Every figure carries a `ReferenceUse` (name, value, unit, status, source, valid_from) so the results can
say which figures they rest on and which of those are provisional. A figure an indicator needs and that
is missing raises `ApplicationError` with a message that names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.core.errors import ApplicationError
from farmadvice.core.models import SourcedModel, Status
from farmadvice.indicators.formulas import Limit
from farmadvice.reference.models import (
    AnimalGroup,
    CoefficientKind,
    CollectionMethod,
    Crop,
    CropCoefficient,
    HeadBasis,
    LivestockThreshold,
    PigEquivalent,
    Species,
    StandardLimit,
    WastewaterCoefficient,
    WaterUse,
)
from farmadvice.reference.selectors import in_force, reference_row

MSG_CROP_COEFFICIENT_MISSING = gettext_noop(
    "作物“{crop}”（{code}）缺少 {on} 起生效的{coefficient}（{kind}）：请在参考数据中录入后再计算秸秆利用率。"
)
MSG_THRESHOLD_MISSING = gettext_noop("畜种“{species}”缺少 {on} 起生效的规模养殖场标准：请在参考数据中录入。")
MSG_PIG_EQUIVALENT_MISSING = gettext_noop(
    "畜种“{species}”缺少 {on} 起生效的猪当量换算系数：请在参考数据中录入。"
)
MSG_WASTEWATER_MISSING = gettext_noop(
    "缺少 {on} 起生效的养殖废水量系数（{group}，{method}）：请在参考数据中录入。"
)
MSG_STANDARD_MISSING = gettext_noop("缺少 {on} 起生效的{use}标准限值：请在参考数据中录入。")

# Named figures (ReferenceValue keys) the indicators use.
FILM_MIN_THICKNESS_KEY = "film_standard_min_thickness_mm"
MANURE_STORAGE_DAYS_KEY = "manure_storage_days"
MANURE_LAND_CAPACITY_KEY = "manure_land_capacity_pig_eq_per_mu"
SOLID_MANURE_KEY = "solid_manure_m3_per_pig_eq_per_day"
DISTRICT_MONITORING_KEY = "district_monitoring_min_area_mu"

# GB 18596 gives wastewater per 100 pigs, per 1000 poultry and per 100 cattle. Sheep, goats and rabbits
# have no group of their own: their wastewater is sized as pigs, through their pig equivalents (GB 18596
# expresses every species in pig equivalents). This is our reading and `LivestockReference` says so.
SPECIES_GROUP: Mapping[str, str] = {
    Species.PIG: AnimalGroup.PIG,
    Species.BEEF_CATTLE: AnimalGroup.CATTLE,
    Species.DAIRY_COW: AnimalGroup.CATTLE,
    Species.BROILER: AnimalGroup.POULTRY,
    Species.LAYER: AnimalGroup.POULTRY,
    Species.MEAT_DUCK: AnimalGroup.POULTRY,
    Species.LAYING_DUCK: AnimalGroup.POULTRY,
    Species.GOOSE: AnimalGroup.POULTRY,
}
VIA_PIG_EQUIVALENTS_NOTE = gettext_noop(
    "羊、兔的废水量按猪当量折算为生猪计算（GB 18596 以猪当量统一计量；本系统的处理）。"
)


def reference_date(year: int) -> dt.date:
    """The day whose figures a report for `year` uses: 31 December of that year."""
    return dt.date(year, 12, 31)


@dataclass(frozen=True, slots=True)
class ReferenceUse:
    """One reference figure an indicator rests on, as shown in reports ("which figures were provisional")."""

    name: str
    value: str
    unit: str
    status: str
    source: str
    valid_from: dt.date

    @property
    def provisional(self) -> bool:
        return self.status == Status.PROVISIONAL


def _number_text(value: object) -> str:
    text = f"{value}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _use(name: str, row: SourcedModel, value: object, unit: str) -> ReferenceUse:
    return ReferenceUse(
        name=name,
        value=_number_text(value),
        unit="" if unit == "1" else unit,  # "1": dimensionless
        status=row.status,
        source=row.source,
        valid_from=row.valid_from,
    )


@dataclass(frozen=True, slots=True)
class Figure:
    """A single figure in force, as a float, with where it came from."""

    value: float
    use: ReferenceUse


def named_figure(key: str, *, year: int) -> Figure:
    """A `ReferenceValue` in force for the year; `ApplicationError` naming the key when there is none."""
    row = reference_row(key, on=reference_date(year))
    return Figure(value=float(row.value), use=_use(key, row, row.value, row.unit))


def unique_uses(uses: Iterable[ReferenceUse]) -> tuple[ReferenceUse, ...]:
    """The uses without repeats, in first-seen order."""
    return tuple(dict.fromkeys(uses))


# --- §4 Straw --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StrawCoefficients:
    """A crop's straw-to-grain ratio and collection coefficient in force (INDICATORS.md §4)."""

    crop_id: int
    crop_code: str
    straw_grain_ratio: Figure
    collection_coefficient: Figure


def straw_coefficients(*, year: int, crop_ids: Iterable[int]) -> dict[int, StrawCoefficients]:
    """The straw coefficients of the given crops, keyed by crop id (INDICATORS.md §4).

    A crop without either coefficient in force raises `ApplicationError` naming the crop and the
    coefficient: the ledger cannot be computed without it, and a guess would be silently wrong.
    """
    wanted = set(crop_ids)
    if not wanted:
        return {}
    on = reference_date(year)
    kinds = (CoefficientKind.STRAW_GRAIN_RATIO, CoefficientKind.COLLECTION_COEFFICIENT)
    rows = in_force(
        CropCoefficient.objects.filter(crop_id__in=wanted, kind__in=kinds).select_related("crop"),
        key_fields=("crop_id", "kind"),
        on=on,
    )
    found = {(row.crop_id, row.kind): row for row in rows}
    crops = {crop.pk: crop for crop in Crop.objects.filter(pk__in=wanted)}
    result: dict[int, StrawCoefficients] = {}
    for crop_id in sorted(wanted):
        crop = crops[crop_id]
        figures: list[Figure] = []
        for kind in kinds:
            row = found.get((crop_id, kind))
            if row is None:
                raise ApplicationError(
                    _(MSG_CROP_COEFFICIENT_MISSING).format(
                        crop=crop.name_zh,
                        code=crop.code,
                        on=on,
                        coefficient=CoefficientKind(kind).label,
                        kind=kind,
                    ),
                    extra={"crop": crop.code, "coefficient": str(kind)},
                )
            figures.append(
                Figure(
                    value=float(row.value),
                    use=_use(f"{kind}[{crop.code}]", row, row.value, row.unit),
                )
            )
        result[crop_id] = StrawCoefficients(
            crop_id=crop_id,
            crop_code=crop.code,
            straw_grain_ratio=figures[0],
            collection_coefficient=figures[1],
        )
    return result


# --- §6 Livestock ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Threshold:
    """Large-scale threshold of a species: heads on `basis` (annual output or in stock) ≥ `min_heads`."""

    species: str
    basis: str
    min_heads: int
    use: ReferenceUse


@dataclass(frozen=True, slots=True)
class PigEquivalentFactor:
    """`heads` of the species are `pig_equivalents` pigs (GB 18596)."""

    species: str
    heads: float
    pig_equivalents: float
    use: ReferenceUse | None

    @property
    def per_head(self) -> float:
        """Pig equivalents per head."""
        return self.pig_equivalents / self.heads


@dataclass(frozen=True, slots=True)
class Wastewater:
    """Wastewater of a group and collection method, m3 per `per_heads` animals per day (GB 18596)."""

    group: str
    method: str
    summer_m3_per_day: float
    winter_m3_per_day: float
    per_heads: int
    use: ReferenceUse


# A pig is one pig equivalent by definition; no reference row is needed for that.
PIG_ITSELF = PigEquivalentFactor(species=Species.PIG, heads=1.0, pig_equivalents=1.0, use=None)


@dataclass(frozen=True)
class LivestockReference:
    """Everything §6 needs for a year: thresholds, pig equivalents, wastewater, storage and land figures."""

    year: int
    thresholds: Mapping[str, Threshold]
    pig_equivalents: Mapping[str, PigEquivalentFactor]
    wastewater: Mapping[tuple[str, str], Wastewater]
    storage_days: Figure
    land_capacity_pig_eq_per_mu: Figure
    solid_m3_per_pig_eq_per_day: Figure
    notes: tuple[str, ...] = field(default=(VIA_PIG_EQUIVALENTS_NOTE,))

    def threshold(self, species: str) -> Threshold:
        found = self.thresholds.get(species)
        if found is None:
            raise ApplicationError(
                _(MSG_THRESHOLD_MISSING).format(species=Species(species).label, on=reference_date(self.year)),
                extra={"species": species},
            )
        return found

    def pig_equivalent(self, species: str) -> PigEquivalentFactor:
        found = self.pig_equivalents.get(species)
        if found is None:
            raise ApplicationError(
                _(MSG_PIG_EQUIVALENT_MISSING).format(
                    species=Species(species).label, on=reference_date(self.year)
                ),
                extra={"species": species},
            )
        return found

    def wastewater_for(self, group: str, method: str) -> Wastewater:
        found = self.wastewater.get((group, method))
        if found is None:
            raise ApplicationError(
                _(MSG_WASTEWATER_MISSING).format(
                    on=reference_date(self.year),
                    group=AnimalGroup(group).label,
                    method=CollectionMethod(method).label,
                ),
                extra={"group": group, "method": method},
            )
        return found


def livestock_reference(*, year: int) -> LivestockReference:
    """The §6 figures in force for the year (INDICATORS.md §6). Named figures missing raise."""
    on = reference_date(year)
    thresholds = {
        row.species: Threshold(
            species=row.species,
            basis=row.basis,
            min_heads=row.min_heads,
            use=_use(
                f"large_scale_threshold[{row.species}]",
                row,
                row.min_heads,
                _("头/只（{basis}）").format(basis=HeadBasis(row.basis).label),
            ),
        )
        for row in in_force(LivestockThreshold.objects.all(), key_fields=("species",), on=on)
    }
    pig_equivalents: dict[str, PigEquivalentFactor] = {Species.PIG: PIG_ITSELF}
    for row in in_force(PigEquivalent.objects.all(), key_fields=("species",), on=on):
        pig_equivalents[row.species] = PigEquivalentFactor(
            species=row.species,
            heads=float(row.heads),
            pig_equivalents=float(row.pig_equivalents),
            use=_use(
                f"pig_equivalent[{row.species}]",
                row,
                f"{_number_text(row.heads)}={_number_text(row.pig_equivalents)}",
                _("头/只=猪当量"),
            ),
        )
    wastewater = {
        (row.group, row.method): Wastewater(
            group=row.group,
            method=row.method,
            summer_m3_per_day=float(row.summer_m3_per_day),
            winter_m3_per_day=float(row.winter_m3_per_day),
            per_heads=row.per_heads,
            use=_use(
                f"wastewater_summer[{row.group}/{row.method}]",
                row,
                row.summer_m3_per_day,
                _("m3/{heads}头(只)·天").format(heads=row.per_heads),
            ),
        )
        for row in in_force(WastewaterCoefficient.objects.all(), key_fields=("group", "method"), on=on)
    }
    return LivestockReference(
        year=year,
        thresholds=thresholds,
        pig_equivalents=pig_equivalents,
        wastewater=wastewater,
        storage_days=named_figure(MANURE_STORAGE_DAYS_KEY, year=year),
        land_capacity_pig_eq_per_mu=named_figure(MANURE_LAND_CAPACITY_KEY, year=year),
        solid_m3_per_pig_eq_per_day=named_figure(SOLID_MANURE_KEY, year=year),
    )


# --- §7, §8 Water standards ------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardLevels:
    """The limits of one water standard in force, by level (INDICATORS.md §7, §8).

    `levels` lists (level name, level rank, limits) best (strictest) first; `uses` has one entry per
    limit row, keyed like `levels` by rank.
    """

    standard: str
    use: str
    levels: tuple[tuple[str, int, tuple[Limit, ...]], ...]
    uses_by_rank: Mapping[int, tuple[ReferenceUse, ...]]

    def limits_for_rank(self, rank: int) -> tuple[Limit, ...] | None:
        for _name, level_rank, limits in self.levels:
            if level_rank == rank:
                return limits
        return None

    def classes(self) -> list[tuple[str, tuple[Limit, ...]]]:
        """(level name, limits) best first, as `formulas.water_class` takes them."""
        return [(name, limits) for name, _rank, limits in self.levels]

    def all_uses(self) -> tuple[ReferenceUse, ...]:
        return tuple(use for rank in sorted(self.uses_by_rank) for use in self.uses_by_rank[rank])


def standard_levels(*, year: int, use: str) -> StandardLevels:
    """The standard of highest precedence in force for a water use, with its levels' limits.

    A local standard (e.g. Shanghai's) is entered with a higher `precedence` and then replaces the
    national one as a whole (INDICATORS.md §7). Raises when no standard for the use is in force.
    """
    on = reference_date(year)
    rows = in_force(
        StandardLimit.objects.filter(use=use), key_fields=("standard", "level", "parameter"), on=on
    )
    if not rows:
        raise ApplicationError(
            _(MSG_STANDARD_MISSING).format(on=on, use=WaterUse(use).label), extra={"use": use}
        )
    standard = max(rows, key=lambda row: (row.precedence, row.standard)).standard
    chosen = [row for row in rows if row.standard == standard]
    ranks = sorted({(row.level_rank, row.level) for row in chosen})
    levels: list[tuple[str, int, tuple[Limit, ...]]] = []
    uses: dict[int, tuple[ReferenceUse, ...]] = {}
    for rank, level in ranks:
        level_rows = sorted(
            (row for row in chosen if row.level_rank == rank and row.level == level),
            key=lambda row: row.parameter,
        )
        limits = tuple(
            Limit(
                parameter=row.parameter,
                min_value=None if row.min_value is None else float(row.min_value),
                max_value=None if row.max_value is None else float(row.max_value),
            )
            for row in level_rows
        )
        levels.append((level, rank, limits))
        uses[rank] = tuple(
            _use(
                f"{standard}[{level}].{row.parameter}",
                row,
                _bounds_text(row.min_value, row.max_value),
                "" if row.parameter == "ph" else "mg/L",
            )
            for row in level_rows
        )
    return StandardLevels(standard=standard, use=use, levels=tuple(levels), uses_by_rank=uses)


def _bounds_text(min_value: object, max_value: object) -> str:
    if min_value is not None and max_value is not None:
        return f"{_number_text(min_value)}-{_number_text(max_value)}"
    if max_value is not None:
        return f"≤{_number_text(max_value)}"
    return f"≥{_number_text(min_value)}"
