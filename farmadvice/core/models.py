"""Shared model parts: who entered a record and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditedModel(models.Model):
    """Keeps who created a record and who last changed it, and when.

    The full change history lives in each model's `history` (django-simple-history).
    """

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class Status(models.TextChoices):
    """How firmly a reference figure is sourced (INDICATORS.md, preamble)."""

    OFFICIAL = "official", _("官方")
    PUBLISHED = "published", _("已发表")
    PROVISIONAL = "provisional", _("暂定")


class SourcedModel(models.Model):
    """A reference figure with its source, status and the date it applies from.

    A changed figure is a new row with a new `valid_from`, never an overwrite, so past reports stay
    reproducible.
    """

    source = models.TextField(_("来源"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    valid_from = models.DateField(_("生效日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def is_provisional(self) -> bool:
        return self.status == Status.PROVISIONAL


class DataVersion(models.Model):
    """One counter raised after every committed change of the data figures are computed from (see
    `farmadvice.core.figures`): cached figures are keyed by it."""

    SINGLETON = 1

    version = models.BigIntegerField(_("数据版本"), default=0)
    changed_at = models.DateTimeField(_("最近变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self) -> str:
        return str(self.version)
