"""The section interface of the advisory report: what each section consumes.

Each section is a frozen dataclass filled by a provider function in `reports/context.py`. A provider
returns figures (floats, `None` for missing, never 0 for "no data") with labels already translated into
the active language (providers run inside `translation.override(language)`), and, when it cannot give
its figures, `missing`: what is missing and how to provide it, which the report prints instead of an
empty table. Templates only format; they decide nothing.

Units are in the field names: `_kg`, `_kg_per_mu`, `_pct`. Intervals are 95 % unless `level` says
otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class MissingData:
    """A gap the report names instead of printing an empty table: what is missing, how to provide it."""

    what: str
    how: str


@dataclass(frozen=True, slots=True)
class DataSource:
    """A reference figure or data set the report rests on; `status` is official / published / provisional."""

    label: str
    source: str
    status: str
    valid_from: dt.date | None = None

    @property
    def provisional(self) -> bool:
        return self.status == "provisional"


@dataclass(frozen=True, slots=True)
class FarmIdentity:
    code: str
    name: str
    farm_type: str
    operator_kind: str
    town: str
    village: str
    area_mu: float
    irrigation_district: str
    contact_name: str


# --- Indicators (fed by farmadvice/indicators: selectors and compliance) ------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One indicator of INDICATORS.md for the farm and year, against its target and the town median.

    `key` is an `indicators.models.Indicator` value; `unit` is "%" or e.g. "kg/亩". `direction` says
    which side of the target is good ("at_least" or "at_most"); `met` is None when the value or the
    target is missing. `provisional` marks a figure resting on a provisional reference value.
    """

    key: str
    label: str
    unit: str
    farm_value: float | None
    target_value: float | None = None
    direction: Literal["at_least", "at_most"] | None = None
    target_year: int | None = None  # a later year's target is the one being worked toward
    town_median: float | None = None
    met: bool | None = None
    provisional: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class IndicatorSection:
    rows: tuple[IndicatorRow, ...] = ()
    town: str = ""
    missing: tuple[MissingData, ...] = ()
    sources: tuple[DataSource, ...] = ()


# --- Nutrient balance (computed here from the records and the crop coefficients) -------------------


@dataclass(frozen=True, slots=True)
class NutrientRow:
    """N applied on one crop season against the recommended rate (INDICATORS.md §1), kg N per mu sown.

    `excess_n_kg` is (applied − recommended) × sown area where positive, else 0; None when either rate
    is missing.
    """

    season: str
    crop: str
    area_mu: float
    n_applied_kg: float | None
    n_applied_kg_per_mu: float | None
    recommended_n_kg_per_mu: float | None
    difference_kg_per_mu: float | None
    excess_n_kg: float | None
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class NutrientSection:
    applies: bool = True
    rows: tuple[NutrientRow, ...] = ()
    total_area_mu: float | None = None
    total_n_applied_kg: float | None = None
    n_intensity_kg_per_mu: float | None = None
    total_excess_n_kg: float | None = None
    missing: tuple[MissingData, ...] = ()
    sources: tuple[DataSource, ...] = ()


# --- Runoff loads (fed by farmadvice/runoff: predictions and scenarios) ---------------------------


@dataclass(frozen=True, slots=True)
class Interval:
    """A point estimate with its interval, in the unit of the field that holds it. `low`/`high` are None
    where no interval can honestly be given (the export-coefficient fallback)."""

    estimate: float
    low: float | None = None
    high: float | None = None
    level: float = 0.95


@dataclass(frozen=True, slots=True)
class LoadRow:
    """The farm's estimated runoff load of one nutrient in the year, kg, now and under the advice."""

    nutrient: Literal["TN", "TP"]
    now_kg: Interval
    advised_kg: Interval | None = None
    now_kg_per_ha: Interval | None = None
    advised_kg_per_ha: Interval | None = None


@dataclass(frozen=True, slots=True)
class LoadSection:
    """`method` is "model" (the fitted regression) or "export_coefficients" (the fallback of DESIGN.md).

    `model_version` is the label stored on the issued report. `measured_note` carries the measured
    district loads of INDICATORS.md §8 where they exist, to be read beside the estimates.
    """

    rows: tuple[LoadRow, ...] = ()
    method: Literal["model", "export_coefficients", ""] = ""
    model_version: str = ""
    note: str = ""
    measured_note: str = ""
    missing: tuple[MissingData, ...] = ()
    sources: tuple[DataSource, ...] = ()


# --- Recommendations (fed by farmadvice/advice) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One piece of advice, ranked (1 = first), with the model's expected load reduction in kg/year."""

    rank: int
    title: str
    detail: str
    reduction_tn_kg: Interval | None = None
    reduction_tp_kg: Interval | None = None
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class AdviceSection:
    recommendations: tuple[Recommendation, ...] = ()
    missing: tuple[MissingData, ...] = ()
    sources: tuple[DataSource, ...] = ()


# --- Tailwater and manure checks (fed by farmadvice/indicators compliance where it lands) ----------


@dataclass(frozen=True, slots=True)
class TailwaterSampleRow:
    """One discharge sample judged against the limits (INDICATORS.md §7)."""

    date: dt.date
    complies: bool | None
    exceedances: tuple[str, ...] = ()
    not_measured: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TailwaterSection:
    applies: bool = False
    standard: str = ""
    samples: tuple[TailwaterSampleRow, ...] = ()
    farm_complies: bool | None = None
    missing: tuple[MissingData, ...] = ()
    sources: tuple[DataSource, ...] = ()


@dataclass(frozen=True, slots=True)
class ManureSection:
    """Manure facility matching of a livestock farm (INDICATORS.md §6); `failures` name what fails by how much."""

    applies: bool = False
    large_scale: bool | None = None
    matched: bool | None = None
    failures: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    missing: tuple[MissingData, ...] = ()
    sources: tuple[DataSource, ...] = ()


# --- The whole report ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueRecord:
    """What the archive records about this copy; `verification_code` is empty on an unarchived draft."""

    version: int | None
    issued_at: dt.datetime
    issued_by: str
    verification_code: str = ""
    verification_url: str = ""


@dataclass(frozen=True, slots=True)
class ReportContext:
    farm: FarmIdentity
    year: int
    language: str
    issue: IssueRecord
    indicators: IndicatorSection
    nutrients: NutrientSection
    loads: LoadSection
    advice: AdviceSection
    tailwater: TailwaterSection
    manure: ManureSection
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def sources(self) -> tuple[DataSource, ...]:
        """Every source the sections name, once each, in the order they first appear."""
        seen: dict[tuple[str, str, str], DataSource] = {}
        for section in (
            self.indicators,
            self.nutrients,
            self.loads,
            self.advice,
            self.tailwater,
            self.manure,
        ):
            for source in section.sources:
                seen.setdefault((source.label, source.source, source.status), source)
        return tuple(seen.values())

    @property
    def provisional(self) -> bool:
        return any(source.provisional for source in self.sources)

    @property
    def model_version(self) -> str:
        return self.loads.model_version
