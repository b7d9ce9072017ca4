"""Writes for farms and irrigation districts. Each checks access, validates fully and records who wrote it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.core.errors import PermissionDenied, ValidationFailed
from farmadvice.core.services import validate_and_save
from farmadvice.registry.models import Farm, IrrigationDistrict, Town, Village

MSG_UNKNOWN_TOWN = gettext_noop("未知乡镇：{value}")
MSG_UNKNOWN_DISTRICT = gettext_noop("未知灌区：{value}")
MSG_TOWN_NOT_ASSIGNED = gettext_noop("您未被分配到乡镇“{town}”，不能在此录入或修改。")
MSG_CODE_IMMUTABLE = gettext_noop("编号创建后不能更改。")


def _town(code: str, *, field: str = "town") -> Town:
    town = Town.objects.filter(code=code).first() or Town.objects.filter(name_zh=code).first()
    if town is None:
        raise ValidationFailed({field: [_(MSG_UNKNOWN_TOWN).format(value=code)]})
    return town


def _district(code: str | None) -> IrrigationDistrict | None:
    if not code:
        return None
    district = IrrigationDistrict.objects.filter(code=code).first()
    if district is None:
        raise ValidationFailed({"irrigation_district": [_(MSG_UNKNOWN_DISTRICT).format(value=code)]})
    return district


def _require_town(user: Any, town: Town) -> None:
    if not access.can_write_in_town(user, town):
        raise PermissionDenied(_(MSG_TOWN_NOT_ASSIGNED).format(town=town.name_zh), field="town")


def _apply_farm_fields(farm: Farm, data: dict[str, Any], *, user: Any) -> None:
    data = dict(data)
    if "town" in data:
        farm.town = _town(data.pop("town"))
    if "irrigation_district" in data:
        farm.irrigation_district = _district(data.pop("irrigation_district"))
    if "village" in data:
        name = data.pop("village")
        if name:
            # A village is a name within the farm's town; an agent may name a new one in the field.
            farm.village, _created = Village.objects.get_or_create(
                town=farm.town, name=name, defaults={"created_by": user}
            )
        else:
            farm.village = None
    for field, value in data.items():
        setattr(
            farm,
            field,
            "" if value is None and field in ("tailwater_class", "contact_name") else value,
        )


@transaction.atomic
def farm_create(*, user: Any, data: dict[str, Any]) -> Farm:
    """Create a farm in a town the user may write in; the code is the farm's stable key."""
    town = _town(data["town"])
    _require_town(user, town)
    farm = Farm()
    _apply_farm_fields(farm, data, user=user)
    return validate_and_save(farm, user=user)


@transaction.atomic
def farm_update(*, user: Any, farm: Farm, data: dict[str, Any]) -> Farm:
    """Change a farm; both its current town and, when it moves, the new one must be the user's."""
    _require_town(user, farm.town)
    if "code" in data and data["code"] != farm.code:
        raise ValidationFailed({"code": [_(MSG_CODE_IMMUTABLE)]})
    data.pop("code", None)
    if "town" in data:
        _require_town(user, _town(data["town"]))
    _apply_farm_fields(farm, data, user=user)
    return validate_and_save(farm, user=user)


@transaction.atomic
def district_create(*, user: Any, data: dict[str, Any]) -> IrrigationDistrict:
    data = dict(data)
    town = _town(data.pop("town"))
    _require_town(user, town)
    district = IrrigationDistrict(town=town, **data)
    return validate_and_save(district, user=user)


@transaction.atomic
def district_update(*, user: Any, district: IrrigationDistrict, data: dict[str, Any]) -> IrrigationDistrict:
    _require_town(user, district.town)
    data = dict(data)
    if "code" in data and data["code"] != district.code:
        raise ValidationFailed({"code": [_(MSG_CODE_IMMUTABLE)]})
    data.pop("code", None)
    if "town" in data:
        town = _town(data.pop("town"))
        _require_town(user, town)
        district.town = town
    for field, value in data.items():
        setattr(district, field, value)
    return validate_and_save(district, user=user)
