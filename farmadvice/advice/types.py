"""What the advice engine returns: frozen dataclasses the report, the pages and the API read.

Text is rendered when it is read, in the active language (`django.utils.translation`): a `Text` holds a
lazy gettext template (Chinese source, English from the catalogue in `farmadvice/advice/locale/`) and
its parameters, and is formatted each time it is turned into a string. So one `FarmAdvice` can be
printed in Chinese and in English (`translation.override`), and nothing is translated in the rules.
Parameters are pre-formatted numbers (language-neutral), lazy labels, or `Localized` names (a crop's
Chinese and English name from the database), so they too follow the active language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from django.utils import translation

from farmadvice.core.models import Status
from farmadvice.indicators.reference import ReferenceUse, unique_uses
from farmadvice.runoff.services import Estimate, ModelUse

# Method names of a quantified reduction, besides the fitted ones (gamma_glm, log_ols, mixedlm).
EXPORT_COEFFICIENT = "export_coefficient"
MIXED = "mixed"


@dataclass(frozen=True, slots=True)
class Localized:
    """A name stored in both languages (a crop's `name_zh` / `name_en`): English when English is active."""

    zh: str
    en: str

    def __str__(self) -> str:
        language = translation.get_language() or ""
        return (self.en or self.zh) if language.startswith("en") else self.zh


@dataclass(frozen=True, slots=True)
class Text:
    """A gettext template (lazy) and its parameters, formatted in the active language when read.

    Placeholders are `%(name)s`; a literal percent sign is `%%` in every template, with or without
    parameters (gettext marks them python-format).
    """

    template: Any
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __str__(self) -> str:
        return str(self.template) % {key: str(value) for key, value in self.params.items()}


class Sentences:
    """Texts rendered one after the other: no space between them in Chinese, one in English."""

    __slots__ = ("parts",)

    def __init__(self, *parts: object) -> None:
        self.parts = parts

    def __str__(self) -> str:
        english = (translation.get_language() or "").startswith("en")
        return (" " if english else "").join(str(part) for part in self.parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sentences) and self.parts == other.parts

    def __hash__(self) -> int:
        return hash(self.parts)


class Listing:
    """Items listed in the active language's way: "TN、TP" in Chinese, "TN, TP" in English."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[object, ...] | list[object]) -> None:
        self.items = tuple(items)

    def __str__(self) -> str:
        english = (translation.get_language() or "").startswith("en")
        return (", " if english else "、").join(str(item) for item in self.items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Listing) and self.items == other.items

    def __hash__(self) -> int:
        return hash(self.items)


class Severity(StrEnum):
    """How grave the issue a recommendation answers is; the engine ranks by it after the reduction.

    LEGAL: a mandatory standard or legal requirement is not met (manure facilities not matched, tailwater
    above its discharge limit, film thinner than GB 13735-2017). TARGET: a plan target is missed (straw
    utilisation, film recovery). PRACTICE: good practice not yet adopted (N above the recommended rate,
    slow-release fertiliser, side-deep placement). DATA: a record is missing, so advice cannot be given.
    """

    LEGAL = "legal"
    TARGET = "target"
    PRACTICE = "practice"
    DATA = "data"


SEVERITY_ORDER: Mapping[Severity, int] = MappingProxyType(
    {Severity.LEGAL: 0, Severity.TARGET: 1, Severity.PRACTICE: 2, Severity.DATA: 3}
)


@dataclass(frozen=True, slots=True)
class Reduction:
    """Expected reduction of one nutrient's runoff load (INDICATORS.md §9), per year.

    `kg` is over the area the recommendation concerns (`area_ha`), `kg_per_ha` the same per hectare;
    each an `Estimate` with its 95 % interval, or without one (`low`/`high` None) in the export-
    coefficient fallback. Positive: the load goes down.
    """

    kg: Estimate
    kg_per_ha: Estimate | None
    area_ha: float

    @property
    def has_interval(self) -> bool:
        return self.kg.low is not None and self.kg.high is not None


@dataclass(frozen=True, slots=True)
class Method:
    """How a recommendation's reduction was estimated.

    `name` is the fitted method (gamma_glm, log_ols, mixedlm), "export_coefficient" (the fallback),
    "mixed" (some seasons each way) or "" (not quantified: nothing to estimate). `model_version` is the
    label of the runoff model version used ("" in the fallback). `fallback` is True whenever the
    export-coefficient fallback stood in for the model. `note` says why a figure is missing or rough.
    """

    name: str = ""
    model_version: str = ""
    fallback: bool = False
    note: Text | None = None

    @property
    def quantified_by_model(self) -> bool:
        return bool(self.name) and not self.fallback


NOT_QUANTIFIED = Method()


def weakest_status(basis: tuple[ReferenceUse, ...]) -> str:
    """provisional if any figure is, else published if any is, else official; "" without a basis."""
    statuses = {use.status for use in basis}
    for status in (Status.PROVISIONAL, Status.PUBLISHED, Status.OFFICIAL):
        if status in statuses:
            return str(status)
    return ""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One piece of advice for a farm and year.

    - `code` names the rule's finding (`N_ABOVE_RECOMMENDED`, ...), `subject` what it is about (a crop
      season's id, a tailwater parameter, ""); `key` = code:subject is unique within a `FarmAdvice`.
    - `rank` is 1 for the first recommendation (set by the engine; 0 before ranking), `severity` the
      second ranking key (see `Severity`).
    - `title` and `text` are rendered in the active language each time they are read.
    - `current` and `target` are the figure now and the figure to reach, in `unit` (e.g. 20.8 → 17
      kg N/亩, 60 → 96 %); either may be None. `quantity` is how much to act on, in `quantity_unit`
      (t of straw, m3 of storage, mu of land, kg of film), None where the advice is not a quantity.
    - `tn` / `tp`: expected reduction of the runoff load, or None when not quantified; `method` says how.
    - `basis`: the standards, guidelines and reference figures the advice rests on, each with its status
      (official / published / provisional); `status` is the weakest of them.
    """

    code: str
    subject: str
    severity: Severity
    title_text: Text
    body_text: Text | Sentences
    current: float | None = None
    target: float | None = None
    unit: Any = ""
    quantity: float | None = None
    quantity_unit: Any = ""
    tn: Reduction | None = None
    tp: Reduction | None = None
    method: Method = NOT_QUANTIFIED
    basis: tuple[ReferenceUse, ...] = ()
    rank: int = 0

    @property
    def key(self) -> str:
        return f"{self.code}:{self.subject}"

    @property
    def title(self) -> str:
        return str(self.title_text)

    @property
    def text(self) -> str:
        return str(self.body_text)

    @property
    def quantified(self) -> bool:
        return self.tn is not None or self.tp is not None

    @property
    def status(self) -> str:
        return weakest_status(self.basis)

    @property
    def provisional(self) -> bool:
        return any(use.provisional for use in self.basis)


@dataclass(frozen=True)
class FarmAdvice:
    """Every recommendation for a farm and year, ranked (see `engine.farm_advice`).

    `reference_date` is the day whose reference figures the rules read (31 December of the year unless
    asked otherwise). `models` says which runoff model version answered for TN and TP (version None: the
    export-coefficient fallback). `notes` are what the advice could not cover and why (a reference
    figure missing), in the active language when read.
    """

    farm_code: str
    farm_name: str
    year: int
    reference_date: dt.date
    recommendations: tuple[Recommendation, ...]
    models: tuple[ModelUse, ...] = ()
    notes: tuple[Text, ...] = ()

    @property
    def fallback(self) -> bool:
        """True when the export-coefficient fallback stood in for the runoff model on any of the farm's
        crop seasons (no active version, or a season the model cannot estimate), or under any
        recommendation. A farm without crop seasons has no loads, so nothing falls back."""
        return any(use.fallback_seasons for use in self.models) or any(
            rec.method.fallback for rec in self.recommendations
        )

    @property
    def model_versions(self) -> tuple[str, ...]:
        return tuple(use.label for use in self.models if use.label)

    @property
    def sources(self) -> tuple[ReferenceUse, ...]:
        """Every figure the recommendations rest on, once."""
        return unique_uses(use for rec in self.recommendations for use in rec.basis)

    @property
    def provisional(self) -> bool:
        return any(use.provisional for use in self.sources)

    @property
    def actions(self) -> tuple[Recommendation, ...]:
        """The recommendations that ask the farm to change something (not to record data)."""
        return tuple(rec for rec in self.recommendations if rec.severity != Severity.DATA)

    @property
    def data_gaps(self) -> tuple[Recommendation, ...]:
        """The "record X" recommendations: what to record to get (better) advice."""
        return tuple(rec for rec in self.recommendations if rec.severity == Severity.DATA)

    def get(self, code: str, subject: str = "") -> Recommendation | None:
        return next((r for r in self.recommendations if r.code == code and r.subject == subject), None)

    def with_code(self, code: str) -> tuple[Recommendation, ...]:
        return tuple(rec for rec in self.recommendations if rec.code == code)
