"""Reads for farms and irrigation districts, always through the access rules."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.core.errors import NotFound
from farmadvice.registry.models import Farm, IrrigationDistrict

MSG_FARM_NOT_FOUND = gettext_noop("农场不存在：{code}")
MSG_DISTRICT_NOT_FOUND = gettext_noop("灌区不存在：{code}")


def farm_list(
    *,
    user: Any,
    town: str | None = None,
    farm_type: str | None = None,
    district: str | None = None,
    q: str | None = None,
    active: bool | None = None,
) -> QuerySet[Farm]:
    farms = access.farms_visible_to(user).select_related("town", "village", "irrigation_district")
    if town:
        farms = farms.filter(Q(town__code=town) | Q(town__name_zh=town))
    if farm_type:
        farms = farms.filter(farm_type=farm_type)
    if district:
        farms = farms.filter(irrigation_district__code=district)
    if q:
        farms = farms.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(contact_name__icontains=q))
    if active is not None:
        farms = farms.filter(active=active)
    return farms.order_by("code")


def farm_get(*, user: Any, code: str) -> Farm:
    """The farm with this code among those the user may read; `NotFound` otherwise (existence must not
    leak). Codes are unique: one row, no ordering."""
    try:
        return (
            access.farms_visible_to(user)
            .select_related("town", "village", "irrigation_district")
            .get(code=code)
        )
    except Farm.DoesNotExist:
        raise NotFound(_(MSG_FARM_NOT_FOUND).format(code=code)) from None


def district_list(
    *, user: Any, town: str | None = None, monitored: bool | None = None, q: str | None = None
) -> QuerySet[IrrigationDistrict]:
    from farmadvice.reference.selectors import reference_value

    districts = access.districts_visible_to(user).select_related("town")
    if town:
        districts = districts.filter(Q(town__code=town) | Q(town__name_zh=town))
    if monitored is not None:
        threshold = reference_value("district_monitoring_min_area_mu")
        districts = (
            districts.filter(area_mu__gte=threshold)
            if monitored
            else districts.exclude(area_mu__gte=threshold)
        )
    if q:
        districts = districts.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return districts.order_by("code")


def district_get(*, user: Any, code: str) -> IrrigationDistrict:
    district = district_list(user=user).filter(code=code).first()
    if district is None:
        raise NotFound(_(MSG_DISTRICT_NOT_FOUND).format(code=code))
    return district
