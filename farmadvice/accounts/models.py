"""Roles, agents' assigned towns, and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
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
    def lookup(cls, key: str) -> ApiToken | None:
        """The active token with this key, with its user and the user's profile (the role), in one query.

        Every API request runs it: the row is found by its unique key and its state checked here, which
        keeps the query small (`active()` is the same rule for querysets)."""
        try:
            token = cls.objects.select_related("user", "user__profile").get(key_sha256=_hash_key(key))
        except cls.DoesNotExist:
            return None
        return token if token.is_usable() else None

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        """Neither revoked nor expired."""
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
