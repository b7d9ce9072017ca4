"""Reads for farms and irrigation districts, always through the access rules."""

from __future__ import annotations

import functools
from typing import Any

from django.db import connections, router
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.core.errors import NotFound
from farmadvice.registry.models import Farm, IrrigationDistrict, Town, Village

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
    """The farm with this code among those the user may read, with its town, village and irrigation
    district; `NotFound` otherwise (existence must not leak). Codes are unique: one row, no ordering."""
    farm: Farm | None
    if access.reads_all(user):
        farm = _farm_by_code(code)  # every farm is visible: the hand-written query
    else:
        try:
            farm = (
                access.farms_visible_to(user)
                .select_related("town", "village", "irrigation_district")
                .get(code=code)
            )
        except Farm.DoesNotExist:
            farm = None
    if farm is None:
        raise NotFound(_(MSG_FARM_NOT_FOUND).format(code=code))
    return farm


#: The related rows `_farm_by_code` reads with the farm: (model, the farm's key, the fields read; the
#: others are deferred, loaded when first used). All of these need no conversion from the database.
_FARM_RELATED = (
    ("town", Town, ("id", "code", "name_zh", "name_en", "kind", "source")),
    ("village", Village, ("id", "town_id", "name")),
    ("irrigation_district", IrrigationDistrict, ("id", "code", "name", "town_id", "receiving_water")),
)


def _farm_by_code(code: str) -> Farm | None:
    """The farm with this code (any reader's view of it), with its town, village and irrigation district:
    one query built once from the models. Every page and API call about a farm starts here, and Django
    compiling the same four-table select cost several times running it."""
    alias = router.db_for_read(Farm)
    farm = next(iter(Farm.objects.db_manager(alias).raw(_farm_sql(alias), [code])), None)
    if farm is None:
        return None
    for name, model, fields in _FARM_RELATED:
        key = getattr(farm, Farm._meta.get_field(name).attname)
        values = [getattr(farm, f"_{name}__{field}") for field in fields]
        setattr(farm, name, None if key is None else model.from_db(alias, list(fields), values))
    return farm


@functools.cache
def _farm_sql(alias: str) -> str:
    qn = connections[alias].ops.quote_name
    columns = [f"f.{qn(f.column)}" for f in Farm._meta.concrete_fields]
    joins = []
    for n, (name, model, fields) in enumerate(_FARM_RELATED):
        table = f"r{n}"
        columns += [f"{table}.{qn(model._meta.get_field(f).column)} AS {qn(f'_{name}__{f}')}" for f in fields]
        joins.append(
            f" LEFT OUTER JOIN {qn(model._meta.db_table)} {table}"
            f" ON {table}.{qn(model._meta.pk.column)} = f.{qn(Farm._meta.get_field(name).column)}"
        )
    return (
        f"SELECT {', '.join(columns)} FROM {qn(Farm._meta.db_table)} f{''.join(joins)}"
        f" WHERE f.{qn(Farm._meta.get_field('code').column)} = %s"
    )


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
