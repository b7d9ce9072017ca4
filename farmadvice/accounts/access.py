"""Who may see and change what: the one place the API, the pages and the admin ask.

- Admin (superuser or role admin): everything.
- Committee: reads everything; writes reference figures and targets (in the admin), not farm records.
- Extension agent: reads every farm and district (peers and town context are part of advising), writes
  farms, districts and their records only in assigned towns.
- Farm operator: reads only the farms they operate, and the districts those farms lie in; writes nothing.

A reader who may not see an object is told it does not exist (404), so existence does not leak; a reader
who may see it but not change it is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from farmadvice.accounts.models import Role
from farmadvice.registry.models import Farm, IrrigationDistrict, Town


def role_of(user: Any) -> str | None:
    """The user's role, or None for anonymous users and users without one."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_farmadvice_role", None)
    if cached is not None:
        return cached or None
    profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
    role = profile.role if profile is not None else ""
    user._farmadvice_role = role
    return role or None


def assigned_town_ids(user: Any) -> set[int]:
    cached = getattr(user, "_farmadvice_town_ids", None)
    if cached is None:
        cached = (
            set(user.profile.towns.values_list("id", flat=True)) if role_of(user) == Role.AGENT else set()
        )
        user._farmadvice_town_ids = cached
    return cached


def reads_all(user: Any) -> bool:
    return role_of(user) in (Role.ADMIN, Role.COMMITTEE, Role.AGENT)


def farms_visible_to(user: Any) -> QuerySet[Farm]:
    if reads_all(user):
        return Farm.objects.all()
    if role_of(user) == Role.OPERATOR:
        return Farm.objects.filter(operators=user)
    return Farm.objects.none()


def districts_visible_to(user: Any) -> QuerySet[IrrigationDistrict]:
    if reads_all(user):
        return IrrigationDistrict.objects.all()
    if role_of(user) == Role.OPERATOR:
        return IrrigationDistrict.objects.filter(farms__operators=user).distinct()
    return IrrigationDistrict.objects.none()


def can_read_farm(user: Any, farm: Farm) -> bool:
    return farms_visible_to(user).filter(pk=farm.pk).exists()


def can_write_in_town(user: Any, town: Town | int | None) -> bool:
    """May the user create or change farms, districts and records located in `town`?"""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    if role != Role.AGENT or town is None:
        return False
    town_id = town if isinstance(town, int) else town.pk
    return town_id in assigned_town_ids(user)


def can_write_farm(user: Any, farm: Farm) -> bool:
    return can_write_in_town(user, farm.town_id)


def can_write_district(user: Any, district: IrrigationDistrict) -> bool:
    return can_write_in_town(user, district.town_id)


def can_edit_reference(user: Any) -> bool:
    """Reference figures and targets: committee staff and admins."""
    return role_of(user) in (Role.ADMIN, Role.COMMITTEE)
