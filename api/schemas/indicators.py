from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from api.schemas.common import AsOfOut
from farmadvice.indicators.queries import INDICATORS, IndicatorFrame
from farmadvice.indicators.queries.common import LABEL_COLUMNS, Scope

LABELS = {*LABEL_COLUMNS, "value"}


class IndicatorQuery(Schema):
    year: int = Field(..., ge=2000, le=2100, description="Year, e.g. 2025")
    scope: Scope = Field(Scope.TOWN, description="farm, town, irrigation_district or district (全区)")
    town: str | None = Field(None, description="Town code (310151100) or name, to narrow the farms")


class ComplianceQuery(Schema):
    year: int = Field(..., ge=2000, le=2100)
    town: str | None = Field(None, description="Town code or name; without it the district and every town")


class FarmIndicatorQuery(Schema):
    year: int = Field(..., ge=2000, le=2100)


class ReferenceUseOut(Schema):
    name: str
    value: str
    unit: str
    status: str
    source: str
    valid_from: dt.date
    provisional: bool


class TargetOut(Schema):
    value: float
    year: int
    direction: str
    scope: str
    town_code: str | None
    source: str
    status: str
    valid_from: dt.date
    due: bool = Field(..., description="False for a later year's target being worked toward")


class ItemOut(Schema):
    code: str
    name: str
    town_code: str | None
    passing: bool | None
    reasons: list[str]
    detail: dict[str, Any]


class ComplianceRowOut(Schema):
    indicator: str
    label: str
    unit: str
    section: str
    scope: str
    scope_code: str
    scope_name: str
    year: int
    value: float | str | None
    target: TargetOut | None
    met: bool | None
    gap: float | None = Field(..., description="How far short of the target, in the unit (≤ 0 when met)")
    status: str = Field(..., description="met, not_met, working_toward, missing or no_target")
    counted: int | None
    passing: int | None
    failing: int | None
    not_assessed: int | None
    items: list[ItemOut]
    flags: list[str]
    provisional: list[ReferenceUseOut]
    notes: list[str]
    figures: dict[str, Any]


class ComplianceOut(Schema):
    year: int
    town_code: str | None
    reference_date: dt.date
    rows: list[ComplianceRowOut]
    provisional: list[ReferenceUseOut]
    as_of: AsOfOut | None = None


class IndicatorRowOut(Schema):
    scope_code: str
    scope_name: str
    town_code: str | None
    value: float | str | None
    figures: dict[str, Any] = Field(..., description="The sums and columns behind the value")


def _rows(frame: IndicatorFrame) -> list[dict[str, Any]]:
    return [
        {
            "scope_code": record["scope_code"],
            "scope_name": record["scope_name"],
            "town_code": record["town_code"],
            "value": record["value"],
            "figures": {key: value for key, value in record.items() if key not in LABELS},
        }
        for record in frame.records()
    ]


class IndicatorOut(Schema):
    indicator: str
    label: str
    unit: str
    section: str
    year: int
    scope: str
    rows: list[IndicatorRowOut]
    references: list[ReferenceUseOut]
    provisional: list[ReferenceUseOut]
    notes: list[str]

    @staticmethod
    def resolve_label(obj: IndicatorFrame) -> str:
        return INDICATORS[obj.indicator].label

    @staticmethod
    def resolve_section(obj: IndicatorFrame) -> str:
        return INDICATORS[obj.indicator].section

    @staticmethod
    def resolve_rows(obj: IndicatorFrame) -> list[dict[str, Any]]:
        return _rows(obj)


class FarmIndicatorOut(Schema):
    indicator: str
    label: str
    unit: str
    section: str
    value: float | str | None
    figures: dict[str, Any]
    provisional: list[ReferenceUseOut]
    notes: list[str]

    @staticmethod
    def resolve_label(obj: IndicatorFrame) -> str:
        return INDICATORS[obj.indicator].label

    @staticmethod
    def resolve_section(obj: IndicatorFrame) -> str:
        return INDICATORS[obj.indicator].section

    @staticmethod
    def resolve_value(obj: IndicatorFrame) -> Any:
        rows = _rows(obj)
        return rows[0]["value"] if rows else None

    @staticmethod
    def resolve_figures(obj: IndicatorFrame) -> dict[str, Any]:
        rows = _rows(obj)
        return rows[0]["figures"] if rows else {}


class FarmIndicatorsOut(Schema):
    farm_code: str
    year: int
    indicators: list[FarmIndicatorOut]
    livestock: dict[str, Any] | None = Field(None, description="Large-scale status and facility check (§6)")
    tailwater: dict[str, Any] | None = Field(None, description="Tailwater samples judged (§7)")
