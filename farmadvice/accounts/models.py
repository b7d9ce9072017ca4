"""Roles, agents' assigned towns, and API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from farmadvice.registry.models import Town


class Role(models.TextChoices):
    COMMITTEE = "committee", _("农委")
    AGENT = "agent", _("农技人员")
    OPERATOR = "operator", _("农场经营者")
    ADMIN = "admin", _("管理员")


class Profile(models.Model):
    """A user's role; an extension agent's assigned towns. Operators' farms are `Farm.operators`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    towns = models.ManyToManyField(Town, verbose_name=_("负责乡镇"), related_name="agents", blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # a busy client must not turn every read into a write


@functools.cache
def _authenticate_sql(alias: str) -> str:
    """`ApiToken.authenticate`'s query for this database, its columns and tables from the models."""
    qn = connections[alias].ops.quote_name
    user_model = get_user_model()
    token = {f.name: qn(f.column) for f in ApiToken._meta.concrete_fields}
    user_columns = ", ".join(f"u.{qn(f.column)}" for f in user_model._meta.concrete_fields)
    return (
        f"SELECT {user_columns}, p.{qn(Profile._meta.get_field('role').column)} AS _farmadvice_role,"
        f" t.{token['id']} AS api_token_id,"
        f" (t.{token['last_used_at']} IS NULL OR t.{token['last_used_at']} < %s) AS api_token_stale"
        f" FROM {qn(ApiToken._meta.db_table)} t"
        f" INNER JOIN {qn(user_model._meta.db_table)} u ON u.{qn(user_model._meta.pk.column)} = t.{token['user']}"
        f" LEFT OUTER JOIN {qn(Profile._meta.db_table)} p"
        f" ON p.{qn(Profile._meta.get_field('user').column)} = u.{qn(user_model._meta.pk.column)}"
        f" WHERE t.{token['key_sha256']} = %s AND t.{token['revoked_at']} IS NULL"
        f" AND (t.{token['expires_at']} IS NULL OR t.{token['expires_at']} > %s)"
    )


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the key is shown once, when issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途"), max_length=64)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    def set_key(self, key: str) -> None:
        self.prefix = key[:8]
        self.key_sha256 = _hash_key(key)

    @classmethod
    def authenticate(cls, key: str, now: dt.datetime | None = None) -> Any | None:
        """The active user holding this key through a usable token (neither revoked nor expired), or None.

        Every API request runs this, so it is one hand-written query built once from the models' metadata:
        Django compiling the same three-table select (the token, its user and the user's role) cost about
        four times the query itself. The user comes back with its role (`access.role_of` reads it without
        another query), the token's id as `api_token_id` and `api_token_stale`, true when the token's
        `last_used_at` is older than a minute (the caller touches it then)."""
        now = now or timezone.now()
        user_model = get_user_model()
        connection = connections[router.db_for_read(user_model)]
        adapt = connection.ops.adapt_datetimefield_value
        touched_before = adapt(now - LAST_USED_RESOLUTION)
        users = user_model._default_manager.db_manager(connection.alias).raw(
            _authenticate_sql(connection.alias), [touched_before, _hash_key(key), adapt(now)]
        )
        user = next(iter(users), None)
        if user is None or not user.is_active:
            return None
        user._farmadvice_role = user._farmadvice_role or ""
        user.api_token_stale = bool(user.api_token_stale)
        return user

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        """Neither revoked nor expired."""
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
