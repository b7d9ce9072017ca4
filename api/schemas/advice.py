"""The answer of `GET /farms/{code}/advice`: a farm's ranked recommendations (farmadvice.advice).

Titles, texts, units and notes are rendered in the language asked for (`lang`), else the request's
(Accept-Language), Chinese by default. Reductions are expected runoff load reductions, kg a year, with
their 95 % interval, or without one (`low`/`high` null) when the export-coefficient fallback made them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from api.schemas.runoff import EstimateOut, YearQuery


class AdviceQuery(YearQuery):
    lang: Literal["zh-hans", "en"] | None = Field(
        None, description="Language of the texts; the request's language (Chinese by default) if absent"
    )


class ReductionOut(Schema):
    kg: EstimateOut = Field(..., description="Expected reduction, kg a year, over `area_ha`")
    kg_per_ha: EstimateOut | None = Field(None, description="The same per hectare")
    area_ha: float = Field(..., description="Area the recommendation concerns, ha")


class MethodOut(Schema):
    name: str = Field(
        ..., description="gamma_glm, log_ols, mixedlm, export_coefficient, mixed, or empty: not quantified"
    )
    model_version: str = Field(..., description="Runoff model version(s) used, e.g. TN#3 log_ols")
    fallback: bool = Field(
        ..., description="True when the export-coefficient fallback stood in for the model"
    )
    note: str | None = Field(None, description="Why a figure is missing or rough")

    @staticmethod
    def resolve_note(obj: Any) -> str | None:
        return None if obj.note is None else str(obj.note)


class BasisOut(Schema):
    name: str
    value: str
    unit: str
    status: Literal["official", "published", "provisional"]
    source: str
    valid_from: dt.date


class RecommendationOut(Schema):
    rank: int = Field(..., description="1 = first")
    code: str = Field(..., description="The rule's finding, e.g. n_above_recommended, manure_liquid_storage")
    subject: str = Field(
        ..., description="What it is about: a crop season's id, a tailwater parameter, or empty"
    )
    severity: Literal["legal", "target", "practice", "data"]
    title: str
    text: str
    current: float | None = Field(None, description="The figure now, in `unit`")
    target: float | None = Field(None, description="The figure to reach, in `unit`")
    unit: str
    quantity: float | None = Field(None, description="How much to act on, in `quantity_unit`")
    quantity_unit: str
    tn: ReductionOut | None = Field(None, description="Expected TN load reduction; null when not quantified")
    tp: ReductionOut | None = Field(None, description="Expected TP load reduction; null when not quantified")
    method: MethodOut
    basis: list[BasisOut] = Field(..., description="Standards, guidelines and figures it rests on")
    status: str = Field(..., description="The weakest status of the basis: official, published, provisional")
    provisional: bool

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.unit)

    @staticmethod
    def resolve_quantity_unit(obj: Any) -> str:
        return str(obj.quantity_unit)


class FarmAdviceOut(Schema):
    farm_code: str
    farm_name: str
    year: int
    reference_date: dt.date = Field(..., description="The day whose reference figures the rules used")
    fallback: bool = Field(
        ..., description="True when loads rest (partly) on the export-coefficient fallback"
    )
    model_versions: list[str]
    provisional: bool = Field(..., description="True when any recommendation rests on a provisional figure")
    recommendations: list[RecommendationOut]
    notes: list[str]

    @staticmethod
    def resolve_notes(obj: Any) -> list[str]:
        return [str(note) for note in obj.notes]
