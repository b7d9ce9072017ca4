"""Users, roles and tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from farmadvice.accounts.models import ApiToken, Profile, Role
from farmadvice.registry.models import Farm, Town


def token_issue(*, user: Any, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is not stored and cannot be shown again."""
    key = ApiToken.new_key()
    token = ApiToken(user=user, name=name, expires_at=expires_at)
    token.set_key(key)
    token.save()
    return token, key


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    towns: Iterable[Town] = (),
    farms: Iterable[Farm] = (),
    **fields: Any,
) -> Any:
    """Create a user with a role. Committee, agents and admins use the admin site; operators do not."""
    role = Role(role)
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        is_staff=role in (Role.COMMITTEE, Role.AGENT, Role.ADMIN),
        is_superuser=role == Role.ADMIN,
        **fields,
    )
    profile = Profile.objects.create(user=user, role=role)
    if role == Role.AGENT:
        profile.towns.set(towns)
    for farm in farms:
        farm.operators.add(user)
    return user
