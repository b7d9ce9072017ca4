from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from farmadvice.accounts.models import Role
from farmadvice.accounts.services import user_create
from farmadvice.registry.models import Farm, Town

PASSWORD = "correct-horse-battery-staple"


def make_user(
    role: str, username: str | None = None, *, towns: Iterable[Town] = (), farms: Iterable[Farm] = ()
) -> Any:
    from django.contrib.auth import get_user_model

    count = get_user_model().objects.count()
    return user_create(
        username=username or f"{role}{count}", password=PASSWORD, role=Role(role), towns=towns, farms=farms
    )
