from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, ModelSchema, Schema

from farmadvice.registry.models import (
    FarmType,
    OperatorKind,
    TailwaterClass,
    Town,
)


class TownOut(ModelSchema):
    class Meta:
        model = Town
        fields = ["code", "name_zh", "name_en", "kind"]


class FarmOut(Schema):
    code: str
    name: str
    farm_type: FarmType
    operator_kind: OperatorKind
    town: str = Field(..., alias="town.code")
    town_name: str = Field(..., alias="town.name_zh")
    village: str | None = Field(None, alias="village.name")
    area_mu: Decimal
    latitude: Decimal | None
    longitude: Decimal | None
    irrigation_district: str | None = Field(None, alias="irrigation_district.code")
    tailwater_class: str
    contact_name: str
    registered_on: dt.date | None
    active: bool
    updated_at: dt.datetime


class FarmIn(Schema):
    code: str = Field(..., min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    name: str = Field(..., min_length=1, max_length=128)
    farm_type: FarmType
    operator_kind: OperatorKind = OperatorKind.FAMILY_FARM
    town: str = Field(..., description="Town code (e.g. 310151101) or Chinese name")
    village: str | None = Field(None, max_length=64)
    area_mu: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2, description="Farm area, mu")
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    irrigation_district: str | None = Field(None, description="Irrigation district code")
    tailwater_class: TailwaterClass | None = None
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=32)
    registered_on: dt.date | None = None
    active: bool = True


class FarmPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=128)
    farm_type: FarmType | None = None
    operator_kind: OperatorKind | None = None
    town: str | None = None
    village: str | None = Field(None, max_length=64)
    area_mu: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    irrigation_district: str | None = None
    tailwater_class: TailwaterClass | None = None
    contact_name: str | None = Field(None, max_length=64)
    contact_phone: str | None = Field(None, max_length=32)
    registered_on: dt.date | None = None
    active: bool | None = None


class DistrictOut(Schema):
    code: str
    name: str
    town: str = Field(..., alias="town.code")
    town_name: str = Field(..., alias="town.name_zh")
    area_mu: Decimal
    receiving_water: str
    updated_at: dt.datetime


class DistrictIn(Schema):
    code: str = Field(..., min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    name: str = Field(..., min_length=1, max_length=128)
    town: str
    area_mu: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2, description="District area, mu")
    receiving_water: str = Field("", max_length=128)


class DistrictPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=128)
    town: str | None = None
    area_mu: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    receiving_water: str | None = Field(None, max_length=128)


class MeOut(Schema):
    username: str
    role: str | None
    towns: list[str]
    farms: list[str]
